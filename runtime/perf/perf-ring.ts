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
 */

/** Bytes of ring budget each record costs on top of its payload (perf's header). */
export const PERF_RECORD_HEADER_BYTES = 8;

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

  /** Length of the oldest pending record, or -1 when none is pending. */
  peekLength(): number {
    return this.#count === 0 ? -1 : this.#lens[this.#lenHead];
  }

  /** Appends a copy of `record`; returns false when it was dropped instead. */
  push(record: Uint8Array): boolean {
    const n = record.length;
    const cost = n + PERF_RECORD_HEADER_BYTES;
    if (this.paused || cost > this.capacity) {
      this.#lost++;
      return false;
    }
    if (this.#used + cost > this.capacity) {
      if (!this.overwritable) {
        this.#lost++;
        return false;
      }
      while (this.#used + cost > this.capacity) {
        this.#dropOldest();
        this.#lost++;
      }
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
    this.#lens[(this.#lenHead + this.#count) % this.#lens.length] = n;
    this.#count++;
    this.#dataBytes += n;
    this.#used += cost;
    return true;
  }

  /**
   * Moves the oldest record into `dst[0..length)` and returns its length.
   * The caller checks first that a record is pending and that `dst` fits it.
   */
  shiftInto(dst: Uint8Array): number {
    const n = this.#lens[this.#lenHead];
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

  /** Drops every pending record (not counted as lost) and releases the storage. */
  release(): void {
    this.#data = new Uint8Array(1);
    this.#lens = new Uint32Array(1);
    this.#dataHead = this.#dataBytes = this.#lenHead = this.#count = this.#used = 0;
  }

  #dropOldest(): void {
    const n = this.#lens[this.#lenHead];
    this.#count--;
    this.#used -= n + PERF_RECORD_HEADER_BYTES;
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
