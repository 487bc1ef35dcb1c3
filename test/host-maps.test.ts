/**
 * ig-v1 eBPF map functions through real guests: newMap, getMap, mapLookup,
 * mapUpdate, mapDelete and mapRelease.
 *
 * The guest is a proxy (wazero's requireProxyModule): it imports each host
 * function from `ig` and re-exports it under the same name, so the test
 * drives the exact wire values and asserts the exact call trace, the bytes
 * of sentinel-filled guest memory and the log line each error produces.
 */
import { describe, expect, it } from "vitest";
import { DataSourceType, MapType, MapUpdateFlags } from "../generated/constants.js";
import { packed, SENTINEL, type LoadedGuest } from "./helpers/guest.js";
import { call, expectErrorLog, loadProxy, MEM, put, type Call } from "./helpers/proxy.js";

const FNS = ["newMap", "getMap", "mapLookup", "mapUpdate", "mapDelete", "mapRelease", "releaseHandle", "newDataSource", "newPerfReader"] as const;

const NAME = 0x100; // map names
const KEY = 0x200; // keys
const VAL = 0x300; // values to store
const DST = 0x1000; // destination buffers
const DST_END = 0x1100;
/** A handle with a valid slot index but a generation no live handle has. */
const UNKNOWN = ((1000 << 13) | 7) >>> 0;

const { Any, NoExist, Exist } = MapUpdateFlags;

function load(): Promise<LoadedGuest> {
  return loadProxy(FNS);
}

function u32le(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
}

/** Keys and values of different sizes at fixed places, so calls can take them by value. */
function key(g: LoadedGuest, bytes: readonly number[]): bigint {
  return put(g, KEY, bytes);
}
function value(g: LoadedGuest, bytes: readonly number[]): bigint {
  return put(g, VAL, bytes);
}

function newMap(g: LoadedGuest, name: string, type: number, keySize: number, valueSize: number, maxEntries: number): number {
  return call(g, "newMap", g.putString(NAME, name), type, keySize, valueSize, maxEntries).result;
}

/** mapLookup into a fresh sentinel-filled dst of `size` bytes: the result and the bytes written (up to the first sentinel run). */
function lookup(g: LoadedGuest, map: number, k: readonly number[], size: number): { result: number; written: number[]; logs: string[] } {
  g.fillSentinel(DST, DST_END);
  const c = call(g, "mapLookup", map, key(g, k), packed(DST, size));
  const touched = g.touched(DST, DST_END);
  return { result: c.result, written: touched.length ? [...g.mem().subarray(DST, touched[touched.length - 1] + 1)] : [], logs: c.logs };
}

function update(g: LoadedGuest, map: number, k: readonly number[], v: readonly number[], flags: number | bigint = Any): number {
  return call(g, "mapUpdate", map, key(g, k), value(g, v), BigInt(flags)).result;
}

