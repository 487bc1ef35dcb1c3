/**
 * Compiled fills (runtime/event-fill.ts): a fill writes exactly the bytes
 * FieldAccessor.write writes, refuses (writing nothing) every object it was
 * not compiled for, and emit gives the same events and the same errors
 * whether a fill ran or the generic path did.
 */
import { describe, expect, it } from "vitest";
import { compileFill, type EventValues } from "../runtime/event-fill.js";
import { descriptorOffset } from "../runtime/record-slab.js";
import { type EventView, type FieldValue, type HostDataSource, loadGadget } from "../runtime/index.js";
import { guestModule } from "./helpers/guest.js";
import { KIND_NAMES, signature } from "./helpers/host-guest.js";
import { wat } from "./helpers/wat.js";

const MINIMAL = guestModule("ig", { gadgetLog: signature("v0.43", "gadgetLog") }, `(func (export "gadgetInit") (result i32) (i32.const 0))`);

async function gadgetWith(fields: Record<string, (typeof KIND_NAMES)[number]>): Promise<{ ds: HostDataSource; mem: () => Uint8Array; fill: (values: EventValues) => ReturnType<typeof compileFill> }> {
  const g = await loadGadget(await wat(MINIMAL), { logSink: () => {} });
  const ds = g.dataSources.declare("e", { fields });
  const hostMemory = g.runtime.hostMemory;
  return {
    ds,
    mem: () => hostMemory.u8,
    fill: (values) => compileFill(ds.source, hostMemory, Object.keys(values), (name) => ds.field(name)),
  };
}

/** A record's fixed-size bytes and variable-length values. */
function snapshot(ds: HostDataSource, mem: Uint8Array, slot: number): { fixed: number[]; vars: number[][] } {
  const slab = ds.source.slab;
  const at = slab.addr[slot];
  return {
    fixed: Array.from(mem.subarray(at, at + slab.recordSize)),
    vars: Array.from({ length: slab.varCount }, (_, i) => Array.from(slab.varBytes(slot, descriptorOffset(i)))),
  };
}

const ALL_KINDS = Object.fromEntries(KIND_NAMES.map((k) => [k, k])) as Record<string, (typeof KIND_NAMES)[number]>;

/** Values every kind accepts, edge cases included: wrapping integers, 64-bit numbers past 2^53, negative zero, truthiness. */
const VALUE_SETS: Record<string, FieldValue>[] = [
  { bool: true, int8: -1, int16: -300, int32: -70000, int64: -5n, uint8: 255, uint16: 65535, uint32: 4294967295, uint64: 2n ** 64n - 1n, float32: 0.1, float64: 0.1, string: "ß", cstring: "a\u0000b", bytes: Uint8Array.from([1, 2]) },
  { bool: 0, int8: 300, int16: 70000, int32: 2 ** 31, int64: -1, uint8: -1, uint16: -2, uint32: -1, uint64: 2 ** 53 + 2, float32: -0, float64: Number.NaN, string: "", cstring: "", bytes: new Uint8Array(0) },
  { bool: "yes", int8: -128, int16: 0, int32: -(2 ** 31), int64: -(2 ** 40) - 5, uint8: 0, uint16: 1, uint32: 2 ** 32 + 7, uint64: 1e20, float32: 3e38, float64: -1e-300, string: "x".repeat(300), cstring: "c", bytes: Uint8Array.from([0, 255]) },
  { bool: "", int8: 0, int16: -1, int32: 0, int64: 2n ** 64n + 3n, uint8: 256, uint16: 65536, uint32: 0, uint64: -7, float32: Infinity, float64: -Infinity, string: "é", cstring: "\u0000", bytes: Uint8Array.from([7]) },
];

describe("compileFill", () => {
  it("writes exactly the bytes FieldAccessor.write writes, for every kind and edge value", async () => {
    const { ds, mem, fill } = await gadgetWith(ALL_KINDS);
    const slab = ds.source.slab;
    for (const values of VALUE_SETS) {
      const generic = slab.alloc();
      for (const [name, v] of Object.entries(values)) ds.field(name).write(generic, v);
      const compiled = slab.alloc();
      expect(fill(values)(compiled, values)).toBe(true);
      expect(snapshot(ds, mem(), compiled)).toEqual(snapshot(ds, mem(), generic));
      slab.free(generic);
      slab.free(compiled);
    }
  });

  it("refuses, writing nothing, objects it was not compiled for and values it does not convert", async () => {
    const { ds, mem, fill } = await gadgetWith({ a: "uint32", b: "int64", f: "float64", s: "string" });
    const f = fill({ a: 1, b: 2n, f: 0.5, s: "x" });
    const slab = ds.source.slab;
    const slot = slab.alloc();
    const before = snapshot(ds, mem(), slot);
    const refused: EventValues[] = [
      { a: 1, b: 2n, f: 0.5 }, // a property missing
      { a: 1, b: 2n, f: 0.5, s: "x", t: 1 }, // one more
      { a: 1, b: 2n, f: 0.5, t: "x" }, // as many, another name
      { a: undefined as unknown as number, b: 2n, f: 0.5, s: "x" }, // present but undefined
      { a: 1n, b: 2n, f: 0.5, s: "x" }, // bigint for a u32: the generic path converts it
      { a: true, b: 2n, f: 0.5, s: "x" }, // boolean for a u32: likewise
      { a: 1.5, b: 2n, f: 0.5, s: "x" }, // not an integer: the generic path throws
      { a: 1, b: 2.5, f: 0.5, s: "x" },
      { a: 1, b: 2n, f: 1n, s: "x" },
      { a: 1, b: 2n, f: 0.5, s: 5 },
    ];
    for (const values of refused) {
      expect(f(slot, values), JSON.stringify(values, (_, v) => (typeof v === "bigint" ? `${v}n` : v))).toBe(false);
      expect(snapshot(ds, mem(), slot)).toEqual(before);
    }
    // Key order does not matter: properties are read by name.
    expect(f(slot, { s: "y", f: 0.25, b: -1n, a: 9 })).toBe(true);
    expect(ds.field("a").read(slot)).toBe(9);
    expect(ds.field("b").read(slot)).toBe(-1n);
    expect(ds.field("f").read(slot)).toBe(0.25);
    expect(ds.field("s").read(slot)).toBe("y");
  });
});

