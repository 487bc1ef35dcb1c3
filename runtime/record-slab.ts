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
 * they live in `vars[slot * varCount + varSlot]` as byte copies.
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
    for (let i = slot * vc, end = i + vc; i < end; i++) this.vars[i] = EMPTY;
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
    const base = this.mem.allocChunk(Math.max(this.recordSize, 1) * CHUNK_RECORDS);
    // Push in reverse so slots are handed out in ascending address order.
    for (let i = CHUNK_RECORDS - 1; i >= 0; i--) {
      this.addr[first + i] = base + i * this.recordSize;
      this.freeSlots[this.freeCount++] = first + i;
    }
    for (let i = first * this.varCount; i < total * this.varCount; i++) this.vars.push(EMPTY);
    this.slots = total;
  }
}
