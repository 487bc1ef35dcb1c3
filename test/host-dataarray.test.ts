/**
 * The data-array family: dataArrayNew / Append / Release / Len / Get, element
 * handles (`1<<31 | i<<16 | arr & 0xffff`) with every field function, and
 * every error value for bad arrays, bad records and bad indexes.
 */
import { describe, expect, it } from "vitest";
import type { ProfileId } from "../generated/constants.js";
import type { LoadOptions } from "./helpers/guest.js";
import { callbackLog, hostDriver, loadHostGuest, logsDuring, traceOf, u32, type HostDriver } from "./helpers/host-guest.js";
import type { ArrayView, HostDataSource } from "../runtime/data-source-api.js";

interface Fixture extends HostDriver {
  batch: HostDataSource;
  /** "batch" (Array: n u32, s string), "events" (Single: pid u32) and their fields. */
  bt: number;
  ev: number;
  n: number;
  str: number;
  pid: number;
  handles(): number;
}

async function fixture(load: LoadOptions = {}, callback = ""): Promise<Fixture> {
  const g = await loadHostGuest("v0.43", "", { callback }, load);
  const batch = g.gadget.dataSources.declare("batch", { type: "array", fields: { n: "uint32", s: "string" } });
  g.gadget.dataSources.declare("events", { fields: { pid: "uint32" } });
  const { s, call } = hostDriver(g);
  const bt = call("getDataSource", s("batch"));
  const ev = call("getDataSource", s("events"));
  const n = call("dataSourceGetField", bt, s("n"));
  const str = call("dataSourceGetField", bt, s("s"));
  const pid = call("dataSourceGetField", ev, s("pid"));
  return { g, s, call, batch, bt, ev, n, str, pid, handles: () => g.gadget.runtime.handles.size };
}

/** The element handle the ABI specifies, as the i32 the guest sees. */
function element(arr: number, i: number): number {
  return (0x80000000 | (i << 16) | (arr & 0xffff)) | 0;
}

/** The log lines of a fieldGetScalar (Uint32) that must fail: its error word (at 0xf00) is checked to be 1. */
function failedGetScalar(f: Fixture, field: number, data: number): string[] {
  f.g.fillSentinel(0xf00, 0xf04);
  const lines = logsDuring(f.g, () => f.call("fieldGetScalar", field, data, 8, 0xf00));
  expect(f.g.view().getUint32(0xf00, true)).toBe(1);
  return lines;
}

/** An array packet with the given `n` values appended. */
function arrayWith(f: Fixture, values: number[]): number {
  const p = f.call("dataSourceNewPacketArray", f.bt);
  expect(p).toBeGreaterThan(0);
  for (const v of values) {
    const d = f.call("dataArrayNew", p);
    expect(d).toBeGreaterThan(0);
    expect(f.call("fieldSet", f.n, d, 8, BigInt(v))).toBe(0);
    expect(f.call("dataArrayAppend", p, d)).toBe(0);
  }
  return p;
}