describe("newMap", () => {
  const ok: { readonly type: MapType; readonly keySize: number; readonly valueSize: number }[] = [
    { type: MapType.Hash, keySize: 4, valueSize: 8 },
    { type: MapType.Array, keySize: 4, valueSize: 16 },
    { type: MapType.ArrayOfMaps, keySize: 4, valueSize: 4 },
    { type: MapType.HashOfMaps, keySize: 8, valueSize: 4 },
    { type: MapType.PerfEventArray, keySize: 4, valueSize: 4 },
  ];
  it("creates Hash, Array, ArrayOfMaps, HashOfMaps and PerfEventArray maps, each with its own handle", async () => {
    const g = await load();
    const handles = ok.map(({ type, keySize, valueSize }) => {
      const name = g.putString(NAME, `m${type}`);
      const c = call(g, "newMap", name, type, keySize, valueSize, 4);
      expect(c.trace).toEqual([`==> ig.newMap(name=${name},type=${type},keySize=${keySize},valueSize=${valueSize},maxEntries=4)`, `<== ${c.result}`]);
      expect(c.logs).toEqual([]);
      return c.result;
    });
    for (const h of handles) expect(h).toBeGreaterThan(0);
    expect(new Set(handles).size).toBe(handles.length);
    expect(g.gadget.runtime.handles.size).toBe(handles.length);
  });

  it("creates an unnamed map from name 0", async () => {
    const g = await load();
    expect(call(g, "newMap", 0n, MapType.Hash, 4, 4, 1).result).toBeGreaterThan(0);
  });

  it("does not register created maps for getMap", async () => {
    const g = await load();
    expect(newMap(g, "mine", MapType.Hash, 4, 4, 1)).toBeGreaterThan(0);
    expect(call(g, "getMap", g.putString(NAME, "mine")).result).toBe(0);
    expect(g.gadget.maps.size).toBe(0);
  });

  describe("bad specs return 0 and log a line naming newMap", () => {
    const rows: { readonly name: string; readonly args: readonly [number, number, number, number]; readonly log: RegExp }[] = [
      { name: "unknown type 3", args: [3, 4, 4, 1], log: /unknown or unsupported map type 3/ },
      { name: "type 0", args: [0, 4, 4, 1], log: /map type 0/ },
      { name: "key size 0", args: [MapType.Hash, 0, 4, 1], log: /keySize/ },
      { name: "value size 0", args: [MapType.Hash, 4, 0, 1], log: /valueSize/ },
      { name: "maxEntries 0", args: [MapType.Hash, 4, 4, 0], log: /maxEntries/ },
      { name: "Array with key size 8", args: [MapType.Array, 8, 4, 1], log: /key size 4/ },
      { name: "Array too big to allocate", args: [MapType.Array, 4, 0x10000, 0x10000], log: /limit/ },
      { name: "ArrayOfMaps with value size 8", args: [MapType.ArrayOfMaps, 4, 8, 1], log: /value size 4/ },
      { name: "PerfEventArray with value size 8", args: [MapType.PerfEventArray, 4, 8, 1], log: /value size 4/ },
      { name: "Hash key over 512 bytes", args: [MapType.Hash, 513, 4, 1], log: /512/ },
    ];
    for (const row of rows) {
      it(row.name, async () => {
        const g = await load();
        const c = call(g, "newMap", g.putString(NAME, "bad"), ...row.args);
        expect(c.result).toBe(0);
        expectErrorLog(c, "newMap", row.log);
        expect(g.gadget.runtime.handles.size).toBe(0);
      });
    }

    it("name outside memory", async () => {
      const g = await load();
      const c = call(g, "newMap", packed(MEM - 1, 4), MapType.Hash, 4, 4, 1);
      expect(c.result).toBe(0);
      expectErrorLog(c, "newMap", /outside guest memory/);
    });
  });
});

describe("getMap", () => {
  it("returns a handle on a map the embedding code declared, sharing its contents", async () => {
    const g = await load();
    const counts = g.gadget.maps.declare({ name: "counts", type: MapType.Hash, keySize: 4, valueSize: 8, maxEntries: 16 });
    counts.set(Uint8Array.from(u32le(7)), Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]));
    const name = g.putString(NAME, "counts");
    const c = call(g, "getMap", name);
    expect(c.trace).toEqual([`==> ig.getMap(name=${name})`, `<== ${c.result}`]);
    const m = c.result;
    expect(m).toBeGreaterThan(0);

    // The guest sees what the embedding code wrote...
    expect(lookup(g, m, u32le(7), 8)).toMatchObject({ result: 0, written: [1, 2, 3, 4, 5, 6, 7, 8] });
    // ...and the embedding code sees what the guest writes.
    expect(update(g, m, u32le(9), [9, 9, 9, 9, 0, 0, 0, 1])).toBe(0);
    const out = new Uint8Array(8);
    expect(counts.lookup(Uint8Array.from(u32le(9)), out)).toBe(true);
    expect([...out]).toEqual([9, 9, 9, 9, 0, 0, 0, 1]);
  });

  it("gives a new handle on each call; releasing one leaves the others and the map", async () => {
    const g = await load();
    const counts = g.gadget.maps.declare({ name: "counts", type: MapType.Hash, keySize: 4, valueSize: 4, maxEntries: 4 });
    counts.set(Uint8Array.from(u32le(1)), Uint8Array.from(u32le(0xdeadbeef)));
    const name = g.putString(NAME, "counts");
    const a = call(g, "getMap", name).result;
    const b = call(g, "getMap", name).result;
    expect(a).not.toBe(b);
    expect(call(g, "releaseHandle", a).result).toBe(0);
    expect(lookup(g, b, u32le(1), 4)).toMatchObject({ result: 0, written: u32le(0xdeadbeef) });
    expect(g.gadget.maps.get("counts")).toBe(counts);
  });

  describe("errors return 0 and log a line naming getMap", () => {
    const rows = [
      { name: "unknown name", arg: (g: LoadedGuest) => g.putString(NAME, "nope"), log: /no map "nope"/ },
      { name: "name differing only in case", arg: (g: LoadedGuest) => g.putString(NAME, "COUNTS"), log: /no map/ },
      { name: "empty name", arg: () => 0n, log: /no map ""/ },
      { name: "name outside memory", arg: () => packed(MEM - 3, 6), log: /outside guest memory/ },
    ];
    for (const row of rows) {
      it(row.name, async () => {
        const g = await load();
        g.gadget.maps.declare({ name: "counts", type: MapType.Hash, keySize: 4, valueSize: 4, maxEntries: 4 });
        const arg = row.arg(g);
        const c = call(g, "getMap", arg);
        expect(c.result).toBe(0);
        expect(c.trace).toEqual([`==> ig.getMap(name=${arg})`, "<== 0"]);
        expectErrorLog(c, "getMap", row.log);
        expect(g.gadget.runtime.handles.size).toBe(0);
      });
    }
  });
});

