/**
 * igwasm/abi as a contract of its own: a host written here from scratch,
 * without igwasm's runtime, implements two families of the generated
 * interfaces (log and maps, profile v0.43), links them with the generated
 * shims and trampolines, and a guest runs against it. This is the snippet of
 * docs/runtime-api.md ("Linking the shims into another host"), kept in step
 * with it by the assertions below.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { wat } from "./helpers/wat.js";
import { checkImportsAgainst, readWasmSignatures } from "../runtime/abi/index.js";
import { hostFunctionsOfProfile } from "../generated/host/descriptors.js";

const ROOT = resolve(import.meta.dirname, "..");

/**
 * The host of docs/runtime-api.md, "Linking the shims into another host":
 * the block is taken from the document, its package specifiers pointed at
 * this checkout, and loaded as it is written.
 */
async function docHost(): Promise<(wasm: BufferSource, print: (line: string) => void) => WebAssembly.Instance> {
  const md = readFileSync(join(ROOT, "docs", "runtime-api.md"), "utf8");
  const section = md.slice(md.indexOf("## Linking the shims into another host"));
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  if (block === undefined) throw new Error("docs/runtime-api.md: no ts block under 'Linking the shims into another host'");
  const source = block
    .replace(/"igwasm\/abi"/g, JSON.stringify(join(ROOT, "runtime", "abi", "index.ts")))
    .replace(/"igwasm\/generated\/([^"]+)"/g, (_, path: string) => JSON.stringify(join(ROOT, "generated", `${path}.ts`)));
  const dir = join(ROOT, "test", ".build", "abi-host");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "doc-host.ts");
  writeFileSync(file, source);
  const mod = (await import(pathToFileURL(file).href)) as { instantiate: (wasm: BufferSource, print: (line: string) => void) => WebAssembly.Instance };
  return mod.instantiate;
}

/** A guest that logs, makes a map, stores key 7 -> "abcd", reads key 7 and the missing key 8. */
const GUEST = `(module
  (import "ig" "gadgetLog" (func $log (param i32 i64)))
  (import "ig" "newMap" (func $newMap (param i64 i32 i32 i32 i32) (result i32)))
  (import "ig" "mapUpdate" (func $update (param i32 i64 i64 i64) (result i32)))
  (import "ig" "mapLookup" (func $lookup (param i32 i64 i64) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hello")
  (data (i32.const 32) "counts")
  (data (i32.const 48) "\\07\\00\\00\\00")
  (data (i32.const 52) "\\08\\00\\00\\00")
  (data (i32.const 56) "abcd")
  (func $packed (param $ptr i32) (param $len i32) (result i64)
    (i64.or (i64.extend_i32_u (local.get $ptr)) (i64.shl (i64.extend_i32_u (local.get $len)) (i64.const 32))))
  (func (export "run") (result i32)
    (local $m i32)
    (call $log (i32.const 2) (call $packed (i32.const 16) (i32.const 5)))
    (local.set $m (call $newMap (call $packed (i32.const 32) (i32.const 6)) (i32.const 1) (i32.const 4) (i32.const 4) (i32.const 8)))
    (drop (call $update (local.get $m) (call $packed (i32.const 48) (i32.const 4)) (call $packed (i32.const 56) (i32.const 4)) (i64.const 0)))
    ;; hit: the value lands at 100; miss: status 1, nothing written at 200
    (i32.store (i32.const 96) (call $lookup (local.get $m) (call $packed (i32.const 48) (i32.const 4)) (call $packed (i32.const 100) (i32.const 4))))
    (i32.store (i32.const 196) (call $lookup (local.get $m) (call $packed (i32.const 52) (i32.const 4)) (call $packed (i32.const 200) (i32.const 4))))
    (local.get $m)))`;