describe("dataArrayNew / Append / Release / Len / Get", () => {
  it("builds an array record by record; appended and released records lose their handles", async () => {
    const f = await fixture();
    const base = f.handles();
    const p = f.call("dataSourceNewPacketArray", f.bt);
    expect(f.call("dataArrayLen", p)).toBe(0);
    const d1 = f.call("dataArrayNew", p);
    expect(d1).toBeGreaterThan(0);
    expect(f.handles()).toBe(base + 2);
    // A new record is zeroed and writable before it is appended.
    expect(f.call<bigint>("fieldGetScalar", f.n, d1, 8, 0)).toBe(0n);
    expect(f.call("fieldSet", f.n, d1, 8, 7n)).toBe(0);
    expect(f.call("fieldSet", f.str, d1, 12, f.s("seven"))).toBe(0);
    expect(f.call("dataArrayLen", p)).toBe(0);
    expect(traceOf(f.g, () => expect(f.call("dataArrayAppend", p, d1)).toBe(0))).toEqual([`==> ig.dataArrayAppend(arr=${p},data=${d1})`, "<== 0"]);
    expect(f.call("dataArrayLen", p)).toBe(1);
    expect(f.handles()).toBe(base + 1);
    // d1 is gone.
    expect(f.call("fieldSet", f.n, d1, 8, 1n)).toBe(1);
    expect(f.call("dataArrayAppend", p, d1)).toBe(1);
    expect(f.call("dataArrayRelease", p, d1)).toBe(1);
    // A second record, discarded.
    const d2 = f.call("dataArrayNew", p);
    expect(f.call("fieldSet", f.n, d2, 8, 99n)).toBe(0);
    expect(traceOf(f.g, () => expect(f.call("dataArrayRelease", p, d2)).toBe(0))).toEqual([`==> ig.dataArrayRelease(arr=${p},data=${d2})`, "<== 0"]);
    expect(f.call("dataArrayLen", p)).toBe(1);
    expect(f.call("fieldSet", f.n, d2, 8, 1n)).toBe(1);
    expect(f.handles()).toBe(base + 1);
    // The element handle reads the appended record.
    const e0 = f.call("dataArrayGet", p, 0);
    expect(e0).toBe(element(p, 0));
    expect(f.call<bigint>("fieldGetScalar", f.n, e0, 8, 0)).toBe(7n);
    expect(f.handles()).toBe(base + 1); // element handles are not table entries
    const seen: unknown[] = [];
    f.batch.subscribe((a) => seen.push((a as ArrayView).toJSON()), { type: "array" });
    expect(f.call("dataSourceEmitAndRelease", f.bt, p)).toBe(0);
    expect(seen).toEqual([[{ n: 7, s: "seven" }]]);
    expect(f.handles()).toBe(base);
  });

  it("dataArrayGet returns 1<<31 | i<<16 | arr for each index (exact trace)", async () => {
    const f = await fixture();
    const p = arrayWith(f, [10, 11, 12]);
    for (let i = 0; i < 3; i++) {
      const t = traceOf(f.g, () => expect(f.call("dataArrayGet", p, i)).toBe(element(p, i)));
      expect(t).toEqual([`==> ig.dataArrayGet(arr=${p},index=${i})`, `<== ${element(p, i) >>> 0}`]);
      expect(f.call<bigint>("fieldGetScalar", f.n, element(p, i), 8, 0)).toBe(BigInt(10 + i));
    }
  });

  it.each([
    ["index == length", 3],
    ["index 32767", 32767],
    ["index 32768", 32768],
    ["index 2^32-1", -1],
  ])("dataArrayGet: %s -> 0, logged", async (_w, index) => {
    const f = await fixture();
    const p = arrayWith(f, [1, 2, 3]);
    const lines = logsDuring(f.g, () => expect(f.call("dataArrayGet", p, index)).toBe(0));
    expect(lines).toEqual([expect.stringMatching(/^warn: dataArrayGet: /)]);
  });

  it("dataArrayGet on an empty array -> 0", async () => {
    const f = await fixture();
    const p = f.call("dataSourceNewPacketArray", f.bt);
    expect(f.call("dataArrayGet", p, 0)).toBe(0);
  });

  it("element handles work with every field function", async () => {
    const f = await fixture();
    const p = arrayWith(f, [1, 2]);
    const e1 = f.call("dataArrayGet", p, 1);
    expect(f.call("fieldSet", f.n, e1, 8, 0xfffffffen)).toBe(0);
    expect(f.call("fieldSet", f.str, e1, 12, f.s("héllo"))).toBe(0);
    expect(u32(Number(f.call<bigint>("fieldGetScalar", f.n, e1, 8, 0)))).toBe(0xfffffffe);
    expect(f.call<bigint>("fieldGetScalar", f.n, e1, 4, 0)).toBe(-2n); // Int32: same size, sign-extended
    f.g.fillSentinel(0x1000, 0x1020);
    expect(f.call("fieldGetBuffer", f.str, e1, 12, (32n << 32n) | 0x1000n)).toBe(6);
    expect(f.g.getString(0x1000, 6)).toBe("héllo");
    expect(f.g.touched(0x1000, 0x1020)).toEqual([0x1000, 0x1001, 0x1002, 0x1003, 0x1004, 0x1005]);
    // Element 0 is untouched.
    expect(f.call<bigint>("fieldGetScalar", f.n, element(p, 0), 8, 0)).toBe(1n);
    const seen: unknown[] = [];
    f.batch.subscribe((a) => seen.push((a as ArrayView).toJSON()), { type: "array" });
    expect(f.call("dataSourceEmitAndRelease", f.bt, p)).toBe(0);
    expect(seen).toEqual([[{ n: 1, s: "" }, { n: 0xfffffffe, s: "héllo" }]]);
  });

  it("a field of another data source on an element handle is an error naming both data sources", async () => {
    const f = await fixture();
    const p = arrayWith(f, [5]);
    expect(failedGetScalar(f, f.pid, element(p, 0))).toEqual([`warn: fieldGetScalar: field ${f.pid} belongs to data source "events", the data to "batch"`]);
    expect(f.call("fieldSet", f.pid, element(p, 0), 8, 7n)).toBe(1);
    expect(f.call<bigint>("fieldGetScalar", f.n, element(p, 0), 8, 0)).toBe(5n);
  });

  it("an element handle is invalid once its array is released", async () => {
    const f = await fixture();
    const p = arrayWith(f, [5]);
    const e0 = f.call("dataArrayGet", p, 0);
    expect(f.call("dataSourceEmitAndRelease", f.bt, p)).toBe(0);
    expect(failedGetScalar(f, f.n, e0)).toEqual([expect.stringMatching(/^warn: fieldGetScalar: /)]);
    expect(f.call("fieldSet", f.n, e0, 8, 1n)).toBe(1);
  });

  it("a crafted element handle past the end of the array is an error", async () => {
    const f = await fixture();
    const p = arrayWith(f, [5]);
    expect(failedGetScalar(f, f.n, element(p, 1))).toEqual([expect.stringMatching(/^warn: fieldGetScalar: /)]);
  });

  it("an element handle whose array part is not an array is an error", async () => {
    const f = await fixture();
    const single = f.call("dataSourceNewPacketSingle", f.ev);
    expect(f.call("fieldSet", f.pid, element(single, 0), 8, 1n)).toBe(1);
    expect(f.call("fieldSet", f.pid, element(f.ev, 0), 8, 1n)).toBe(1);
    expect(f.call("fieldSet", f.n, element(0, 0), 8, 1n)).toBe(1);
  });

  it("element handles of an array whose handle does not fit in 16 bits still work", async () => {
    const f = await fixture({ traced: false });
    // Cycle the handle table until an array packet's handle has generation bits above bit 15.
    let p = 0;
    for (let i = 0; i < 80000 && p <= 0xffff; i++) {
      p = f.call("dataSourceNewPacketArray", f.bt);
      if (p > 0xffff) break;
      expect(f.call("dataSourceRelease", f.bt, p)).toBe(0);
    }
    expect(p).toBeGreaterThan(0xffff);
    for (const v of [3n, 4n]) {
      const d = f.call("dataArrayNew", p);
      expect(f.call("fieldSet", f.n, d, 8, v)).toBe(0);
      expect(f.call("dataArrayAppend", p, d)).toBe(0);
    }
    const e1 = f.call("dataArrayGet", p, 1);
    expect(e1).toBe(element(p, 1));
    expect(f.call<bigint>("fieldGetScalar", f.n, e1, 8, 0)).toBe(4n);
  });

  it("index 32767, the largest an element handle carries, works", async () => {
    const f = await fixture({ traced: false });
    const p = arrayWith(f, []);
    for (let i = 0; i < 32768; i++) {
      const d = f.call("dataArrayNew", p);
      if (i === 32767) expect(f.call("fieldSet", f.n, d, 8, 123n)).toBe(0);
      expect(f.call("dataArrayAppend", p, d)).toBe(0);
    }
    expect(f.call("dataArrayLen", p)).toBe(32768);
    const last = f.call("dataArrayGet", p, 32767);
    expect(last).toBe(element(p, 32767));
    expect(f.call<bigint>("fieldGetScalar", f.n, last, 8, 0)).toBe(123n);
    expect(f.call("dataSourceRelease", f.bt, p)).toBe(0);
  });

  it("releaseHandle on a record from dataArrayNew discards it", async () => {
    const f = await fixture();
    const base = f.handles();
    const p = arrayWith(f, [1]);
    const d = f.call("dataArrayNew", p);
    expect(f.call("releaseHandle", d)).toBe(0);
    expect(f.call("dataArrayLen", p)).toBe(1);
    expect(f.call("dataArrayAppend", p, d)).toBe(1);
    expect(f.call("dataSourceRelease", f.bt, p)).toBe(0);
    expect(f.handles()).toBe(base);
  });
});