describe("mapLookup", () => {
  it("writes exactly the value's bytes at dst (trace and memory)", async () => {
    const g = await load();
    const m = newMap(g, "h", MapType.Hash, 4, 8, 4);
    expect(update(g, m, u32le(1), [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88])).toBe(0);
    g.fillSentinel(DST, DST_END);
    const k = key(g, u32le(1));
    const dst = packed(DST, 32);
    const c = call(g, "mapLookup", m, k, dst);
    expect(c.result).toBe(0);
    expect(c.trace).toEqual([`==> ig.mapLookup(map=${m},key=${k},value=${dst})`, "<== 0"]);
    expect(c.logs).toEqual([]);
    expect([...g.mem().subarray(DST, DST + 9)]).toEqual([0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, SENTINEL]);
    expect(g.touched(DST + 8, DST_END)).toEqual([]);
  });

  it("fills a dst of exactly the value size", async () => {
    const g = await load();
    const m = newMap(g, "h", MapType.Hash, 2, 3, 4);
    expect(update(g, m, [1, 2], [7, 8, 9])).toBe(0);
    expect(lookup(g, m, [1, 2], 3)).toMatchObject({ result: 0, written: [7, 8, 9] });
  });

  describe("errors return 1, leave dst untouched and log a line naming mapLookup", () => {
    const rows: { readonly name: string; readonly run: (g: LoadedGuest, m: number) => [number, bigint, bigint]; readonly log: RegExp }[] = [
      { name: "absent key", run: (g, m) => [m, key(g, u32le(2)), packed(DST, 8)], log: /mapLookup: no entry for the key/ },
      { name: "dst one byte too small", run: (g, m) => [m, key(g, u32le(1)), packed(DST, 7)], log: /8 bytes do not fit in a buffer of 7/ },
      { name: "dst of length 0", run: (g, m) => [m, key(g, u32le(1)), 0n], log: /do not fit/ },
      { name: "key too short", run: (g, m) => [m, key(g, [1, 0, 0]), packed(DST, 8)], log: /key size 3 does not match/ },
      { name: "key too long", run: (g, m) => [m, key(g, [1, 0, 0, 0, 0]), packed(DST, 8)], log: /key size 5 does not match/ },
      { name: "empty key", run: (_g, m) => [m, 0n, packed(DST, 8)], log: /key size 0 does not match/ },
      { name: "key outside memory", run: (_g, m) => [m, packed(MEM - 2, 4), packed(DST, 8)], log: /outside guest memory/ },
      { name: "dst outside memory", run: (g, m) => [m, key(g, u32le(1)), packed(MEM - 4, 8)], log: /outside guest memory/ },
      { name: "handle 0", run: (g) => [0, key(g, u32le(1)), packed(DST, 8)], log: /invalid handle 0/ },
      { name: "index past the handle table", run: (g) => [0x7777, key(g, u32le(1)), packed(DST, 8)], log: /invalid handle 30583/ },
      { name: "unknown handle", run: (g) => [UNKNOWN, key(g, u32le(1)), packed(DST, 8)], log: /stale or unknown handle/ },
      { name: "data-array element handle", run: (g, m) => [(0x80000000 | m) >>> 0, key(g, u32le(1)), packed(DST, 8)], log: /invalid handle/ },
    ];
    for (const row of rows) {
      it(row.name, async () => {
        const g = await load();
        const m = newMap(g, "h", MapType.Hash, 4, 8, 4);
        expect(update(g, m, u32le(1), [1, 2, 3, 4, 5, 6, 7, 8])).toBe(0);
        g.fillSentinel(DST, DST_END);
        g.fillSentinel(MEM - 64, MEM);
        const args = row.run(g, m);
        const c = call(g, "mapLookup", ...args);
        expect(c.result).toBe(1);
        expect(c.trace).toEqual([`==> ig.mapLookup(map=${args[0] >>> 0},key=${args[1]},value=${args[2]})`, "<== 1"]);
        expectErrorLog(c, "mapLookup", row.log);
        expect(g.touched(DST, DST_END)).toEqual([]);
        expect(g.touched(MEM - 64, MEM)).toEqual([]);
      });
    }
  });
});

