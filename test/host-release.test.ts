/**
 * ig-v1 releaseHandle through real guests, for every handle type: map (from
 * newMap, getMap and a map-of-maps lookup), perf reader, data source, field,
 * packet (single and array: discarded, never emitted) and data-array record.
 * Unknown handles and a second release return 1.
 *
 * The guest is a proxy (wazero's requireProxyModule): it imports each host
 * function from `ig` and re-exports it under the same name, so the test
 * drives the exact wire values and asserts the exact call trace and the log
 * line each error produces.
 */
import { describe, expect, it } from "vitest";
import { DataSourceType, FieldKind, MapType } from "../generated/constants.js";
import { PerfBuffer } from "../runtime/perf/perf-reader.js";
import { packed, type LoadedGuest } from "./helpers/guest.js";
import { call, expectErrorLog, loadProxy, type Call } from "./helpers/proxy.js";

const FNS = [
  "releaseHandle", "newMap", "getMap", "mapLookup", "mapUpdate", "newPerfReader", "perfReaderRead",
  "newDataSource", "getDataSource", "dataSourceAddField", "dataSourceGetField", "dataSourceNewPacketSingle",
  "dataSourceNewPacketArray", "dataSourceEmitAndRelease", "dataSourceRelease", "dataArrayNew", "dataArrayAppend",
  "dataArrayLen", "dataArrayGet", "fieldSet", "fieldGetScalar",
] as const;

const NAME = 0x100;
const KEY = 0x200;
const DST = 0x1000;
/** A handle with a valid slot index but a generation no live handle has. */
const UNKNOWN = ((1000 << 13) | 7) >>> 0;

function load(): Promise<LoadedGuest> {
  return loadProxy(FNS);
}

const str = (g: LoadedGuest, s: string): bigint => {
  g.fillSentinel(NAME, NAME + 64);
  return g.putString(NAME, s);
};

function u32key(g: LoadedGuest, n: number): bigint {
  g.view().setUint32(KEY, n, true);
  return packed(KEY, 4);
}

/** A call that needs a handle, and the error value it returns once the handle is gone. */
interface Use {
  readonly fn: string;
  readonly run: () => Call;
  readonly error: number;
}

/**
 * Releases `h` (exact trace, no log, one handle fewer), then checks that a
 * second release returns 1 with a line naming releaseHandle, and that `use`
 * (a call that needs the handle) now fails with a line naming its function.
 */
function releaseTwice(g: LoadedGuest, h: number, use?: Use): void {
  const live = g.gadget.runtime.handles.size;
  const first = call(g, "releaseHandle", h);
  expect(first.trace).toEqual([`==> ig.releaseHandle(handle=${h})`, "<== 0"]);
  expect(first.result).toBe(0);
  expect(first.logs).toEqual([]);
  expect(g.gadget.runtime.handles.size).toBe(live - 1);
  const second = call(g, "releaseHandle", h);
  expect(second.trace).toEqual([`==> ig.releaseHandle(handle=${h})`, "<== 1"]);
  expectErrorLog(second, "releaseHandle", /stale or unknown handle/);
  if (use) {
    const c = use.run();
    expect(c.result, use.fn).toBe(use.error);
    expectErrorLog(c, use.fn, /stale or unknown handle/);
  }
}

describe("releaseHandle: maps", () => {
  it("a map from newMap", async () => {
    const g = await load();
    const m = call(g, "newMap", str(g, "h"), MapType.Hash, 4, 4, 4).result;
    releaseTwice(g, m, { fn: "mapLookup", run: () => call(g, "mapLookup", m, u32key(g, 1), packed(DST, 4)), error: 1 });
  });

  it("a map from getMap: the declared map lives on and getMap gives a new handle", async () => {
    const g = await load();
    const counts = g.gadget.maps.declare({ name: "counts", type: MapType.Hash, keySize: 4, valueSize: 4, maxEntries: 4 });
    counts.set(Uint8Array.of(1, 0, 0, 0), Uint8Array.of(9, 9, 9, 9));
    const m = call(g, "getMap", str(g, "counts")).result;
    releaseTwice(g, m, { fn: "mapUpdate", run: () => call(g, "mapUpdate", m, u32key(g, 1), u32key(g, 2), 0n), error: 1 });
    expect(g.gadget.maps.get("counts")).toBe(counts);
    const again = call(g, "getMap", str(g, "counts")).result;
    expect(call(g, "mapLookup", again, u32key(g, 1), packed(DST, 4)).result).toBe(0);
    expect([...g.mem().subarray(DST, DST + 4)]).toEqual([9, 9, 9, 9]);
  });

  it("an inner map handle written by mapLookup on a map of maps", async () => {
    const g = await load();
    const outer = call(g, "newMap", str(g, "outer"), MapType.ArrayOfMaps, 4, 4, 1).result;
    const inner = call(g, "newMap", str(g, "inner"), MapType.Hash, 4, 4, 1).result;
    g.view().setUint32(KEY + 8, inner, true);
    expect(call(g, "mapUpdate", outer, u32key(g, 0), packed(KEY + 8, 4), 0n).result).toBe(0);
    expect(call(g, "mapLookup", outer, u32key(g, 0), packed(DST, 4)).result).toBe(0);
    const looked = g.view().getUint32(DST, true);
    releaseTwice(g, looked);
    // The inner map itself is still reachable through its own handle.
    expect(call(g, "mapUpdate", inner, u32key(g, 1), u32key(g, 1), 0n).result).toBe(0);
  });
});

