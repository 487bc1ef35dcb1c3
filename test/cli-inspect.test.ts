/**
 * `igwasm inspect`: the IG releases a module was built for (and why), imports
 * checked against the spec (unknown functions, wrong wire signatures), exports
 * (missing, wrong), API version, --ig-version; `igwasm diff` between releases;
 * plus the binary readers inspect stands on (wasm sections, tar, OCI layout).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { cli } from "./helpers/cli.js";
import { ImageError, readGadgetImage, readTar, wasmParamSpecs } from "../cli/oci.js";
import { writeGadgetImage, writeTar } from "../cli/tar-writer.js";
import { readWasmSignatures, WasmParseError } from "../cli/wasm-imports.js";
import { buildExample } from "../scripts/build-examples.js";
import type { ProfileId } from "../generated/constants.js";
import { functionsOf, hostGuestWat, newestRelease } from "./helpers/host-guest.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const BUILD = join(ROOT, "test/.build/cli-inspect");
let emitterWasm: string;

async function wat(name: string, text: string): Promise<string> {
  const wabt = await (await import("wabt")).default();
  const module = wabt.parseWat(`${name}.wat`, text);
  const file = join(BUILD, `${name}.wasm`);
  writeFileSync(file, module.toBinary({}).buffer);
  module.destroy();
  return file;
}


beforeAll(async () => {
  mkdirSync(BUILD, { recursive: true });
  emitterWasm = join(BUILD, "emitter.wasm");
  await buildExample("emitter", emitterWasm);
});

const GOOD_EXPORTS = `
  (memory (export "memory") 1)
  (func (export "gadgetAPIVersion") (result i64) i64.const 1)
  (func (export "gadgetInit") (result i32) i32.const 0)`;

describe("igwasm inspect", () => {
  it("reports a good v0.43 gadget: release range, profile, imports, exports, API version", async () => {
    const r = await cli("inspect", emitterWasm);
    expect(r.code).toBe(0);
    expect(r.out.split("\n").slice(1, 3)).toEqual([
      "built for IG v0.39.0 - v0.55.1 (ABI profile v0.43; the host uses IG v0.55.1)",
      "  because it imports ig.fieldSet (i32,i32,i32,i64)->(i32): IG v0.39.0 and later",
    ]);
    expect(r.out).toMatch(/^ {2}ok +ig\.fieldSet +\(i32, i32, i32, i64\) -> \(i32\)$/m);
    expect(r.out).toMatch(/^ {2}ok +gadgetAPIVersion +required +\(\) -> \(i64\)$/m);
    expect(r.out).toMatch(/^ {2}ok +gadgetStart +optional +\(\) -> \(i32\)$/m);
    expect(r.out).toMatch(/^ {2}- +gadgetPreStart +optional$/m);
    expect(r.out).toContain("API version: 1 (gadgetAPIVersion called with stub imports)");
    expect(r.out.trimEnd().split("\n").at(-1)).toBe("no problems found");
  });

  // A guest importing every host function of a profile, with the exports the profile requires,
  // can have been built for exactly these releases (IG sources in the spec, per function).
  const RANGES: [ProfileId, string][] = [
    ["pre-release", "IG pre-release (ABI profile pre-release; the host uses IG pre-release)"],
    // v0.30 - v0.32 only added nothing later releases removed before fieldGet went (fields.go@14d447c35).
    ["v0.30", "IG v0.30.0 - v0.37.0 (ABI profile v0.37; the host uses IG v0.37.0)"],
    ["v0.33", "IG v0.33.0 - v0.37.0 (ABI profile v0.37; the host uses IG v0.37.0)"],
    ["v0.35", "IG v0.35.0 - v0.37.0 (ABI profile v0.37; the host uses IG v0.37.0)"],
    ["v0.37", "IG v0.37.0 (ABI profile v0.37; the host uses IG v0.37.0)"],
    ["v0.38", "IG v0.38.0 - v0.38.1 (ABI profile v0.38; the host uses IG v0.38.1)"],
    ["v0.39", "IG v0.39.0 - v0.55.1 (ABI profile v0.43; the host uses IG v0.55.1)"],
    ["v0.40", "IG v0.40.0 - v0.55.1 (ABI profile v0.43; the host uses IG v0.55.1)"],
    ["v0.43", "IG v0.43.0 - v0.55.1 (ABI profile v0.43; the host uses IG v0.55.1)"],
  ];
  it.each(RANGES)("a guest importing all of %s: built for %s", async (profile, range) => {
    const file = await wat(`all-${profile}`, hostGuestWat(profile, "", { names: functionsOf(profile) }));
    const r = await cli("inspect", file);
    expect(r.code).toBe(0);
    expect(r.out.split("\n")[1]).toBe(`built for ${range}`);
    expect(r.out.trimEnd().split("\n").at(-1)).toBe("no problems found");
    // --ig-version checks against one release of the range instead.
    const newest = newestRelease(profile);
    const pinned = await cli("inspect", file, "--ig-version", newest, "--json");
    expect(JSON.parse(pinned.out).release).toEqual({ release: newest, profile, first: newest, last: newest, reasons: [`IG ${newest} was asked for`] });
  });

  it("--ig-version outside the range lists every import that does not fit, and fails", async () => {
    const file = await wat("all-v0.37-on-v0.38", hostGuestWat("v0.37", "", { names: functionsOf("v0.37") }));
    const r = await cli("inspect", file, "--ig-version", "v0.38");
    expect(r.code).toBe(1);
    expect(r.out.split("\n").slice(1, 3)).toEqual(["built for IG v0.38.1 (ABI profile v0.38; the host uses IG v0.38.1)", "  no release fits; checked against v0.38.1"]);
    expect(r.out).toMatch(/^ {2}WRONG SIGNATURE +env\.getParamValue +\(i64\) -> \(i64\) +\(expected \(i64, i64\) -> \(i32\)\)$/m);
    expect(r.out).toMatch(/^ {2}UNKNOWN +env\.fieldGet +\(i32, i32, i32\) -> \(i64\) +\(not a v0\.38 host function\)$/m);
    expect(r.out).toContain(
      "  the module cannot run on IG v0.38.1: env.fieldGet: IG v0.38.1 has no such host function; IG v0.30.0 - v0.37.0 had it; " +
        "env.getParamValue: imported as (i64)->(i64), but IG v0.38.1 has (i64,i64)->(i32); IG v0.33.0 - v0.37.0 had it; ",
    );
    expect(await cli("inspect", file, "--ig-version", "v7")).toEqual({ code: 2, out: "", err: 'igwasm: --ig-version: unknown IG release "v7" (known: pre-release, v0.30.0 ... v0.55.1)\n' });
  });

  it("lists an unknown host function and a wrong signature", async () => {
    const file = await wat(
      "bad-imports",
      `(module
        (import "ig" "gadgetLog" (func (param i32 i64)))
        (import "ig" "noSuchFunction" (func (param i32) (result i32)))
        (import "ig" "fieldGetScalar" (func (param i32 i32 i32) (result i64)))
        (import "other" "thing" (func))
        ${GOOD_EXPORTS})`,
    );
    const r = await cli("inspect", file);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^ {2}UNKNOWN +ig\.noSuchFunction +\(i32\) -> \(i32\) +\(not a v0\.43 host function\)$/m);
    expect(r.out).toMatch(/^ {2}WRONG SIGNATURE +ig\.fieldGetScalar +\(i32, i32, i32\) -> \(i64\) +\(expected \(i32, i32, i32, i32\) -> \(i64\)\)$/m);
    expect(r.out).toMatch(/^ {2}UNKNOWN MODULE +other\.thing/m);
    expect(r.out).toContain("4 problems:\n");
    expect(r.out).toContain(
      "  no IG release offers all of this module's imports and exports: ig.noSuchFunction: IG v0.55.1 has no such host function; no IG release has it; " +
        "ig.fieldGetScalar: imported as (i32,i32,i32)->(i64), but IG v0.55.1 has (i32,i32,i32,i32)->(i64); no IG release has it; " +
        'other.thing: IG v0.55.1 registers its functions under "ig", not "other"; no IG release has it\n',
    );
    expect(r.out).toContain("  import ig.noSuchFunction: the v0.43 profile has no such host function\n");
    expect(r.out).toContain("  import ig.fieldGetScalar: signature (i32, i32, i32) -> (i64), expected (i32, i32, i32, i32) -> (i64)\n");

    const json = JSON.parse((await cli("inspect", file, "--json")).out);
    expect(json.profile).toBe("v0.43");
    expect(json.imports.map((i: { name: string; status: string }) => [i.name, i.status])).toEqual([
      ["gadgetLog", "ok"],
      ["noSuchFunction", "unknown-function"],
      ["fieldGetScalar", "wrong-signature"],
      ["thing", "unknown-module"],
    ]);
    expect(json.problems).toHaveLength(4);
  });

  it("lists missing and wrong exports", async () => {
    const file = await wat(
      "bad-exports",
      `(module
        (import "ig" "gadgetLog" (func (param i32 i64)))
        (func (export "gadgetInit") (result i64) i64.const 0)
        (func (export "helper")))`,
    );
    const r = await cli("inspect", file);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^ {2}MISSING +gadgetAPIVersion +required$/m);
    expect(r.out).toMatch(/^ {2}WRONG SIGNATURE +gadgetInit +optional +\(\) -> \(i64\) +\(expected \(\) -> \(i32\)\)$/m);
    expect(r.out).toMatch(/^ {2}other +helper +\(\) -> \(\)$/m);
    expect(r.out).toContain("API version: not declared (no gadgetAPIVersion export)");
    expect(r.out).toContain("  export gadgetAPIVersion: missing (required in the v0.43 profile)\n");
    expect(r.out).toContain("  export memory: missing");
  });

  it("says which releases an env guest was built for, and the pre-release one", async () => {
    const env = await wat(
      "v0.37",
      `(module
        (import "env" "gadgetLog" (func (param i32 i64)))
        (import "env" "fieldGet" (func (param i32 i32 i32) (result i64)))
        ${GOOD_EXPORTS}
        (func (export "malloc") (param i32) (result i32) i32.const 0))`,
    );
    const r = await cli("inspect", env, "--json");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ profile: "v0.37", release: { release: "v0.37.0", first: "v0.30.0", last: "v0.37.0" }, problems: [], apiVersion: { value: "1", how: "called" } });

    const seed = await wat(
      "pre-release",
      `(module
        (import "env" "fieldAccessorGet" (func (param i32 i32 i32) (result i64)))
        (memory (export "memory") 1)
        (func (export "malloc") (param i32) (result i32) i32.const 0)
        (func (export "init") (result i32) i32.const 0)
        (func (export "dsCallback") (param i64 i32 i32)))`,
    );
    const s = JSON.parse((await cli("inspect", seed, "--json")).out);
    expect(s).toMatchObject({ profile: "pre-release", release: { first: "pre-release", last: "pre-release" }, problems: [], apiVersion: { how: "absent" } });
  });

  it("reports the version without calling it with --no-call, and a bad version", async () => {
    const file = await wat("v2", `(module (import "ig" "gadgetLog" (func (param i32 i64))) (memory (export "memory") 1) (func (export "gadgetAPIVersion") (result i64) i64.const 2))`);
    const r = await cli("inspect", file);
    expect(r.code).toBe(1);
    expect(r.out).toContain("gadgetAPIVersion returned 2; hosts support 1");
    const n = await cli("inspect", file, "--no-call");
    expect(n.code).toBe(0);
    expect(n.out).toContain("API version: declared (gadgetAPIVersion exported; not called (--no-call))");
  });

  it("inspects the wasm of a gadget image", async () => {
    const tar = join(BUILD, "emitter.tar");
    writeFileSync(tar, writeGadgetImage({ wasm: readFileSync(emitterWasm), metadataYaml: "name: emitter\n" }));
    const r = await cli("inspect", tar);
    expect(r.code).toBe(0);
    expect(r.out.split("\n")[0]).toMatch(/emitter\.tar: gadget image, wasm module of \d+ bytes$/);
  });

  it("fails with one line on unreadable input", async () => {
    expect(await cli("inspect", join(BUILD, "nope.wasm"))).toEqual({ code: 1, out: "", err: `igwasm: gadget ${join(BUILD, "nope.wasm")} does not exist\n` });
    const truncated = join(BUILD, "truncated.wasm");
    writeFileSync(truncated, readFileSync(emitterWasm).subarray(0, 40));
    const r = await cli("inspect", truncated);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^igwasm: .*truncated\.wasm: malformed wasm at byte \d+: .+\n$/);
    expect((await cli("inspect")).err).toBe("igwasm: inspect needs a gadget (see igwasm inspect --help)\n");
  });
});

describe("igwasm diff", () => {
  it("v0.37.0 -> v0.39.0: the env -> ig rename, removed and changed functions; exit 1", async () => {
    const r = await cli("diff", "v0.37.0", "v0.39.0");
    expect(r.code).toBe(1);
    // wasm.go@0705b83b1 (v0.39.0) registers under "ig"; fields.go, params.go, perf.go, syscalls.go at ac3ba9801 / 0705b83b1.
    expect(r.out.split("\n")).toEqual([
      "IG v0.37.0 -> IG v0.39.0: 12 changes, 7 breaking",
      '  BREAKING  import module renamed: "env" -> "ig" (every host import of a v0.37.0 guest stops linking)',
      "  BREAKING  host function removed: fieldGet (i32,i32,i32)->(i64)",
      "  BREAKING  host function contract changed (same signature): fieldSet (see pkg/operators/wasm/fields.go@114579bbf)",
      "  BREAKING  host function signature changed: getParamValue (i64)->(i64) -> (i64,i64)->(i32)",
      "  BREAKING  host function signature changed: perfReaderRead (i32,i32)->(i32) -> (i32,i64)->(i32)",
      "  BREAKING  host function signature changed: getSyscallName (i32)->(i64) -> (i32,i64)->(i32)",
      "  ok        host function added: fieldGetScalar (i32,i32,i32,i32)->(i64)",
      "  ok        host function added: fieldGetBuffer (i32,i32,i32,i64)->(i32)",
      "  ok        host function added: getSyscallID (i64)->(i32)",
      "  ok        guest export no longer called: malloc",
      "  BREAKING  behaviour ends: initializerIsStart: The host runs the module's `_start` export after instantiating it and never `_initialize`.",
      "  ok        behaviour begins: callbacksSerialised: Calls of `dataSourceCallback` are serialised by a lock.",
      "",
    ]);
    const json = JSON.parse((await cli("diff", "v0.37", "v0.39", "--json")).out);
    expect([json.from, json.to, json.changes.length]).toEqual(["v0.37.0", "v0.39.0", 12]);
  });

  it("v0.43.0 -> v0.55.1: only host behaviours changed, none breaking; exit 0", async () => {
    // The stop timeout went from 5 s to 42 s in v0.44.0 (wasm.go@2f057e86a); dataSourceGetField
    // falls back to a case-insensitive match since v0.49.0 (pkg/datasource/data.go@56b2649dc).
    const r = await cli("diff", "v0.43.0", "v0.55.1");
    expect(r).toEqual({
      code: 0,
      err: "",
      out:
        "IG v0.43.0 -> IG v0.55.1: 2 changes, 0 breaking\n" +
        "  ok        behaviour begins: stopTimeoutMs: How long `gadgetStop` may run before the host gives up on the module: 5 seconds until v0.43.0, 42 seconds since v0.44.0.\n" +
        "  ok        behaviour begins: getFieldCaseInsensitive: `dataSourceGetField` tries the exact name first, then a case-insensitive match over the data source's fields.\n",
    });
    expect(await cli("diff", "v0.55.1", "v0.55.1")).toEqual({ code: 0, err: "", out: "IG v0.55.1 -> IG v0.55.1: 0 changes, 0 breaking\n" });
  });
});

describe("wasm section reader", () => {
  it("agrees with WebAssembly.Module on names, and adds signatures", async () => {
    const bytes = readFileSync(emitterWasm);
    const sigs = readWasmSignatures(bytes);
    const module = new WebAssembly.Module(bytes);
    expect(sigs.imports.map((i) => `${i.module}.${i.name}:${i.kind}`)).toEqual(WebAssembly.Module.imports(module).map((i) => `${i.module}.${i.name}:${i.kind}`));
    expect(sigs.exports.map((e) => `${e.name}:${e.kind}`)).toEqual(WebAssembly.Module.exports(module).map((e) => `${e.name}:${e.kind}`));
    expect(sigs.imports.find((i) => i.name === "getParamValue")?.type).toEqual({ params: ["i64", "i64"], results: ["i32"] });
  });

  it("reads non-function imports", async () => {
    const file = await wat("kinds", `(module (import "a" "m" (memory 1 2)) (import "a" "t" (table 1 funcref)) (import "a" "g" (global (mut i32))) (import "a" "f" (func (result f64))))`);
    const sigs = readWasmSignatures(readFileSync(file));
    expect(sigs.imports.map((i) => [i.name, i.kind, i.type?.results])).toEqual([
      ["m", "memory", undefined],
      ["t", "table", undefined],
      ["g", "global", undefined],
      ["f", "function", ["f64"]],
    ]);
  });

  it("rejects what is not wasm", () => {
    expect(() => readWasmSignatures(new TextEncoder().encode("not wasm at all"))).toThrow(WasmParseError);
    expect(() => readWasmSignatures(Uint8Array.of(0, 0x61, 0x73, 0x6d, 2, 0, 0, 0))).toThrow("unsupported wasm binary version 2");
  });
});

describe("tar and OCI readers", () => {
  it("round-trips files, names longer than 100 bytes through PAX path records", () => {
    const long = `${"d".repeat(120)}/file.txt`;
    const entries = readTar(writeTar([{ name: "a.txt", data: "hello" }, { name: long, data: new Uint8Array(1000).fill(7) }]));
    const files = entries.filter((e) => e.type === "file");
    expect(files.map((f) => f.name)).toEqual(["a.txt", long]);
    expect(new TextDecoder().decode(files[0].data)).toBe("hello");
    expect(files[1].data.length).toBe(1000);
  });

  it("reads PAX path records and GNU long names", () => {
    const base = writeTar([{ name: "x", data: "path=very/long/name.txt\n" }, { name: "short", data: "payload" }, { name: "y", data: "gnu/long/name.txt\0" }, { name: "short2", data: "more" }]);
    // Turn the 1st and 3rd entries into a PAX header and a GNU long-name entry (fixing their checksums).
    const headers = [0, 512 * 2, 512 * 4, 512 * 6];
    const setType = (at: number, flag: string): void => {
      base[at + 156] = flag.charCodeAt(0);
      base.fill(0x20, at + 148, at + 156);
      let sum = 0;
      for (let i = 0; i < 512; i++) sum += base[at + i];
      base.set(new TextEncoder().encode(sum.toString(8).padStart(6, "0") + "\0 "), at + 148);
    };
    // Rewrite the PAX record length ("path=...\n" with its own length prefix).
    const record = "path=very/long/name.txt\n";
    const pax = `${record.length + 3} ${record}`;
    const paxBytes = new TextEncoder().encode(pax);
    base.set(paxBytes, headers[0] + 512);
    const size = paxBytes.length.toString(8).padStart(11, "0") + "\0";
    base.set(new TextEncoder().encode(size), headers[0] + 124);
    setType(headers[0], "x");
    setType(headers[2], "L");
    const files = readTar(base).filter((e) => e.type === "file");
    expect(files.map((f) => [f.name, new TextDecoder().decode(f.data)])).toEqual([
      ["very/long/name.txt", "payload"],
      ["gnu/long/name.txt", "more"],
    ]);
  });

  it("reads a gzipped archive and reports a bad gzip stream", async () => {
    const { gzipSync } = await import("node:zlib");
    const files = readTar(new Uint8Array(gzipSync(writeTar([{ name: "a", data: "b" }]))));
    expect(files.map((f) => f.name)).toEqual(["a"]);
    expect(() => readTar(Uint8Array.of(0x1f, 0x8b, 8, 0, 1, 2, 3))).toThrow(/malformed gzip stream/);
  });

  it("reads a tar that starts inside a larger buffer", () => {
    const tar = writeTar([{ name: "x", data: "y" }]);
    const big = new Uint8Array(tar.length + 7);
    big.set(tar, 7);
    expect(readTar(big.subarray(7)).map((f) => [f.name, new TextDecoder().decode(f.data)])).toEqual([["x", "y"]]);
  });

  it("verifies blob digests and reads params.wasm", () => {
    const tar = writeGadgetImage({ wasm: Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0), metadataYaml: "params:\n  wasm:\n    a: { defaultValue: 1, isMandatory: true }\n" });
    const image = readGadgetImage(tar);
    expect(image.paramSpecs).toEqual([{ key: "a", defaultValue: "1", isMandatory: true }]);
    // Corrupt the wasm blob's bytes.
    const at = Buffer.from(tar).indexOf(Buffer.from([0, 0x61, 0x73, 0x6d, 1]));
    tar[at + 4] = 2;
    expect(() => readGadgetImage(tar)).toThrow(ImageError);
    expect(() => readGadgetImage(tar)).toThrow(/wasm layer: blob sha256:[0-9a-f]{64} has digest sha256:/);
  });

  it("reads params.wasm as a list too", () => {
    expect(wasmParamSpecs("params:\n  wasm:\n    - key: x\n      description: d\n", "g.yaml")).toEqual([{ key: "x", description: "d" }]);
    expect(() => wasmParamSpecs("params:\n  wasm:\n    - description: d\n", "g.yaml")).toThrow("g.yaml: params.wasm[0] has no key");
  });
});
