/**
 * `igwasm inspect`: era detection, imports checked against the spec (unknown
 * functions, wrong wire signatures), exports (missing, wrong), API version;
 * plus the binary readers it stands on (wasm sections, tar, OCI layout).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { bufferIO, main } from "../cli/main.js";
import { ImageError, readGadgetImage, readTar, wasmParamSpecs } from "../cli/oci.js";
import { writeGadgetImage, writeTar } from "../cli/tar-writer.js";
import { readWasmSignatures, WasmParseError } from "../cli/wasm-imports.js";
import { buildExample } from "../scripts/build-examples.js";

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

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = bufferIO();
  const code = await main(argv, io);
  return { code, out: io.out, err: io.err };
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
  it("reports a good ig-v1 gadget: era, imports, exports, API version", async () => {
    const r = await cli("inspect", emitterWasm);
    expect(r.code).toBe(0);
    expect(r.out).toContain("era: ig-v1 (imports ig.");
    expect(r.out).toMatch(/^ {2}ok +ig\.fieldSet +\(i32, i32, i32, i64\) -> \(i32\)$/m);
    expect(r.out).toMatch(/^ {2}ok +gadgetAPIVersion +required +\(\) -> \(i64\)$/m);
    expect(r.out).toMatch(/^ {2}ok +gadgetStart +optional +\(\) -> \(i32\)$/m);
    expect(r.out).toMatch(/^ {2}- +gadgetPreStart +optional$/m);
    expect(r.out).toContain("API version: 1 (gadgetAPIVersion called with stub imports)");
    expect(r.out.trimEnd().split("\n").at(-1)).toBe("no problems found");
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
    expect(r.out).toMatch(/^ {2}UNKNOWN +ig\.noSuchFunction +\(i32\) -> \(i32\) +\(not a ig-v1 host function\)$/m);
    expect(r.out).toMatch(/^ {2}WRONG SIGNATURE +ig\.fieldGetScalar +\(i32, i32, i32\) -> \(i64\) +\(expected \(i32, i32, i32, i32\) -> \(i64\)\)$/m);
    expect(r.out).toMatch(/^ {2}UNKNOWN MODULE +other\.thing/m);
    expect(r.out).toContain("3 problems:\n");
    expect(r.out).toContain("  import ig.noSuchFunction: the ig-v1 era has no such host function\n");
    expect(r.out).toContain("  import ig.fieldGetScalar: signature (i32, i32, i32) -> (i64), expected (i32, i32, i32, i32) -> (i64)\n");

    const json = JSON.parse((await cli("inspect", file, "--json")).out);
    expect(json.era).toBe("ig-v1");
    expect(json.imports.map((i: { name: string; status: string }) => [i.name, i.status])).toEqual([
      ["gadgetLog", "ok"],
      ["noSuchFunction", "unknown-function"],
      ["fieldGetScalar", "wrong-signature"],
      ["thing", "unknown-module"],
    ]);
    expect(json.problems).toHaveLength(3);
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
    expect(r.out).toContain("  export gadgetAPIVersion: missing (required in the ig-v1 era)\n");
    expect(r.out).toContain("  export memory: missing");
  });

  it("detects the env-v1 and seed eras", async () => {
    const env = await wat(
      "env-v1",
      `(module
        (import "env" "gadgetLog" (func (param i32 i64)))
        (import "env" "fieldGet" (func (param i32 i32 i32) (result i64)))
        ${GOOD_EXPORTS}
        (func (export "malloc") (param i32) (result i32) i32.const 0))`,
    );
    const r = await cli("inspect", env, "--json");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ era: "env-v1", problems: [], apiVersion: { value: "1", how: "called" } });

    const seed = await wat(
      "seed",
      `(module
        (import "env" "fieldAccessorGet" (func (param i32 i32 i32) (result i64)))
        (memory (export "memory") 1)
        (func (export "init") (result i32) i32.const 0)
        (func (export "dsCallback") (param i64 i32 i32)))`,
    );
    const s = JSON.parse((await cli("inspect", seed, "--json")).out);
    expect(s).toMatchObject({ era: "seed", problems: [], apiVersion: { how: "absent" } });
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
