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
 * they live in `vars[slot * varCount + varSlot]` as byte copies. Values the
 * guest stores (setVar) count in host memory's budget until their record is
 * freed or the value replaced; `counted` holds what each cell counted.
 */
import type { HostMemory } from "./host-memory.js";

const CHUNK_RECORDS = 64;
/** Records up to this many bytes are zeroed with word stores rather than TypedArray.fill. */
const SMALL_RECORD = 256;
const EMPTY = new Uint8Array(0);

export class RecordSlab {
  addr = new Uint32Array(CHUNK_RECORDS);
  private freeSlots = new Int32Array(CHUNK_RECORDS);
  private freeCount = 0;
  private slots = 0;
  private liveCount = 0;
  vars: Uint8Array[] = [];
  private counted: number[] = [];
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
    const vc = this.varCount;
    for (let i = slot * vc, end = i + vc; i < end; i++) this.vars[i] = EMPTY;
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
    const vc = this.varCount;
    for (let i = slot * vc, end = i + vc; i < end; i++) {
      this.vars[i] = EMPTY;
      if (this.counted[i] !== 0) {
        this.mem.refundValueBytes(this.counted[i]);
        this.counted[i] = 0;
      }
    }
  }

  /**
   * Stores a copy of `value` in variable-length cell `index`, counted in host
   * memory's budget (a replaced value's count is given back); fails, storing
   * nothing, past the budget.
   */
  setVar(index: number, value: Uint8Array): void {
    const delta = value.length - this.counted[index];
    if (delta > 0) this.mem.chargeValueBytes(delta);
    else this.mem.refundValueBytes(-delta);
    this.counted[index] = value.length;
    this.vars[index] = value.slice();
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
    for (const addr of this.chunks) this.mem.freeChunk(addr, this.chunkBytes);
    this.chunks.length = 0;
    this.slots = 0;
    this.freeCount = 0;
    this.vars = [];
    this.counted = [];
  }

  private grow(): void {
    const first = this.slots;
    const total = first + CHUNK_RECORDS;
    if (total > this.addr.length) {
      const addr = new Uint32Array(this.addr.length * 2);
      addr.set(this.addr);
      this.addr = addr;
      const freeSlots = new Int32Array(this.freeSlots.length * 2);
      freeSlots.set(this.freeSlots);
      this.freeSlots = freeSlots;
    }
    const base = this.mem.allocChunk(this.chunkBytes);
    this.chunks.push(base);
    // Push in reverse so slots are handed out in ascending address order.
    for (let i = CHUNK_RECORDS - 1; i >= 0; i--) {
      this.addr[first + i] = base + i * this.recordSize;
      this.freeSlots[this.freeCount++] = first + i;
    }
    for (let i = first * this.varCount; i < total * this.varCount; i++) {
      this.vars.push(EMPTY);
      this.counted.push(0);
    }
    this.slots = total;
  }
}
