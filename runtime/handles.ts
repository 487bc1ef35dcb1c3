/**
 * The handle table: every host object a guest sees is a u32 handle.
 *
 * Data structure design. Entries live in host memory (HostMemory, offset 0),
 * 16 bytes each, so host-side wasm can resolve a handle without calling JS
 * (runtime/fast-path/field-fast-path.wat reads Field and Data entries):
 *
 *   +0  u8   type         one HandleType bit; 0 = free
 *   +1  u8   fieldKind    Field: its FieldKind
 *   +2  u16  dataSource   DataSource, Field, records, packets, arrays: index of the data source
 *   +4  u32  generation   of the slot (1..GEN_MAX)
 *   +8  u32  Field: fieldOffset (byte offset of the value from the record's address;
 *                   for a variable-length field that of its value descriptor, which
 *                   precedes the record: negative, stored as u32; RecordSlab)
 *            Data, PacketSingle: recordAddress (in host memory)
 *            Map: fromNewMap (1 when newMap made the handle)
 *   +12 u32  Field: fieldId (DataSources.fields index)
 *            Data, PacketSingle: recordSlot (in the data source's slab)
 *
 * Words a type does not use are 0. `EntryWord` names every offset, the
 * accessors below read each word under its name, and `alloc` takes a
 * `NewHandle` record whose properties carry the same names.
 *
 * A handle is `gen << 13 | index` (index 1..4096, 0 is never valid; bit 31
 * stays clear for data-array element handles, `1<<31 | i<<16 | arr & 0xffff`).
 * The generation makes a released handle fail ("stale handle") instead of
 * silently reaching the object that later reuses its slot. Free slots are
 * reused first-in first-out, so a slot rests as long as possible before reuse
 * and the 18-bit generation (3 bits inside element handles) wraps rarely.
 * Objects that are not records (maps, readers, arrays; the array a pending
 * dataArrayNew record belongs to) sit in a parallel JS array, `objects[index]`.
 */
import { DataArrayElementFlag, FieldKind, FieldKindSize, MaxHandles } from "../generated/constants.js";
import type { DataArray } from "./data-source.js";
import { fail } from "./errors.js";
import { HANDLE_ENTRY_BYTES, type HostMemory } from "./host-memory.js";
import type { BpfMap } from "./maps/bpf-map.js";
import type { PerfReader } from "./perf/perf-reader.js";

/** Runtime handle types, one bit each, so a lookup can accept several. */
export const HandleType = {
  DataSource: 1,
  Field: 2,
  /** A record that is not a packet: callback data, an array element from dataArrayNew. */
  Data: 4,
  /** A single packet; also accepted where Data is. */
  PacketSingle: 8,
  /** A data array that is not a packet (callback data of an Array subscription). */
  DataArray: 16,
  /** An array packet; also accepted where DataArray is. */
  PacketArray: 32,
  Map: 64,
  PerfReader: 128,
} as const;

export const ANY_DATA = HandleType.Data | HandleType.PacketSingle;
export const ANY_ARRAY = HandleType.DataArray | HandleType.PacketArray;
export const ANY_PACKET = HandleType.PacketSingle | HandleType.PacketArray;
export const ANY_HANDLE = 255;

const TYPE_NAMES: Record<number, string> = {
  1: "DataSource", 2: "Field", 4: "Data", 8: "Packet", 16: "DataArray", 32: "Packet", 64: "Map", 128: "PerfReader",
};

export function handleTypeName(type: number): string {
  return TYPE_NAMES[type] ?? "free";
}

/** "Data or Packet" for an accept mask. */
function acceptedNames(accept: number): string {
  const names = [...new Set(Object.keys(TYPE_NAMES).map(Number).filter((t) => (accept & t) !== 0).map(handleTypeName))];
  return accept === ANY_HANDLE ? "a handle" : names.join(" or ");
}

const INDEX_BITS = 13;
const INDEX_MASK = (1 << INDEX_BITS) - 1;
const GEN_MAX = (1 << 18) - 1;

// Byte offsets of an entry's words. Plain constants, not EntryWord's properties, in the
// accessors: the field host functions inline them, and V8's inlining budget counts bytecode.
// The hot readers load whole words through HostMemory's Uint32Array (entries are 16-byte
// aligned), which V8 compiles to a plain load, where each DataView access measured ~1.5 ns more
// (bench field-access, JS path); the u16 data source index is the first word's high half. Typed
// arrays use the platform's byte order, so this assumes a little-endian host, as wasm's own
// memory layout and runtime/abi/wide.ts do.
const TYPE_AT = 0;
const FIELD_KIND_AT = 1;
const DATA_SOURCE_AT = 2;
const GENERATION_AT = 4;
const WORD8_AT = 8;
const WORD12_AT = 12;
/** The same layout in 32-bit words, for createFlatResolver. */
const WORDS_PER_ENTRY = HANDLE_ENTRY_BYTES / 4;
const GENERATION_WORD = GENERATION_AT / 4;
const WORD8_WORD = WORD8_AT / 4;