describe("mapUpdate", () => {
  it("traces the flags as a u64", async () => {
    const g = await load();
    const m = newMap(g, "h", MapType.Hash, 4, 4, 4);
    const k = key(g, u32le(1));
    const v = value(g, u32le(2));
    const c = call(g, "mapUpdate", m, k, v, 1n);
    expect(c.trace).toEqual([`==> ig.mapUpdate(map=${m},key=${k},value=${v},flags=1)`, "<== 0"]);
  });

  it("follows Linux's Any / NoExist / Exist", async () => {
    const g = await load();
    const m = newMap(g, "h", MapType.Hash, 4, 4, 8);
    const steps: { readonly k: number; readonly v: number; readonly flags: number; readonly expected: number }[] = [
      { k: 1, v: 10, flags: Exist, expected: 1 }, // absent: Exist fails
      { k: 1, v: 11, flags: NoExist, expected: 0 }, // absent: NoExist creates
      { k: 1, v: 12, flags: NoExist, expected: 1 }, // present: NoExist fails
      { k: 1, v: 13, flags: Exist, expected: 0 }, // present: Exist replaces
      { k: 1, v: 14, flags: Any, expected: 0 }, // present: Any replaces
      { k: 2, v: 20, flags: Any, expected: 0 }, // absent: Any creates
    ];
    for (const s of steps) {
      const c = call(g, "mapUpdate", m, key(g, u32le(s.k)), value(g, u32le(s.v)), BigInt(s.flags));
      expect(c.result, JSON.stringify(s)).toBe(s.expected);
      if (s.expected === 1) expectErrorLog(c, "mapUpdate", s.flags === Exist ? /key not found.*\(Exist\)/ : /already exists.*\(NoExist\)/);
    }
    expect(lookup(g, m, u32le(1), 4).written).toEqual(u32le(14));
    expect(lookup(g, m, u32le(2), 4).written).toEqual(u32le(20));
  });

  it("enforces maxEntries for new keys, not for existing ones", async () => {
    const g = await load();
    const m = newMap(g, "h", MapType.Hash, 4, 4, 2);
    expect(update(g, m, u32le(1), u32le(1))).toBe(0);
    expect(update(g, m, u32le(2), u32le(2))).toBe(0);
    const c = call(g, "mapUpdate", m, key(g, u32le(3)), value(g, u32le(3)), 0n);
    expect(c.result).toBe(1);
    expectErrorLog(c, "mapUpdate", /is full \(maxEntries 2\)/);
    expect(update(g, m, u32le(3), u32le(3), NoExist)).toBe(1);
    expect(update(g, m, u32le(1), u32le(100))).toBe(0);
    expect(update(g, m, u32le(2), u32le(200), Exist)).toBe(0);
    expect(lookup(g, m, u32le(3), 4).result).toBe(1);
    expect(lookup(g, m, u32le(1), 4).written).toEqual(u32le(100));
    // A delete makes room again.
    expect(call(g, "mapDelete", m, key(g, u32le(1))).result).toBe(0);
    expect(update(g, m, u32le(3), u32le(3))).toBe(0);
  });

  it("copies the value: later writes to guest memory do not change the map", async () => {
    const g = await load();
    const m = newMap(g, "h", MapType.Hash, 4, 4, 2);
    expect(update(g, m, u32le(1), [1, 2, 3, 4])).toBe(0);
    value(g, [9, 9, 9, 9]);
    key(g, u32le(5));
    expect(lookup(g, m, u32le(1), 4).written).toEqual([1, 2, 3, 4]);
  });

  describe("errors return 1, change nothing and log a line naming mapUpdate", () => {
    const rows: { readonly name: string; readonly args: (g: LoadedGuest, m: number) => [number, bigint, bigint, bigint]; readonly log: RegExp }[] = [
      { name: "flags 3", args: (g, m) => [m, key(g, u32le(2)), value(g, u32le(2)), 3n], log: /invalid update flags 3/ },
      { name: "flags with high bits (1<<32)", args: (g, m) => [m, key(g, u32le(2)), value(g, u32le(2)), 1n << 32n], log: /invalid update flags/ },
      { name: "flags -1", args: (g, m) => [m, key(g, u32le(2)), value(g, u32le(2)), -1n], log: /invalid update flags/ },
      { name: "value too short", args: (g, m) => [m, key(g, u32le(2)), value(g, [1, 2, 3]), 0n], log: /value size 3 does not match/ },
      { name: "value too long", args: (g, m) => [m, key(g, u32le(2)), value(g, [1, 2, 3, 4, 5]), 0n], log: /value size 5 does not match/ },
      { name: "key too short", args: (g, m) => [m, key(g, [2]), value(g, u32le(2)), 0n], log: /key size 1 does not match/ },
      { name: "key outside memory", args: (g, m) => [m, packed(MEM - 1, 4), value(g, u32le(2)), 0n], log: /outside guest memory/ },
      { name: "value outside memory", args: (g, m) => [m, key(g, u32le(2)), packed(MEM - 1, 4), 0n], log: /outside guest memory/ },
      { name: "unknown handle", args: (g) => [UNKNOWN, key(g, u32le(2)), value(g, u32le(2)), 0n], log: /stale or unknown handle/ },
    ];
    for (const row of rows) {
      it(row.name, async () => {
        const g = await load();
        const m = newMap(g, "h", MapType.Hash, 4, 4, 4);
        expect(update(g, m, u32le(1), u32le(1))).toBe(0);
        const args = row.args(g, m);
        const c = call(g, "mapUpdate", ...args);
        expect(c.result).toBe(1);
        expectErrorLog(c, "mapUpdate", row.log);
        expect(lookup(g, m, u32le(2), 4).result).toBe(1);
        expect(lookup(g, m, u32le(1), 4).written).toEqual(u32le(1));
      });
    }
  });
});

