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
 * Variable-length values (String, CString, Bytes) do not fit a fixed record;
 * each record has `varCount` value cells, cell `slot * varCount + varSlot`,
 * and a cell's value lives in a value block of host memory
 * (HostMemory.allocBlock): `varAt[cell]` is its address, `varLen[cell]` its
 * length and `varCap[cell]` the block's size (0: no block). A value that fits
 * its cell's block is copied into it; a longer one moves the cell to a
 * larger block. Freeing a record empties its cells and gives their blocks
 * back, but for small ones (up to KEPT_BLOCK_MAX bytes), which stay for the
 * slot's next record: steady emit reuses them without allocating. So host
 * memory holds a value's block while a live record holds the value, and at
 * most a small block per cell of the slab's free slots.
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
 * Blocks up to this size stay with their cell when the record is freed, for
 * the next record in that slot: steady emit then writes its strings in place
 * (and on the fast path) instead of taking a block per event. Larger blocks
 * go back to host memory.
 */
const KEPT_BLOCK_MAX = 256;

/**
 * Whether a value of `length` bytes goes into a cell's block of `cap` bytes
 * in place: it fits, and the block is not more than four times too large
 * (then a short value replacing a long one gives the long one's bytes back,
 * and values whose length varies a little stay where they are).
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
  /** Value cells, `slot * varCount + varSlot`: the value's address, length and block capacity. */
  varAt = new Uint32Array(0);
  varLen = new Uint32Array(0);
  varCap = new Uint32Array(0);
  /** The last view varBytes made of each cell (see there). */
  private views: (Uint8Array | undefined)[] = [];
  /** Addresses of this slab's chunks, given back by `dispose`. */
  private readonly chunks: number[] = [];

  constructor(
    private readonly mem: HostMemory,
    readonly recordSize: number,
    readonly varCount: number,
  ) {}

  /** Records in use. */
  get live(): number {
    return this.liveCount;
  }

  /** Allocates a zeroed record; returns its slot. */
  alloc(): number {
    if (this.freeCount === 0) this.grow();
    const slot = this.freeSlots[--this.freeCount];
    this.liveCount++;
    this.zero(this.addr[slot]);
    // Its value cells were emptied when the slot was freed (or are new).
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
    for (let i = this.cell(slot, 0), end = i + this.varCount; i < end; i++) {
      if (this.varCap[i] > KEPT_BLOCK_MAX) this.emptyCell(i);
      else this.varLen[i] = 0;
    }
  }

  /** The value cell of variable-length field `varSlot` (its Field.offset) in the record at `slot`. */
  cell(slot: number, varSlot: number): number {
    return slot * this.varCount + varSlot;
  }

  /** Gives cell `index`'s block back; its value is empty. */
  private emptyCell(index: number): void {
    this.varLen[index] = 0;
    this.views[index] = undefined;
    if (this.varCap[index] === 0) return;
    this.mem.freeBlock(this.varAt[index], this.varCap[index]);
    this.varAt[index] = 0;
    this.varCap[index] = 0;
  }

  /**
   * The value in cell `index`: a view of host memory, valid until the cell is
   * set again or its record freed. The view is kept for the next call, so
   * reading a value that did not move or change length makes no object
   * (a view costs ~20 ns, more than the rest of a fieldGetBuffer); a view
   * made before host memory grew has length 0 and is made again.
   */
  varBytes(index: number): Uint8Array {
    // A moved value has no kept view (reserveVar drops it); a detached one has length 0.
    const kept = this.views[index];
    return kept !== undefined && kept.length === this.varLen[index] && kept.length !== 0 ? kept : this.freshView(index);
  }

  /** varBytes without a kept view (small varBytes is inlined into the field functions). */
  private freshView(index: number): Uint8Array {
    const length = this.varLen[index];
    if (length === 0) return EMPTY;
    const at = this.varAt[index];
    const view = this.mem.u8.subarray(at, at + length);
    this.views[index] = view;
    return view;
  }

  /**
   * Makes cell `index` hold `length` bytes and returns where they go (the
   * caller writes them): in place when `fitsInPlace`, else in a new block,
   * the old one given back. Fails, changing nothing, past host memory's
   * budget.
   */
  reserveVar(index: number, length: number): number {
    if (!fitsInPlace(length, this.varCap[index])) {
      if (length === 0) {
        this.emptyCell(index);
        return 0;
      }
      // The new block first: past the budget, allocBlock throws with the cell as it was.
      const at = this.mem.allocBlock(length);
      this.emptyCell(index);
      this.varAt[index] = at;
      this.varCap[index] = blockCapacity(length);
    }
    this.varLen[index] = length;
    return this.varAt[index];
  }

  /** Stores a copy of `value` in cell `index` (see reserveVar). `value` may be a view of any memory. */
  setVar(index: number, value: Uint8Array): void {
    // A view of host memory itself would be detached if reserveVar grows it for a new block: copy it
    // out first. Only then: `buffer` of a small JS array makes its ArrayBuffer, a cost per call.
    if (!fitsInPlace(value.length, this.varCap[index]) && value.buffer === this.mem.u8.buffer) value = value.slice();
    const at = this.reserveVar(index, value.length);
    // Read mem.u8 after reserveVar: a new block may have grown host memory.
    this.mem.u8.set(value, at);
  }

  private get chunkBytes(): number {
    return Math.max(this.recordSize, 1) * CHUNK_RECORDS;
  }

  /**
   * Gives every chunk back to host memory. Only for a slab with no live
   * record, that nothing uses afterwards (a data source whose layout changed).
   */
  dispose(): void {
    if (this.liveCount !== 0) throw new Error(`internal: disposing a slab with ${this.liveCount} live records`);
    // Free slots keep small blocks (see free).
    for (let i = 0; i < this.varCap.length; i++) if (this.varCap[i] !== 0) this.emptyCell(i);
    for (const addr of this.chunks) this.mem.freeChunk(addr, this.chunkBytes);
    this.chunks.length = 0;
    this.slots = 0;
    this.freeCount = 0;
    this.varAt = new Uint32Array(0);
    this.varLen = new Uint32Array(0);
    this.varCap = new Uint32Array(0);
    this.views = [];
  }

  private grow(): void {
    const first = this.slots;
    const total = first + CHUNK_RECORDS;
    if (total > this.addr.length) {
      this.addr = withLength(this.addr, this.addr.length * 2);
      this.freeSlots = withLength(this.freeSlots, this.freeSlots.length * 2);
    }
    const base = this.mem.allocChunk(this.chunkBytes);
    this.chunks.push(base);
    // Push in reverse so slots are handed out in ascending address order.
    for (let i = CHUNK_RECORDS - 1; i >= 0; i--) {
      this.addr[first + i] = base + i * this.recordSize;
      this.freeSlots[this.freeCount++] = first + i;
    }
    const cells = total * this.varCount;
    if (cells > this.varAt.length) {
      const grown = Math.max(cells, this.varAt.length * 2);
      this.varAt = withLength(this.varAt, grown);
      this.varLen = withLength(this.varLen, grown);
      this.varCap = withLength(this.varCap, grown);
      while (this.views.length < grown) this.views.push(undefined);
    }
    this.slots = total;
  }
}

/** A copy of `array` with room for `length` entries, the new ones 0. */
function withLength<T extends Uint32Array<ArrayBuffer> | Int32Array<ArrayBuffer>>(array: T, length: number): T {
  const grown = new (array.constructor as new (length: number) => T)(length);
  grown.set(array);
  return grown;
}