/**
 * Byte offsets of an entry's words (the layout above). The words at +8 and
 * +12 mean different things per handle type; each meaning has its name.
 */
export const EntryWord = {
  type: TYPE_AT,
  fieldKind: FIELD_KIND_AT,
  dataSource: DATA_SOURCE_AT,
  generation: GENERATION_AT,
  fieldOffset: WORD8_AT,
  recordAddress: WORD8_AT,
  fromNewMap: WORD8_AT,
  fieldId: WORD12_AT,
  recordSlot: WORD12_AT,
} as const;

/** What `alloc` writes into a new entry, per handle type. */
export type NewHandle =
  | { readonly type: typeof HandleType.DataSource; readonly dataSource: number }
  | {
      readonly type: typeof HandleType.Field;
      readonly dataSource: number;
      readonly fieldKind: number;
      readonly fieldOffset: number;
      readonly fieldId: number;
    }
  | {
      readonly type: typeof HandleType.Data | typeof HandleType.PacketSingle;
      readonly dataSource: number;
      readonly recordAddress: number;
      readonly recordSlot: number;
      /** The array a record from dataArrayNew waits to be appended to (append and release check it). */
      readonly pendingIn?: DataArray;
    }
  | { readonly type: typeof HandleType.DataArray | typeof HandleType.PacketArray; readonly dataSource: number; readonly array: DataArray }
  | { readonly type: typeof HandleType.Map; readonly fromNewMap: boolean; readonly map: BpfMap }
  | { readonly type: typeof HandleType.PerfReader; readonly reader: PerfReader };

/**
 * A field access resolved in one step over the entries' words, for the plain
 * case only: -1 for anything else, and the caller then resolves step by step
 * (HandleTable.entry, DataSources.resolveRecord), which says what is wrong or
 * finds an element. The same checks as field-fast-path.wat's resolution, and
 * for the same reason: written out over the words, a resolution costs ~4 ns
 * where the step-by-step one, reloading host memory's arrays at each step,
 * costs ~16 ns (bench/README.md).
 */
export interface FlatResolver {
  /**
   * Where a scalar access of `kind` to field `field` of record `data` reads or
   * writes in place: `field` a live Field handle of a fixed-size field, `data`
   * a live Data or single-packet handle (not an element handle) of the same
   * data source, `kind` a fixed-size kind of the field's size.
   */
  scalarAddress(field: number, data: number, kind: number): number;
  /**
   * The index in host memory's u32 words of the value descriptor (RecordSlab)
   * of variable-length field `field` (String, CString or Bytes) in record
   * `data`, both handles as for scalarAddress (field-fast-path.wat's
   * `$valueDescriptor`).
   */
  valueDescriptor(field: number, data: number): number;
  /** The data source index of a Field handle that scalarAddress or valueDescriptor accepted (not checked again). */
  fieldDataSource(field: number): number;
}

/**
 * A FlatResolver over `mem`'s handle table. Closures rather than methods of
 * HandleTable: each caller that makes its own (the JS fast path, per guest)
 * gets code V8 optimises for its calls alone, where one shared method
 * measured ~15% slower once FieldOps' calls reached it too (bench field-access).
 */
export function createFlatResolver(mem: HostMemory): FlatResolver {
  /** The word index of `field`'s entry when both handles are as scalarAddress needs them; -1 otherwise. */
  function recordFieldWord(field: number, data: number): number {
    const fi = field & INDEX_MASK;
    const di = data & INDEX_MASK;
    // Index 0 wraps to 2^32 - 1. An element handle (bit 31) fails the generation check below:
    // generations stay below 2^18.
    if ((fi - 1) >>> 0 >= MaxHandles || (di - 1) >>> 0 >= MaxHandles) return -1;
    const u32 = mem.u32;
    const fw = fi * WORDS_PER_ENTRY;
    const dw = di * WORDS_PER_ENTRY;
    // First words: type (low byte), fieldKind (second byte), data source (high half).
    const f0 = u32[fw];
    const d0 = u32[dw];
    if ((f0 & 0xff) !== HandleType.Field || u32[fw + GENERATION_WORD] !== field >>> INDEX_BITS) return -1;
    if ((d0 & ANY_DATA) === 0 || u32[dw + GENERATION_WORD] !== data >>> INDEX_BITS) return -1;
    return f0 >>> 16 === d0 >>> 16 ? fw : -1;
  }

  /** Record address of `data` plus the offset of the field whose entry is at word `fw`; a descriptor's wraps past 2^32. */
  function fieldPlace(fw: number, data: number): number {
    const u32 = mem.u32;
    return u32[(data & INDEX_MASK) * WORDS_PER_ENTRY + WORD8_WORD] + u32[fw + WORD8_WORD];
  }

  /** The size of the kind of the field whose entry is at word `fw` (a field's kind is 0..14). */
  function fieldSize(fw: number): number {
    return FieldKindSize[(mem.u32[fw] >>> 8) & 0xff];
  }

  return {
    scalarAddress(field, data, kind) {
      if (!(kind >= FieldKind.Bool && kind <= FieldKind.Float64)) return -1;
      const fw = recordFieldWord(field, data);
      if (fw === -1) return -1;
      const size = fieldSize(fw);
      return size !== 0 && FieldKindSize[kind] === size ? fieldPlace(fw, data) : -1;
    },
    valueDescriptor(field, data) {
      const fw = recordFieldWord(field, data);
      return fw !== -1 && fieldSize(fw) === 0 ? fieldPlace(fw, data) >>> 2 : -1;
    },
    fieldDataSource(field) {
      return mem.u32[(field & INDEX_MASK) * WORDS_PER_ENTRY] >>> 16;
    },
  };
}