describe("releaseHandle: perf readers", () => {
  // IG: pkg/operators/wasm/handle.go releaseHandle deletes the handle only (aeac857): the reader stays open,
  // unreachable; igwasm deliberately closes it to give its ring bytes back (docs/limits.md).
  it("forgets the handle, closes the unreachable reader; every later call fails", async () => {
    const g = await load();
    const map = g.gadget.maps.declare({ name: "events", type: MapType.PerfEventArray, keySize: 4, valueSize: 4, maxEntries: 1 });
    const m = call(g, "getMap", str(g, "events")).result;
    const r = call(g, "newPerfReader", m, 4096, 0).result;
    expect(r).toBeGreaterThan(0);
    PerfBuffer.of(map).write(Uint8Array.of(1, 2, 3));
    expect(PerfBuffer.of(map).readers).toBe(1);
    releaseTwice(g, r, { fn: "perfReaderRead", run: () => call(g, "perfReaderRead", r, packed(DST, 64)), error: 1 });
    expect(PerfBuffer.of(map).readers).toBe(0);
    // The map handle is untouched.
    expect(call(g, "newPerfReader", m, 4096, 0).result).toBeGreaterThan(0);
  });
});

describe("releaseHandle: data sources, fields, packets and records", () => {
  /** A guest data source "out" with a uint32 field "pid", and a JS packet subscriber counting what is emitted. */
  function source(g: LoadedGuest, type: DataSourceType): { ds: number; field: number; emitted: number[] } {
    const ds = call(g, "newDataSource", str(g, "out"), type).result;
    expect(ds).toBeGreaterThan(0);
    const field = call(g, "dataSourceAddField", ds, str(g, "pid"), FieldKind.Uint32).result;
    expect(field).toBeGreaterThan(0);
    const emitted: number[] = [];
    g.gadget.dataSources.subscribe("out", () => emitted.push(1), { type: "packet" });
    return { ds, field, emitted };
  }

  const slabLive = (g: LoadedGuest): number => g.gadget.runtime.dataSources.get("out")!.slab.live;

  it("a data source handle: the data source lives on, getDataSource gives a new handle", async () => {
    const g = await load();
    const { ds } = source(g, DataSourceType.Single);
    releaseTwice(g, ds, { fn: "dataSourceNewPacketSingle", run: () => call(g, "dataSourceNewPacketSingle", ds), error: 0 });
    const again = call(g, "getDataSource", str(g, "out")).result;
    expect(again).toBeGreaterThan(0);
    expect(again).not.toBe(ds);
    expect(call(g, "dataSourceGetField", again, str(g, "pid")).result).toBeGreaterThan(0);
  });

  it("a field handle: the field lives on, dataSourceGetField gives a new handle", async () => {
    const g = await load();
    const { ds, field } = source(g, DataSourceType.Single);
    const p = call(g, "dataSourceNewPacketSingle", ds).result;
    releaseTwice(g, field, { fn: "fieldSet", run: () => call(g, "fieldSet", field, p, FieldKind.Uint32, 7n), error: 1 });
    const again = call(g, "dataSourceGetField", ds, str(g, "pid")).result;
    expect(call(g, "fieldSet", again, p, FieldKind.Uint32, 7n).result).toBe(0);
  });

  it("a single packet is discarded, not emitted, and its record is freed", async () => {
    const g = await load();
    const { ds, field, emitted } = source(g, DataSourceType.Single);
    const live = slabLive(g);
    const p = call(g, "dataSourceNewPacketSingle", ds).result;
    expect(call(g, "fieldSet", field, p, FieldKind.Uint32, 42n).result).toBe(0);
    expect(slabLive(g)).toBe(live + 1);
    releaseTwice(g, p, { fn: "dataSourceEmitAndRelease", run: () => call(g, "dataSourceEmitAndRelease", ds, p), error: 1 });
    expect(emitted).toEqual([]);
    expect(slabLive(g)).toBe(live);
    // The data source still emits new packets.
    const q = call(g, "dataSourceNewPacketSingle", ds).result;
    expect(call(g, "dataSourceEmitAndRelease", ds, q).result).toBe(0);
    expect(emitted).toEqual([1]);
  });

  it("an array packet is discarded with its records, not emitted", async () => {
    const g = await load();
    const { ds, field, emitted } = source(g, DataSourceType.Array);
    const live = slabLive(g);
    const arr = call(g, "dataSourceNewPacketArray", ds).result;
    expect(arr).toBeGreaterThan(0);
    for (let i = 0; i < 3; i++) {
      const d = call(g, "dataArrayNew", arr).result;
      expect(call(g, "fieldSet", field, d, FieldKind.Uint32, BigInt(i)).result).toBe(0);
      expect(call(g, "dataArrayAppend", arr, d).result).toBe(0);
    }
    expect(call(g, "dataArrayLen", arr).result).toBe(3);
    releaseTwice(g, arr, { fn: "dataSourceEmitAndRelease", run: () => call(g, "dataSourceEmitAndRelease", ds, arr), error: 1 });
    expect(emitted).toEqual([]);
    expect(slabLive(g)).toBe(live);
  });

  it("a record from dataArrayNew that was never appended: freed, and the array emits without it", async () => {
    const g = await load();
    const { ds, field, emitted } = source(g, DataSourceType.Array);
    const rows: number[] = [];
    g.gadget.dataSources.subscribe("out", (ev) => rows.push(Number((ev as { get(n: string): unknown }).get("pid"))), { type: "data" });
    const live = slabLive(g);
    const arr = call(g, "dataSourceNewPacketArray", ds).result;
    const kept = call(g, "dataArrayNew", arr).result;
    expect(call(g, "fieldSet", field, kept, FieldKind.Uint32, 1n).result).toBe(0);
    expect(call(g, "dataArrayAppend", arr, kept).result).toBe(0);
    const dropped = call(g, "dataArrayNew", arr).result;
    expect(call(g, "fieldSet", field, dropped, FieldKind.Uint32, 2n).result).toBe(0);
    releaseTwice(g, dropped, { fn: "dataArrayAppend", run: () => call(g, "dataArrayAppend", arr, dropped), error: 1 });
    expect(call(g, "dataArrayLen", arr).result).toBe(1);
    expect(call(g, "dataSourceEmitAndRelease", ds, arr).result).toBe(0);
    expect(emitted).toEqual([1]);
    expect(rows).toEqual([1]);
    expect(slabLive(g)).toBe(live);
  });
});

