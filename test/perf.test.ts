import { describe, it, expect } from "vitest";
import { expectFail } from "./helpers/host-error.js";
import { BpfMap } from "../runtime/maps/bpf-map.js";
import { MapType } from "../generated/constants.js";
import {
  MAX_PERF_RING_BYTES,
  PERF_RECORD_HEADER_BYTES,
  PerfBuffer,
  PerfReader,
  PerfReadStatus,
} from "../runtime/perf/perf-reader.js";
import { PerfRing } from "../runtime/perf/perf-ring.js";

const { Ok, NothingToRead, Lost } = PerfReadStatus;

function perfMap(name = "events"): BpfMap {
  return BpfMap.create({ name, type: MapType.PerfEventArray, keySize: 4, valueSize: 4, maxEntries: 4 });
}

/** A record of `n` bytes, all equal to `tag`. */
function rec(tag: number, n: number): Uint8Array {
  return new Uint8Array(n).fill(tag);
}

/** Reads every pending record; returns [tag, length] pairs, "lost" for a lost-samples record. */
function drain(r: PerfReader): ([number, number] | "lost")[] {
  const out: ([number, number] | "lost")[] = [];
  const dst = new Uint8Array(4096);
  for (;;) {
    const status = r.read(dst);
    if (status === NothingToRead) return out;
    out.push(status === Lost ? "lost" : [r.lastLength === 0 ? 0 : dst[0], r.lastLength]);
  }
}

describe("PerfReadStatus", () => {
  it("matches the ABI", () => {
    expect(PerfReadStatus).toEqual({ Ok: 0, Error: 1, NothingToRead: 2, Lost: 3 });
    expect(Ok).toBe(0);
    expect(PERF_RECORD_HEADER_BYTES).toBe(8);
  });
});

describe("PerfBuffer", () => {
  it("is one per perf event array map", () => {
    const m = perfMap();
    expect(PerfBuffer.of(m)).toBe(PerfBuffer.of(m));
    expect(PerfBuffer.of(perfMap())).not.toBe(PerfBuffer.of(m));
    expect(PerfBuffer.of(m).map).toBe(m);
  });

  it("fails on other map types", () => {
    const h = BpfMap.create({ name: "h", type: MapType.Hash, keySize: 4, valueSize: 4, maxEntries: 1 });
    expectFail(() => PerfBuffer.of(h), /needs a perf event array map \(type 4\), map "h" has type 1/);
  });

  it("discards records when no reader is open", () => {
    const m = perfMap();
    PerfBuffer.of(m).write(rec(1, 4));
    const r = PerfReader.open(m, 64, false);
    expect(r.pending).toBe(0);
    expect(r.read(new Uint8Array(8))).toBe(NothingToRead);
  });

  it("delivers a copy of each record to every open reader", () => {
    const m = perfMap();
    const buf = PerfBuffer.of(m);
    const r1 = PerfReader.open(m, 256, false);
    const r2 = PerfReader.open(m, 256, true);
    expect(buf.readers).toBe(2);
    const record = Uint8Array.from([1, 2, 3]);
    buf.write(record);
    record.fill(0);
    for (const r of [r1, r2]) {
      const dst = new Uint8Array(8);
      expect(r.read(dst)).toBe(Ok);
      expect(r.lastLength).toBe(3);
      expect([...dst.subarray(0, 3)]).toEqual([1, 2, 3]);
      expect(r.read(dst)).toBe(NothingToRead);
    }
  });
});

describe("PerfReader.open", () => {
  it("validates map type and size", () => {
    const h = BpfMap.create({ name: "arr", type: MapType.Array, keySize: 4, valueSize: 4, maxEntries: 1 });
    expectFail(() => PerfReader.open(h, 64, false), /perf reader needs a perf event array map .*has type 2/);
    const m = perfMap();
    expectFail(() => PerfReader.open(m, 0, false), /size must be an integer in 1\.\./);
    expectFail(() => PerfReader.open(m, -8, false), /size must be/);
    expectFail(() => PerfReader.open(m, 1.5, false), /size must be/);
    expectFail(() => PerfReader.open(m, MAX_PERF_RING_BYTES + 1, false), /size must be/);
    expect(PerfBuffer.of(m).readers).toBe(0);
    const r = PerfReader.open(m, 64, true);
    expect(r.size).toBe(64);
    expect(r.overwritable).toBe(true);
    expect(r.map).toBe(m);
    expect(r.lastLength).toBe(0);
    expect(r.pending).toBe(0);
    expect(r.lost).toBe(0);
  });
});