type Make = (f: Fixture) => number;

const BAD_ARRAYS: [string, Make][] = [
  ["0", () => 0],
  ["an unknown handle", () => 4000],
  ["a released array packet", (f) => {
    const p = f.call("dataSourceNewPacketArray", f.bt);
    f.call("dataSourceRelease", f.bt, p);
    return p;
  }],
  ["a single packet", (f) => f.call("dataSourceNewPacketSingle", f.ev)],
  ["a DataSource handle", (f) => f.bt],
  ["a Field handle", (f) => f.n],
  ["a record from dataArrayNew", (f) => f.call("dataArrayNew", f.call("dataSourceNewPacketArray", f.bt))],
  ["an element handle", (f) => element(arrayWith(f, [1]), 0)],
];

describe.each([
  ["dataArrayNew", (): unknown[] => [], 0],
  ["dataArrayLen", (): unknown[] => [], 0],
  ["dataArrayGet", (): unknown[] => [0], 0],
  ["dataArrayAppend", (f: Fixture): unknown[] => [f.call("dataArrayNew", f.call("dataSourceNewPacketArray", f.bt))], 1],
  ["dataArrayRelease", (f: Fixture): unknown[] => [f.call("dataArrayNew", f.call("dataSourceNewPacketArray", f.bt))], 1],
] as const)("%s with a bad array handle", (fn, rest, errorValue) => {
  it.each(BAD_ARRAYS)(`%s -> ${errorValue}, logged naming ${fn}`, async (_w, make) => {
    const f = await fixture();
    const arr = make(f);
    const args = rest(f);
    const lines = logsDuring(f.g, () => expect(f.call(fn, arr, ...args)).toBe(errorValue));
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^warn: ${fn}: `))]);
  });
});

describe("dataArrayLen", () => {
  it("is 0 for an empty array without an error", async () => {
    const f = await fixture();
    const p = f.call("dataSourceNewPacketArray", f.bt);
    expect(logsDuring(f.g, () => expect(f.call("dataArrayLen", p)).toBe(0))).toEqual([]);
  });
});

const BAD_RECORDS: [string, Make][] = [
  ["0", () => 0],
  ["an unknown handle", () => 3999],
  ["a record from another array of the same data source", (f) => f.call("dataArrayNew", f.call("dataSourceNewPacketArray", f.bt))],
  ["a record already appended", (f) => {
    const q = f.call("dataSourceNewPacketArray", f.bt);
    const d = f.call("dataArrayNew", q);
    f.call("dataArrayAppend", q, d);
    return d;
  }],
  ["a single packet", (f) => f.call("dataSourceNewPacketSingle", f.ev)],
  ["a Field handle", (f) => f.n],
  ["an element handle of the array itself", () => -1],
  ["the array itself", () => -2],
];

describe.each(["dataArrayAppend", "dataArrayRelease"])("%s with a bad record", (fn) => {
  it.each(BAD_RECORDS)("%s -> 1, logged, the array is unchanged", async (_w, make) => {
    const f = await fixture();
    const p = arrayWith(f, [1]);
    let d = make(f);
    if (d === -1) d = element(p, 0);
    if (d === -2) d = p;
    const lines = logsDuring(f.g, () => expect(f.call(fn, p, d)).toBe(1));
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^warn: ${fn}: `))]);
    expect(f.call("dataArrayLen", p)).toBe(1);
  });

  it("a record from another array stays usable in its own array", async () => {
    const f = await fixture();
    const p = arrayWith(f, []);
    const q = arrayWith(f, []);
    const d = f.call("dataArrayNew", q);
    expect(f.call(fn, p, d)).toBe(1);
    expect(f.call(fn, q, d)).toBe(0);
    expect(f.call("dataArrayLen", q)).toBe(fn === "dataArrayAppend" ? 1 : 0);
    expect(f.call("dataArrayLen", p)).toBe(0);
  });
});

