/**
 * The byte-budgeted record ring behind one emulated perf reader.
 *
 * Data structure, and why:
 * - A circular `Uint8Array` holds the record payloads back to back (a record
 *   may wrap around the end), and a circular `Uint32Array` holds their
 *   lengths. Both are allocated once, when the reader opens; writing and
 *   reading copy bytes in place, so the steady state allocates nothing
 *   (apart from the `subarray` views needed to copy across the wrap point).
 * - The budget is perf's: each record costs `length + 8` bytes (the record
 *   header) of `capacity`. Because every record costs at least 8 bytes, at
 *   most `floor(capacity / 8)` records are pending, and their payloads fit in
 *   `capacity - 8` bytes; that bounds both arrays.
 * - Records are read oldest first (FIFO) in both modes. Overwritable mode
 *   drops the oldest records to make room; non-overwritable mode drops the new
 *   record. Drops (and writes while paused) are counted in `lost`.
 * - As the kernel does for a non-overwritable ring, records dropped because
 *   the ring was full (or the record too large for it) are reported by a
 *   "lost" record, queued just before the next record that fits (it costs
 *   LOST_RECORD_BYTES, perf's header plus two u64). A read meets it as a
 *   record of length LOST_RECORD. Writes while paused are not reported so:
 *   a paused reader's map slots are empty, the writer fails and nothing
 *   reaches the ring.
 */

/** Bytes of ring budget each record costs on top of its payload (perf's header). */
export const PERF_RECORD_HEADER_BYTES = 8;
/** Ring budget of a lost-samples record (PERF_RECORD_LOST: header, id, count). */
export const LOST_RECORD_BYTES = 24;
/** What `peekLength` says for a lost-samples record. */
export const LOST_RECORD = 0xffff_ffff;

export class PerfRing {
  readonly capacity: number;
  readonly overwritable: boolean;
  /** While true, `push` drops every record (counted in `lost`). */
  paused = false;

  #data: Uint8Array;
  #lens: Uint32Array;
  #dataHead = 0; // index of the oldest payload byte
  #dataBytes = 0; // payload bytes pending
  #lenHead = 0; // index of the oldest length
  #count = 0; // records pending
  #used = 0; // budget used: sum of (length + header)
  #lost = 0;
  /** Records dropped (ring full, not paused) since the last lost-samples record was queued. */
  #unreported = 0;

  constructor(capacity: number, overwritable: boolean) {
    this.capacity = capacity;
    this.overwritable = overwritable;
    this.#data = new Uint8Array(Math.max(capacity - PERF_RECORD_HEADER_BYTES, 1));
    this.#lens = new Uint32Array(Math.max(Math.floor(capacity / PERF_RECORD_HEADER_BYTES), 1));
  }

  /** Records pending. */
  get pending(): number {
    return this.#count;
  }

  /** Records dropped so far (ring full, record too large, overwritten, or paused). */
  get lost(): number {
    return this.#lost;
  }

  /** Budget bytes in use (payloads plus 8 per record). */
  get usedBytes(): number {
    return this.#used;
  }

  /** Length of the oldest pending record (LOST_RECORD for a lost-samples record), or -1 when none is pending. */
  peekLength(): number {
    return this.#count === 0 ? -1 : this.#lens[this.#lenHead];
  }

  /** Appends a copy of `record`; returns false when it was dropped instead. */
  push(record: Uint8Array): boolean {
    const n = record.length;
    const cost = n + PERF_RECORD_HEADER_BYTES;
    if (this.paused) {
      this.#lost++;
      return false;
    }
    // A lost-samples record goes first, when records were dropped since the last one.
    const lostCost = this.#unreported > 0 ? LOST_RECORD_BYTES : 0;
    if (cost + lostCost > this.capacity) return this.#drop();
    if (this.#used + cost + lostCost > this.capacity) {
      if (!this.overwritable) return this.#drop();
      while (this.#used + cost > this.capacity) {
        this.#dropOldest();
        this.#lost++;
      }
    }
    if (lostCost > 0) {
      this.#queueLength(LOST_RECORD, LOST_RECORD_BYTES);
      this.#unreported = 0;
    }
    const data = this.#data;
    const cap = data.length;
    const tail = (this.#dataHead + this.#dataBytes) % cap;
    const first = cap - tail;
    if (n <= first) {
      data.set(record, tail);
    } else {
      data.set(record.subarray(0, first), tail);
      data.set(record.subarray(first), 0);
    }
    this.#queueLength(n, cost);
    this.#dataBytes += n;
    return true;
  }

  #drop(): false {
    this.#lost++;
    if (!this.overwritable) this.#unreported++;
    return false;
  }

  #queueLength(n: number, cost: number): void {
    this.#lens[(this.#lenHead + this.#count) % this.#lens.length] = n;
    this.#count++;
    this.#used += cost;
  }

  /**
   * Moves the oldest record into `dst[0..length)` and returns its length.
   * The caller checks first that a record is pending and that `dst` fits it.
   */
  shiftInto(dst: Uint8Array): number {
    const n = this.#lens[this.#lenHead];
    if (n === LOST_RECORD) {
      this.#dropOldest();
      return 0;
    }
    const data = this.#data;
    const head = this.#dataHead;
    const first = data.length - head;
    if (n <= first) {
      dst.set(data.subarray(head, head + n));
    } else {
      dst.set(data.subarray(head, data.length));
      dst.set(data.subarray(0, n - first), first);
    }
    this.#dropOldest();
    return n;
  }

  /** Drops the oldest pending record (the caller checks that one is pending), as a read would take it. */
  discardOldest(): void {
    this.#dropOldest();
  }

  /** Drops every pending record (not counted as lost) and releases the storage. */
  release(): void {
    this.#data = new Uint8Array(1);
    this.#lens = new Uint32Array(1);
    this.#dataHead = this.#dataBytes = this.#lenHead = this.#count = this.#used = this.#unreported = 0;
  }

  #dropOldest(): void {
    const lost = this.#lens[this.#lenHead] === LOST_RECORD;
    const n = lost ? 0 : this.#lens[this.#lenHead];
    this.#count--;
    this.#used -= lost ? LOST_RECORD_BYTES : n + PERF_RECORD_HEADER_BYTES;
    if (this.#count === 0) {
      // Empty: restart at 0 so the next records do not wrap needlessly.
      this.#dataHead = this.#dataBytes = this.#lenHead = 0;
      return;
    }
    this.#dataHead = (this.#dataHead + n) % this.#data.length;
    this.#dataBytes -= n;
    this.#lenHead = (this.#lenHead + 1) % this.#lens.length;
  }
}