describe("emit through compiled fills", () => {
  it("delivers the same events as the generic path, for every value set, repeated", async () => {
    const { ds } = await gadgetWith(ALL_KINDS);
    const got: Record<string, FieldValue>[] = [];
    ds.subscribe((e) => got.push((e as EventView).toJSON()));
    // The first emit of a set of names takes the generic path and compiles a fill; the others use it.
    for (const values of [...VALUE_SETS, ...VALUE_SETS]) ds.emit(values);
    const firstPass = got.slice(0, VALUE_SETS.length);
    expect(got.slice(VALUE_SETS.length)).toEqual(firstPass);
    expect(firstPass[0]).toEqual({
      bool: true, int8: -1, int16: -300, int32: -70000, int64: -5n, uint8: 255, uint16: 65535, uint32: 4294967295, uint64: 2n ** 64n - 1n,
      float32: Math.fround(0.1), float64: 0.1, string: "ß", cstring: "a", bytes: Uint8Array.from([1, 2]),
    });
    expect(firstPass[2].uint64).toBe(BigInt.asUintN(64, BigInt(1e20)));
    expect(firstPass[2].int64).toBe(-(2n ** 40n) - 5n);
    expect(firstPass[1].uint64).toBe(2n ** 53n + 2n);
  });

  it("throws the generic path's errors once a fill exists, and the next event is clean", async () => {
    const { ds } = await gadgetWith({ a: "uint32", s: "string", i: "int64" });
    const got: unknown[] = [];
    ds.subscribe((e) => got.push((e as EventView).toJSON()));
    ds.emit({ a: 1, s: "x", i: 1n });
    ds.emit({ a: 2, s: "y", i: 2n });
    expect(() => ds.emit({ a: "x", s: "y", i: 2n })).toThrow(/field "a" is Uint32: expected a number/);
    expect(() => ds.emit({ a: 1.5, s: "y", i: 2n })).toThrow(/1.5 is not an integer/);
    expect(() => ds.emit({ a: 1, s: 5, i: 2n })).toThrow(/field "s" is String: expected a string or Uint8Array/);
    expect(() => ds.emit({ a: 1, s: "y", i: 1.5 })).toThrow(TypeError);
    expect(() => ds.emit({ a: 1, s: "y", nope: 1 })).toThrow(/has no field "nope"/);
    ds.emit({ a: 3n, s: "z", i: 3 }); // converted by the generic path
    ds.emit({ a: 4, i: -4 }); // another set of names: s stays empty
    ds.emit({ i: 5n, a: 5, s: "w" }); // the first set, in another order
    expect(got).toEqual([
      { a: 1, s: "x", i: 1n },
      { a: 2, s: "y", i: 2n },
      { a: 3, s: "z", i: 3n },
      { a: 4, s: "", i: -4n },
      { a: 5, s: "w", i: 5n },
    ]);
    expect(ds.source.slab.live).toBe(0);
  });

  it("stays correct past the number of sets that get a fill", async () => {
    const names = ["a", "b", "c", "d", "e", "f"];
    const { ds } = await gadgetWith(Object.fromEntries(names.map((n) => [n, "uint16"])) as Record<string, "uint16">);
    const got: unknown[] = [];
    ds.subscribe((e) => got.push((e as EventView).toJSON()));
    const want: unknown[] = [];
    for (let round = 0; round < 3; round++) {
      for (let k = 1; k <= names.length; k++) {
        const values = Object.fromEntries(names.slice(0, k).map((n, i) => [n, round * 100 + i]));
        ds.emit(values);
        want.push(Object.fromEntries(names.map((n, i) => [n, i < k ? round * 100 + i : 0])));
      }
    }
    expect(got).toEqual(want);
  });

  it("emitArray fills each element the same way", async () => {
    const g = await loadGadget(await wat(MINIMAL), { logSink: () => {} });
    const arr = g.dataSources.declare("arr", { type: "array", fields: { n: "uint32", t: "uint64" } });
    const got: unknown[] = [];
    arr.subscribe((e) => got.push((e as EventView).toJSON()));
    arr.emitArray([{ n: 1, t: 1n }, { n: 2, t: 2 }, { n: 3, t: 3n }]);
    expect(got).toEqual([{ n: 1, t: 1n }, { n: 2, t: 2n }, { n: 3, t: 3n }]);
  });
});

describe("Bytes values a subscriber keeps", () => {
  it("stay as they were when later events reuse the record and its value block", async () => {
    const { ds } = await gadgetWith({ payload: "bytes", text: "string" });
    const kept: { payload: FieldValue; text: FieldValue }[] = [];
    const payload = ds.field("payload");
    const text = ds.field("text");
    ds.subscribe((e) => kept.push({ payload: payload.get(e as EventView), text: text.get(e as EventView) }));
    for (let i = 0; i < 3; i++) ds.emit({ payload: Uint8Array.from([i, i, i, i]), text: `event ${i}` });
    expect(kept).toEqual([0, 1, 2].map((i) => ({ payload: Uint8Array.from([i, i, i, i]), text: `event ${i}` })));
  });
});
