/**
 * The host lifecycle: loading (malformed modules, unknown imports, API
 * version, params, era detection), phases, the handle table (4096 limit,
 * releaseHandle), robustness (guest traps in callbacks, memory growth inside
 * callbacks), and the ig-v1 integration gadget.
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

  it("a module importing an unknown host function -> a clear link error naming it", async () => {
    await expectLoadError(guestModule("ig", { noSuchFunction: "(param i32)" }, ""), /cannot link the module:[\s\S]*ig\.noSuchFunction[\s\S]*does not have/);
  });

  it("a module importing from an unknown module -> a link error naming it", async () => {
    const text = `(module (import "ig" "gadgetLog" (func (param i32 i64))) (import "mystery" "f" (func)) (memory (export "memory") 1) (func (export "gadgetAPIVersion") (result i64) (i64.const 1)))`;
    await expectLoadError(text, /mystery\.f.*unknown module/);
  });

  it("every problem is listed at once", async () => {
    await expectLoadError(guestModule("ig", { nope1: "", nope2: "" }, ""), /ig\.nope1[\s\S]*ig\.nope2/);
  });

  it("a function of another era -> link error (seed module importing releaseHandle)", async () => {
    await expectLoadError(guestModule("env", { gadgetLog: signature("seed", "gadgetLog"), releaseHandle: "(param i32) (result i32)" }, "", { seed: true }), /env\.releaseHandle, which the seed era does not have/);
  });

  it("a function of another era -> link error (env-v1 module importing fieldAccessorGet)", async () => {
    await expectLoadError(guestModule("env", { fieldAccessorGet: "(param i32 i32 i32) (result i64)" }, ""), /env\.fieldAccessorGet, which the env-v1 era does not have/);
  });

  it("a WASI import without a WASI provider -> link error", async () => {
    await expectLoadError(guestModule("wasi_snapshot_preview1", { fd_write: "(param i32 i32 i32 i32) (result i32)" }, ""), /wasi_snapshot_preview1\.fd_write/);
  });

  it.each([[2n], [0n], [-1n]])("gadgetAPIVersion %s -> error", async (version) => {
    const text = `(module (import "ig" "gadgetLog" (func (param i32 i64))) (memory (export "memory") 1) (func (export "gadgetAPIVersion") (result i64) (i64.const ${version})))`;
    await expectLoadError(text, new RegExp(`gadget API version ${version} is not supported`));
  });

  it.each(["ig-v1", "env-v1"] as const)("a %s module without gadgetAPIVersion -> error", async (era) => {
    const text = `(module (import "${era === "ig-v1" ? "ig" : "env"}" "gadgetLog" (func (param i32 i64))) (memory (export "memory") 1))`;
    await expectLoadError(text, /exports no gadgetAPIVersion/, { era });
  });

  it("a trapping gadgetAPIVersion -> error", async () => {
    const text = `(module (import "ig" "gadgetLog" (func (param i32 i64))) (memory (export "memory") 1) (func (export "gadgetAPIVersion") (result i64) unreachable))`;
    await expectLoadError(text, /gadgetAPIVersion trapped/);
  });

  it("a module without an exported memory -> error", async () => {
    await expectLoadError(`(module (import "ig" "gadgetLog" (func (param i32 i64))) (func (export "gadgetAPIVersion") (result i64) (i64.const 1)))`, /exports no memory/);
  });

  it("a missing mandatory param -> error naming it; defaults fill in", async () => {
    const text = guestModule("ig", { gadgetLog: signature("ig-v1", "gadgetLog") }, "");
    await expectLoadError(text, /missing mandatory param: iface/, { paramSpecs: [{ key: "iface", mandatory: true }] });
    await expectLoadError(text, /missing mandatory params: a, b/, { paramSpecs: [{ key: "a", mandatory: true }, { key: "b", mandatory: true }] });
    const g = await loadGadget(await wat(text), { logSink: () => {}, paramSpecs: [{ key: "iface", mandatory: true }, { key: "x", defaultValue: "1", mandatory: true }], params: { iface: "eth0" } });
    expect(g.era).toBe("ig-v1");
  });

  it("runs a reactor's _initialize once after instantiation", async () => {
    const body = `(func (export "_initialize") (i32.store (i32.const 0x100) (i32.add (i32.load (i32.const 0x100)) (i32.const 1))))`;
    const g = await loadWat(guestModule("ig", { gadgetLog: signature("ig-v1", "gadgetLog") }, body));
    expect(g.view().getUint32(0x100, true)).toBe(1);
  });

  it("a trapping _initialize -> GadgetError", async () => {
    await expectLoadError(guestModule("ig", { gadgetLog: signature("ig-v1", "gadgetLog") }, `(func (export "_initialize") unreachable)`), /initialiser failed/);
  });
});

describe("era detection", () => {
  const cases: [string, string, string, "seed" | "env-v1" | "ig-v1", RegExp][] = [
    ["imports from ig", `(import "ig" "gadgetLog" (func (param i32 i64)))`, `(func (export "gadgetAPIVersion") (result i64) (i64.const 1))`, "ig-v1", /imports ig\.gadgetLog/],
    ["env + fieldGetScalar (Feb-March 2025 build)", `(import "env" "fieldGetScalar" (func (param i32 i32 i32 i32) (result i64)))`, `(func (export "gadgetAPIVersion") (result i64) (i64.const 1))`, "ig-v1", /env\.fieldGetScalar/],
    ["env + fieldGetBuffer", `(import "env" "fieldGetBuffer" (func (param i32 i32 i32 i64) (result i32)))`, `(func (export "gadgetAPIVersion") (result i64) (i64.const 1))`, "ig-v1", /env\.fieldGetBuffer/],
    ["env + gadgetShouldLog", `(import "env" "gadgetShouldLog" (func (param i32) (result i32)))`, `(func (export "gadgetAPIVersion") (result i64) (i64.const 1))`, "ig-v1", /gadgetShouldLog/],
    ["env + gadgetAPIVersion (fieldGet)", `(import "env" "fieldGet" (func (param i32 i32 i32) (result i64)))`, `(func (export "gadgetAPIVersion") (result i64) (i64.const 1))`, "env-v1", /gadgetAPIVersion/],
    ["env + gadgetAPIVersion (gadgetLog only)", `(import "env" "gadgetLog" (func (param i32 i64)))`, `(func (export "gadgetAPIVersion") (result i64) (i64.const 1))`, "env-v1", /gadgetAPIVersion/],
    ["env + dsCallback, no version", `(import "env" "fieldAccessorGet" (func (param i32 i32 i32) (result i64)))`, `(func (export "dsCallback") (param i64 i32 i32))`, "seed", /gadgetAPIVersion/],
    ["no imports, no version", "", "", "seed", /gadgetAPIVersion/],
  ];
  it.each(cases)("%s -> %s", async (_w, imports, exports, era, reason) => {
    const g = await loadGadget(await wat(`(module ${imports} (memory (export "memory") 1) ${exports})`), { logSink: () => {} });
    expect(g.era).toBe(era);
    expect(g.eraReason).toMatch(reason);
  });

  it("the era option overrides detection", async () => {
    const g = await loadGadget(await wat(`(module (import "env" "gadgetLog" (func (param i32 i64))) (memory (export "memory") 1) (func (export "gadgetAPIVersion") (result i64) (i64.const 1)))`), { era: "ig-v1", logSink: () => {} });
    expect(g.era).toBe("ig-v1");
    expect(g.eraReason).toMatch(/given/);
  });

  it("an ig-v1 build importing from env works like one importing from ig", async () => {
    const g = await loadHostGuest("ig-v1", "", { module: "env" });
    expect(g.gadget.era).toBe("ig-v1");
    g.gadget.dataSources.declare("events", { fields: { pid: "uint32" } });
    const s = strings(g);
    const ds = g.call<number>("t_getDataSource", s("events"));
    const f = g.call<number>("t_dataSourceGetField", ds, s("pid"));
    const p = g.call<number>("t_dataSourceNewPacketSingle", ds);
    expect(g.call("t_fieldSet", f, p, 8, 5n)).toBe(0);
    expect(g.call("t_fieldGetScalar", f, p, 8, 0)).toBe(5n);
    expect(g.trace[0]).toMatch(/^==> env\.getDataSource\(/);
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

  function phaseGuest(seed = false): string {
    const names = seed ? ["init", "start", "stop"] : PHASES.map((p) => p[1]);
    const fns = names.map((name, i) => `(func (export "${name}") (result i32)
      (i32.store8 (i32.add (i32.const ${ORDER + 4}) (i32.load (i32.const ${ORDER}))) (i32.const ${i + 1}))
      (i32.store (i32.const ${ORDER}) (i32.add (i32.load (i32.const ${ORDER})) (i32.const 1)))
      (if (i32.eq (i32.load (i32.const ${RET + 4 * i})) (i32.const -1)) (then unreachable))
      (i32.load (i32.const ${RET + 4 * i})))`);
    return guestModule("env", { gadgetLog: signature(seed ? "seed" : "env-v1", "gadgetLog") }, fns.join("\n"), { seed });
  }
  const order = (g: Awaited<ReturnType<typeof loadWat>>) => [...g.mem().subarray(ORDER + 4, ORDER + 4 + g.view().getUint32(ORDER, true))];

  it("run() calls init, preStart, start, the callback, stop, postStop in order", async () => {
    const g = await loadWat(phaseGuest());
    let during: number[] = [];
    g.gadget.run(() => {
      during = order(g);
    });
    expect(during).toEqual([1, 2, 3]);
    expect(order(g)).toEqual([1, 2, 3, 4, 5]);
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

  it("a failing init stops run() before start", async () => {
    const g = await loadWat(phaseGuest());
    g.view().setUint32(RET, 1, true);
    let ran = false;
    expect(() => g.gadget.run(() => (ran = true))).toThrow(/^init failed/);
    expect(ran).toBe(false);
    expect(order(g)).toEqual([1]);
  });

  it("missing phase exports are skipped", async () => {
    const g = await loadHostGuest("ig-v1", "", { names: ["gadgetLog"], callback: false });
    expect(() => g.gadget.run()).not.toThrow();
  });

  it("seed: init, start, stop (no preStart/postStop)", async () => {
    const g = await loadWat(phaseGuest(true));
    expect(g.gadget.era).toBe("seed");
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
    const g = await loadHostGuest("ig-v1", FILL, {}, { traced: false });
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

    // A delivery to the guest needs a handle: it is skipped and logged; JS subscribers still run.
    let js = 0;
    events.subscribe(() => js++, { priority: 5 });
    const lines = logsDuring(g, () => events.emit({ pid: 1 }));
    expect(js).toBe(1);
    expect(callbackCount(g)).toBe(0);
    expect(lines).toEqual([expect.stringMatching(/^error: cannot deliver to subscriber 1 of data source "events": too many open handles/)]);

    // Releasing one handle makes room for exactly one more.
    expect(call("releaseHandle", ev)).toBe(0);
    expect(handles.size).toBe(4095);
    const again = call("getDataSource", s("events"));
    expect(again).toBeGreaterThan(0);
    expect(call("getDataSource", s("events"))).toBe(0);
    expect(call("releaseHandle", again)).toBe(0);
    events.emit({ pid: 2 });
    expect(callbackCount(g)).toBe(1);
    expect(handles.size).toBe(4095);
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
    const g = await loadHostGuest("ig-v1");
    const lines = logsDuring(g, () => expect(g.call("t_releaseHandle", h)).toBe(1));
    expect(lines).toEqual([expect.stringMatching(/^warn: releaseHandle: /)]);
  });

  it("releases every handle type once; a second release -> 1", async () => {
    const g = await loadHostGuest("ig-v1");
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
    const g = await loadHostGuest("ig-v1");
    g.trace.length = 0;
    g.call("t_releaseHandle", 77);
    expect(g.trace).toEqual(["==> ig.releaseHandle(handle=77)", "<== 1"]);
  });
});

describe("robustness", () => {
  const TRAP_ON_1 = `(if (i64.eq (local.get $cb) (i64.const 1)) (then unreachable))`;

  it("a guest that traps in its callback leaves the host usable: other subscribers ran, handles back to baseline", async () => {
    const g = await loadHostGuest("ig-v1", "", { callback: TRAP_ON_1 });
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
    const g = await loadHostGuest("ig-v1", "", { callback: TRAP_ON_1 });
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
    const g = await loadHostGuest("ig-v1", "", { callback: body });
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
    const g = await loadHostGuest("ig-v1", `(func (export "grow") (result i32) (memory.grow (i32.const 2)))`);
    expect(g.call("grow")).toBe(1);
    g.putString(3 * 65536 - 2, "ok");
    expect(logsDuring(g, () => g.call("t_gadgetLog", 2, packed(3 * 65536 - 2, 2)))).toEqual(["info: ok"]);
  });

  it("a JS subscriber that throws is logged; later subscribers still run", async () => {
    const g = await loadHostGuest("ig-v1");
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

describe("integration: an ig-v1 gadget using every log / data-source / data-array / field / handle function", () => {
  it("runs and round-trips every kind exactly", async () => {
    expect(functionsOf("ig-v1", FAMILIES)).toHaveLength(23);
    await runIntegration("ig-v1");
  });

  it("host log level is honoured by gadgetShouldLog inside a gadget", async () => {
    const g = await loadHostGuest("ig-v1", "", { names: ["gadgetShouldLog"], callback: false }, { logLevel: LogLevel.Warn });
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
