/**
 * The host lifecycle: loading (malformed modules, unknown imports, API
 * version, params), the initialiser and the phases as each IG release ran
 * them, release detection and the igVersion override, the handle table (4096
 * limit, releaseHandle), robustness (guest traps in callbacks, memory growth
 * inside callbacks), and the v0.43 integration gadget. IG facts are cited as
 * file@commit of inspektor-gadget (pkg/operators/wasm/).
 */
import { describe, expect, it } from "vitest";
import { LogLevel } from "../generated/constants.js";
import { GadgetError, loadGadget } from "../runtime/gadget.js";
import { guestModule, loadWat, packed } from "./helpers/guest.js";
import { callbackCount, callbackLog, FAMILIES, functionsOf, hostDriver, loadHostGuest, logsDuring, signature, strings } from "./helpers/host-guest.js";
import { runIntegration } from "./helpers/integration.js";
import { wat } from "./helpers/wat.js";
import type { EventView } from "../runtime/data-source-api.js";

async function expectLoadError(text: string, message: RegExp, options = {}): Promise<void> {
  const bytes = await wat(text);
  const err = await loadGadget(bytes, { logSink: () => {}, ...options }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GadgetError);
  expect((err as Error).message).toMatch(message);
}

describe("loading", () => {
  it.each([
    ["random bytes", Uint8Array.from([0, 1, 2, 3])],
    ["an empty buffer", new Uint8Array(0)],
    ["a truncated module", Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01])],
  ])("%s -> GadgetError 'not a valid wasm module'", async (_w, bytes) => {
    await expect(loadGadget(bytes, { logSink: () => {} })).rejects.toThrow(GadgetError);
    await expect(loadGadget(bytes, { logSink: () => {} })).rejects.toThrow(/not a valid wasm module/);
  });

  it("a module importing an unknown host function -> a clear error naming it", async () => {
    await expectLoadError(
      guestModule("ig", { noSuchFunction: "(param i32)" }, ""),
      /^no IG release offers all of this module's imports and exports:\n {2}ig\.noSuchFunction: IG v0\.55\.1 has no such host function; no IG release has it$/,
    );
  });

  it("a module importing from an unknown module -> an error naming it", async () => {
    const text = `(module (import "ig" "gadgetLog" (func (param i32 i64))) (import "mystery" "f" (func)) (memory (export "memory") 1) (func (export "gadgetAPIVersion") (result i64) (i64.const 1)))`;
    await expectLoadError(text, /mystery\.f: IG v0\.55\.1 registers its functions under "ig", not "mystery"; no IG release has it/);
  });

  it("every problem is listed at once", async () => {
    await expectLoadError(guestModule("ig", { nope1: "", nope2: "" }, ""), /ig\.nope1[\s\S]*ig\.nope2/);
  });

  it("imports no single release offers together -> the facts that ruled each release out", async () => {
    // fieldGet was registered v0.30.0 - v0.37.0 (fields.go@ac3ba9801), the 3-parameter
    // fieldGetScalar only in v0.38.0 - v0.38.1 (fields.go@14d447c35).
    const text = guestModule("env", { fieldGet: "(param i32 i32 i32) (result i64)", fieldGetScalar: "(param i32 i32 i32) (result i64)" }, MALLOC);
    await expectLoadError(
      text,
      new RegExp(
        "^no IG release offers all of this module's imports and exports:\n" +
          "  imports env\\.fieldGet \\(i32,i32,i32\\)->\\(i64\\): IG v0\\.30\\.0 - v0\\.37\\.0\n" +
          "  imports env\\.fieldGetScalar \\(i32,i32,i32\\)->\\(i64\\): IG v0\\.38\\.0 - v0\\.38\\.1$",
      ),
    );
  });

  it("a pre-release module (no gadgetAPIVersion) importing a v0.37.0 function -> refused", async () => {
    const text = guestModule("env", { gadgetLog: signature("pre-release", "gadgetLog"), releaseHandle: "(param i32) (result i32)" }, MALLOC, { seed: true });
    await expectLoadError(text, /imports env\.releaseHandle \(i32\)->\(i32\): IG v0\.37\.0 - v0\.38\.1\n {2}does not export gadgetAPIVersion, which IG v0\.30\.0 and later required/);
  });

  it("a v0.43 function imported from env -> refused: env served only up to v0.38.1", async () => {
    // The module was renamed from env to ig in v0.39.0 (wasm.go@0705b83b1); gadgetShouldLog arrived in v0.43.0.
    await expectLoadError(guestModule("env", { gadgetShouldLog: "(param i32) (result i32)" }, ""), /env\.gadgetShouldLog: IG v0\.55\.1 registers its functions under "ig", not "env"; no IG release has it/);
  });

  it("a WASI import without a WASI provider -> error naming it", async () => {
    await expectLoadError(
      guestModule("wasi_snapshot_preview1", { fd_write: "(param i32 i32 i32 i32) (result i32)" }, ""),
      /wasi_snapshot_preview1\.fd_write: the module imports WASI, but no WASI implementation was given/,
    );
  });

  it.each([[2n], [0n], [-1n]])("gadgetAPIVersion %s -> error", async (version) => {
    const text = `(module (import "ig" "gadgetLog" (func (param i32 i64))) (memory (export "memory") 1) (func (export "gadgetAPIVersion") (result i64) (i64.const ${version})))`;
    await expectLoadError(text, new RegExp(`gadget API version ${version} is not supported`));
  });

  it("a module without gadgetAPIVersion -> refused (IG requires it since v0.30.0: wasm.go@8d4753f66)", async () => {
    const text = `(module (import "ig" "gadgetLog" (func (param i32 i64))) (memory (export "memory") 1))`;
    await expectLoadError(text, /does not export gadgetAPIVersion, which IG v0\.30\.0 and later required/);
    await expectLoadError(text, /^the module cannot run on IG v0\.43\.0:\n {2}the module does not export gadgetAPIVersion, which IG v0\.43\.0 requires$/, { igVersion: "v0.43" });
  });

  it("a module for v0.37.0 or older without malloc -> refused (wasm.go@ac3ba9801 refuses it)", async () => {
    const text = guestModule("env", { gadgetLog: signature("v0.37", "gadgetLog") }, "");
    await expectLoadError(text, /^the module cannot run on IG v0\.37\.0:\n {2}the module does not export malloc, which IG v0\.37\.0 requires$/, { igVersion: "v0.37" });
  });

  it("a trapping gadgetAPIVersion -> error", async () => {
    const text = `(module (import "ig" "gadgetLog" (func (param i32 i64))) (memory (export "memory") 1) (func (export "gadgetAPIVersion") (result i64) unreachable))`;
    await expectLoadError(text, /gadgetAPIVersion trapped/);
  });

  it("a module without an exported memory -> error", async () => {
    await expectLoadError(`(module (import "ig" "gadgetLog" (func (param i32 i64))) (func (export "gadgetAPIVersion") (result i64) (i64.const 1)))`, /exports no memory/);
  });

  it("a missing mandatory param -> error naming it; defaults fill in", async () => {
    const text = guestModule("ig", { gadgetLog: signature("v0.43", "gadgetLog") }, "");
    await expectLoadError(text, /missing mandatory param: iface/, { paramSpecs: [{ key: "iface", mandatory: true }] });
    await expectLoadError(text, /missing mandatory params: a, b/, { paramSpecs: [{ key: "a", mandatory: true }, { key: "b", mandatory: true }] });
    const g = await loadGadget(await wat(text), { logSink: () => {}, paramSpecs: [{ key: "iface", mandatory: true }, { key: "x", defaultValue: "1", mandatory: true }], params: { iface: "eth0" } });
    expect(g.profile).toBe("v0.43");
  });
});

