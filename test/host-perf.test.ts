/**
 * ig-v1 perf reader functions through real guests: newPerfReader,
 * perfReaderPause, perfReaderResume, perfReaderRead and perfReaderClose.
 *
 * The embedding code declares a PerfEventArray map and writes records with
 * `PerfBuffer.of(map).write(bytes)`, as an eBPF program would; the guest
 * finds the map with getMap and reads the records. The guest is a proxy
 * (wazero's requireProxyModule): it imports each host function from `ig` and
 * re-exports it under the same name, so the test drives the exact wire
 * values and asserts the exact call trace, the bytes of sentinel-filled
 * guest memory and the log line each error produces.
 */
import { describe, expect, it } from "vitest";
import { MapType } from "../generated/constants.js";
import type { BpfMap } from "../runtime/maps/bpf-map.js";
import { PerfBuffer } from "../runtime/perf/perf-reader.js";
import { packed, SENTINEL, type LoadedGuest } from "./helpers/guest.js";
import { call, expectErrorLog, loadProxy, MEM } from "./helpers/proxy.js";

const FNS = [
  "getMap", "newMap", "newPerfReader", "perfReaderPause", "perfReaderResume", "perfReaderRead", "perfReaderClose",
  "newDataSource", "releaseHandle",
] as const;

const NAME = 0x100;
const DST = 0x1000;
const DST_END = 0x1200;
/** A handle with a valid slot index but a generation no live handle has. */
const UNKNOWN = ((1000 << 13) | 7) >>> 0;

interface Setup {
  readonly g: LoadedGuest;
  /** The PerfEventArray map the embedding code declared. */
  readonly map: BpfMap;
  readonly write: (...records: (readonly number[])[]) => void;
  /** The guest's handle on it (getMap). */
  readonly handle: number;
}

async function setup(): Promise<Setup> {
  const g = await loadProxy(FNS);
  const map = g.gadget.maps.declare({ name: "events", type: MapType.PerfEventArray, keySize: 4, valueSize: 4, maxEntries: 4 });
  const buffer = PerfBuffer.of(map);
  const handle = g.call<number>("getMap", g.putString(NAME, "events"));
  expect(handle).toBeGreaterThan(0);
  g.fillSentinel(NAME, NAME + 16);
  return { g, map, handle, write: (...records) => records.forEach((r) => buffer.write(Uint8Array.from(r))) };
}

/** perfReaderRead into a fresh sentinel-filled dst of `size` bytes: the status and the bytes written. */
function read(g: LoadedGuest, reader: number, size = 64): { status: number; bytes: number[]; logs: string[] } {
  g.fillSentinel(DST, DST_END);
  const c = call(g, "perfReaderRead", reader, packed(DST, size));
  const touched = g.touched(DST, DST_END);
  return { status: c.result, bytes: touched.length ? [...g.mem().subarray(DST, touched[touched.length - 1] + 1)] : [], logs: c.logs };
}

/** Reads until the reader reports 2; returns the first byte of each record read ("lost" for a lost-samples record: 0, nothing written). */
function drain(g: LoadedGuest, reader: number): (number | "lost")[] {
  const tags: (number | "lost")[] = [];
  for (;;) {
    const r = read(g, reader);
    if (r.status === 2) return tags;
    expect(r.status).toBe(0);
    tags.push(r.bytes.length === 0 ? "lost" : r.bytes[0]);
  }
}

const rec = (tag: number, n = 8): number[] => new Array<number>(n).fill(tag);

