/**
 * Fixed-size records of one data source, in host memory.
 *
 * Data structure design: records are carved from chunks of CHUNK_RECORDS
 * records each, bump-allocated in HostMemory; `addr[slot]` maps a slot number
 * to its address and `freeSlots` is a LIFO stack of recycled slots (the most
 * recently freed record is the one still in cache). Steady-state emit is
 * therefore allocation-free: alloc pops a slot and zeroes its bytes, free
 * pushes it back. Typed arrays double when full, which is amortised and
 * stops once the working set is reached.
 *
 * Variable-length values (String, CString, Bytes) do not fit a fixed record.
 * Each lives in a value block of host memory (HostMemory.allocBlock), and
 * the record has a value descriptor per variable-length field, in host
 * memory just before the record's fixed bytes:
 *
 *   addr - 16*n ... addr - 16                  addr               addr + recordSize
 *   | descriptor n-1 | ... | descriptor 0 |    | fixed-size fields |
 *
 *   descriptor: +0 u32 address of the block, +4 u32 length of the value,
 *               +8 u32 capacity of the block (0: no block),
 *               +12 u32 the value's number in the slab, `slot * varCount + k`
 *                   (written once: it indexes the views varBytes keeps)
 *
 * So a variable-length field's Field.offset, like a fixed-size one's, is a
 * byte offset from the record's address: a negative one, that of its
 * descriptor (`descriptorOffset`). Descriptors precede the record so that
 * adding a field of either kind moves no descriptor and no fixed field of
 * a handle made before; and they live in host memory so that the wasm fast
 * path reads a value's place and length the way it reads a fixed-size value
 * (runtime/fast-path/field-fast-path.wat).
 *
 * A value that fits its block is copied into it; a longer one moves to a
 * larger block. Freeing a record empties its values and gives their blocks
 * back, but for small ones (up to KEPT_BLOCK_MAX bytes), which stay for the
 * slot's next record: steady emit reuses them without allocating. So host
 * memory holds a value's block while a live record holds the value, and at
 * most a small block per descriptor of the slab's free slots.
 *
 * Whoever reads a value as bytes gets a view of host memory (`varBytes`),
 * valid until the value is set again or its record freed; readers that keep
 * values (FieldAccessor.get for Bytes) copy them.
 */
import { blockCapacity, type HostMemory } from "./host-memory.js";

const CHUNK_RECORDS = 64;
/** Records up to this many bytes are zeroed with word stores rather than TypedArray.fill. */
const SMALL_RECORD = 256;
const EMPTY = new Uint8Array(0);
/** Blocks up to this size are kept for any shorter value (moving would save little). */
const MIN_MOVED_BLOCK = 64;
/**
 * Blocks up to this size stay with their descriptor when the record is freed, for
 * the next record in that slot: steady emit then writes its strings in place
 * (and on the fast path) instead of taking a block per event. Larger blocks
 * go back to host memory.
 */
const KEPT_BLOCK_MAX = 256;

/** Bytes of one value descriptor (see above). */
export const DESCRIPTOR_BYTES = 16;
/** Word indexes (of 32 bits) inside a descriptor. */
export const DescriptorWord = { at: 0, length: 1, capacity: 2, number: 3 } as const;

/** The Field.offset of a data source's `k`th variable-length field (0-based): its descriptor's, negative. */
export function descriptorOffset(k: number): number {
  return -DESCRIPTOR_BYTES * (k + 1);
}

/**
 * Whether a value of `length` bytes goes into a block of `cap` bytes
 * in place: it fits, and the block is not more than four times too large
 * (then a short value replacing a long one gives the long one's bytes back,
 * and values whose length varies a little stay where they are).
 * field-fast-path.wat makes the same decision.
 */
export function fitsInPlace(length: number, cap: number): boolean {
  return length <= cap && (length > cap >>> 2 || cap <= MIN_MOVED_BLOCK);
}

export class RecordSlab {
  addr = new Uint32Array(CHUNK_RECORDS);
  private freeSlots = new Int32Array(CHUNK_RECORDS);
  private freeCount = 0;
  private slots = 0;
  private liveCount = 0;
  /** The last view varBytes made of each value, by its descriptor's `number` (see there). */
  private views: (Uint8Array | undefined)[] = [];
  /** Addresses of this slab's chunks, given back by `dispose`. */
  private readonly chunks: number[] = [];
  /** Bytes of descriptors before each record (a multiple of 16, so records stay 8-aligned). */
  private readonly prefixBytes: number;

