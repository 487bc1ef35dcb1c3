/**
 * Guests that import wasi_snapshot_preview1 (TinyGo and Go builds) run through
 * the Node entry, which provides node:wasi: a reactor's `_initialize` and a
 * command's `_start` run once at load; a WASI exit with code 0 is not an error.
 */
import { describe, expect, it } from "vitest";
import { loadGadgetNode } from "../runtime/node/index.js";
import { loadGadget } from "../runtime/gadget.js";
import { guestModule } from "./helpers/guest.js";
import { signature } from "./helpers/host-guest.js";
import { wat } from "./helpers/wat.js";

const SILENT = { logSink: () => {} };

function wasiGuest(entry: string): string {
  return `(module
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "ig" "gadgetLog" (func $log (param i32 i64)))
  (memory (export "memory") 1)
  (global $ready (mut i32) (i32.const 0))
  (func (export "gadgetAPIVersion") (result i64) (i64.const 1))
  ;; 16 random bytes at 64; ready = 1 when random_get succeeded and wrote something.
  (func $fill
    (if (i32.eqz (call $random_get (i32.const 64) (i32.const 16)))
      (then (global.set $ready (i32.or (i32.load (i32.const 64)) (i32.load (i32.const 68)))))))
  ${entry}
  (func (export "gadgetInit") (result i32) (if (result i32) (global.get $ready) (then (i32.const 0)) (else (i32.const 7))))
)`;
}

describe("WASI guests (Node entry)", () => {
  it("runs a reactor's _initialize once, with working WASI imports", async () => {
    const bytes = await wat(wasiGuest(`(func (export "_initialize") (call $fill))`));
    const g = await loadGadgetNode(bytes, SILENT);
    expect(() => g.init()).not.toThrow();
  });

  it("runs a command's _start; proc_exit(0) is not an error", async () => {
    const bytes = await wat(wasiGuest(`(func (export "_start") (call $fill) (call $proc_exit (i32.const 0)))`));
    const g = await loadGadgetNode(bytes, SILENT);
    expect(() => g.init()).not.toThrow();
  });

  it("reports a command that exits with a non-zero code", async () => {
    const bytes = await wat(wasiGuest(`(func (export "_start") (call $proc_exit (i32.const 3)))`));
    await expect(loadGadgetNode(bytes, SILENT)).rejects.toThrow("the module's initialiser failed: the module exited with code 3");
  });

  it("without a WASI provider (the browser-safe entry), says what is missing", async () => {
    const bytes = await wat(wasiGuest(`(func (export "_initialize") (call $fill))`));
    await expect(loadGadget(bytes, SILENT)).rejects.toThrow(
      "imports wasi_snapshot_preview1.random_get, but no WASI implementation was given (the Node entry provides one)",
    );
  });
});

describe("the Node entry without WASI", () => {
  it("loadGadgetNode loads a module that needs no WASI", async () => {
    const minimal = guestModule("ig", { gadgetLog: signature("ig-v1", "gadgetLog") }, `(func (export "gadgetInit") (result i32) (call $gadgetLog (i32.const 3) (i64.const 0)) (i32.const 0))`);
    const g = await loadGadgetNode(await wat(minimal), { logSink: () => {}, kallsyms: [] });
    expect(g.era).toBe("ig-v1");
    expect(() => g.run()).not.toThrow();
  });
});