describe("Array maps", () => {
  it("are pre-sized and zero-filled: every index in range reads as zeros", async () => {
    const g = await load();
    const m = newMap(g, "a", MapType.Array, 4, 6, 3);
    for (const i of [0, 1, 2]) expect(lookup(g, m, u32le(i), 8)).toMatchObject({ result: 0, written: [0, 0, 0, 0, 0, 0] });
    const past = lookup(g, m, u32le(3), 8);
    expect(past).toMatchObject({ result: 1, written: [] });
    expect(past.logs[0]).toMatch(/^debug: mapLookup: no entry for the key$/);
  });

  it("update in range works with Any and Exist; NoExist and out-of-range indexes fail", async () => {
    const g = await load();
    const m = newMap(g, "a", MapType.Array, 4, 4, 3);
    expect(update(g, m, u32le(1), u32le(0x01020304))).toBe(0);
    expect(update(g, m, u32le(2), u32le(5), Exist)).toBe(0);
    expect(update(g, m, u32le(0), u32le(6), NoExist)).toBe(1);
    expect(update(g, m, u32le(3), u32le(7))).toBe(1);
    expect([0, 1, 2].map((i) => lookup(g, m, u32le(i), 4).written)).toEqual([[0, 0, 0, 0], u32le(0x01020304), u32le(5)]);
  });

  it("delete always fails (EINVAL, as Linux) and keeps the element", async () => {
    const g = await load();
    const m = newMap(g, "a", MapType.Array, 4, 4, 3);
    expect(update(g, m, u32le(1), u32le(42))).toBe(0);
    for (const i of [0, 1, 5]) {
      const c = call(g, "mapDelete", m, key(g, u32le(i)));
      expect(c.result).toBe(1);
      expectErrorLog(c, "mapDelete", /array map: its elements cannot be deleted/);
    }
    expect(lookup(g, m, u32le(1), 4).written).toEqual(u32le(42));
  });
});

describe("mapDelete", () => {
  it("removes the entry; deleting it again fails", async () => {
    const g = await load();
    const m = newMap(g, "h", MapType.Hash, 4, 4, 4);
    expect(update(g, m, u32le(1), u32le(1))).toBe(0);
    expect(update(g, m, u32le(2), u32le(2))).toBe(0);
    const k = key(g, u32le(1));
    const c = call(g, "mapDelete", m, k);
    expect(c.trace).toEqual([`==> ig.mapDelete(map=${m},key=${k})`, "<== 0"]);
    expect(c.result).toBe(0);
    expect(lookup(g, m, u32le(1), 4).result).toBe(1);
    expect(lookup(g, m, u32le(2), 4).written).toEqual(u32le(2));
    const again = call(g, "mapDelete", m, key(g, u32le(1)));
    expect(again.result).toBe(1);
    expectErrorLog(again, "mapDelete", /key not found/);
  });

  it("fails for a wrong key size, a key outside memory and a PerfEventArray", async () => {
    const g = await load();
    const m = newMap(g, "h", MapType.Hash, 4, 4, 4);
    expect(update(g, m, u32le(1), u32le(1))).toBe(0);
    const bad = [call(g, "mapDelete", m, key(g, [1, 0])), call(g, "mapDelete", m, packed(MEM - 2, 4))];
    const perf = newMap(g, "p", MapType.PerfEventArray, 4, 4, 4);
    bad.push(call(g, "mapDelete", perf, key(g, u32le(0))));
    expect(bad.map((c) => c.result)).toEqual([1, 1, 1]);
    for (const c of bad) expectErrorLog(c, "mapDelete");
    expect(lookup(g, m, u32le(1), 4).written).toEqual(u32le(1));
  });
});