  constructor(
    private readonly mem: HostMemory,
    /** Bytes of a record's fixed-size fields (a multiple of 8). */
    readonly recordSize: number,
    /** Variable-length fields: descriptors per record. */
    readonly varCount: number,
  ) {
    this.prefixBytes = varCount * DESCRIPTOR_BYTES;
  }

  /** Records in use. */
  get live(): number {
    return this.liveCount;
  }

  /** Allocates a record with its fixed bytes zeroed and its values empty; returns its slot. */
  alloc(): number {
    if (this.freeCount === 0) this.grow();
    const slot = this.freeSlots[--this.freeCount];
    this.liveCount++;
    this.zero(this.addr[slot]);
    // Its values were emptied when the slot was freed (or are new).
    return slot;
  }

  /**
   * Zeroes the record at `addr`. Records are 8-aligned and a multiple of 8
   * bytes, so small ones are cleared with 32-bit stores: TypedArray.fill
   * is a builtin call that costs ~18 ns even for 24 bytes, a third of an
   * emit (bench/emit).
   */
  private zero(addr: number): void {
    const size = this.recordSize;
    if (size > SMALL_RECORD) {
      this.mem.u8.fill(0, addr, addr + size);
      return;
    }
    const u32 = this.mem.u32;
    for (let i = addr >>> 2, end = (addr + size) >>> 2; i < end; i++) u32[i] = 0;
  }

  free(slot: number): void {
    this.freeSlots[this.freeCount++] = slot;
    this.liveCount--;
    const u32 = this.mem.u32;
    for (let k = 0; k < this.varCount; k++) {
      const d = this.descriptor(slot, descriptorOffset(k));
      if (u32[d + DescriptorWord.capacity] > KEPT_BLOCK_MAX) this.emptyValue(d);
      else u32[d + DescriptorWord.length] = 0;
    }
  }

  /**
   * The index in `mem.u32` of the descriptor at `offset` (a variable-length
   * field's Field.offset) of the record at `slot`: `DescriptorWord` says
   * which word after it holds what.
   */
  descriptor(slot: number, offset: number): number {
    return (this.addr[slot] + offset) >>> 2;
  }

  /** Address of the value's block (0: none). */
  valueAt(slot: number, offset: number): number {
    return this.mem.u32[this.descriptor(slot, offset) + DescriptorWord.at];
  }

  /** Length of the value in bytes. */
  valueLength(slot: number, offset: number): number {
    return this.mem.u32[this.descriptor(slot, offset) + DescriptorWord.length];
  }

  /** Capacity of the value's block (0: none). */
  valueCapacity(slot: number, offset: number): number {
    return this.mem.u32[this.descriptor(slot, offset) + DescriptorWord.capacity];
  }

  /** Gives the block of the value at descriptor `d` (`descriptor`) back; the value is empty. */
  private emptyValue(d: number): void {
    const u32 = this.mem.u32;
    u32[d + DescriptorWord.length] = 0;
    this.views[u32[d + DescriptorWord.number]] = undefined;
    const cap = u32[d + DescriptorWord.capacity];
    if (cap === 0) return;
    this.mem.freeBlock(u32[d + DescriptorWord.at], cap);
    u32[d + DescriptorWord.at] = 0;
    u32[d + DescriptorWord.capacity] = 0;
  }

  /**
   * The value at `offset` of the record at `slot`: a view of host memory,
   * valid until the value is set again or its record freed. The view is kept
   * for the next call, so reading a value that did not move or change length
   * makes no object (a view costs ~20 ns, more than the rest of a JS-path
   * fieldGetBuffer); a view made before host memory grew has length 0 and
   * is made again.
   */
  varBytes(slot: number, offset: number): Uint8Array {
    return this.descriptorBytes(this.descriptor(slot, offset));
  }

  /** varBytes of the descriptor at word `d` of host memory (`descriptor`). */
  descriptorBytes(d: number): Uint8Array {
    const u32 = this.mem.u32;
    // A moved value has no kept view (reserveVar drops it); a detached one has length 0.
    const kept = this.views[u32[d + DescriptorWord.number]];
    return kept !== undefined && kept.length === u32[d + DescriptorWord.length] && kept.length !== 0 ? kept : this.freshView(d);
  }

