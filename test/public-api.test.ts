/**
 * The public JS API (docs/runtime-api.md): loadGadget, declare / emit /
 * emitArray, subscribe (before and after the guest creates a data source),
 * subscribeAll, EventView / ArrayView value types, FieldAccessor, errors.
 * Needs no Node built-in: it also runs in Chromium (vitest.config.ts, project
 * "chromium"); the Node entry's own cases are in host-wasi.test.ts.
 */
import { describe, expect, it } from "vitest";
import * as api from "../runtime/index.js";
import { ArrayView, EventView, FieldKind, GadgetError, LogLevel, fieldKindFromName, fieldKindName, loadGadget, loadGadgetSync } from "../runtime/index.js";
import { guestModule } from "./helpers/guest.js";
import { KIND_NAMES, loadHostGuest, signature, strings } from "./helpers/host-guest.js";
import { wat } from "./helpers/wat.js";

const MINIMAL = guestModule("ig", { gadgetLog: signature("v0.43", "gadgetLog") }, `(func (export "gadgetInit") (result i32) (call $gadgetLog (i32.const 3) (i64.const 0)) (i32.const 0))`);

async function minimal(options: api.GadgetOptions = {}): Promise<api.Gadget> {
  return loadGadget(await wat(MINIMAL), { logSink: () => {}, ...options });
}

describe("entry points", () => {
  it("runtime/index.ts exports the documented API", () => {
    for (const name of ["loadGadget", "loadGadgetSync", "Gadget", "GadgetError", "DataSourceApi", "HostDataSource", "EventView", "ArrayView", "FieldAccessor", "fieldKindFromName", "fieldKindName", "resolveRelease", "checkImports", "parseIgRelease", "behaviourOfRelease", "igReleases", "Logger", "FieldKind", "LogLevel", "DataSourceType", "SubscriptionType", "DEFAULT_LIMITS"]) {
      expect(api, name).toHaveProperty(name);
    }
  });

  it("loadGadget accepts bytes or a compiled module; loadGadgetSync works the same", async () => {
    const bytes = await wat(MINIMAL);
    expect((await loadGadget(bytes, { logSink: () => {} })).profile).toBe("v0.43");
    expect((await loadGadget(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), { logSink: () => {} })).profile).toBe("v0.43");
    expect(loadGadgetSync(bytes, { logSink: () => {} }).profile).toBe("v0.43");
  });

  it("GadgetError is an Error named GadgetError", async () => {
    const err = await loadGadget(new Uint8Array([1, 2, 3])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).toBeInstanceOf(GadgetError);
    expect((err as Error).name).toBe("GadgetError");
  });

  it("logSink receives levels; logLevel filters (default Info)", async () => {
    const lines: [number, string][] = [];
    const text = guestModule("ig", { gadgetLog: signature("v0.43", "gadgetLog") }, `(data (i32.const 16) "m")
      (func (export "gadgetInit") (result i32)
        (call $gadgetLog (i32.const 0) (i64.const ${(1n << 32n) | 16n}))
        (call $gadgetLog (i32.const 2) (i64.const ${(1n << 32n) | 16n}))
        (call $gadgetLog (i32.const 3) (i64.const ${(1n << 32n) | 16n}))
        (i32.const 0))`);
    const g = await loadGadget(await wat(text), { logSink: (l, m) => lines.push([l, m]) });
    g.init();
    expect(lines).toEqual([[LogLevel.Error, "m"], [LogLevel.Info, "m"]]);
  });

  it("exposes profile, exports, config and maps", async () => {
    const g = await minimal();
    expect(g.profile).toBe("v0.43");
    expect(g.resolution.reasons.join("; ")).toMatch(/ig\.gadgetLog/);
    expect(typeof g.exports.gadgetInit).toBe("function");
    expect(g.config.size).toBe(0);
    expect(g.maps).toBeDefined();
  });
});

