/**
 * The generated i64 trampolines: their bytes are what their printed WAT
 * assembles to (wabt), and they carry every i64 as halves, exactly, in both
 * directions, with no BigInt reaching the JS side.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { bindTrampolines, createWideSlot, returnWide, type TrampolineSet } from "../runtime/abi/index.js";
import { V0_43Trampolines } from "../generated/host/v0.43/trampolines.js";
import { V0_33Trampolines } from "../generated/host/v0.33/trampolines.js";
import { PreReleaseTrampolines } from "../generated/host/pre-release/trampolines.js";
import { hostFunctionsOfProfile } from "../generated/host/descriptors.js";
import { wat } from "./helpers/wat.js";

const sets: [string, TrampolineSet][] = [
  ["v0.43", V0_43Trampolines],
  ["v0.33", V0_33Trampolines],
  ["pre-release", PreReleaseTrampolines],
];

/** The WAT printed in the generated file's comment. */
function printedWat(profile: string): string {
  const src = readFileSync(fileURLToPath(new URL(`../generated/host/${profile}/trampolines.ts`, import.meta.url)), "utf8");
  const block = src.split("as WAT:\n *\n")[1].split("\n */")[0];
  return block
    .split("\n")
    .map((l) => l.replace(/^ \* ?/, ""))
    .join("\n");
}

describe("generated trampolines", () => {
  it.each(sets)("%s: the bytes are the printed WAT, assembled by wabt", async (profile, set) => {
    expect(await wat(printedWat(profile))).toEqual(set.wasm);
  });

  it.each(sets)("%s: one trampoline per function with an i64, and no other", (profile, set) => {
    const wide = hostFunctionsOfProfile(profile as "v0.43").filter((f) => f.result.wire === "i64" || f.params.some((p) => p.wire === "i64"));
    expect([...set.functions].sort()).toEqual(wide.map((f) => f.name).sort());
    const module = new WebAssembly.Module(set.wasm);
    expect(WebAssembly.Module.exports(module).map((e) => e.name).sort()).toEqual([...set.functions].sort());
  });

  it("splits i64 arguments into (low, high) u32 halves and gives the JS side numbers only", () => {
    const wide = createWideSlot();
    const seen: unknown[][] = [];
    const linked = bindTrampolines(
      V0_43Trampolines,
      {
        mapUpdate: (...args: number[]) => (seen.push(args), 7),
        fieldSet: (...args: number[]) => (seen.push(args), 0),
      },
      wide,
    );
    const mapUpdate = linked.mapUpdate as (m: number, k: bigint, v: bigint, f: bigint) => number;
    expect(mapUpdate(5, 0x0000_0010_0000_0400n, 0xffff_ffff_8000_0001n, 2n)).toBe(7);
    const fieldSet = linked.fieldSet as (f: number, d: number, k: number, v: bigint) => number;
    expect(fieldSet(1, 2, 9, -2n)).toBe(0);
    // Numbers are i32 values as wasm passes them: signed.
    expect(seen).toEqual([
      [5, 0x400, 0x10, 0x8000_0001 | 0, -1, 2, 0],
      [1, 2, 9, -2, -1],
    ]);
    expect(seen.flat().every((v) => typeof v === "number")).toBe(true);
  });

  it("builds an i64 result from the returned low half and the slot's high half", () => {
    const wide = createWideSlot();
    let next: number | bigint = 0;
    const linked = bindTrampolines(V0_43Trampolines, { fieldGetScalar: () => returnWide(wide, next) }, wide);
    const get = linked.fieldGetScalar as (f: number, d: number, k: number, e: number) => bigint;
    for (const value of [0, 1, 0xffff_ffff, 2 ** 40 + 3, -1, -(2 ** 40)]) {
      next = value;
      expect(BigInt.asUintN(64, get(0, 0, 0, 0))).toBe(BigInt.asUintN(64, BigInt(value)));
    }
    for (const value of [0xffff_ffff_ffff_ffffn, 0x8000_0000_0000_0000n, 0x1234_5678_9abc_def0n]) {
      next = value;
      expect(BigInt.asUintN(64, get(0, 0, 0, 0))).toBe(value);
    }
  });

  it("offers only the functions the host gave, and functions without an i64 as they are", () => {
    const wide = createWideSlot();
    const log = (): void => {};
    const release = (): number => 0;
    const linked = bindTrampolines(V0_43Trampolines, { gadgetLog: log, dataSourceRelease: release }, wide);
    expect(Object.keys(linked).sort()).toEqual(["dataSourceRelease", "gadgetLog"]);
    expect(linked.dataSourceRelease).toBe(release);
    expect(linked.gadgetLog).not.toBe(log);
  });
});
