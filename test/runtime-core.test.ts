/**
 * The runtime's core data structures on their own: the handle table
 * (generations, FIFO reuse, the 4096 limit, the entry layout the wasm fast
 * path reads), record slabs, and guest-memory packing and bounds.
 */
import { describe, expect, it } from "vitest";
import { FieldKind, MaxHandles } from "../generated/constants.js";
import { GuestMemory } from "../runtime/guest-memory.js";
import { checkRange, createWideSlot, joinI64, joinU64, readString, returnWide, splitWide, wideToNumber, wideValue, writeInto } from "../runtime/abi/index.js";
import { EntryWord, HandleTable, HandleType, type NewHandle } from "../runtime/handles.js";
import { HANDLE_ENTRY_BYTES, HANDLE_TABLE_BYTES, HostMemory } from "../runtime/host-memory.js";
import { DESCRIPTOR_BYTES, descriptorOffset, RecordSlab } from "../runtime/record-slab.js";

const index = (h: number): number => h & 0x1fff;
const gen = (h: number): number => h >>> 13;
const RECORD: NewHandle = { type: HandleType.Data, dataSource: 0, recordAddress: 0, recordSlot: 0 };

describe("HandleTable", () => {
  it("scalarAddress answers record address + field offset for the plain case only, -1 for anything the step-by-step resolution must see", () => {
    const mem = new HostMemory();
    const t = new HandleTable(mem);
    const field = (fieldKind: number, dataSource = 3): number => t.alloc({ type: HandleType.Field, dataSource, fieldKind, fieldOffset: 24, fieldId: 0 });
    const u32 = field(FieldKind.Uint32);
    const packet = t.alloc({ type: HandleType.PacketSingle, dataSource: 3, recordAddress: 0x10000, recordSlot: 0 });
    const data = t.alloc({ type: HandleType.Data, dataSource: 3, recordAddress: 0x20000, recordSlot: 1 });
    expect(t.flat.scalarAddress(u32, packet, FieldKind.Uint32)).toBe(0x10018);
    expect(t.flat.scalarAddress(u32, data, FieldKind.Int32)).toBe(0x20018); // a kind of the same size
    expect(t.flat.scalarAddress(u32, data, FieldKind.Float32)).toBe(0x20018);
    for (const kind of [0, FieldKind.Uint16, FieldKind.Uint64, FieldKind.String, FieldKind.Bytes, 15, -1, 0x108]) {
      expect(t.flat.scalarAddress(u32, data, kind), `kind ${kind}`).toBe(-1);
    }
    const stale = t.alloc({ type: HandleType.Data, dataSource: 3, recordAddress: 0x30000, recordSlot: 2 });
    t.release(stale, HandleType.Data, "t");
    const other = field(FieldKind.Uint32, 4);
    const source = t.alloc({ type: HandleType.DataSource, dataSource: 3 });
    const cases: Array<[string, number, number]> = [
      ["field 0", 0, data], ["data 0", u32, 0], ["a stale record", u32, stale], ["a field of another data source", other, data],
      ["a variable-length field", field(FieldKind.String), data], ["data as the field", data, data], ["a field as the data", u32, u32],
      ["a data source as the data", u32, source], ["an element handle", u32, (0x80000000 | (1 << 16) | index(data)) >>> 0],
      ["an index past the table", (1 << 13) | (MaxHandles + 1), data], ["a generation off by one", u32 + (1 << 13), data],
    ];
    for (const [what, f, d] of cases) expect(t.flat.scalarAddress(f, d, FieldKind.Uint32), what).toBe(-1);
  });

  it("writes the documented 16-byte entry layout into host memory, each word under its name", () => {
    const mem = new HostMemory();
    const t = new HandleTable(mem);
    const bytes = (h: number): number[] => Array.from(mem.u8.subarray(index(h) * HANDLE_ENTRY_BYTES, (index(h) + 1) * HANDLE_ENTRY_BYTES));
    // The wasm fast path (runtime/fast-path/field-fast-path.wat) reads these bytes at these offsets.
    const field = t.alloc({ type: HandleType.Field, dataSource: 0x0102, fieldKind: 9, fieldOffset: 0x11223344, fieldId: 0x55667788 });
    expect(bytes(field)).toEqual([2, 9, 0x02, 0x01, 1, 0, 0, 0, 0x44, 0x33, 0x22, 0x11, 0x88, 0x77, 0x66, 0x55]);
    const data = t.alloc({ type: HandleType.PacketSingle, dataSource: 3, recordAddress: 0xa0b0c0d0, recordSlot: 7 });
    expect(bytes(data)).toEqual([8, 0, 3, 0, 1, 0, 0, 0, 0xd0, 0xc0, 0xb0, 0xa0, 7, 0, 0, 0]);
    const source = t.alloc({ type: HandleType.DataSource, dataSource: 5 });
    expect(bytes(source)).toEqual([1, 0, 5, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(HANDLE_TABLE_BYTES).toBe((MaxHandles + 1) * 16);

    const fb = t.entry(field, HandleType.Field, "t");
    expect([t.typeAt(fb), t.dataSourceIndex(fb), t.fieldKind(fb), t.fieldOffset(fb), t.fieldId(fb)]).toEqual([2, 0x0102, 9, 0x11223344, 0x55667788]);
    const db = t.entry(data, HandleType.PacketSingle, "t");
    expect([t.dataSourceIndex(db), t.recordAddress(db), t.recordSlot(db)]).toEqual([3, 0xa0b0c0d0, 7]);
    expect(t.dataSourceIndex(t.entry(source, HandleType.DataSource, "t"))).toBe(5);
    expect(EntryWord).toEqual({
      type: 0, fieldKind: 1, dataSource: 2, generation: 4, fieldOffset: 8, recordAddress: 8, fromNewMap: 8, fieldId: 12, recordSlot: 12,
    });
  });

  it("never hands out 0 or a handle with bit 31, and reuses slots first-in first-out", () => {
    const t = new HandleTable(new HostMemory());
    const a = t.alloc(RECORD);
    const b = t.alloc(RECORD);
    expect(index(a)).toBe(1);
    expect(index(b)).toBe(2);
    t.release(a, HandleType.Data, "t");
    const c = t.alloc(RECORD);
    // The freed slot 1 waits behind every other free slot.
    expect(index(c)).toBe(3);
    for (const h of [a, b, c]) expect(h !== 0 && (h & 0x80000000) === 0).toBe(true);
  });

  it("detects stale handles after their slot is reused, and wrong types", () => {
    const t = new HandleTable(new HostMemory());
    const first = t.alloc(RECORD);
    t.release(first, HandleType.Data, "t");
    // Cycle the free list until slot 1 comes back with a new generation.
    const held: number[] = [];
    let again = 0;
    while (index(again) !== index(first)) {
      again = t.alloc(RECORD);
      held.push(again);
    }
    expect(gen(again)).toBe(gen(first) + 1);
    expect(() => t.entry(first, HandleType.Data, "t")).toThrow("t: stale or unknown handle");
    expect(t.entry(again, HandleType.Data, "t")).toBe(index(again) * 16);
    expect(() => t.entry(again, HandleType.Field, "t")).toThrow("t: bad handle type (handle");
    expect(() => t.entry(0, HandleType.Data, "t")).toThrow("t: invalid handle 0");
    expect(t.releaseIfLive(first)).toBe(false);
    expect(t.releaseIfLive(again)).toBe(true);
    expect(t.releaseIfLive(again)).toBe(false);
  });

  it("allows exactly MaxHandles live handles, then fails until one is released", () => {
    const t = new HandleTable(new HostMemory());
    const hs = Array.from({ length: MaxHandles }, () => t.alloc(RECORD));
    expect(t.size).toBe(MaxHandles);
    expect(new Set(hs.map(index)).size).toBe(MaxHandles);
    expect(() => t.alloc(RECORD)).toThrow(`too many open handles (${MaxHandles})`);
    t.release(hs[100], HandleType.Data, "t");
    expect(index(t.alloc(RECORD))).toBe(index(hs[100]));
  });

  it("wraps a slot's generation from 2^18-1 back to 1, never to 0", () => {
    const mem = new HostMemory();
    const t = new HandleTable(mem);
    const h = t.alloc(RECORD);
    mem.view.setUint32(index(h) * 16 + EntryWord.generation, (1 << 18) - 1, true);
    t.releaseEntry(index(h) * 16);
    // Drain the other free slots so slot 1 is next.
    for (let i = 1; i < MaxHandles; i++) t.alloc(RECORD);
    const wrapped = t.alloc(RECORD);
    expect(index(wrapped)).toBe(index(h));
    expect(gen(wrapped)).toBe(1);
  });
});

describe("RecordSlab", () => {
  /** Slot and Field.offset of the `k`th variable-length value of the record at `slot`. */
  const value = (slot: number, k: number): [number, number] => [slot, descriptorOffset(k)];

  it("hands out zeroed, 8-byte-aligned records in ascending order, recycles the last freed first, and clears variable values", () => {
    const mem = new HostMemory();
    const slab = new RecordSlab(mem, 24, 2);
    const a = slab.alloc();
    const b = slab.alloc();
    // Each record: its two value descriptors, then its 24 fixed bytes.
    expect(slab.addr[b] - slab.addr[a]).toBe(2 * DESCRIPTOR_BYTES + 24);
    expect(slab.addr[a] % 8).toBe(0);
    mem.u8.fill(0xee, slab.addr[a], slab.addr[a] + 24);
    slab.setVar(...value(a, 1), new Uint8Array([1, 2]));
    expect([...slab.varBytes(...value(a, 1))]).toEqual([1, 2]);
    slab.free(a);
    expect(slab.live).toBe(1);
    const again = slab.alloc();
    expect(again).toBe(a);
    expect([...mem.u8.subarray(slab.addr[a], slab.addr[a] + 24)]).toEqual(new Array(24).fill(0));
    expect(slab.varBytes(...value(a, 1)).length).toBe(0);
  });

  it("describes each value in host memory just before its record: block address, length, capacity", () => {
    const mem = new HostMemory();
    const slab = new RecordSlab(mem, 8, 2);
    const r = slab.alloc();
    slab.setVar(...value(r, 0), new Uint8Array([7, 7, 7]));
    slab.setVar(...value(r, 1), new Uint8Array(20).fill(9));
    const words = (at: number): number[] => Array.from(new Uint32Array(mem.u8.slice(at, at + 32).buffer));
    const [b0, b1] = [slab.valueAt(...value(r, 0)), slab.valueAt(...value(r, 1))];
    // Descriptor 1 at addr - 32, descriptor 0 at addr - 16: descriptorOffset(k) = -16 (k + 1); the last
    // word is the value's number in the slab.
    expect(words(slab.addr[r] - 32)).toEqual([b1, 20, 32, r * 2 + 1, b0, 3, 16, r * 2]);
    expect(slab.descriptor(r, descriptorOffset(0)) * 4).toBe(slab.addr[r] - 16);
    expect(Array.from(mem.u8.subarray(b0, b0 + 3))).toEqual([7, 7, 7]);
    slab.free(r);
    // Freed: lengths 0, the small blocks stay for the slot's next record.
    expect(words(slab.addr[r] - 32)).toEqual([b1, 0, 32, r * 2 + 1, b0, 0, 16, r * 2]);
  });

  it("keeps variable-length values in host memory blocks: in place while they fit, a new block when longer or four times shorter", () => {
    const mem = new HostMemory();
    const slab = new RecordSlab(mem, 8, 1);
    const r = slab.alloc();
    const bytes = (n: number, fill: number): Uint8Array => new Uint8Array(n).fill(fill);
    slab.setVar(...value(r, 0), bytes(5, 1));
    const first = slab.valueAt(...value(r, 0));
    expect([slab.valueLength(...value(r, 0)), slab.valueCapacity(...value(r, 0))]).toEqual([5, 16]);
    expect(Array.from(mem.u8.subarray(first, first + 5))).toEqual([1, 1, 1, 1, 1]);
    slab.setVar(...value(r, 0), bytes(16, 2)); // fills the block in place
    expect([slab.valueAt(...value(r, 0)), slab.valueLength(...value(r, 0)), slab.valueCapacity(...value(r, 0))]).toEqual([first, 16, 16]);
    slab.setVar(...value(r, 0), bytes(17, 3)); // longer: a block of 32, the old one given back
    expect([slab.valueLength(...value(r, 0)), slab.valueCapacity(...value(r, 0))]).toEqual([17, 32]);
    const other = slab.alloc();
    slab.setVar(...value(other, 0), bytes(3, 4)); // the freed 16-byte block is reused
    expect(slab.valueAt(...value(other, 0))).toBe(first);
    slab.setVar(...value(r, 0), bytes(200, 5)); // 256
    const big = slab.valueAt(...value(r, 0));
    slab.setVar(...value(r, 0), bytes(65, 6)); // more than a quarter of 256: stays
    expect([slab.valueAt(...value(r, 0)), slab.valueCapacity(...value(r, 0))]).toEqual([big, 256]);
    slab.setVar(...value(r, 0), bytes(64, 7)); // a quarter: moves to a block of 64
    expect(slab.valueCapacity(...value(r, 0))).toBe(64);
    expect(Array.from(slab.varBytes(...value(r, 0)))).toEqual(new Array(64).fill(7));
    slab.setVar(...value(r, 0), bytes(2, 8)); // blocks of 64 bytes or less keep any shorter value
    expect(slab.valueCapacity(...value(r, 0))).toBe(64);
    slab.setVar(...value(r, 0), new Uint8Array(0));
    expect([slab.valueLength(...value(r, 0)), slab.varBytes(...value(r, 0)).length]).toEqual([0, 0]);
  });

  it("a freed record's small blocks stay with its slot for the next record; large ones go back", () => {
    const mem = new HostMemory();
    const slab = new RecordSlab(mem, 8, 2);
    const r = slab.alloc();
    slab.setVar(...value(r, 0), new Uint8Array(200).fill(1)); // a block of 256: kept
    slab.setVar(...value(r, 1), new Uint8Array(300).fill(2)); // 512: given back
    const kept = slab.valueAt(...value(r, 0));
    const large = slab.valueAt(...value(r, 1));
    slab.free(r);
    expect([slab.valueLength(...value(r, 0)), slab.valueCapacity(...value(r, 0)), slab.valueLength(...value(r, 1)), slab.valueCapacity(...value(r, 1))]).toEqual([0, 256, 0, 0]);
    expect(slab.varBytes(...value(r, 0)).length).toBe(0);
    // Another slot's value takes the large block back from host memory's free list.
    const other = slab.alloc();
    expect(other).toBe(r);
    const next = slab.alloc();
    slab.setVar(...value(next, 1), new Uint8Array(400));
    expect(slab.valueAt(...value(next, 1))).toBe(large);
    // The slot's next record writes its value into the kept block.
    slab.setVar(...value(other, 0), new Uint8Array(100).fill(3));
    expect(slab.valueAt(...value(other, 0))).toBe(kept);
    // A slab given up gives every block back, kept ones too.
    slab.free(other);
    slab.free(next);
    slab.dispose();
    const fresh = new RecordSlab(mem, 8, 1);
    fresh.setVar(...value(fresh.alloc(), 0), new Uint8Array(200));
    expect(fresh.valueAt(...value(0, 0))).toBe(kept);
  });

  it("storing and freeing values over and over stops taking host memory once the blocks are there", () => {
    const mem = new HostMemory();
    const slab = new RecordSlab(mem, 8, 2);
    const round = (): void => {
      const slots = Array.from({ length: 100 }, () => slab.alloc());
      for (const [i, s] of slots.entries()) {
        slab.setVar(...value(s, 0), new Uint8Array(1 + (i % 40)));
        slab.setVar(...value(s, 1), new Uint8Array(300));
      }
      for (const s of slots) slab.free(s);
    };
    // Slots come back in another order, so a kept block may meet a longer value at first.
    for (let i = 0; i < 3; i++) round();
    const used = mem.used;
    for (let i = 0; i < 50; i++) round();
    expect(mem.used).toBe(used);
  });

  it("a value set from a view of host memory itself is copied before host memory can grow", () => {
    const mem = new HostMemory(1 << 30, 1);
    const slab = new RecordSlab(mem, 8, 2);
    const r = slab.alloc();
    slab.setVar(...value(r, 0), new Uint8Array(1000).fill(9));
    const pages = mem.memory.buffer.byteLength;
    // A value larger than what is left: its block grows host memory, detaching the view passed in.
    slab.setVar(...value(r, 1), mem.u8.subarray(0, pages));
    expect(mem.memory.buffer.byteLength).toBeGreaterThan(pages);
    expect(slab.valueLength(...value(r, 1))).toBe(pages);
    expect(Array.from(slab.varBytes(...value(r, 0)))).toEqual(new Array(1000).fill(9));
  });

  it("zeroes a reused record exactly, small (word stores) and large (fill), leaving its neighbours alone", () => {
    for (const size of [8, 256, 264, 1024]) {
      const mem = new HostMemory();
      const slab = new RecordSlab(mem, size, 0);
      const [before, a, after] = [slab.alloc(), slab.alloc(), slab.alloc()];
      mem.u8.fill(0xee, slab.addr[before], slab.addr[after] + size);
      slab.free(a);
      expect(slab.alloc()).toBe(a);
      const bytes = [...mem.u8.subarray(slab.addr[before], slab.addr[after] + size)];
      expect(bytes, `record of ${size} bytes`).toEqual([...new Array(size).fill(0xee), ...new Array(size).fill(0), ...new Array(size).fill(0xee)]);
    }
  });

  it("grows by chunks without moving live records (host memory grows under it)", () => {
    const mem = new HostMemory(64 * 65536, 1);
    const slab = new RecordSlab(mem, 4096, 0);
    const first = slab.alloc();
    const addr = slab.addr[first];
    mem.view.setUint32(addr, 0xdeadbeef, true);
    for (let i = 0; i < 200; i++) slab.alloc();
    expect(mem.memory.buffer.byteLength).toBeGreaterThan(65536);
    expect(slab.addr[first]).toBe(addr);
    expect(mem.view.getUint32(addr, true)).toBe(0xdeadbeef);
  });

  it("reports host memory exhaustion as a call error naming the budget", () => {
    const mem = new HostMemory(2 * 65536, 2);
    const slab = new RecordSlab(mem, 65536, 0);
    expect(() => slab.alloc()).toThrow(/^host memory budget \(hostMemoryBytes, 131072 bytes\) exhausted/);
  });

  it("a disposed slab's chunks are reused by the next slab of the same size class", () => {
    const mem = new HostMemory();
    const old = new RecordSlab(mem, 24, 0);
    old.free(old.alloc());
    const used = mem.used;
    const firstAddr = old.addr[0];
    old.dispose();
    const next = new RecordSlab(mem, 32, 0);
    const slot = next.alloc();
    expect(mem.used).toBe(used);
    expect(next.addr[slot]).toBe(firstAddr);
  });
});

describe("GuestMemory", () => {
  const guest = (): { mem: GuestMemory; memory: WebAssembly.Memory } => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 4 });
    const mem = new GuestMemory();
    mem.attach(memory);
    return { mem, memory };
  };

  it("splits and joins 64-bit values without BigInt arithmetic, including signed values", () => {
    expect(splitWide((5n << 32n) | 0x80000010n)).toEqual([0x80000010, 5]);
    expect(splitWide(-1n)).toEqual([0xffffffff, 0xffffffff]);
    expect(joinU64(0xfffffff0, 3)).toBe((3n << 32n) | 0xfffffff0n);
    expect(joinI64(0xffffffff, 0xffffffff)).toBe(-1n);
    expect(wideToNumber(-1, -1)).toBe(2 ** 64 - 1);
    expect(wideToNumber(0, 256)).toBe(2 ** 40);
  });

  it("wideValue: a number exactly when the 64 bits are a safe integer's two's complement, else the u64 as a bigint", () => {
    expect(wideValue(7, 0)).toBe(7);
    expect(wideValue(0xffffffff, 0x1fffff)).toBe(Number.MAX_SAFE_INTEGER);
    expect(wideValue(0, 0x200000)).toBe(2n ** 53n);
    expect(wideValue(0xffffffff, 0xffffffff)).toBe(-1);
    expect(wideValue(1, 0xffe00000)).toBe(-Number.MAX_SAFE_INTEGER);
    expect(wideValue(0, 0xffe00000)).toBe(2n ** 64n - 2n ** 53n); // -2^53: not safe
    expect(wideValue(0, 0x3ff00000)).toBe(0x3ff0_0000_0000_0000n); // the double 1.0's bits
    // returnWide gives back the same halves for either form.
    const slot = createWideSlot();
    for (const [lo, hi] of [[7, 0], [0xffffffff, 0x1fffff], [0, 0x200000], [0xfffffffe, 0xffffffff], [1, 0xffe00000], [0, 0xffe00000], [0x80000000, 0]]) {
      const back = returnWide(slot, wideValue(lo, hi));
      expect([back, slot.words[0]], `${lo}, ${hi}`).toEqual([lo, hi]);
    }
  });

  it("checks ranges against the current size, and sees growth from inside a guest call", () => {
    const { mem, memory } = guest();
    expect(() => checkRange(mem, 65535, 2, "x")).toThrow("x: range [65535, 65537) is outside guest memory (65536 bytes)");
    // An empty range must still start inside memory or right at its end (as wazero checks it).
    expect(() => checkRange(mem, 65536, 0, "x")).not.toThrow();
    expect(() => checkRange(mem, 65537, 0, "x")).toThrow("x: range [65537, 65537) is outside guest memory (65536 bytes)");
    expect(() => checkRange(mem, 0xffffffff, 0, "x")).toThrow(/outside guest memory/);
    const before = mem.u8();
    memory.grow(1);
    expect(before.length).toBe(0); // detached
    expect(() => checkRange(mem, 65535, 2, "x")).not.toThrow();
    expect(mem.u8().length).toBe(131072);
  });

  it("writes nothing when a value does not fit, and reads strings with and without the fast path", () => {
    const { mem } = guest();
    mem.u8().fill(0xa5, 0, 64);
    expect(() => writeInto(mem, 8, 3, "four", "dst")).toThrow("dst: 4 bytes do not fit in a buffer of 3");
    expect([...mem.u8().subarray(0, 64)].every((b) => b === 0xa5)).toBe(true);
    expect(writeInto(mem, 8, 16, "héllo", "dst")).toBe(6);
    expect(readString(mem, 8, 6, "s")).toBe("héllo");
    expect(readString(mem, 0, 0, "s")).toBe("");
    expect(() => readString(mem, 65530, 10, "s")).toThrow(/outside guest memory/);
  });
});
