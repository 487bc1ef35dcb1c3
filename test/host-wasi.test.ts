/**
 * Guests that import wasi_snapshot_preview1 (TinyGo and Go builds) run through
 * the Node entry, which provides node:wasi. IG runs exactly one initialiser at
 * load: `_start` until v0.37.0 (wazero's default start function:
 * pkg/operators/wasm/wasm.go@ac3ba9801, v0.37.0) and `_initialize` since
 * v0.38.0 (`WithStartFunctions("_initialize")`: wasm.go@14d447c35, v0.38.0).
 * A WASI exit with code 0 is not an error.
 */
import { describe, expect, it } from "vitest";
import { loadGadgetNode } from "../runtime/node/index.js";
import { loadGadget } from "../runtime/gadget.js";
import { guestModule } from "./helpers/guest.js";
import { signature } from "./helpers/host-guest.js";
import { wat } from "./helpers/wat.js";

const SILENT = { logSink: () => {} };

/**
 * A guest whose gadgetInit succeeds only if its initialiser ran and WASI's
 * random_get worked. `module` picks the host module: "ig" (v0.39.0 and
 * later) or "env" with a malloc export (a v0.30.0 - v0.37.0 build).
 */
function wasiGuest(entry: string, module: "ig" | "env" = "ig"): string {
  return `(module
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "${module}" "gadgetLog" (func $log (param i32 i64)))
  (memory (export "memory") 1)
  (global $ready (mut i32) (i32.const 0))
  (func (export "gadgetAPIVersion") (result i64) (i64.const 1))
  ${module === "env" ? `(func (export "malloc") (param i32) (result i32) (i32.const 0x8000))` : ""}
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

  it("runs a command's _start on a build for IG v0.37.0 or older; proc_exit(0) is not an error", async () => {
    const bytes = await wat(wasiGuest(`(func (export "_start") (call $fill) (call $proc_exit (i32.const 0)))`, "env"));
    const g = await loadGadgetNode(bytes, SILENT);
    expect(g.release).toBe("v0.37.0");
    expect(g.resolution.reasons).toContain("exports _start and no _initialize: IG pre-release - v0.37.0 runs _start (the others only _initialize)");
    expect(() => g.init()).not.toThrow();
  });

  it("does not run _start for a release that runs only _initialize (v0.38.0 and later)", async () => {
    const bytes = await wat(wasiGuest(`(func (export "_start") (call $fill))`));
    const g = await loadGadgetNode(bytes, SILENT);
    expect(g.release).toBe("v0.55.1");
    expect(() => g.init()).toThrow("init failed: gadgetInit returned 7");
  });

  it("does not run _initialize for a release that runs only _start (v0.37.0 and older)", async () => {
    const bytes = await wat(wasiGuest(`(func (export "_initialize") (call $fill))`, "env"));
    const g = await loadGadgetNode(bytes, { ...SILENT, igVersion: "v0.37.0" });
    expect(() => g.init()).toThrow("init failed: gadgetInit returned 7");
  });

  it("reports a command that exits with a non-zero code", async () => {
    const bytes = await wat(wasiGuest(`(func (export "_start") (call $proc_exit (i32.const 3)))`, "env"));
    await expect(loadGadgetNode(bytes, SILENT)).rejects.toThrow("the module's initialiser _start failed: the module exited with code 3");
  });

  it("without a WASI provider (the browser-safe entry), says what is missing", async () => {
    const bytes = await wat(wasiGuest(`(func (export "_initialize") (call $fill))`));
    await expect(loadGadget(bytes, SILENT)).rejects.toThrow(
      "the module cannot run on IG v0.55.1:\n" +
        "  wasi_snapshot_preview1.random_get: the module imports WASI, but no WASI implementation was given (the Node entry provides one)\n" +
        "  wasi_snapshot_preview1.proc_exit: the module imports WASI, but no WASI implementation was given (the Node entry provides one)",
    );
  });
});

describe("the Node entry without WASI", () => {
  it("loadGadgetNode loads a module that needs no WASI", async () => {
    const minimal = guestModule("ig", { gadgetLog: signature("v0.43", "gadgetLog") }, `(func (export "gadgetInit") (result i32) (call $gadgetLog (i32.const 3) (i64.const 0)) (i32.const 0))`);
    const g = await loadGadgetNode(await wat(minimal), { logSink: () => {}, kallsyms: [] });
    expect(g.profile).toBe("v0.43");
    expect(() => g.run()).not.toThrow();
  });
});