describe("newPerfReader", () => {
  it("opens a reader on a PerfEventArray found with getMap (exact trace)", async () => {
    const { g, map, handle } = await setup();
    const c = call(g, "newPerfReader", handle, 4096, 0);
    expect(c.trace).toEqual([`==> ig.newPerfReader(map=${handle},size=4096,overwritable=0)`, `<== ${c.result}`]);
    expect(c.result).toBeGreaterThan(0);
    expect(c.result).not.toBe(handle);
    expect(c.logs).toEqual([]);
    expect(PerfBuffer.of(map).readers).toBe(1);
  });

  it("opens a reader on a PerfEventArray created with newMap", async () => {
    const { g } = await setup();
    const m = call(g, "newMap", g.putString(NAME, "mine"), MapType.PerfEventArray, 4, 4, 1).result;
    expect(call(g, "newPerfReader", m, 4096, 1).result).toBeGreaterThan(0);
  });

  it("the reader outlives the map handle it was opened with", async () => {
    const { g, handle, write } = await setup();
    const r = call(g, "newPerfReader", handle, 4096, 0).result;
    expect(call(g, "releaseHandle", handle).result).toBe(0);
    write([1, 2, 3]);
    expect(read(g, r)).toMatchObject({ status: 0, bytes: [1, 2, 3] });
  });

  describe("errors return 0 and log a line naming newPerfReader", () => {
    const rows: { readonly name: string; readonly args: (g: LoadedGuest, perfMap: number) => [number, number, number]; readonly log: RegExp }[] = [
      {
        name: "a Hash map",
        args: (g) => {
          g.gadget.maps.declare({ name: "counts", type: MapType.Hash, keySize: 4, valueSize: 4, maxEntries: 4 });
          return [g.call<number>("getMap", g.putString(NAME, "counts")), 4096, 0];
        },
        log: /needs a perf event array map \(type 4\), map "counts" has type 1/,
      },
      {
        name: "an Array map from newMap",
        args: (g) => [g.call<number>("newMap", g.putString(NAME, "arr"), MapType.Array, 4, 4, 4), 4096, 0],
        log: /has type 2/,
      },
      { name: "size 0", args: (_g, m) => [m, 0, 0], log: /size must be an integer/ },
      { name: "size past the limit", args: (_g, m) => [m, 0x7fffffff, 0], log: /size must be an integer/ },
    ];
    for (const row of rows) {
      it(row.name, async () => {
        const { g, map, handle } = await setup();
        const args = row.args(g, handle);
        const live = g.gadget.runtime.handles.size;
        const c = call(g, "newPerfReader", ...args);
        expect(c.result).toBe(0);
        expect(c.trace).toEqual([`==> ig.newPerfReader(map=${args[0]},size=${args[1]},overwritable=${args[2]})`, "<== 0"]);
        expectErrorLog(c, "newPerfReader", row.log);
        expect(g.gadget.runtime.handles.size).toBe(live);
        expect(PerfBuffer.of(map).readers).toBe(0);
      });
    }
  });
});

// IG: pkg/operators/wasm/perf.go newPerfReader answers 1, not 0, when the map handle is not a
// map (getHandle fails), since 7386530c3 (v0.37.0; aeac857 unchanged). A guest takes 1 for a
// handle, so igwasm deliberately answers its error value 0, as spec/functions/perf.yaml says.
describe("newPerfReader with a bad map handle returns 0 (IG: 1, deliberately not copied), logged", () => {
  const rows: [string, (g: LoadedGuest) => number, RegExp][] = [
    ["handle 0", () => 0, /invalid handle 0/],
    ["unknown handle", () => UNKNOWN, /stale or unknown handle/],
    ["a DataSource handle", (g) => g.call<number>("newDataSource", g.putString(NAME, "ds"), 1), /bad handle type \(handle \d+ is a DataSource, not Map\)/],
  ];
  it.each(rows)("%s", async (_w, make, log) => {
    const { g, map } = await setup();
    const h = make(g);
    const live = g.gadget.runtime.handles.size;
    const c = call(g, "newPerfReader", h, 4096, 0);
    expect(c.trace).toEqual([`==> ig.newPerfReader(map=${h},size=4096,overwritable=0)`, "<== 0"]);
    expect(c.logs).toEqual([expect.stringMatching(new RegExp(`^warn: newPerfReader: .*${log.source}`))]);
    expect(g.gadget.runtime.handles.size).toBe(live);
    expect(PerfBuffer.of(map).readers).toBe(0);
  });
});

describe("the handle limit (4096 live handles)", () => {
  it("newPerfReader fails with \"too many open handles\" and leaves no reader attached", async () => {
    const { g, map, handle, write } = await setup();
    const name = g.putString(NAME, "events");
    while (g.gadget.runtime.handles.size < 4096) expect(g.call<number>("getMap", name)).toBeGreaterThan(0);
    const c = call(g, "newPerfReader", handle, 4096, 0);
    expect(c.result).toBe(0);
    expectErrorLog(c, "newPerfReader", /too many open handles \(4096\)/);
    expect(PerfBuffer.of(map).readers).toBe(0);
    expect(() => write([1])).not.toThrow();
  });
});

