/**
 * Node prints "ExperimentalWarning: WASI is an experimental feature" when
 * node:wasi is loaded. It is Node's, not the gadget's: neither `igwasm run` of
 * a WASI-importing guest nor an embedder's loadGadgetNode may show it (other
 * warnings still pass). Run as child processes, since the warning goes to the
 * real stderr, once per process.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { packedConst } from "./helpers/guest.js";
import { wat } from "./helpers/wat.js";

const ROOT = resolve(import.meta.dirname, "..");
const dir = mkdtempSync(join(tmpdir(), "igwasm-wasi-warning-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A reactor whose init succeeds only if WASI's random_get worked in _initialize; it logs one line. */
const GUEST = `(module
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "ig" "gadgetLog" (func $log (param i32 i64)))
  (memory (export "memory") 1)
  (data (i32.const 128) "wasi ok")
  (global $ready (mut i32) (i32.const 0))
  (func (export "gadgetAPIVersion") (result i64) (i64.const 1))
  (func (export "_initialize")
    (if (i32.eqz (call $random_get (i32.const 64) (i32.const 16)))
      (then (global.set $ready (i32.or (i32.load (i32.const 64)) (i32.load (i32.const 68)))))))
  (func (export "gadgetInit") (result i32)
    (if (result i32) (global.get $ready)
      (then (call $log (i32.const 2) ${packedConst(128, 7)}) (i32.const 0))
      (else (i32.const 7))))
)`;

function node(args: readonly string[]) {
  return spawnSync(process.execPath, args, { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
}

describe("Node's WASI warning", () => {
  it("is printed by a plain import of node:wasi (so this test can see it)", () => {
    const r = node(["-e", "import('node:wasi')"]);
    expect(r.stderr).toMatch(/ExperimentalWarning: WASI is an experimental feature/);
  });

  it("does not reach an embedder's stderr from loadGadgetNode; other warnings still do", async () => {
    const file = join(dir, "wasi-embedded.wasm");
    writeFileSync(file, await wat(GUEST));
    const script = `
      const { loadGadgetNode } = await import(${JSON.stringify(join(ROOT, "runtime/node/index.ts"))});
      const g = await loadGadgetNode(require("node:fs").readFileSync(${JSON.stringify(file)}), { logSink: (_l, m) => console.log(m) });
      g.init();
      process.emitWarning("a warning of the embedder's own");`;
    const r = node(["--import", "tsx", "-e", `(async () => {${script}})()`]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("wasi ok\n");
    expect(r.stderr).not.toMatch(/WASI/);
    expect(r.stderr).toMatch(/Warning: a warning of the embedder's own/);
  });

  it("does not reach the output of igwasm run on a WASI guest", async () => {
    const file = join(dir, "wasi-guest.wasm");
    writeFileSync(file, await wat(GUEST));
    const r = node(["--import", "tsx", join(ROOT, "cli/main.ts"), "run", file]);
    expect({ status: r.status, stderr: r.stderr, stdout: r.stdout }).toEqual({ status: 0, stderr: "info: wasi ok\n", stdout: "" });
  });
});