describe("arrays in callbacks", () => {
  it("an Array subscription gets the array: Len and Get work on it, element handles read every record", async () => {
    const CALLBACK = `
      (i32.store (i32.const 0xc00) (call $dataArrayLen (local.get $data)))
      (local.set $j (i32.const 0))
      (block $done (loop $next
        (br_if $done (i32.ge_u (local.get $j) (i32.load (i32.const 0xc00))))
        (i64.store (i32.add (i32.const 0xd00) (i32.shl (local.get $j) (i32.const 3)))
          (call $fieldGetScalar (i32.load (i32.const 0xc04)) (call $dataArrayGet (local.get $data) (local.get $j)) (i32.const 8) (i32.const 0)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $next)))`;
    const f = await fixture({}, CALLBACK);
    f.g.view().setUint32(0xc04, f.n, true);
    expect(f.call("dataSourceSubscribe", f.bt, 2, 0, 9n)).toBe(0);
    const base = f.handles();
    f.batch.emitArray([{ n: 100 }, { n: 200 }, { n: 300 }, { n: 400 }]);
    expect(callbackLog(f.g)).toHaveLength(1);
    expect(f.g.view().getUint32(0xc00, true)).toBe(4);
    expect([0, 1, 2, 3].map((i) => f.g.view().getBigUint64(0xd00 + i * 8, true))).toEqual([100n, 200n, 300n, 400n]);
    expect(f.handles()).toBe(base);
  });
});