describe("igwasm/abi: linking generated shims into a host that is not igwasm's runtime", () => {
  it("runs a guest against a hand-written log and map family", async () => {
    const lines: string[] = [];
    const instance = (await docHost())(new Uint8Array(await wat(GUEST)), (line) => void lines.push(line));
    const memory = instance.exports.memory as WebAssembly.Memory;
    new Uint8Array(memory.buffer).fill(0xaa, 100, 104);
    new Uint8Array(memory.buffer).fill(0xaa, 200, 204);
    expect((instance.exports.run as () => number)()).toBe(1);
    const u8 = new Uint8Array(memory.buffer);
    const u32 = (at: number): number => new DataView(memory.buffer).getUint32(at, true);
    expect(u32(96)).toBe(0);
    expect(new TextDecoder().decode(u8.subarray(100, 104))).toBe("abcd");
    expect(u32(196)).toBe(1);
    expect([...u8.subarray(200, 204)]).toEqual([0xaa, 0xaa, 0xaa, 0xaa]);
    expect(lines).toEqual(["2: hello", "debug: mapLookup: no entry for the key"]);
  });

  it("a bad pointer fails the call with the function's error value and a message, and the host stays usable", async () => {
    const lines: string[] = [];
    const guest = `(module
      (import "ig" "newMap" (func $newMap (param i64 i32 i32 i32 i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "bad") (result i32) (call $newMap (i64.const 0x0000001000fffff0) (i32.const 1) (i32.const 4) (i32.const 4) (i32.const 1)))
      (func (export "good") (result i32) (call $newMap (i64.const 0) (i32.const 1) (i32.const 4) (i32.const 4) (i32.const 1))))`;
    const instance = (await docHost())(new Uint8Array(await wat(guest)), (line) => void lines.push(line));
    expect((instance.exports.bad as () => number)()).toBe(0);
    expect(lines).toEqual(["warn: newMap: name: range [16777200, 16777216) is outside guest memory (65536 bytes)"]);
    expect((instance.exports.good as () => number)()).toBe(1);
  });

  it("checkImportsAgainst: the guest's imports match the descriptors; a wrong signature, an unknown name and a memory are named", async () => {
    const v043 = hostFunctionsOfProfile("v0.43");
    expect(checkImportsAgainst(readWasmSignatures(await wat(GUEST)), "ig", v043)).toEqual([]);
    const bad = `(module
      (import "ig" "newMap" (func (param i32) (result i32)))
      (import "ig" "noSuchThing" (func))
      (import "ig" "mem" (memory 1))
      (import "other" "anything" (func)))`;
    expect(checkImportsAgainst(readWasmSignatures(await wat(bad)), "ig", v043)).toEqual([
      "ig.newMap: imported as (i32) -> (i32), but the host function is (i64, i32, i32, i32, i32) -> (i32)",
      "ig.noSuchThing: not a host function this host offers",
      "ig.mem: a memory; the host offers only functions",
    ]);
  });

  it("the generated host files import nothing of igwasm's runtime but igwasm/abi", () => {
    const dir = join(ROOT, "generated", "host");
    const offending: string[] = [];
    for (const sub of readdirSync(dir, { withFileTypes: true })) {
      const files = sub.isDirectory() ? readdirSync(join(dir, sub.name)).map((f) => join(sub.name, f)) : [sub.name];
      for (const f of files.filter((x) => x.endsWith(".ts"))) {
        for (const m of readFileSync(join(dir, f), "utf8").matchAll(/from "([^"]+)"/g)) {
          if (m[1].includes("/runtime/") && !/\/runtime\/abi\/[a-z-]+\.js$/.test(m[1])) offending.push(`${f}: ${m[1]}`);
        }
      }
    }
    expect(offending).toEqual([]);
  });

  it("runtime/abi imports nothing of the runtime or of the generated code but three leaf modules (errors, utf8, wasm-signatures)", () => {
    const dir = join(ROOT, "runtime", "abi");
    const imports = readdirSync(dir).flatMap((f) => [...readFileSync(join(dir, f), "utf8").matchAll(/from "(\.\.\/[^"]+)"/g)].map((m) => m[1]));
    expect([...new Set(imports)].sort()).toEqual(["../errors.js", "../utf8.js", "../wasm-signatures.js"]);
  });
});