/** Counts its calls at 0x100: the test reads whether (and how often) an initialiser ran. */
const COUNT_CALL = `(i32.store (i32.const 0x100) (i32.add (i32.load (i32.const 0x100)) (i32.const 1)))`;
const MALLOC = `(func (export "malloc") (param i32) (result i32) (i32.const 0x8000))`;

describe("the initialiser: IG runs _start until v0.37.0 and _initialize since v0.38.0", () => {
  // v0.37.0: wazero's default start function, _start (wasm.go@ac3ba9801, InstantiateWithConfig with
  // NewModuleConfig()); v0.38.0: WithStartFunctions("_initialize") (wasm.go@14d447c35).
  const both = `(func (export "_start") ${COUNT_CALL}) (func (export "_initialize") ${COUNT_CALL} ${COUNT_CALL})`;

  it("a module for v0.38.0 and later: _initialize runs once, _start never", async () => {
    const g = await loadWat(guestModule("ig", { gadgetLog: signature("v0.43", "gadgetLog") }, both));
    expect(g.gadget.behaviour.initializerIsStart).toBe(false);
    expect(g.view().getUint32(0x100, true)).toBe(2);
  });

  it.each(["v0.38.0", "v0.38.1"])("%s: _initialize only", async (igVersion) => {
    const g = await loadWat(guestModule("env", { gadgetLog: signature("v0.38", "gadgetLog") }, both), { igVersion });
    expect(g.view().getUint32(0x100, true)).toBe(2);
  });

  it.each(["pre-release", "v0.30.0", "v0.37.0"])("%s: _start only", async (igVersion) => {
    const g = await loadWat(guestModule("env", { gadgetLog: signature("v0.37", "gadgetLog") }, `${both} ${MALLOC}`, { seed: igVersion === "pre-release" }), { igVersion });
    expect(g.gadget.behaviour.initializerIsStart).toBe(true);
    expect(g.view().getUint32(0x100, true)).toBe(1);
  });

  it("a trapping initialiser -> GadgetError naming it", async () => {
    await expectLoadError(guestModule("ig", { gadgetLog: signature("v0.43", "gadgetLog") }, `(func (export "_initialize") unreachable)`), /^the module's initialiser _initialize failed: .*unreachable/);
    await expectLoadError(guestModule("env", { gadgetLog: signature("v0.37", "gadgetLog") }, `(func (export "_start") unreachable) ${MALLOC}`), /^the module's initialiser _start failed: .*unreachable/);
  });
});

describe("release detection", () => {
  const V = `(func (export "gadgetAPIVersion") (result i64) (i64.const 1))`;
  // [what, imports, exports, first, last, profile]. Every import must exist in the release under
  // its module name with exactly that signature (wazero refuses anything else at instantiation).
  const cases: [string, string, string, string, string, string][] = [
    // Module "ig" since v0.39.0 (wasm.go@0705b83b1).
    ["ig.gadgetLog", `(import "ig" "gadgetLog" (func (param i32 i64)))`, V, "v0.39.0", "v0.55.1", "v0.43"],
    // shouldDiscardMntnsID since v0.40.0 (filter.go@e77bbf6ff).
    ["ig.shouldDiscardMntnsID", `(import "ig" "shouldDiscardMntnsID" (func (param i64) (result i32)))`, V, "v0.40.0", "v0.55.1", "v0.43"],
    // gadgetShouldLog since v0.43.0 (log.go@a6e9af1be).
    ["ig.gadgetShouldLog", `(import "ig" "gadgetShouldLog" (func (param i32) (result i32)))`, V, "v0.43.0", "v0.55.1", "v0.43"],
    // The 3-parameter fieldGetScalar of v0.38.0 - v0.38.1 (fields.go@14d447c35).
    ["env.fieldGetScalar (3 params)", `(import "env" "fieldGetScalar" (func (param i32 i32 i32) (result i64)))`, V, "v0.38.0", "v0.38.1", "v0.38"],
    // No malloc: IG required it until v0.37.0 (wasm.go@ac3ba9801).
    ["env.gadgetLog without malloc", `(import "env" "gadgetLog" (func (param i32 i64)))`, V, "v0.38.0", "v0.38.1", "v0.38"],
    // malloc and gadgetAPIVersion: anything from v0.30.0 to the last env release; the imports narrow it.
    ["env.gadgetLog with malloc", `(import "env" "gadgetLog" (func (param i32 i64)))`, `${V} ${MALLOC}`, "v0.30.0", "v0.38.1", "v0.38"],
    ["env.fieldGet with malloc", `(import "env" "fieldGet" (func (param i32 i32 i32) (result i64)))`, `${V} ${MALLOC}`, "v0.30.0", "v0.37.0", "v0.37"],
    // getParamValue (i64)->(i64) v0.33.0 - v0.37.0 (params.go@ac3ba9801).
    ["env.getParamValue (i64)->(i64)", `(import "env" "getParamValue" (func (param i64) (result i64)))`, `${V} ${MALLOC}`, "v0.33.0", "v0.37.0", "v0.37"],
    // perfReaderRead (i32, i32) only in v0.37.0 (perf.go@ac3ba9801).
    ["env.perfReaderRead (i32,i32)->(i32)", `(import "env" "perfReaderRead" (func (param i32 i32) (result i32)))`, `${V} ${MALLOC}`, "v0.37.0", "v0.37.0", "v0.37"],
    // The never-released branch: fieldAccessorGet, dsCallback, no gadgetAPIVersion (fields.go@0129e4256).
    ["env.fieldAccessorGet, dsCallback", `(import "env" "fieldAccessorGet" (func (param i32 i32 i32) (result i64)))`, `(func (export "dsCallback") (param i64 i32 i32)) ${MALLOC}`, "pre-release", "pre-release", "pre-release"],
    ["no imports, no gadgetAPIVersion", "", MALLOC, "pre-release", "pre-release", "pre-release"],
  ];
  it.each(cases)("%s -> IG %s - %s (profile %s)", async (_w, imports, exports, first, last, profile) => {
    const g = await loadGadget(await wat(`(module ${imports} (memory (export "memory") 1) ${exports})`), { logSink: () => {} });
    expect([g.resolution.first, g.resolution.last, g.profile]).toEqual([first, last, profile]);
    // The host behaves as the newest release in the range.
    expect(g.release).toBe(last);
  });

  it("says why, one line per fact that narrowed the range", async () => {
    const text = `(module (import "env" "gadgetLog" (func (param i32 i64))) (import "env" "getParamValue" (func (param i64) (result i64))) (memory (export "memory") 1) ${V} ${MALLOC} (func (export "_start")))`;
    const g = await loadGadget(await wat(text), { logSink: () => {} });
    expect(g.resolution.reasons).toEqual([
      "imports env.gadgetLog (i32,i64)->(): IG pre-release - v0.38.1",
      "imports env.getParamValue (i64)->(i64): IG v0.33.0 - v0.37.0",
    ]);
    const reactor = await loadGadget(await wat(guestModule("env", { gadgetLog: "(param i32 i64)" }, `${MALLOC} (func (export "_initialize"))`)), { logSink: () => {} });
    expect(reactor.resolution.reasons).toEqual([
      "imports env.gadgetLog (i32,i64)->(): IG pre-release - v0.38.1",
      "exports _initialize and no _start: IG v0.38.0 and later runs _initialize (the others only _start)",
    ]);
    expect([reactor.resolution.first, reactor.resolution.last]).toEqual(["v0.38.0", "v0.38.1"]);
  });

  it("igVersion overrides detection: v0.33 means the newest v0.33 patch", async () => {
    const text = guestModule("env", { gadgetLog: "(param i32 i64)" }, MALLOC);
    const g = await loadGadget(await wat(text), { igVersion: "v0.33", logSink: () => {} });
    expect([g.release, g.profile, g.resolution.first, g.resolution.last]).toEqual(["v0.33.0", "v0.33", "v0.33.0", "v0.33.0"]);
    expect(g.resolution.reasons).toEqual(["IG v0.33.0 was asked for"]);
    expect(g.behaviour.initializerIsStart).toBe(true);
    const exact = await loadGadget(await wat(text), { igVersion: "0.36.1", logSink: () => {} });
    expect([exact.release, exact.profile]).toEqual(["v0.36.1", "v0.35"]);
    const ig = guestModule("ig", { gadgetLog: "(param i32 i64)" }, "");
    expect((await loadGadget(await wat(ig), { igVersion: "v0.41", logSink: () => {} })).release).toBe("v0.41.2");
  });

  it("igVersion is refused in one line per import whose signature differs, naming expected, actual and the releases that had it", async () => {
    const text = guestModule("env", { getParamValue: "(param i64) (result i64)" }, MALLOC);
    await expectLoadError(
      text,
      /^the module cannot run on IG v0\.38\.0:\n {2}env\.getParamValue: imported as \(i64\)->\(i64\), but IG v0\.38\.0 has \(i64,i64\)->\(i32\); IG v0\.33\.0 - v0\.37\.0 had it$/,
      { igVersion: "v0.38.0" },
    );
    await expectLoadError(
      guestModule("env", { gadgetLog: "(param i32 i64)" }, ""),
      /^the module cannot run on IG v0\.43\.0:\n {2}env\.gadgetLog: IG v0\.43\.0 registers its functions under "ig", not "env"; IG pre-release - v0\.38\.1 had it$/,
      { igVersion: "v0.43" },
    );
  });

  it("an unknown igVersion -> error listing what is known", async () => {
    await expectLoadError(guestModule("ig", {}, ""), /^unknown IG release "v9\.1" \(known: pre-release, v0\.30\.0 \.\.\. v0\.55\.1\)$/, { igVersion: "v9.1" });
  });
});

describe("phases", () => {
  const PHASES = [
    ["init", "gadgetInit"],
    ["preStart", "gadgetPreStart"],
    ["start", "gadgetStart"],
    ["stop", "gadgetStop"],
    ["postStop", "gadgetPostStop"],
  ] as const;
  const RET = 0x200; // u32 return value per phase
  const ORDER = 0x300; // count, then phase ids

  /** Every phase export records its id at ORDER and returns the u32 at RET + 4*i (-1: traps). */
  function phaseGuest(seed = false, result: "i32" | "i64" = "i32"): string {
    const names = seed ? ["init", "start", "stop"] : PHASES.map((p) => p[1]);
    const ret = (i: number) => (result === "i64" ? `(i64.extend_i32_u (i32.load (i32.const ${RET + 4 * i})))` : `(i32.load (i32.const ${RET + 4 * i}))`);
    const fns = names.map((name, i) => `(func (export "${name}") (result ${result})
      (i32.store8 (i32.add (i32.const ${ORDER + 4}) (i32.load (i32.const ${ORDER}))) (i32.const ${i + 1}))
      (i32.store (i32.const ${ORDER}) (i32.add (i32.load (i32.const ${ORDER})) (i32.const 1)))
      (if (i32.eq (i32.load (i32.const ${RET + 4 * i})) (i32.const -1)) (then unreachable))
      ${ret(i)})`);
    return guestModule(seed ? "env" : "ig", { gadgetLog: signature(seed ? "pre-release" : "v0.43", "gadgetLog") }, fns.join("\n") + (seed ? MALLOC : ""), { seed });
  }
  const order = (g: Awaited<ReturnType<typeof loadWat>>) => [...g.mem().subarray(ORDER + 4, ORDER + 4 + g.view().getUint32(ORDER, true))];

  it("run() calls init, preStart, start, the callback, stop, postStop in order (v0.42.0 and later)", async () => {
    const g = await loadWat(phaseGuest());
    expect(g.gadget.behaviour.postStopCalled).toBe(true);
    let during: number[] = [];
    g.gadget.run(() => {
      during = order(g);
    });
    expect(during).toEqual([1, 2, 3]);
    expect(order(g)).toEqual([1, 2, 3, 4, 5]);
  });

  it.each(["v0.39.0", "v0.41.2"])("%s never calls gadgetPostStop: postStop() does nothing", async (igVersion) => {
    // v0.39.0 - v0.41.x commented the call out (wasm.go@0705b83b1); v0.42.0 restored it (wasm.go@5e650009e).
    const g = await loadWat(phaseGuest(), { igVersion });
    expect(g.gadget.behaviour.postStopCalled).toBe(false);
    g.view().setUint32(RET + 16, 7, true); // would fail if it ran
    g.gadget.run();
    expect(order(g)).toEqual([1, 2, 3, 4]);
    expect(() => g.gadget.postStop()).not.toThrow();
    expect(order(g)).toEqual([1, 2, 3, 4]);
  });

  it("v0.33.0 - v0.38.1 never ran gadgetPostStop either (IG called it on a closed module)", async () => {
    const text = guestModule("env", { gadgetLog: signature("v0.37", "gadgetLog") }, `${MALLOC} (func (export "gadgetPostStop") (result i32) unreachable)`);
    for (const igVersion of ["v0.33.0", "v0.38.1"]) {
      const g = await loadWat(text, { igVersion });
      expect(() => g.gadget.run()).not.toThrow();
    }
  });

  it("run() still calls stop and postStop when the callback throws", async () => {
    const g = await loadWat(phaseGuest());
    expect(() => g.gadget.run(() => {
      throw new Error("boom");
    })).toThrow("boom");
    expect(order(g)).toEqual([1, 2, 3, 4, 5]);
  });

  it("run() calls postStop when stop fails (IG's gadget context runs every stop phase), and throws stop's error", async () => {
    const g = await loadWat(phaseGuest());
    g.view().setUint32(RET + 4 * 3, 9, true);
    expect(() => g.gadget.run()).toThrow(/^stop failed: gadgetStop returned 9$/);
    expect(order(g)).toEqual([1, 2, 3, 4, 5]);
  });

  it("run() throws the first failure and logs the later ones", async () => {
    const g = await loadWat(phaseGuest());
    g.view().setUint32(RET + 4 * 3, 9, true);
    g.view().setUint32(RET + 4 * 4, 8, true);
    expect(() => g.gadget.run(() => {
      throw new Error("boom");
    })).toThrow("boom");
    expect(order(g)).toEqual([1, 2, 3, 4, 5]);
    expect(g.logs).toEqual(["error: stop failed: gadgetStop returned 9", "error: postStop failed: gadgetPostStop returned 8"]);
  });

  it.each(PHASES.map(([phase, name], i) => [phase, name, i]))("%s returning non-zero throws GadgetError naming the phase", async (phase, name, i) => {
    const g = await loadWat(phaseGuest());
    g.view().setUint32(RET + 4 * (i as number), 7, true);
    const call = () => (g.gadget as unknown as Record<string, () => void>)[phase as string]();
    expect(call).toThrow(GadgetError);
    expect(call).toThrow(new RegExp(`^${phase} failed: ${name} returned 7$`));
  });

  it.each(PHASES.map(([phase, name], i) => [phase, name, i]))("%s trapping throws GadgetError naming the phase", async (phase, name, i) => {
    const g = await loadWat(phaseGuest());
    g.view().setUint32(RET + 4 * (i as number), -1 >>> 0, true);
    const call = () => (g.gadget as unknown as Record<string, () => void>)[phase as string]();
    expect(call).toThrow(GadgetError);
    expect(call).toThrow(new RegExp(`^${phase} failed: ${name} trapped: .*unreachable`));
  });

  it("an i64 phase result: 0 succeeds, any other value fails (IG tests the first result against 0: wasm.go@a6e9af1be callGuestFunction)", async () => {
    const g = await loadWat(phaseGuest(false, "i64"));
    expect(() => g.gadget.init()).not.toThrow();
    g.view().setUint32(RET + 8, 0x80000000, true);
    expect(() => g.gadget.start()).toThrow(/^start failed: gadgetStart returned 2147483648$/);
  });

  it("a phase export without a result fails with a clear message (IG's host would index an empty result list)", async () => {
    const g = await loadWat(guestModule("ig", { gadgetLog: signature("v0.43", "gadgetLog") }, `(func (export "gadgetInit"))`));
    expect(() => g.gadget.init()).toThrow(GadgetError);
    expect(() => g.gadget.init()).toThrow(/^init failed: gadgetInit returns nothing; IG expects a status result \(0 = success\)$/);
  });

  it("a failing init stops run() before start", async () => {
    const g = await loadWat(phaseGuest());
    g.view().setUint32(RET, 1, true);
    let ran = false;
    expect(() => g.gadget.run(() => (ran = true))).toThrow(/^init failed/);
    expect(ran).toBe(false);
    expect(order(g)).toEqual([1]);
  });

  it("missing phase exports are skipped", async () => {
    const g = await loadHostGuest("v0.43", "", { names: ["gadgetLog"], callback: false });
    expect(() => g.gadget.run()).not.toThrow();
  });

  it("pre-release: init, start, stop (no preStart/postStop: wasm.go@0129e4256)", async () => {
    const g = await loadWat(phaseGuest(true));
    expect(g.gadget.profile).toBe("pre-release");
    g.gadget.run();
    expect(order(g)).toEqual([1, 2, 3]);
    g.view().setUint32(RET + 4, 2, true);
    expect(() => g.gadget.start()).toThrow(/^start failed: start returned 2$/);
  });
});

describe("handles: the 4096 limit", () => {
  const FILL = `
  (func (export "fill") (param $name i64) (result i32) (local $n i32)
    (block $done (loop $l
      (br_if $done (i32.eqz (call $getDataSource (local.get $name))))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $l)))
    (local.get $n))`;

  it("creating calls fail with their error value and log 'too many open handles'; releasing one makes room", async () => {
    const g = await loadHostGuest("v0.43", FILL, {}, { traced: false });
    const events = g.gadget.dataSources.declare("events", { fields: { pid: "uint32" } });
    g.gadget.dataSources.declare("batch", { type: "array", fields: { n: "uint32" } });
    const { s, call } = hostDriver(g);
    const ev = call("getDataSource", s("events"));
    const bt = call("getDataSource", s("batch"));
    const pid = call("dataSourceGetField", ev, s("pid"));
    const packet = call("dataSourceNewPacketSingle", ev);
    const arr = call("dataSourceNewPacketArray", bt);
    const d = call("dataArrayNew", arr);
    call("dataArrayAppend", arr, d);
    expect(call("dataSourceSubscribe", ev, 1, 0, 1n)).toBe(0);
    const handles = g.gadget.runtime.handles;
    const before = handles.size;
    const name = s("events");
    const made = logsDuring(g, () => expect(g.call("fill", name)).toBe(4096 - before)).length;
    expect(made).toBe(1);
    expect(handles.size).toBe(4096);
    expect(g.logs.at(-1)).toMatch(/^warn: getDataSource: too many open handles/);

    // Every creating call returns its error value and logs.
    const rows: [string, unknown[], number][] = [
      ["getDataSource", [s("events")], 0],
      ["newDataSource", [s("new1"), 1], 0],
      ["dataSourceGetField", [ev, s("pid")], 0],
      ["dataSourceNewPacketSingle", [ev], 0],
      ["dataSourceNewPacketArray", [bt], 0],
      ["dataArrayNew", [arr], 0],
    ];
    for (const [fn, args, err] of rows) {
      const lines = logsDuring(g, () => expect(call(fn, ...args), fn).toBe(err));
      expect(lines).toEqual([expect.stringMatching(new RegExp(`^warn: ${fn}: too many open handles`))]);
    }
    // Calls that create nothing still work, element handles included.
    expect(call("fieldSet", pid, packet, 8, 9n)).toBe(0);
    expect(call("dataArrayGet", arr, 0)).toBe((0x80000000 | (arr & 0xffff)) | 0);
    expect(call<bigint>("fieldGetScalar", pid, packet, 8, 0)).toBe(9n);

    // A delivery with no free handle still calls the guest, with data handle 0, as IG does
    // (pkg/operators/wasm/datasource.go dataSourceSubscribe: addHandle returns 0 and the
    // callback runs anyway; aeac857). JS subscribers still run.
    let js = 0;
    events.subscribe(() => js++, { priority: 5 });
    const lines = logsDuring(g, () => events.emit({ pid: 1 }));
    expect(js).toBe(1);
    expect(callbackLog(g)).toEqual([{ cbID: 1n, ds: ev, data: 0 }]);
    expect(lines).toEqual([expect.stringMatching(/^warn: delivering to subscriber 1 of data source "events" with data handle 0: too many open handles/)]);
    expect(handles.size).toBe(4096);

    // Releasing one handle makes room for exactly one more.
    expect(call("releaseHandle", ev)).toBe(0);
    expect(handles.size).toBe(4095);
    const again = call("getDataSource", s("events"));
    expect(again).toBeGreaterThan(0);
    expect(call("getDataSource", s("events"))).toBe(0);
    expect(call("releaseHandle", again)).toBe(0);
    events.emit({ pid: 2 });
    expect(callbackCount(g)).toBe(2);
    expect(callbackLog(g)[1].data).not.toBe(0);
    expect(handles.size).toBe(4095);
  });
});

// IG: pkg/operators/wasm/wasm.go Stop sets the handle map to nil once gadgetStop returns (aeac857;
// the deferred reset exists since 7a3e62698), so gadgetPostStop holds no valid handle.
describe("handles after gadgetStop", () => {
  const BODY = `
  (data (i32.const 0x100) "mine")
  (global $ds (mut i32) (i32.const 0))
  (func (export "gadgetInit") (result i32)
    (global.set $ds (call $newDataSource (i64.const ${packed(0x100, 4)}) (i32.const 1)))
    (i32.store (i32.const 0x204) (call $dataSourceNewPacketSingle (global.get $ds)))
    (i32.const 0))
  (func (export "gadgetStop") (result i32)
    (i32.store (i32.const 0x200) (call $dataSourceIsReferenced (global.get $ds)))
    (i32.const 0))
  (func (export "gadgetPostStop") (result i32)
    (i32.store (i32.const 0x208) (call $dataSourceIsReferenced (global.get $ds)))
    (i32.store (i32.const 0x20c) (call $dataSourceRelease (global.get $ds) (i32.load (i32.const 0x204))))
    (i32.const 0))`;

  it("every handle is valid in gadgetStop and invalid in gadgetPostStop; packet records are freed", async () => {
    const g = await loadHostGuest("v0.43", BODY, { callback: false });
    g.gadget.init();
    expect(g.gadget.runtime.handles.size).toBe(2);
    g.gadget.stop();
    expect(g.gadget.runtime.handles.size).toBe(0);
    expect(g.gadget.runtime.dataSources.get("mine")!.slab.live).toBe(0);
    const lines = logsDuring(g, () => g.gadget.postStop());
    const v = g.view();
    expect([v.getUint32(0x200, true), v.getUint32(0x208, true), v.getUint32(0x20c, true)]).toEqual([1, 2, 1]);
    expect(lines).toEqual([expect.stringMatching(/^warn: dataSourceIsReferenced: stale or unknown handle/), expect.stringMatching(/^warn: dataSourceRelease: stale or unknown handle/)]);
  });

  it("handles are dropped even when gadgetStop fails", async () => {
    const g = await loadHostGuest("v0.43", `(func (export "gadgetInit") (result i32) (drop (call $newDataSource (i64.const ${packed(0x100, 1)}) (i32.const 1))) (i32.const 0))
      (data (i32.const 0x100) "x")
      (func (export "gadgetStop") (result i32) (unreachable))`, { callback: false });
    g.gadget.init();
    expect(g.gadget.runtime.handles.size).toBe(1);
    expect(() => g.gadget.stop()).toThrow(/stop failed: gadgetStop trapped/);
    expect(g.gadget.runtime.handles.size).toBe(0);
  });
});

describe("releaseHandle", () => {
  it.each([
    ["0", 0],
    ["an unknown handle", 4000],
    ["an index past the table", 4097],
    ["a data-array element handle", 0x80000001 | 0],
    ["2^32-1", -1],
  ])("%s -> 1, logged naming releaseHandle", async (_w, h) => {
    const g = await loadHostGuest("v0.43");
    const lines = logsDuring(g, () => expect(g.call("t_releaseHandle", h)).toBe(1));
    expect(lines).toEqual([expect.stringMatching(/^warn: releaseHandle: /)]);
  });

  it("releases every handle type once; a second release -> 1", async () => {
    const g = await loadHostGuest("v0.43");
    g.gadget.dataSources.declare("events", { fields: { pid: "uint32" } });
    g.gadget.dataSources.declare("batch", { type: "array", fields: { n: "uint32" } });
    const { s, call } = hostDriver(g);
    const handles = g.gadget.runtime.handles;
    const base = handles.size;
    const ev = call("getDataSource", s("events"));
    const bt = call("getDataSource", s("batch"));
    const made = [
      ev,
      bt,
      call("dataSourceGetField", ev, s("pid")),
      call("dataSourceNewPacketSingle", ev),
      call("dataSourceNewPacketArray", bt),
    ];
    made.push(call("dataArrayNew", made[4]));
    expect(handles.size).toBe(base + made.length);
    for (const h of made.reverse()) {
      expect(g.call("t_releaseHandle", h)).toBe(0);
      expect(g.call("t_releaseHandle", h)).toBe(1);
    }
    expect(handles.size).toBe(base);
  });

  it("exact trace", async () => {
    const g = await loadHostGuest("v0.43");
    g.trace.length = 0;
    g.call("t_releaseHandle", 77);
    expect(g.trace).toEqual(["==> ig.releaseHandle(handle=77)", "<== 1"]);
  });
});

describe("robustness", () => {
  const TRAP_ON_1 = `(if (i64.eq (local.get $cb) (i64.const 1)) (then unreachable))`;

  it("a guest that traps in its callback leaves the host usable: other subscribers ran, handles back to baseline", async () => {
    const g = await loadHostGuest("v0.43", "", { callback: TRAP_ON_1 });
    const events = g.gadget.dataSources.declare("events", { fields: { pid: "uint32" } });
    const s = strings(g);
    const ev = g.call<number>("t_getDataSource", s("events"));
    const order: string[] = [];
    events.subscribe((e) => order.push(`js0:${(e as EventView).get("pid")}@${callbackCount(g)}`), { priority: 0 });
    expect(g.call("t_dataSourceSubscribe", ev, 1, 1, 1n)).toBe(0); // traps
    events.subscribe((e) => order.push(`js2:${(e as EventView).get("pid")}@${callbackCount(g)}`), { priority: 2 });
    expect(g.call("t_dataSourceSubscribe", ev, 1, 3, 2n)).toBe(0);
    const baseline = g.gadget.runtime.handles.size;
    const lines = logsDuring(g, () => events.emit({ pid: 10 }));
    expect(lines).toEqual([expect.stringMatching(/^error: subscriber 1 of data source "events" failed: .*unreachable/)]);
    // The trapping callback recorded itself before trapping.
    expect(order).toEqual(["js0:10@0", "js2:10@1"]);
    expect(callbackLog(g).map((e) => e.cbID)).toEqual([1n, 2n]);
    expect(g.gadget.runtime.handles.size).toBe(baseline);
    // The next emit works the same way.
    events.emit({ pid: 11 });
    expect(order).toEqual(["js0:10@0", "js2:10@1", "js0:11@2", "js2:11@3"]);
    expect(callbackLog(g).map((e) => e.cbID)).toEqual([1n, 2n, 1n, 2n]);
    expect(g.gadget.runtime.handles.size).toBe(baseline);
    // And the guest's own calls still work.
    const p = g.call<number>("t_dataSourceNewPacketSingle", ev);
    expect(g.call("t_dataSourceRelease", ev, p)).toBe(0);
  });

  it("a trap in a callback during the guest's own emit: the emit returns 0 and the guest continues", async () => {
    const g = await loadHostGuest("v0.43", "", { callback: TRAP_ON_1 });
    const events = g.gadget.dataSources.declare("events", { fields: { pid: "uint32" } });
    const s = strings(g);
    const ev = g.call<number>("t_getDataSource", s("events"));
    let js = 0;
    events.subscribe(() => js++, { priority: 9 });
    expect(g.call("t_dataSourceSubscribe", ev, 3, 0, 1n)).toBe(0);
    const baseline = g.gadget.runtime.handles.size;
    const p = g.call<number>("t_dataSourceNewPacketSingle", ev);
    expect(g.call("t_dataSourceEmitAndRelease", ev, p)).toBe(0);
    expect(js).toBe(1);
    expect(g.gadget.runtime.handles.size).toBe(baseline);
  });

  it("memory growth inside a callback: the host reads and writes the new memory in the same and the next calls", async () => {
    // Each delivery grows memory by a page, reads the string field into the new page,
    // logs it from there (host reads new memory) and writes it back to a packet of "out".
    const body = `
      (local.set $j (i32.shl (memory.grow (i32.const 1)) (i32.const 16)))
      (local.set $k (call $fieldGetBuffer (i32.load (i32.const 0xc00)) (local.get $data) (i32.const 12)
        (i64.or (i64.shl (i64.const 64) (i64.const 32)) (i64.extend_i32_u (i32.add (local.get $j) (i32.const 16))))))
      (i32.store (i32.add (i32.const 0xd00) (i32.shl (local.get $i) (i32.const 2))) (local.get $k))
      (call $gadgetLog (i32.const 2) (i64.or (i64.shl (i64.extend_i32_u (local.get $k)) (i64.const 32)) (i64.extend_i32_u (i32.add (local.get $j) (i32.const 16)))))`;
    const g = await loadHostGuest("v0.43", "", { callback: body });
    const events = g.gadget.dataSources.declare("events", { fields: { comm: "string" } });
    const s = strings(g);
    const ev = g.call<number>("t_getDataSource", s("events"));
    g.view().setUint32(0xc00, g.call<number>("t_dataSourceGetField", ev, s("comm")), true);
    expect(g.call("t_dataSourceSubscribe", ev, 1, 0, 1n)).toBe(0);
    let lines = logsDuring(g, () => events.emit({ comm: "first page two" }));
    expect(g.mem().length).toBe(2 * 65536);
    expect(g.view().getInt32(0xd00, true)).toBe(14);
    expect(g.getString(65536 + 16, 14)).toBe("first page two");
    expect(lines).toEqual(["info: first page two"]);
    lines = logsDuring(g, () => events.emit({ comm: "second → page three" }));
    expect(g.mem().length).toBe(3 * 65536);
    const n = new TextEncoder().encode("second → page three").length;
    expect(g.view().getInt32(0xd04, true)).toBe(n);
    expect(g.getString(2 * 65536 + 16, n)).toBe("second → page three");
    expect(lines).toEqual(["info: second → page three"]);
    // Host functions called directly afterwards see the grown memory too.
    const p = g.call<number>("t_dataSourceNewPacketSingle", ev);
    const comm = g.view().getUint32(0xc00, true);
    g.putString(3 * 65536 - 4, "tail");
    expect(g.call("t_fieldSet", comm, p, 12, packed(3 * 65536 - 4, 4))).toBe(0);
    expect(g.call("t_fieldGetBuffer", comm, p, 12, packed(3 * 65536 - 8, 4))).toBe(4);
    expect(g.getString(3 * 65536 - 8, 4)).toBe("tail");
    expect(g.call("t_fieldGetBuffer", comm, p, 12, packed(3 * 65536 - 2, 4))).toBe(-1);
  });

  it("memory growth by an export between host calls is seen by the next host call", async () => {
    const g = await loadHostGuest("v0.43", `(func (export "grow") (result i32) (memory.grow (i32.const 2)))`);
    expect(g.call("grow")).toBe(1);
    g.putString(3 * 65536 - 2, "ok");
    expect(logsDuring(g, () => g.call("t_gadgetLog", 2, packed(3 * 65536 - 2, 2)))).toEqual(["info: ok"]);
  });

  it("a JS subscriber that throws is logged; later subscribers still run", async () => {
    const g = await loadHostGuest("v0.43");
    const events = g.gadget.dataSources.declare("events", { fields: { pid: "uint32" } });
    const s = strings(g);
    const ev = g.call<number>("t_getDataSource", s("events"));
    events.subscribe(() => {
      throw new Error("js boom");
    });
    expect(g.call("t_dataSourceSubscribe", ev, 1, 1, 4n)).toBe(0);
    const lines = logsDuring(g, () => events.emit({ pid: 1 }));
    expect(lines).toEqual([expect.stringMatching(/^error: subscriber of data source "events" failed: js boom/)]);
    expect(callbackCount(g)).toBe(1);
  });
});

describe("integration: a v0.43 gadget using every log / data-source / data-array / field / handle function", () => {
  it("runs and round-trips every kind exactly", async () => {
    expect(functionsOf("v0.43", FAMILIES)).toHaveLength(23);
    await runIntegration("v0.43");
  });

  it("host log level is honoured by gadgetShouldLog inside a gadget", async () => {
    const g = await loadHostGuest("v0.43", "", { names: ["gadgetShouldLog"], callback: false }, { logLevel: LogLevel.Warn });
    expect(g.call("t_gadgetShouldLog", 2)).toBe(0);
  });
});

describe("guest memory limit", () => {
  it("refuses a module whose memory starts above 256 pages, and accepts 256", async () => {
    const { loadWat, guestModule } = await import("./helpers/guest.js");
    await expect(loadWat(guestModule("ig", {}, "", { pages: 257 }))).rejects.toThrow("the module's memory starts at 257 pages; IG allows at most 256");
    await expect(loadWat(guestModule("ig", {}, "", { pages: 256 }))).resolves.toBeDefined();
  });
});