describe("releaseHandle: errors return 1 and log a line naming releaseHandle", () => {
  const rows: { readonly name: string; readonly handle: (g: LoadedGuest) => number; readonly log: RegExp }[] = [
    { name: "handle 0", handle: () => 0, log: /invalid handle 0/ },
    { name: "unknown handle", handle: () => UNKNOWN, log: /stale or unknown handle/ },
    { name: "index past the handle table", handle: () => 0x1fff, log: /invalid handle 8191/ },
    { name: "all bits set", handle: () => 0xffffffff, log: /data-array element/ },
    {
      name: "a data-array element handle",
      handle: (g) => {
        const ds = call(g, "newDataSource", str(g, "arr"), DataSourceType.Array).result;
        const arr = call(g, "dataSourceNewPacketArray", ds).result;
        expect(call(g, "dataArrayAppend", arr, call(g, "dataArrayNew", arr).result).result).toBe(0);
        const el = call(g, "dataArrayGet", arr, 0).result >>> 0;
        expect(el & 0x80000000).not.toBe(0);
        return el;
      },
      log: /data-array element, not a handle/,
    },
  ];
  for (const row of rows) {
    it(row.name, async () => {
      const g = await load();
      const h = row.handle(g);
      const live = g.gadget.runtime.handles.size;
      const c = call(g, "releaseHandle", h);
      expect(c.result).toBe(1);
      expect(c.trace).toEqual([`==> ig.releaseHandle(handle=${h >>> 0})`, "<== 1"]);
      expectErrorLog(c, "releaseHandle", row.log);
      expect(g.gadget.runtime.handles.size).toBe(live);
    });
  }

  it("releasing one handle leaves every other handle alone", async () => {
    const g = await load();
    const a = call(g, "newMap", str(g, "a"), MapType.Hash, 4, 4, 1).result;
    const b = call(g, "newMap", str(g, "b"), MapType.Hash, 4, 4, 1).result;
    const ds = call(g, "newDataSource", str(g, "ds"), DataSourceType.Single).result;
    expect(call(g, "releaseHandle", a).result).toBe(0);
    expect(call(g, "mapUpdate", b, u32key(g, 1), u32key(g, 1), 0n).result).toBe(0);
    expect(call(g, "dataSourceNewPacketSingle", ds).result).toBeGreaterThan(0);
  });
});