describe("maps of maps", () => {
  for (const outerType of [MapType.ArrayOfMaps, MapType.HashOfMaps]) {
    it(`${MapType[outerType]}: update with an inner map handle, lookup writes a NEW handle usable with mapLookup`, async () => {
      const g = await load();
      const outer = newMap(g, "outer", outerType, 4, 4, 2);
      const inner = newMap(g, "inner", MapType.Hash, 4, 4, 8);
      expect(update(g, inner, u32le(5), u32le(55))).toBe(0);

      expect(update(g, outer, u32le(0), u32le(inner))).toBe(0);
      const live = g.gadget.runtime.handles.size;

      g.fillSentinel(DST, DST_END);
      const k = key(g, u32le(0));
      const c = call(g, "mapLookup", outer, k, packed(DST, 8));
      expect(c.result).toBe(0);
      expect(c.trace).toEqual([`==> ig.mapLookup(map=${outer},key=${k},value=${packed(DST, 8)})`, "<== 0"]);
      expect(g.touched(DST + 4, DST_END)).toEqual([]);
      const got = g.view().getUint32(DST, true);
      expect(got).toBeGreaterThan(0);
      expect(got).not.toBe(inner);
      expect(got).not.toBe(outer);
      expect(g.gadget.runtime.handles.size).toBe(live + 1);

      // The new handle reaches the same inner map, both ways.
      expect(lookup(g, got, u32le(5), 4).written).toEqual(u32le(55));
      expect(update(g, got, u32le(6), u32le(66))).toBe(0);
      expect(lookup(g, inner, u32le(6), 4).written).toEqual(u32le(66));

      // Releasing the looked-up handle leaves the inner map in place.
      expect(call(g, "releaseHandle", got).result).toBe(0);
      expect(lookup(g, inner, u32le(5), 4).written).toEqual(u32le(55));
      const again = lookup(g, outer, u32le(0), 4);
      expect(again.result).toBe(0);
      expect(lookup(g, g.view().getUint32(DST, true), u32le(6), 4).written).toEqual(u32le(66));

      // An empty slot or absent key fails and writes nothing.
      expect(lookup(g, outer, u32le(1), 4)).toMatchObject({ result: 1, written: [] });
    });
  }

  it("deleting an inner map entry removes it from the outer map only", async () => {
    const g = await load();
    const outer = newMap(g, "outer", MapType.HashOfMaps, 4, 4, 2);
    const inner = newMap(g, "inner", MapType.Hash, 4, 4, 8);
    expect(update(g, inner, u32le(1), u32le(11))).toBe(0);
    expect(update(g, outer, u32le(9), u32le(inner), NoExist)).toBe(0);
    expect(update(g, outer, u32le(9), u32le(inner), NoExist)).toBe(1);
    expect(call(g, "mapDelete", outer, key(g, u32le(9))).result).toBe(0);
    expect(lookup(g, outer, u32le(9), 4).result).toBe(1);
    expect(lookup(g, inner, u32le(1), 4).written).toEqual(u32le(11));
  });

  describe("bad updates return 1 and log a line naming mapUpdate", () => {
    const rows: { readonly name: string; readonly value: (inner: number, others: { ds: number; outer2: number }) => readonly number[]; readonly log: RegExp }[] = [
      { name: "value is not a handle", value: () => u32le(UNKNOWN), log: /stale or unknown handle/ },
      { name: "value is handle 0", value: () => u32le(0), log: /invalid handle 0/ },
      { name: "value is a DataSource handle", value: (_i, o) => u32le(o.ds), log: /bad handle type/ },
      { name: "value is a map of maps", value: (_i, o) => u32le(o.outer2), log: /cannot be nested/ },
      { name: "value is 8 bytes", value: (inner) => [...u32le(inner), 0, 0, 0, 0], log: /4-byte map handle/ },
    ];
    for (const row of rows) {
      it(row.name, async () => {
        const g = await load();
        const outer = newMap(g, "outer", MapType.ArrayOfMaps, 4, 4, 2);
        const inner = newMap(g, "inner", MapType.Hash, 4, 4, 8);
        const outer2 = newMap(g, "outer2", MapType.HashOfMaps, 4, 4, 2);
        const ds = call(g, "newDataSource", g.putString(NAME, "events"), DataSourceType.Single).result;
        expect(ds).toBeGreaterThan(0);
        const c = call(g, "mapUpdate", outer, key(g, u32le(0)), value(g, row.value(inner, { ds, outer2 })), 0n);
        expect(c.result).toBe(1);
        expectErrorLog(c, "mapUpdate", row.log);
        expect(lookup(g, outer, u32le(0), 4).result).toBe(1);
      });
    }
  });

  it("a dst too small for the handle fails, writes nothing and leaks no handle", async () => {
    const g = await load();
    const outer = newMap(g, "outer", MapType.ArrayOfMaps, 4, 4, 2);
    const inner = newMap(g, "inner", MapType.Hash, 4, 4, 8);
    expect(update(g, outer, u32le(0), u32le(inner))).toBe(0);
    const live = g.gadget.runtime.handles.size;
    const r = lookup(g, outer, u32le(0), 2);
    expect(r.result).toBe(1);
    expect(r.written).toEqual([]);
    expect(r.logs).toHaveLength(1);
    expect(r.logs[0]).toMatch(/^(warn|debug): mapLookup: /);
    // IG deletes the inner map's handle when it cannot write it back (maps.go, mapLookup).
    expect(g.gadget.runtime.handles.size).toBe(live);
  });
});