export class HandleTable {
  readonly objects: unknown[] = new Array(MaxHandles + 1).fill(undefined);
  private readonly free = new Int32Array(MaxHandles);
  private freeHead = 0;
  private freeCount = MaxHandles;
  private live = 0;

  /** Resolution of field accesses in one step, for the plain case (`createFlatResolver`). */
  readonly flat: FlatResolver;

  constructor(private readonly mem: HostMemory) {
    for (let i = 0; i < MaxHandles; i++) this.free[i] = i + 1;
    this.flat = createFlatResolver(mem);
  }

  /** Handles alive now. */
  get size(): number {
    return this.live;
  }

  /**
   * Fails with "too many open handles", as alloc would, unless a handle is
   * free. Calls that create an object and then its handle check this first,
   * so a refused call creates nothing.
   */
  ensureFree(): void {
    if (this.freeCount === 0) fail(`too many open handles (${MaxHandles})`);
  }

  /**
   * Creates a handle. Fails with "too many open handles" when MaxHandles are
   * alive (the caller's error value then reaches the guest).
   *
   * Kept small, reading the record's words and passing them on, so V8
   * inlines it where the record is written as a literal and the literal is
   * never allocated (the emit path makes a handle per delivery).
   */
  alloc(handle: NewHandle): number {
    switch (handle.type) {
      case HandleType.DataSource:
        return this.put(handle.type, 0, handle.dataSource, 0, 0, undefined);
      case HandleType.Field:
        return this.put(handle.type, handle.fieldKind, handle.dataSource, handle.fieldOffset, handle.fieldId, undefined);
      case HandleType.Data:
      case HandleType.PacketSingle:
        return this.put(handle.type, 0, handle.dataSource, handle.recordAddress, handle.recordSlot, handle.pendingIn);
      case HandleType.DataArray:
      case HandleType.PacketArray:
        return this.put(handle.type, 0, handle.dataSource, 0, 0, handle.array);
      case HandleType.Map:
        return this.put(handle.type, 0, 0, handle.fromNewMap ? 1 : 0, 0, handle.map);
      case HandleType.PerfReader:
        return this.put(handle.type, 0, 0, 0, 0, handle.reader);
    }
  }

  /** Takes a free slot and writes every word of its entry (`word8`, `word12`: the words at +8 and +12, per EntryWord). */
  private put(type: number, fieldKind: number, dataSource: number, word8: number, word12: number, object: unknown): number {
    if (this.freeCount === 0) fail(`too many open handles (${MaxHandles})`);
    const index = this.free[this.freeHead];
    this.freeHead = (this.freeHead + 1) % MaxHandles;
    this.freeCount--;
    this.live++;
    const base = index * HANDLE_ENTRY_BYTES;
    const view = this.mem.view;
    let gen = view.getUint32(base + GENERATION_AT, true) + 1;
    if (gen > GEN_MAX) gen = 1;
    view.setUint8(base + TYPE_AT, type);
    view.setUint8(base + FIELD_KIND_AT, fieldKind);
    view.setUint16(base + DATA_SOURCE_AT, dataSource, true);
    view.setUint32(base + GENERATION_AT, gen, true);
    view.setUint32(base + 8, word8, true);
    view.setUint32(base + 12, word12, true);
    this.objects[index] = object;
    return ((gen << INDEX_BITS) | index) >>> 0;
  }