describe("PerfReader.read", () => {
  it("returns records oldest first with their lengths, including empty ones", () => {
    const m = perfMap();
    const r = PerfReader.open(m, 1024, false);
    const buf = PerfBuffer.of(m);
    buf.write(rec(1, 10));
    buf.write(new Uint8Array(0));
    buf.write(rec(3, 30));
    expect(r.pending).toBe(3);
    const dst = new Uint8Array(64).fill(0xee);
    expect(r.read(dst)).toBe(Ok);
    expect(r.lastLength).toBe(10);
    expect([...dst.subarray(0, 11)]).toEqual([...rec(1, 10), 0xee]);
    expect(r.read(dst)).toBe(Ok);
    expect(r.lastLength).toBe(0);
    expect(r.read(dst)).toBe(Ok);
    expect(r.lastLength).toBe(30);
    expect(dst[29]).toBe(3);
    expect(r.read(dst)).toBe(NothingToRead);
    expect(r.lastLength).toBe(30);
    expect(r.pending).toBe(0);
  });

  it("keeps the record when the destination is too small", () => {
    const m = perfMap();
    const r = PerfReader.open(m, 256, false);
    PerfBuffer.of(m).write(rec(7, 16));
    PerfBuffer.of(m).write(rec(8, 4));
    const small = new Uint8Array(15);
    expectFail(() => r.read(small), /destination of 15 bytes is too small for the next perf record of 16 bytes/);
    expect([...small]).toEqual(new Array(15).fill(0));
    expect(r.pending).toBe(2);
    expect(r.lastLength).toBe(0);
    const dst = new Uint8Array(16);
    expect(r.read(dst)).toBe(Ok);
    expect([...dst]).toEqual(new Array(16).fill(7));
    expect(r.read(small)).toBe(Ok);
    expect(r.lastLength).toBe(4);
  });

  it("keeps records intact across the ring's wrap point", () => {
    const m = perfMap();
    const r = PerfReader.open(m, 64, false); // payload area 56 bytes
    const buf = PerfBuffer.of(m);
    const dst = new Uint8Array(64);
    let tag = 0;
    // Mixed sizes, read one after each write pair, so the ring wraps many times.
    for (let round = 0; round < 50; round++) {
      const n1 = (round * 7) % 20;
      const n2 = (round * 13) % 25;
      const a = Uint8Array.from({ length: n1 }, (_, i) => (tag + i) & 0xff);
      const b = Uint8Array.from({ length: n2 }, (_, i) => (tag + 100 + i) & 0xff);
      buf.write(a);
      buf.write(b);
      expect(r.read(dst)).toBe(Ok);
      expect([...dst.subarray(0, r.lastLength)]).toEqual([...a]);
      expect(r.read(dst)).toBe(Ok);
      expect([...dst.subarray(0, r.lastLength)]).toEqual([...b]);
      tag = (tag + 31) & 0xff;
    }
    expect(r.lost).toBe(0);
  });
});

describe("ring budget", () => {
  it("non-overwritable: a record that does not fit is dropped and counted lost", () => {
    const m = perfMap();
    const r = PerfReader.open(m, 64, false);
    const buf = PerfBuffer.of(m);
    buf.write(rec(1, 24)); // 32
    buf.write(rec(2, 16)); // 24 -> 56 used
    buf.write(rec(3, 0)); // 8 -> exactly 64: fits
    expect(r.pending).toBe(3);
    buf.write(rec(4, 0)); // full: dropped
    expect(r.lost).toBe(1);
    expect(drain(r)).toEqual([
      [1, 24],
      [2, 16],
      [0, 0],
    ]);
    // Space is freed by reading; the drop is reported by a lost-samples record first.
    buf.write(rec(6, 32));
    expect(drain(r)).toEqual(["lost", [6, 32]]);
    expect(r.lost).toBe(1);
  });

  // As the kernel's perf ring (reported to IG's host by cilium/ebpf v0.22.0 perf/reader.go as a
  // Record with LostSamples): a lost-samples record (24 bytes of ring) precedes the next record.
  it("non-overwritable: drops are reported by one lost-samples record, which needs room too", () => {
    const m = perfMap();
    const r = PerfReader.open(m, 64, false);
    const buf = PerfBuffer.of(m);
    buf.write(rec(1, 24)); // 32
    buf.write(rec(2, 16)); // 24 -> 56 used
    buf.write(rec(3, 1)); // 9 -> 65 > 64: dropped
    buf.write(rec(4, 0)); // 8, after a 24-byte lost record: 88 > 64, dropped too
    expect([r.pending, r.lost]).toEqual([2, 2]);
    expect(drain(r)).toEqual([[1, 24], [2, 16]]);
    buf.write(rec(5, 8)); // 24 + 16 fit
    buf.write(rec(6, 8));
    expect(drain(r)).toEqual(["lost", [5, 8], [6, 8]]);
    // Paused readers lose records without a report: nothing reaches a paused ring.
    r.pause();
    buf.write(rec(7, 8));
    r.resume();
    buf.write(rec(8, 8));
    expect(drain(r)).toEqual([[8, 8]]);
    expect(r.lost).toBe(3);
  });

  it("overwritable: the oldest records are dropped until the new one fits", () => {
    const m = perfMap();
    const r = PerfReader.open(m, 64, true);
    const buf = PerfBuffer.of(m);
    buf.write(rec(1, 8)); // 16
    buf.write(rec(2, 8)); // 32
    buf.write(rec(3, 8)); // 48
    buf.write(rec(4, 8)); // 64 (full)
    expect(r.lost).toBe(0);
    buf.write(rec(5, 24)); // needs 32: drops 1 and 2
    expect(r.lost).toBe(2);
    expect(r.pending).toBe(3);
    expect(drain(r)).toEqual([
      [3, 8],
      [4, 8],
      [5, 24],
    ]);
  });

  it("a record larger than the whole ring is dropped in both modes, keeping the others", () => {
    const m = perfMap();
    const buf = PerfBuffer.of(m);
    const r1 = PerfReader.open(m, 64, false);
    const r2 = PerfReader.open(m, 64, true);
    buf.write(rec(1, 4));
    buf.write(rec(2, 57)); // 65 > 64
    for (const r of [r1, r2]) {
      expect(r.lost).toBe(1);
      expect(drain(r)).toEqual([[1, 4]]);
    }
    buf.write(rec(3, 32)); // 40, after the non-overwritable ring's 24-byte lost record: exactly the ring
    expect(drain(r1)).toEqual(["lost", [3, 32]]);
    expect(drain(r2)).toEqual([[3, 32]]);
  });

  it("a ring smaller than a header can hold nothing", () => {
    const m = perfMap();
    const r = PerfReader.open(m, 7, true);
    PerfBuffer.of(m).write(new Uint8Array(0));
    expect(r.pending).toBe(0);
    expect(r.lost).toBe(1);
  });

  it("readers of one map have independent budgets", () => {
    const m = perfMap();
    const buf = PerfBuffer.of(m);
    const big = PerfReader.open(m, 1024, false);
    const small = PerfReader.open(m, 32, false);
    for (let i = 0; i < 5; i++) buf.write(rec(i, 8));
    expect(big.pending).toBe(5);
    expect(small.pending).toBe(2);
    expect(small.lost).toBe(3);
    expect(drain(small).map(([t]) => t)).toEqual([0, 1]);
    expect(drain(big).map(([t]) => t)).toEqual([0, 1, 2, 3, 4]);
  });
});