describe("mapRelease", () => {
  it("releases the handle: every later use returns 1", async () => {
    const g = await load();
    const m = newMap(g, "h", MapType.Hash, 4, 4, 4);
    expect(update(g, m, u32le(1), u32le(1))).toBe(0);
    const c = call(g, "mapRelease", m);
    expect(c.trace).toEqual([`==> ig.mapRelease(map=${m})`, "<== 0"]);
    expect(c.result).toBe(0);
    expect(g.gadget.runtime.handles.size).toBe(0);
    g.fillSentinel(DST, DST_END);
    const uses: [string, Call][] = [
      ["mapLookup", call(g, "mapLookup", m, key(g, u32le(1)), packed(DST, 4))],
      ["mapUpdate", call(g, "mapUpdate", m, key(g, u32le(1)), value(g, u32le(2)), 0n)],
      ["mapDelete", call(g, "mapDelete", m, key(g, u32le(1)))],
      ["mapRelease", call(g, "mapRelease", m)],
      ["releaseHandle", call(g, "releaseHandle", m)],
    ];
    for (const [fn, u] of uses) {
      expect(u.result, fn).toBe(1);
      expectErrorLog(u, fn, /stale or unknown handle/);
    }
    // IG answers 1 for a map handle it cannot find (pkg/operators/wasm/perf.go, 7386530c3); igwasm
    // deliberately answers its error value 0 (spec/functions/perf.yaml).
    const reader = call(g, "newPerfReader", m, 4096, 0);
    expect(reader.result).toBe(0);
    expect(reader.logs).toEqual([expect.stringMatching(/^warn: newPerfReader: stale or unknown handle/)]);
    expect(g.touched(DST, DST_END)).toEqual([]);
  });

  // IG: pkg/operators/wasm/maps.go mapRelease looks the handle up in createdMap, where only
  // newMap puts it (aeac857; since 912736288, v0.35.0): other map handles -> 1, handle kept.
  it("a handle not returned by newMap (getMap, a map-of-maps lookup) -> 1, logged, the handle stays usable", async () => {
    const g = await load();
    g.gadget.maps.declare({ name: "counts", type: MapType.Hash, keySize: 4, valueSize: 4, maxEntries: 4 });
    const got = call(g, "getMap", g.putString(NAME, "counts")).result;
    const outer = newMap(g, "outer", MapType.ArrayOfMaps, 4, 4, 1);
    const inner = newMap(g, "inner", MapType.Hash, 4, 4, 1);
    expect(update(g, outer, u32le(0), u32le(inner))).toBe(0);
    expect(call(g, "mapLookup", outer, key(g, u32le(0)), packed(DST, 4)).result).toBe(0);
    const looked = g.view().getUint32(DST, true);
    for (const h of [got, looked]) {
      const c = call(g, "mapRelease", h);
      expect(c.result).toBe(1);
      expectErrorLog(c, "mapRelease", /was not returned by newMap/);
      expect(update(g, h, u32le(1), u32le(5))).toBe(0);
      expect(call(g, "releaseHandle", h).result).toBe(0);
    }
    expect(call(g, "mapRelease", inner).result).toBe(0);
  });

  it("a new map reusing the slot does not answer to the old handle", async () => {
    const g = await load();
    const old = newMap(g, "old", MapType.Hash, 4, 4, 4);
    expect(call(g, "mapRelease", old).result).toBe(0);
    const handles: number[] = [];
    for (let i = 0; i < 8; i++) handles.push(newMap(g, `n${i}`, MapType.Hash, 4, 4, 4));
    expect(handles).not.toContain(old);
    expect(update(g, old, u32le(1), u32le(1))).toBe(1);
  });
});