  /** descriptorBytes without a kept view (small descriptorBytes is inlined into its callers). */
  private freshView(d: number): Uint8Array {
    const u32 = this.mem.u32;
    const length = u32[d + DescriptorWord.length];
    if (length === 0) return EMPTY;
    const at = u32[d + DescriptorWord.at];
    const view = this.mem.u8.subarray(at, at + length);
    this.views[u32[d + DescriptorWord.number]] = view;
    return view;
  }

  /**
   * Makes the value at `offset` of the record at `slot` hold `length` bytes
   * and returns where they go (the caller writes them): in place when
   * `fitsInPlace`, else in a new block, the old one given back. Fails,
   * changing nothing, past host memory's budget.
   */
  reserveVar(slot: number, offset: number, length: number): number {
    const d = this.descriptor(slot, offset);
    if (!fitsInPlace(length, this.mem.u32[d + DescriptorWord.capacity])) {
      if (length === 0) {
        this.emptyValue(d);
        return 0;
      }
      // The new block first: past the budget, allocBlock throws with the value as it was.
      const at = this.mem.allocBlock(length);
      this.emptyValue(d);
      // Read mem.u32 after allocBlock: it may have grown host memory.
      this.mem.u32[d + DescriptorWord.at] = at;
      this.mem.u32[d + DescriptorWord.capacity] = blockCapacity(length);
    }
    const u32 = this.mem.u32;
    u32[d + DescriptorWord.length] = length;
    return u32[d + DescriptorWord.at];
  }

  /** Stores a copy of `value` at `offset` of the record at `slot` (see reserveVar). `value` may be a view of any memory. */
  setVar(slot: number, offset: number, value: Uint8Array): void {
    // A view of host memory itself would be detached if reserveVar grows it for a new block: copy it
    // out first. Only then: `buffer` of a small JS array makes its ArrayBuffer, a cost per call.
    if (!fitsInPlace(value.length, this.valueCapacity(slot, offset)) && value.buffer === this.mem.u8.buffer) value = value.slice();
    const at = this.reserveVar(slot, offset, value.length);
    // Read mem.u8 after reserveVar: a new block may have grown host memory.
    this.mem.u8.set(value, at);
  }

  private get chunkBytes(): number {
    return Math.max(this.prefixBytes + this.recordSize, 1) * CHUNK_RECORDS;
  }

  /**
   * Gives every chunk back to host memory. Only for a slab with no live
   * record, that nothing uses afterwards (a data source whose layout changed).
   */
  dispose(): void {
    if (this.liveCount !== 0) throw new Error(`internal: disposing a slab with ${this.liveCount} live records`);
    // Free slots keep small blocks (see free).
    for (let slot = 0; slot < this.slots; slot++) for (let k = 0; k < this.varCount; k++) this.emptyValue(this.descriptor(slot, descriptorOffset(k)));
    for (const addr of this.chunks) this.mem.freeChunk(addr, this.chunkBytes);
    this.chunks.length = 0;
    this.slots = 0;
    this.freeCount = 0;
    this.views = [];
  }

  private grow(): void {
    const first = this.slots;
    const total = first + CHUNK_RECORDS;
    if (total > this.addr.length) {
      this.addr = withLength(this.addr, this.addr.length * 2);
      this.freeSlots = withLength(this.freeSlots, this.freeSlots.length * 2);
    }
    // A chunk comes zeroed: its descriptors say "empty, no block".
    const base = this.mem.allocChunk(this.chunkBytes);
    this.chunks.push(base);
    const stride = this.prefixBytes + this.recordSize;
    // Push in reverse so slots are handed out in ascending address order.
    for (let i = CHUNK_RECORDS - 1; i >= 0; i--) {
      const slot = first + i;
      this.addr[slot] = base + i * stride + this.prefixBytes;
      this.freeSlots[this.freeCount++] = slot;
      for (let k = 0; k < this.varCount; k++) this.mem.u32[this.descriptor(slot, descriptorOffset(k)) + DescriptorWord.number] = slot * this.varCount + k;
    }
    const values = total * this.varCount;
    while (this.views.length < values) this.views.push(undefined);
    this.slots = total;
  }
}

/** A copy of `array` with room for `length` entries, the new ones 0. */
function withLength<T extends Uint32Array<ArrayBuffer> | Int32Array<ArrayBuffer>>(array: T, length: number): T {
  const grown = new (array.constructor as new (length: number) => T)(length);
  grown.set(array);
  return grown;
}