describe("declare / emit / subscribe", () => {
  it("declares Single and Array data sources with typed fields", async () => {
    const g = await minimal();
    const ev = g.dataSources.declare("events", { fields: { pid: "uint32", comm: "string" } });
    const arr = g.dataSources.declare("arr", { type: "array", fields: { n: "int64" } });
    expect([ev.name, ev.type, arr.name, arr.type]).toEqual(["events", "single", "arr", "array"]);
    expect(ev.accessors().map((a) => [a.name, a.kind])).toEqual([["pid", FieldKind.Uint32], ["comm", FieldKind.String]]);
    expect(g.dataSources.names()).toEqual(["events", "arr"]);
    expect(g.dataSources.get("events")).toBe(ev);
    expect(g.dataSources.get("nope")).toBeUndefined();
    expect(ev.referenced).toBe(true);
  });

  it("rejects a duplicate data source and an unknown kind name", async () => {
    const g = await minimal();
    g.dataSources.declare("events", { fields: {} });
    expect(() => g.dataSources.declare("events", { fields: {} })).toThrow(/exists already/);
    expect(() => g.dataSources.declare("x", { fields: { a: "uint128" as never } })).toThrow(TypeError);
  });

  it("EventView.get: number (<= 32-bit ints, floats), bigint (64-bit), boolean, string, Uint8Array", async () => {
    const g = await minimal();
    const fields = Object.fromEntries(KIND_NAMES.map((k) => [k, k])) as Record<string, (typeof KIND_NAMES)[number]>;
    const ev = g.dataSources.declare("all", { fields });
    const got: Record<string, unknown>[] = [];
    ev.subscribe((e) => {
      expect(e).toBeInstanceOf(EventView);
      got.push((e as EventView).toJSON());
      expect((e as EventView).get("uint64")).toBe(2n ** 64n - 1n);
    });
    ev.emit({
      bool: true, int8: -1, int16: -300, int32: -70000, int64: -5n, uint8: 255, uint16: 65535, uint32: 4294967295, uint64: 2n ** 64n - 1n,
      float32: 0.1, float64: 0.1, string: "ß", cstring: "a\u0000b", bytes: Uint8Array.from([1, 2]),
    });
    expect(got).toEqual([{
      bool: true, int8: -1, int16: -300, int32: -70000, int64: -5n, uint8: 255, uint16: 65535, uint32: 4294967295, uint64: 2n ** 64n - 1n,
      float32: Math.fround(0.1), float64: 0.1, string: "ß", cstring: "a", bytes: Uint8Array.from([1, 2]),
    }]);
  });

  it("unset fields read as zero / empty; values do not leak between events", async () => {
    const g = await minimal();
    const ev = g.dataSources.declare("e", { fields: { a: "uint32", s: "string", b: "bytes" } });
    const got: unknown[] = [];
    ev.subscribe((e) => got.push((e as EventView).toJSON()));
    ev.emit({ a: 5, s: "x", b: Uint8Array.from([1]) });
    ev.emit({});
    expect(got).toEqual([{ a: 5, s: "x", b: Uint8Array.from([1]) }, { a: 0, s: "", b: new Uint8Array(0) }]);
  });

  it("toJSON copies bytes; the emitted Uint8Array is copied too", async () => {
    const g = await minimal();
    const ev = g.dataSources.declare("e", { fields: { b: "bytes" } });
    const src = Uint8Array.from([1, 2, 3]);
    let json: Record<string, unknown> = {};
    ev.subscribe((e) => {
      src[0] = 9;
      json = (e as EventView).toJSON();
    });
    ev.emit({ b: src });
    expect(json.b).toEqual(Uint8Array.from([1, 2, 3]));
  });

  it("rejects values of the wrong type", async () => {
    const g = await minimal();
    const ev = g.dataSources.declare("e", { fields: { a: "uint32", s: "string", i: "int64" } });
    expect(() => ev.emit({ a: "x" })).toThrow(TypeError);
    expect(() => ev.emit({ a: 1.5 })).toThrow(TypeError);
    expect(() => ev.emit({ s: 5 })).toThrow(TypeError);
    expect(() => ev.emit({ i: 1.5 })).toThrow(TypeError);
    expect(() => ev.emit({ nope: 1 })).toThrow(RangeError);
  });

  it("emitArray delivers an ArrayView to array subscribers and each element to data subscribers", async () => {
    const g = await minimal();
    const arr = g.dataSources.declare("arr", { type: "array", fields: { n: "uint16" } });
    const arrays: unknown[] = [];
    const elements: unknown[] = [];
    const packets: unknown[] = [];
    arr.subscribe((a) => {
      expect(a).toBeInstanceOf(ArrayView);
      const view = a as ArrayView;
      expect(view.length).toBe(2);
      expect(view.at(1).get("n")).toBe(2);
      expect(() => view.at(2)).toThrow(RangeError);
      expect(() => view.at(-1)).toThrow(RangeError);
      arrays.push(view.toJSON());
    }, { type: "array" });
    arr.subscribe((e) => elements.push((e as EventView).get("n")));
    arr.subscribe((p) => packets.push(p.toJSON()), { type: "packet" });
    arr.emitArray([{ n: 1 }, { n: 2 }]);
    expect(arrays).toEqual([[{ n: 1 }, { n: 2 }]]);
    expect(elements).toEqual([1, 2]);
    expect(packets).toEqual([[{ n: 1 }, { n: 2 }]]);
  });

  it("emit / emitArray / array subscriptions on the wrong shape throw TypeError", async () => {
    const g = await minimal();
    const ev = g.dataSources.declare("e", { fields: { a: "uint32" } });
    const arr = g.dataSources.declare("arr", { type: "array", fields: { a: "uint32" } });
    expect(() => ev.emitArray([])).toThrow(TypeError);
    expect(() => arr.emit({})).toThrow(TypeError);
    expect(() => ev.subscribe(() => {}, { type: "array" })).toThrow(TypeError);
  });

  it("JS subscribers run in priority order, ties in subscription order", async () => {
    const g = await minimal();
    const ev = g.dataSources.declare("e", { fields: {} });
    const order: string[] = [];
    ev.subscribe(() => order.push("c"), { priority: 10 });
    ev.subscribe(() => order.push("a"), { priority: -1 });
    ev.subscribe(() => order.push("b1"));
    g.dataSources.subscribe("e", () => order.push("b2"));
    ev.emit({});
    expect(order).toEqual(["a", "b1", "b2", "c"]);
  });

  it("subscribe by name before the guest creates the data source: attached on creation", async () => {
    const g = await loadHostGuest("v0.43");
    const seen: unknown[] = [];
    g.gadget.dataSources.subscribe("later", (e) => seen.push((e as EventView).toJSON()));
    const everything: string[] = [];
    g.gadget.dataSources.subscribeAll((_e, ds) => everything.push(ds.name));
    g.gadget.dataSources.subscribeAll((_a, ds) => everything.push(`array:${ds.name}`), { type: "array" });
    const s = strings(g);
    const ds = g.call<number>("t_newDataSource", s("later"), 1);
    const f = g.call<number>("t_dataSourceAddField", ds, s("v"), 8);
    const p = g.call<number>("t_dataSourceNewPacketSingle", ds);
    expect(g.call("t_fieldSet", f, p, 8, 99n)).toBe(0);
    expect(g.call("t_dataSourceEmitAndRelease", ds, p)).toBe(0);
    expect(seen).toEqual([{ v: 99 }]);
    const arr = g.call<number>("t_newDataSource", s("arrlater"), 2);
    const q = g.call<number>("t_dataSourceNewPacketArray", arr);
    expect(g.call("t_dataSourceEmitAndRelease", arr, q)).toBe(0);
    expect(everything).toEqual(["later", "array:arrlater"]);
  });

  it("subscribeAll covers existing data sources too", async () => {
    const g = await minimal();
    const a = g.dataSources.declare("a", { fields: {} });
    const b = g.dataSources.declare("b", { type: "array", fields: { x: "uint8" } });
    const seen: string[] = [];
    g.dataSources.subscribeAll((_e, ds) => seen.push(ds.name));
    a.emit({});
    b.emitArray([{ x: 1 }, { x: 2 }]);
    expect(seen).toEqual(["a", "b", "b"]);
  });

  it("FieldAccessor: name, kind, tags, get; addField before packets", async () => {
    const g = await minimal();
    const ev = g.dataSources.declare("e", { fields: { a: "uint32" } });
    const acc = ev.addField("z", "int8");
    expect([acc.name, acc.kind, acc.tags]).toEqual(["z", FieldKind.Int8, []]);
    expect(ev.addField("w", FieldKind.Bytes).kind).toBe(FieldKind.Bytes);
    expect(() => ev.field("nope")).toThrow(RangeError);
    let got: unknown;
    ev.subscribe((e) => (got = acc.get(e as EventView)));
    ev.emit({ z: -3 });
    expect(got).toBe(-3);
  });

  it("fieldKindFromName / fieldKindName", () => {
    KIND_NAMES.forEach((name, i) => {
      expect(fieldKindFromName(name)).toBe(i + 1);
      expect(fieldKindName(i + 1)).toBe(name);
    });
    expect(fieldKindFromName("UINT32")).toBe(FieldKind.Uint32);
    expect(() => fieldKindFromName("uint128")).toThrow(TypeError);
  });
});

describe("field accessors across host-memory growth", () => {
  it("an accessor made before the host memory grows reads and writes the right records after it", async () => {
    const g = await minimal();
    const batch = g.dataSources.declare("batch", { type: "array", fields: { n: "uint64", x: "float64" } });
    const n = batch.field("n");
    const x = batch.field("x");
    const before = g.runtime.hostMemory.memory.buffer.byteLength;
    let sum = 0n;
    let xs = 0;
    g.dataSources.subscribe("batch", (view) => {
      const arr = view as ArrayView;
      for (let i = 0; i < arr.length; i++) {
        const ev = arr.at(i);
        sum += n.get(ev) as bigint;
        xs += x.get(ev) as number;
      }
    }, { type: "array" });
    const COUNT = 32_768; // the most an array packet holds; 16 bytes a record: more than the initial host memory holds
    batch.emitArray(Array.from({ length: COUNT }, (_, i) => ({ n: BigInt(i), x: 0.5 })));
    expect(g.runtime.hostMemory.memory.buffer.byteLength).toBeGreaterThan(before);
    expect(sum).toBe(BigInt((COUNT * (COUNT - 1)) / 2));
    expect(xs).toBe(COUNT * 0.5);
  });
});