describe("the handle limit (4096 live handles)", () => {
  it("newMap, getMap and a map-of-maps lookup fail with \"too many open handles\"", async () => {
    const g = await load();
    g.gadget.maps.declare({ name: "counts", type: MapType.Hash, keySize: 4, valueSize: 4, maxEntries: 4 });
    const outer = newMap(g, "outer", MapType.ArrayOfMaps, 4, 4, 1);
    const inner = newMap(g, "inner", MapType.Hash, 4, 4, 1);
    expect(update(g, outer, u32le(0), u32le(inner))).toBe(0);
    const name = g.putString(NAME, "counts");
    let last = 0;
    while (g.gadget.runtime.handles.size < 4096) {
      last = g.call<number>("getMap", name);
      expect(last).toBeGreaterThan(0);
    }
    const m = call(g, "getMap", name);
    expect(m.result).toBe(0);
    expectErrorLog(m, "getMap", /too many open handles \(4096\)/);
    const n = call(g, "newMap", g.putString(NAME + 32, "more"), MapType.Hash, 4, 4, 1);
    expect(n.result).toBe(0);
    expectErrorLog(n, "newMap", /too many open handles/);
    g.fillSentinel(DST, DST_END);
    const l = call(g, "mapLookup", outer, key(g, u32le(0)), packed(DST, 4));
    expect(l.result).toBe(1);
    expectErrorLog(l, "mapLookup", /too many open handles/);
    expect(g.touched(DST, DST_END)).toEqual([]);
    // One release makes room for one more.
    expect(call(g, "releaseHandle", last).result).toBe(0);
    expect(call(g, "getMap", name).result).toBeGreaterThan(0);
    expect(call(g, "getMap", name).result).toBe(0);
  });
});

describe("wrong handle types return 1 and log \"bad handle type\"", () => {
  const cases: { readonly fn: string; readonly args: (h: number, g: LoadedGuest) => unknown[] }[] = [
    { fn: "mapLookup", args: (h, g) => [h, key(g, u32le(1)), packed(DST, 4)] },
    { fn: "mapUpdate", args: (h, g) => [h, key(g, u32le(1)), value(g, u32le(1)), 0n] },
    { fn: "mapDelete", args: (h, g) => [h, key(g, u32le(1))] },
    { fn: "mapRelease", args: (h) => [h] },
  ];
  for (const { fn, args } of cases) {
    it(`${fn} with a DataSource handle`, async () => {
      const g = await load();
      const ds = call(g, "newDataSource", g.putString(NAME, "events"), DataSourceType.Single).result;
      expect(ds).toBeGreaterThan(0);
      g.fillSentinel(DST, DST_END);
      const c = call(g, fn, ...args(ds, g));
      expect(c.result).toBe(1);
      expectErrorLog(c, fn, /bad handle type \(handle \d+ is a DataSource, not Map\)/);
      expect(g.touched(DST, DST_END)).toEqual([]);
    });
  }

  it("mapLookup and mapRelease with a PerfReader handle", async () => {
    const g = await load();
    g.gadget.maps.declare({ name: "events", type: MapType.PerfEventArray, keySize: 4, valueSize: 4, maxEntries: 4 });
    const pm = call(g, "getMap", g.putString(NAME, "events")).result;
    const reader = call(g, "newPerfReader", pm, 4096, 0).result;
    expect(reader).toBeGreaterThan(0);
    for (const c of [call(g, "mapLookup", reader, key(g, u32le(0)), packed(DST, 4)), call(g, "mapRelease", reader)]) {
      expect(c.result).toBe(1);
      expect(c.logs[0]).toMatch(/bad handle type \(handle \d+ is a PerfReader, not Map\)/);
    }
  });

  it("data operations on a PerfEventArray fail", async () => {
    const g = await load();
    const pm = newMap(g, "p", MapType.PerfEventArray, 4, 4, 4);
    const l = call(g, "mapLookup", pm, key(g, u32le(0)), packed(DST, 4));
    const u = call(g, "mapUpdate", pm, key(g, u32le(0)), value(g, u32le(0)), 0n);
    expect([l.result, u.result]).toEqual([1, 1]);
    expectErrorLog(l, "mapLookup", /perf event array/);
    expectErrorLog(u, "mapUpdate", /perf event array/);
  });
});