describe("perfReaderRead", () => {
  it("returns 0 and writes exactly the record's bytes; 2 when nothing is pending", async () => {
    const { g, handle, write } = await setup();
    const r = call(g, "newPerfReader", handle, 4096, 0).result;
    write([0xde, 0xad, 0xbe, 0xef, 0x01]);
    g.fillSentinel(DST, DST_END);
    const dst = packed(DST, 64);
    const c = call(g, "perfReaderRead", r, dst);
    expect(c.trace).toEqual([`==> ig.perfReaderRead(reader=${r},dst=${dst})`, "<== 0"]);
    expect(c.logs).toEqual([]);
    expect([...g.mem().subarray(DST, DST + 6)]).toEqual([0xde, 0xad, 0xbe, 0xef, 0x01, SENTINEL]);
    expect(g.touched(DST + 5, DST_END)).toEqual([]);

    g.fillSentinel(DST, DST_END);
    const empty = call(g, "perfReaderRead", r, dst);
    expect(empty.trace).toEqual([`==> ig.perfReaderRead(reader=${r},dst=${dst})`, "<== 2"]);
    expect(empty.logs).toEqual([]);
    expect(g.touched(DST, DST_END)).toEqual([]);
  });

  it("returns 2 before any record, also into an empty dst", async () => {
    const { g, handle } = await setup();
    const r = call(g, "newPerfReader", handle, 4096, 0).result;
    expect(read(g, r)).toEqual({ status: 2, bytes: [], logs: [] });
    expect(call(g, "perfReaderRead", r, 0n).result).toBe(2);
  });

  it("reads records oldest first, each exactly", async () => {
    const { g, handle, write } = await setup();
    const r = call(g, "newPerfReader", handle, 4096, 0).result;
    write([1], [2, 2], [3, 3, 3], []);
    expect(read(g, r)).toMatchObject({ status: 0, bytes: [1] });
    expect(read(g, r)).toMatchObject({ status: 0, bytes: [2, 2] });
    expect(read(g, r)).toMatchObject({ status: 0, bytes: [3, 3, 3] });
    // An empty record is a record: 0, nothing written.
    expect(read(g, r)).toMatchObject({ status: 0, bytes: [] });
    expect(read(g, r).status).toBe(2);
  });

  // IG: perf.go perfReaderRead calls Read() (the record is taken) before writeToDstBuffer fails (aeac857).
  it("a record that does not fit: 1, nothing written, and the record is consumed", async () => {
    const { g, handle, write } = await setup();
    const r = call(g, "newPerfReader", handle, 4096, 0).result;
    const record = Array.from({ length: 20 }, (_, i) => i + 1);
    write(record, [0x42], [0x43]);
    const small = read(g, r, 19);
    expect(small).toMatchObject({ status: 1, bytes: [] });
    expect(small.logs).toEqual([expect.stringMatching(/^debug: perfReaderRead: the next perf record has 20 bytes, the destination 19; the record is dropped/)]);
    expect(read(g, r, 0).status).toBe(1); // [0x42] is taken too
    expect(read(g, r, 1)).toMatchObject({ status: 0, bytes: [0x43] });
    expect(read(g, r).status).toBe(2);
  });

  it("a dst outside guest memory: 1, nothing written, and the record is consumed", async () => {
    const { g, handle, write } = await setup();
    const r = call(g, "newPerfReader", handle, 4096, 0).result;
    write([7, 7, 7], [8]);
    g.fillSentinel(MEM - 16, MEM);
    const c = call(g, "perfReaderRead", r, packed(MEM - 2, 8));
    expect(c.result).toBe(1);
    expectErrorLog(c, "perfReaderRead", /outside guest memory/);
    expect(g.touched(MEM - 16, MEM)).toEqual([]);
    expect(read(g, r)).toMatchObject({ status: 0, bytes: [8] });
  });

  // IG checks only the bytes it writes (wazero Memory.Write of the value, helpers.go writeToDstBuffer).
  it("a dst whose capacity ends past memory takes a record that fits in memory", async () => {
    const { g, handle, write } = await setup();
    const r = call(g, "newPerfReader", handle, 4096, 0).result;
    write([1, 2, 3, 4]);
    g.fillSentinel(MEM - 16, MEM);
    expect(call(g, "perfReaderRead", r, packed(MEM - 8, 100)).result).toBe(0);
    expect([...g.mem().subarray(MEM - 8, MEM - 4)]).toEqual([1, 2, 3, 4]);
    expect(g.touched(MEM - 4, MEM)).toEqual([]);
  });

  // cilium/ebpf v0.22.0 perf/reader.go ReadInto: errMustBePaused for an overwritable reader not paused.
  it("an overwritable reader that is not paused: 1, logged, the records stay", async () => {
    const { g, handle, write } = await setup();
    const r = call(g, "newPerfReader", handle, 4096, 1).result;
    write([5]);
    const c = read(g, r);
    expect(c).toMatchObject({ status: 1, bytes: [] });
    expect(c.logs).toEqual([expect.stringMatching(/^warn: perfReaderRead: an overwritable perf reader must be paused/)]);
    expect(call(g, "perfReaderPause", r).result).toBe(0);
    expect(drain(g, r)).toEqual([5]);
  });

  // cilium/ebpf perf/reader.go readRecord: a PERF_RECORD_LOST record is a Record with no RawSample;
  // IG's perfReaderRead then writes 0 bytes and returns 0 (pkg/operators/wasm/perf.go, aeac857).
  it("records dropped by a full non-overwritable reader are reported by a read that returns 0 and writes nothing", async () => {
    const { g, handle, write } = await setup();
    const r = call(g, "newPerfReader", handle, 48, 0).result;
    write(rec(1), rec(2), rec(3), rec(4));
    expect(drain(g, r)).toEqual([1, 2, 3]);
    write(rec(5));
    const lost = read(g, r);
    expect(lost).toEqual({ status: 0, bytes: [], logs: [] });
    expect(drain(g, r)).toEqual([5]);
  });

  // Documented difference: IG blocks here until a record arrives; a synchronous host call cannot.
  it("a non-overwritable reader with nothing pending returns 2 at once (IG would block)", async () => {
    const { g, handle } = await setup();
    const r = call(g, "newPerfReader", handle, 4096, 0).result;
    expect(read(g, r)).toEqual({ status: 2, bytes: [], logs: [] });
  });

  it("every reader gets every record", async () => {
    const { g, handle, write } = await setup();
    const a = call(g, "newPerfReader", handle, 4096, 0).result;
    const b = call(g, "newPerfReader", handle, 4096, 1).result;
    write([1], [2]);
    expect(drain(g, a)).toEqual([1, 2]);
    expect(call(g, "perfReaderPause", b).result).toBe(0);
    expect(drain(g, b)).toEqual([1, 2]);
  });

  it("records written before the reader opened are not seen", async () => {
    const { g, handle, write } = await setup();
    write([1]);
    const r = call(g, "newPerfReader", handle, 4096, 0).result;
    write([2]);
    expect(drain(g, r)).toEqual([2]);
  });
});