describe.each<[ProfileId, string, string]>([
  ["pre-release", "fieldAccessorSet", "fieldAccessorGet"],
  ["v0.37", "fieldSet", "fieldGet"],
  ["v0.43", "fieldSet", "fieldGetScalar"],
])("data arrays in profile %s", (profile, set, get) => {
  it("New / Append / Release / Len / Get round trip", async () => {
    const g = await loadHostGuest(profile, "", { names: ["getDataSource", "dataSourceGetField", "dataSourceNewPacketArray", "dataSourceEmitAndRelease", "dataArrayNew", "dataArrayAppend", "dataArrayRelease", "dataArrayLen", "dataArrayGet", set, get] , callback: false });
    const batch = g.gadget.dataSources.declare("batch", { type: "array", fields: { n: "uint32" } });
    const { s, call } = hostDriver(g);
    const getN = (d: number) => (get === "fieldGetScalar" ? call<bigint>(get, n, d, 8, 0) : call<bigint>(get, n, d, 8));
    const bt = call("getDataSource", s("batch"));
    const n = call("dataSourceGetField", bt, s("n"));
    const p = call("dataSourceNewPacketArray", bt);
    expect(p).toBeGreaterThan(0);
    for (const v of [1n, 2n, 3n]) {
      const d = call("dataArrayNew", p);
      // Before v0.39.0 a successful set left its first argument, the field handle, as the result
      // (fields.go@ac3ba9801, v0.37.0, never writes stack[0] on success); since v0.39.0 it returns 0.
      expect(call(set, n, d, 8, v)).toBe(profile === "v0.43" ? 0 : n);
      expect(call(v === 2n ? "dataArrayRelease" : "dataArrayAppend", p, d)).toBe(0);
    }
    expect(call("dataArrayLen", p)).toBe(2);
    expect(call("dataArrayGet", p, 1)).toBe(element(p, 1));
    expect(getN(element(p, 0))).toBe(1n);
    expect(getN(element(p, 1))).toBe(3n);
    expect(call("dataArrayGet", p, 2)).toBe(0);
    const seen: unknown[] = [];
    batch.subscribe((a) => seen.push(a.toJSON()), { type: "array" });
    expect(call("dataSourceEmitAndRelease", bt, p)).toBe(0);
    expect(seen).toEqual([[{ n: 1 }, { n: 3 }]]);
    expect(call("dataArrayLen", p)).toBe(0);
  });
});

describe("records left pending when their array is emitted", () => {
  // Regression: the emitted DataArray object went back to the pool and the next
  // packet reused it, so a pending record of P passed the "same array" check of Q.
  it("a record from an emitted packet cannot be appended to the next packet", async () => {
    const f = await fixture();
    const p = f.call("dataSourceNewPacketArray", f.bt);
    const d = f.call("dataArrayNew", p);
    expect(f.call("dataSourceEmitAndRelease", f.bt, p)).toBe(0);
    const q = f.call("dataSourceNewPacketArray", f.bt);
    expect(f.call("dataArrayAppend", q, d)).toBe(1);
    expect(f.call("dataArrayLen", q)).toBe(0);
  });

  it("such a record can still be released by the guest", async () => {
    const f = await fixture();
    const base = f.handles();
    const p = f.call("dataSourceNewPacketArray", f.bt);
    const d = f.call("dataArrayNew", p);
    expect(f.call("dataSourceEmitAndRelease", f.bt, p)).toBe(0);
    expect(f.call("releaseHandle", d)).toBe(0);
    expect(f.handles()).toBe(base);
  });
});