describe("pause, resume, close", () => {
  it("a paused reader drops new records but keeps pending ones readable", () => {
    const m = perfMap();
    const buf = PerfBuffer.of(m);
    const r = PerfReader.open(m, 256, false);
    const other = PerfReader.open(m, 256, false);
    buf.write(rec(1, 4));
    r.pause();
    r.pause(); // twice is fine
    expect(r.paused).toBe(true);
    buf.write(rec(2, 4));
    buf.write(rec(3, 4));
    expect(r.lost).toBe(2);
    expect(r.pending).toBe(1);
    expect(other.pending).toBe(3);
    expect(drain(r)).toEqual([[1, 4]]);
    r.resume();
    r.resume();
    expect(r.paused).toBe(false);
    buf.write(rec(4, 4));
    expect(drain(r)).toEqual([[4, 4]]);
    expect(r.lost).toBe(2);
    expect(other.lost).toBe(0);
  });

  it("an overwritable paused reader does not overwrite its pending records", () => {
    const m = perfMap();
    const r = PerfReader.open(m, 16, true);
    const buf = PerfBuffer.of(m);
    buf.write(rec(1, 8));
    r.pause();
    buf.write(rec(2, 8));
    expect(r.lost).toBe(1);
    expect(drain(r)).toEqual([[1, 8]]);
  });

  it("a closed reader receives nothing and every call throws", () => {
    const m = perfMap();
    const buf = PerfBuffer.of(m);
    const r = PerfReader.open(m, 256, false);
    const other = PerfReader.open(m, 256, false);
    buf.write(rec(1, 4));
    r.close();
    expect(r.closed).toBe(true);
    expect(buf.readers).toBe(1);
    buf.write(rec(2, 4));
    expect(r.pending).toBe(0);
    expectFail(() => r.read(new Uint8Array(8)), /perf reader on map "events" is closed \(read\)/);
    expectFail(() => r.pause(), /is closed \(pause\)/);
    expectFail(() => r.resume(), /is closed \(resume\)/);
    expectFail(() => r.close(), /is closed \(close\)/);
    expect(drain(other).map(([t]) => t)).toEqual([1, 2]);
  });

  it("a paused reader can be closed", () => {
    const m = perfMap();
    const r = PerfReader.open(m, 64, false);
    r.pause();
    r.close();
    expect(PerfBuffer.of(m).readers).toBe(0);
  });
});

describe("PerfRing", () => {
  it("tracks its byte budget", () => {
    const ring = new PerfRing(40, false);
    expect(ring.peekLength()).toBe(-1);
    expect(ring.push(rec(1, 12))).toBe(true);
    expect(ring.usedBytes).toBe(20);
    expect(ring.push(rec(2, 12))).toBe(true);
    expect(ring.usedBytes).toBe(40);
    expect(ring.push(rec(3, 0))).toBe(false);
    expect(ring.peekLength()).toBe(12);
    const dst = new Uint8Array(12);
    expect(ring.shiftInto(dst)).toBe(12);
    expect(ring.usedBytes).toBe(20);
    expect(ring.pending).toBe(1);
    ring.release();
    expect(ring.pending).toBe(0);
    expect(ring.usedBytes).toBe(0);
  });
});