describe("buffer full", () => {
  // Each record of 8 bytes costs 16 (perf's 8-byte header): a 48-byte reader holds three.
  it("non-overwritable: new records are dropped", async () => {
    const { g, handle, write } = await setup();
    const r = call(g, "newPerfReader", handle, 48, 0).result;
    write(rec(1), rec(2), rec(3), rec(4), rec(5));
    expect(drain(g, r)).toEqual([1, 2, 3]);
  });

  it("overwritable: the oldest records are dropped", async () => {
    const { g, handle, write } = await setup();
    const r = call(g, "newPerfReader", handle, 48, 1).result;
    write(rec(1), rec(2), rec(3), rec(4), rec(5));
    expect(call(g, "perfReaderPause", r).result).toBe(0);
    expect(drain(g, r)).toEqual([3, 4, 5]);
    expect(call(g, "perfReaderResume", r).result).toBe(0);
    write(rec(6));
    expect(call(g, "perfReaderPause", r).result).toBe(0);
    expect(drain(g, r)).toEqual([6]);
  });

  it("any non-zero overwritable value means overwritable", async () => {
    const { g, handle, write } = await setup();
    const r = call(g, "newPerfReader", handle, 32, 7).result;
    write(rec(1), rec(2), rec(3));
    expect(call(g, "perfReaderPause", r).result).toBe(0);
    expect(drain(g, r)).toEqual([2, 3]);
  });

  it("a record larger than the whole buffer is dropped in both modes", async () => {
    const { g, handle, write } = await setup();
    const a = call(g, "newPerfReader", handle, 32, 0).result;
    const b = call(g, "newPerfReader", handle, 32, 1).result;
    write(rec(1), rec(9, 25), rec(2));
    // The non-overwritable reader drops [2] too: the lost-samples record (24 bytes) that must precede it
    // and [2] itself (16) do not fit beside [1] (16) in 32 bytes.
    expect(drain(g, a)).toEqual([1]);
    expect(call(g, "perfReaderPause", b).result).toBe(0);
    expect(drain(g, b)).toEqual([1, 2]);
  });
});

