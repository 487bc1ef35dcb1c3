/**
 * Embedder code that throws is contained (issue 15): a subscriber that
 * throws anything, even a value that cannot be printed, is logged and the
 * other subscribers run; every load failure is a GadgetError; a packet
 * emitted into the wrong data source is released, as the spec says.
 */
import { describe, expect, it } from "vitest";
import wabtInit from "wabt";
import { LogLevel } from "../generated/constants.js";
import type { EventView } from "../runtime/data-source-api.js";
import { GadgetError, loadGadgetSync } from "../runtime/gadget.js";
import { hostDriver, loadHostGuest, logsDuring } from "./helpers/host-guest.js";

/** WAT with the features the odd modules below need (multi-value, reference types, threads). */
async function watWith(text: string): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const module = wabt.parseWat("odd.wat", text, { multi_value: true, reference_types: true, threads: true, bulk_memory: true });
  try {
    // No validate(): wabt's validator refuses shared memories whatever the features; the engine validates.
    module.resolveNames();
    return new Uint8Array(module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}

function loadQuiet(bytes: Uint8Array): unknown {
  try {
    return loadGadgetSync(bytes, { logSink: () => {}, logLevel: LogLevel.Error });
  } catch (e) {
    return e;
  }
}

describe("subscribers that throw", () => {
  it.each([
    ["an Error", () => new Error("bad")],
    ["a string", () => "bad"],
    ["undefined", () => undefined],
    ["an unprintable object", () => Object.create(null) as unknown],
    ["an object whose toString throws", () => ({ toString: () => { throw new Error("no"); } })],
    ["an Error whose message getter throws", () => Object.defineProperty(new Error(), "message", { get: () => { throw new Error("no"); } })],
  ])("%s is logged and the later subscribers still run", async (_what, value) => {
    const g = await loadHostGuest("v0.43", "", { callback: false });
    const events = g.gadget.dataSources.declare("events", { fields: { pid: "uint32" } });
    const seen: number[] = [];
    events.subscribe(() => {
      throw value();
    }, { priority: 1 });
    events.subscribe((ev) => seen.push((ev as EventView).get("pid") as number), { priority: 2 });
    const logs = logsDuring(g, () => expect(() => events.emit({ pid: 3 })).not.toThrow());
    expect(seen).toEqual([3]);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/^error: subscriber of data source "events" failed: /);
  });

  it("a log sink that throws does not break the guest's call", async () => {
    const g = await loadHostGuest("v0.43", "", { callback: false }, {
      logSink: () => {
        throw Object.create(null);
      },
    });
    const d = hostDriver(g);
    expect(d.call("getDataSource", d.s("nothing"))).toBe(0);
  });
});

describe("every load failure is a GadgetError", () => {
  const version = (result: string, body: string): string => `(module (import "ig" "gadgetLog" (func (param i32 i64)))
    (memory (export "memory") 1)
    (func $f)
    (elem declare func $f)
    (func (export "gadgetAPIVersion") (result ${result}) ${body}))`;

  it.each([
    // IG compares the raw bits of the single result with 1 (wasm.go at aeac857): an f64 1.0 is not 1, and
    // the export's declared result type (read from the module's bytes) decides before any call.
    ["an f64", version("f64", "(f64.const 1.5)"), /^gadgetAPIVersion returns \(f64\); its result must be one i32 or i64$/],
    ["an f64 that is an integer", version("f64", "(f64.const 1)"), /^gadgetAPIVersion returns \(f64\); its result must be one i32 or i64$/],
    ["a funcref", version("funcref", "(ref.func $f)"), /^gadgetAPIVersion returns \(funcref\); its result must be one i32 or i64$/],
    ["a null funcref", version("funcref", "(ref.null func)"), /^gadgetAPIVersion returns \(funcref\); its result must be one i32 or i64$/],
    ["two values", version("i64 i64", "(i64.const 1) (i64.const 1)"), /^gadgetAPIVersion returns \(i64, i64\); its result must be one i32 or i64$/],
  ])("gadgetAPIVersion returning %s", async (_what, text, message) => {
    const e = loadQuiet(await watWith(text));
    expect(e).toBeInstanceOf(GadgetError);
    expect((e as Error).message).toMatch(message);
  });

  it("a module with a shared memory is refused", async () => {
    const e = loadQuiet(await watWith(`(module (import "ig" "gadgetLog" (func (param i32 i64)))
      (memory (export "memory") 1 4 shared)
      (func (export "gadgetAPIVersion") (result i64) (i64.const 1)))`));
    expect(e).toBeInstanceOf(GadgetError);
    expect((e as Error).message).toBe("the module's memory is shared; IG's gadgets use an unshared memory, and the host supports no other");
  });

  it("an embedder WASI provider that throws a non-Error is reported as a GadgetError", async () => {
    const bytes = await watWith(`(module (import "ig" "gadgetLog" (func (param i32 i64)))
      (memory (export "memory") 1)
      (func (export "_initialize"))
      (func (export "gadgetAPIVersion") (result i64) (i64.const 1)))`);
    let e: unknown;
    try {
      loadGadgetSync(bytes, {
        logSink: () => {},
        wasi: {
          imports: {},
          start: () => {},
          initialize: () => {
            throw Object.create(null);
          },
        },
      });
    } catch (err) {
      e = err;
    }
    expect(e).toBeInstanceOf(GadgetError);
    expect((e as Error).message).toBe("the module's initialiser _initialize failed: [object with no prototype]");
  });
});

describe("dataSourceEmitAndRelease with the wrong data source", () => {
  it("fails and releases the packet, as documented", async () => {
    const g = await loadHostGuest("v0.43", "", { callback: false });
    const d = hostDriver(g);
    const a = g.gadget.dataSources.declare("a", { fields: { pid: "uint32" } });
    g.gadget.dataSources.declare("b", { fields: { pid: "uint32" } });
    const ha = d.call("getDataSource", d.s("a"));
    const hb = d.call("getDataSource", d.s("b"));
    const p = d.call("dataSourceNewPacketSingle", ha);
    const logs = logsDuring(g, () => expect(d.call("dataSourceEmitAndRelease", hb, p)).toBe(1));
    expect(logs).toEqual([`warn: dataSourceEmitAndRelease: packet ${p} belongs to data source "a", not "b"; it was released without being emitted`]);
    expect(a.source.slab.live).toBe(0);
    expect(g.gadget.runtime.handles.size).toBe(2);
    expect(d.call("dataSourceRelease", ha, p)).toBe(1);
  });
});