  /**
   * Resolves a handle to its entry's byte offset, checking that it is live,
   * current and of one of the `accept` types. Element handles (bit 31) are
   * not resolved here: see DataSources.resolveRecord. Kept this small so V8
   * inlines it into every host function; the messages are built in
   * `entryError`, off the hot path.
   */
  entry(handle: number, accept: number, what: string): number {
    const base = this.liveEntry(handle, accept);
    return base !== -1 ? base : this.entryError(handle, accept, what);
  }

  /** The entry offset of `handle` when it is live, current and of an `accept` type; else -1. */
  private liveEntry(handle: number, accept: number): number {
    const index = handle & INDEX_MASK;
    const base = index * HANDLE_ENTRY_BYTES;
    return (handle & DataArrayElementFlag) === 0 && index !== 0 && index <= MaxHandles &&
      (this.mem.u8[base + TYPE_AT] & accept) !== 0 &&
      this.mem.u32[(base + GENERATION_AT) >>> 2] === handle >>> INDEX_BITS
      ? base
      : -1;
  }

  /** Says why `entry` refused a handle. */
  private entryError(handle: number, accept: number, what: string): never {
    const index = handle & INDEX_MASK;
    if (handle === 0 || (handle & DataArrayElementFlag) !== 0 || index === 0 || index > MaxHandles) {
      fail(`${what}: invalid handle ${handle}`);
    }
    const base = index * HANDLE_ENTRY_BYTES;
    const type = this.mem.view.getUint8(base + TYPE_AT);
    if (type === 0 || this.mem.view.getUint32(base + GENERATION_AT, true) !== handle >>> INDEX_BITS) {
      fail(`${what}: stale or unknown handle ${handle}`);
    }
    fail(`${what}: bad handle type (handle ${handle} is a ${handleTypeName(type)}, not ${acceptedNames(accept)})`);
  }

  /** Entry offset of the array an element handle points into (3-bit generation check). */
  elementArrayEntry(handle: number, what: string): number {
    const index = handle & INDEX_MASK;
    if (index === 0 || index > MaxHandles) fail(`${what}: invalid element handle ${handle}`);
    const base = index * HANDLE_ENTRY_BYTES;
    const view = this.mem.view;
    const type = view.getUint8(base + TYPE_AT);
    if (type === 0 || (view.getUint32(base + GENERATION_AT, true) & 7) !== ((handle >>> INDEX_BITS) & 7)) {
      fail(`${what}: stale or unknown element handle ${handle}`);
    }
    if ((type & ANY_ARRAY) === 0) fail(`${what}: bad handle type (element handle ${handle} points into a ${handleTypeName(type)})`);
    return base;
  }

  typeAt(base: number): number {
    return this.mem.u8[base + TYPE_AT];
  }

  /** The data source's index (every type that belongs to a data source). */
  dataSourceIndex(base: number): number {
    return this.mem.u32[base >>> 2] >>> (DATA_SOURCE_AT * 8);
  }

  /** Field: its FieldKind. */
  fieldKind(base: number): number {
    return this.mem.u8[base + FIELD_KIND_AT];
  }

  /** Field: byte offset of the value from the record's address (variable-length fields: of its descriptor, a negative offset as u32; RecordSlab). */
  fieldOffset(base: number): number {
    return this.mem.u32[(base + WORD8_AT) >>> 2];
  }

  /** Field: the field's id. */
  fieldId(base: number): number {
    return this.mem.u32[(base + WORD12_AT) >>> 2];
  }

  /** Data, PacketSingle: the record's address in host memory. */
  recordAddress(base: number): number {
    return this.mem.u32[(base + WORD8_AT) >>> 2];
  }

  /** Data, PacketSingle: the record's slot in its data source's slab. */
  recordSlot(base: number): number {
    return this.mem.u32[(base + WORD12_AT) >>> 2];
  }

  /** Map: whether newMap made the handle. */
  fromNewMap(base: number): boolean {
    return this.mem.view.getUint32(base + WORD8_AT, true) === 1;
  }

  object<T>(base: number): T {
    return this.objects[base / HANDLE_ENTRY_BYTES] as T;
  }

  /** Frees the entry at `base` (from `entry`). The slot's generation moves on at its next use. */
  releaseEntry(base: number): void {
    const index = base / HANDLE_ENTRY_BYTES;
    this.mem.u8[base + TYPE_AT] = 0;
    this.objects[index] = undefined;
    this.free[(this.freeHead + this.freeCount) % MaxHandles] = index;
    this.freeCount++;
    this.live--;
  }

  /** Frees `handle` if it is still live and current; returns whether it did. */
  releaseIfLive(handle: number): boolean {
    const base = this.liveEntry(handle, ANY_HANDLE);
    if (base === -1) return false;
    this.releaseEntry(base);
    return true;
  }

  /** Checks and frees a handle. */
  release(handle: number, accept: number, what: string): void {
    this.releaseEntry(this.entry(handle, accept, what));
  }
}