describe("perfReaderPause / perfReaderResume", () => {
  it("a paused reader keeps what is pending and drops what is written meanwhile", async () => {
    const { g, handle, write } = await setup();
    const r = call(g, "newPerfReader", handle, 4096, 0).result;
    write(rec(1));
    const p = call(g, "perfReaderPause", r);
    expect(p.trace).toEqual([`==> ig.perfReaderPause(reader=${r})`, "<== 0"]);
    expect(p.logs).toEqual([]);
    write(rec(2));
    expect(drain(g, r)).toEqual([1]);
    expect(call(g, "perfReaderPause", r).result).toBe(0); // idempotent
    write(rec(3));
    const q = call(g, "perfReaderResume", r);
    expect(q.trace).toEqual([`==> ig.perfReaderResume(reader=${r})`, "<== 0"]);
    write(rec(4));
    expect(call(g, "perfReaderResume", r).result).toBe(0); // idempotent
    write(rec(5));
    expect(drain(g, r)).toEqual([4, 5]);
  });

  it("pausing one reader does not pause the others", async () => {
    const { g, handle, write } = await setup();
    const a = call(g, "newPerfReader", handle, 4096, 0).result;
    const b = call(g, "newPerfReader", handle, 4096, 0).result;
    expect(call(g, "perfReaderPause", a).result).toBe(0);
    write(rec(1));
    expect(drain(g, a)).toEqual([]);
    expect(drain(g, b)).toEqual([1]);
  });
});

describe("perfReaderClose", () => {
  it("closes the reader and releases its handle: every later call returns 1", async () => {
    const { g, map, handle, write } = await setup();
    const r = call(g, "newPerfReader", handle, 4096, 0).result;
    write(rec(1));
    const live = g.gadget.runtime.handles.size;
    const c = call(g, "perfReaderClose", r);
    expect(c.trace).toEqual([`==> ig.perfReaderClose(reader=${r})`, "<== 0"]);
    expect(c.logs).toEqual([]);
    expect(g.gadget.runtime.handles.size).toBe(live - 1);
    expect(PerfBuffer.of(map).readers).toBe(0);
    write(rec(2));
    g.fillSentinel(DST, DST_END);
    for (const [fn, args] of [
      ["perfReaderRead", [r, packed(DST, 64)]],
      ["perfReaderPause", [r]],
      ["perfReaderResume", [r]],
      ["perfReaderClose", [r]],
      ["releaseHandle", [r]],
    ] as const) {
      const u = call(g, fn, ...args);
      expect(u.result, fn).toBe(1);
      expectErrorLog(u, fn, /stale or unknown handle/);
    }
    expect(g.touched(DST, DST_END)).toEqual([]);
    // The map handle still works for a new reader.
    const again = call(g, "newPerfReader", handle, 4096, 0).result;
    expect(again).toBeGreaterThan(0);
    expect(drain(g, again)).toEqual([]);
  });
});

// IG: pkg/operators/wasm/handle.go releaseHandle only deletes the handle (aeac857): the reader stays open
// until the gadget stops. Nothing can reach it, so igwasm deliberately closes it (its ring bytes go back
// to the gadget's budget, docs/limits.md); no guest can tell the difference.
describe("releaseHandle on a perf reader", () => {
  it("forgets the handle and closes the unreachable reader", async () => {
    const { g, map, handle, write } = await setup();
    const r = call(g, "newPerfReader", handle, 4096, 0).result;
    expect(call(g, "releaseHandle", r).result).toBe(0);
    expect(PerfBuffer.of(map).readers).toBe(0);
    expect(() => write([1])).not.toThrow();
    expect(call(g, "perfReaderRead", r, packed(DST, 8)).result).toBe(1);
  });
});

describe("wrong handles return 1 and log a line naming the function", () => {
  const fns = ["perfReaderPause", "perfReaderResume", "perfReaderRead", "perfReaderClose"] as const;
  const handles: { readonly name: string; readonly get: (s: Setup) => number; readonly log: RegExp }[] = [
    { name: "handle 0", get: () => 0, log: /invalid handle 0/ },
    { name: "unknown handle", get: () => UNKNOWN, log: /stale or unknown handle/ },
    { name: "a Map handle", get: (s) => s.handle, log: /bad handle type \(handle \d+ is a Map, not PerfReader\)/ },
    {
      name: "a DataSource handle",
      get: (s) => s.g.call<number>("newDataSource", s.g.putString(NAME, "ds"), 1),
      log: /bad handle type \(handle \d+ is a DataSource, not PerfReader\)/,
    },
  ];
  for (const fn of fns) {
    for (const h of handles) {
      it(`${fn} with ${h.name}`, async () => {
        const s = await setup();
        const handle = h.get(s);
        s.g.fillSentinel(DST, DST_END);
        const c = fn === "perfReaderRead" ? call(s.g, fn, handle, packed(DST, 64)) : call(s.g, fn, handle);
        expect(c.result).toBe(1);
        expect(c.trace[1]).toBe("<== 1");
        expectErrorLog(c, fn, h.log);
        expect(s.g.touched(DST, DST_END)).toEqual([]);
      });
    }
  }
});
