/**
 * Emulated perf readers over PerfEventArray maps (pure TypeScript).
 *
 * Data structures, and why:
 * - `PerfBuffer`: one per PerfEventArray `BpfMap`, found through a `WeakMap`
 *   keyed by the map (so it goes away with the map, and the map stays a plain
 *   data object). It keeps the rings of its open readers in a `Set`
 *   (insertion-ordered, O(1) add/remove on open/close); `write` copies the
 *   record into each of them.
 * - `PerfReader`: owns one `PerfRing` (runtime/perf/perf-ring.ts) of `size`
 *   bytes, allocated once at open: a circular byte buffer plus a circular
 *   length queue, with perf's budget of `length + 8` bytes per record. Reads
 *   copy the oldest record straight out of the ring into the caller's buffer;
 *   nothing is allocated per record. Every reader has its own ring, so readers
 *   of the same map do not steal records from one another.
 * - Linux has one ring per CPU; the emulation has a single "CPU", so records
 *   come out in write order.
 */
import { DestinationTooSmallError, fail } from "../errors.js";
import { BpfMap } from "../maps/bpf-map.js";
import { MapType } from "../../generated/constants.js";
import { LOST_RECORD, PerfRing } from "./perf-ring.js";

export { PERF_RECORD_HEADER_BYTES } from "./perf-ring.js";

/** What `read` found: a record, nothing, or a lost-samples record (records were dropped; nothing copied). */
export const PerfReadStatus = { Ok: 0, Error: 1, NothingToRead: 2, Lost: 3 } as const;
export type PerfReadStatus = (typeof PerfReadStatus)[keyof typeof PerfReadStatus];

/** Largest ring a reader may ask for (allocated up front). */
export const MAX_PERF_RING_BYTES = 256 * 1024 * 1024;

/** Fails unless `size` is a ring size a reader may have. */
export function checkPerfReaderSize(size: number): void {
  if (typeof size !== "number" || !Number.isInteger(size) || size <= 0 || size > MAX_PERF_RING_BYTES) {
    fail(`perf reader size must be an integer in 1..${MAX_PERF_RING_BYTES}, got ${String(size)}`);
  }
}

function describe(map: BpfMap): string {
  return map.spec.name === "" ? "unnamed map" : `map ${JSON.stringify(map.spec.name)}`;
}

function requirePerfEventArray(map: BpfMap, what: string): void {
  if (!(map instanceof BpfMap)) fail(`${what} needs a BpfMap`);
  if (map.spec.type !== MapType.PerfEventArray) {
    fail(`${what} needs a perf event array map (type ${MapType.PerfEventArray}), ${describe(map)} has type ${map.spec.type}`);
  }
}

const buffers = new WeakMap<BpfMap, PerfBuffer>();
let ringsOf: (buffer: PerfBuffer) => Set<PerfRing>;

/** The emulated perf buffers of one PerfEventArray map; embedding code writes records into it. */
export class PerfBuffer {
  readonly map: BpfMap;
  readonly #rings = new Set<PerfRing>();

  static {
    ringsOf = (buffer) => buffer.#rings;
  }

  private constructor(map: BpfMap) {
    this.map = map;
  }

  /** The (single) PerfBuffer of `map`; fails unless `map` is a PerfEventArray. */
  static of(map: BpfMap): PerfBuffer {
    requirePerfEventArray(map, "a perf buffer");
    let buffer = buffers.get(map);
    if (buffer === undefined) {
      buffer = new PerfBuffer(map);
      buffers.set(map, buffer);
    }
    return buffer;
  }

  /** Open readers of this map (paused ones included). */
  get readers(): number {
    return this.#rings.size;
  }

  /**
   * Delivers a copy of `record` to every open reader of the map. A paused or
   * full (non-overwritable) reader drops it and counts it lost; with no open
   * reader the record is simply discarded.
   */
  write(record: Uint8Array): void {
    if (!(record instanceof Uint8Array)) fail("a perf record must be a Uint8Array");
    for (const ring of this.#rings) ring.push(record);
  }
}

/** A perf reader (`newPerfReader`) over a PerfEventArray map. */
export class PerfReader {
  readonly map: BpfMap;
  /** Ring size in bytes, as requested. */
  readonly size: number;
  readonly overwritable: boolean;
  readonly #buffer: PerfBuffer;
  readonly #ring: PerfRing;
  #closed = false;
  #lastLength = 0;

  private constructor(map: BpfMap, size: number, overwritable: boolean) {
    this.map = map;
    this.size = size;
    this.overwritable = overwritable;
    this.#buffer = PerfBuffer.of(map);
    this.#ring = new PerfRing(size, overwritable);
    ringsOf(this.#buffer).add(this.#ring);
  }

  /**
   * Opens a reader with a ring of `size` bytes (each record costs its length
   * plus 8). Fails on a map that is not a PerfEventArray, or a size that is not
   * an integer in 1..MAX_PERF_RING_BYTES.
   */
  static open(map: BpfMap, size: number, overwritable: boolean): PerfReader {
    requirePerfEventArray(map, "a perf reader");
    checkPerfReaderSize(size);
    return new PerfReader(map, size, overwritable === true);
  }

  /** Length of the record copied by the last read that returned Ok (0 before any). */
  get lastLength(): number {
    return this.#lastLength;
  }

  /** Records waiting to be read. */
  get pending(): number {
    return this.#ring.pending;
  }

  /** Records this reader dropped: ring full, record larger than the ring, overwritten, or written while paused. */
  get lost(): number {
    return this.#ring.lost;
  }

  get paused(): boolean {
    return this.#ring.paused;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Stops accepting records (they are dropped and counted lost); pending ones stay readable. Idempotent. */
  pause(): void {
    this.#checkOpen("pause");
    this.#ring.paused = true;
  }

  /** Accepts records again. Idempotent. */
  resume(): void {
    this.#checkOpen("resume");
    this.#ring.paused = false;
  }

  /** Detaches the reader and discards its pending records; every later call throws. */
  close(): void {
    this.#checkOpen("close");
    this.#closed = true;
    ringsOf(this.#buffer).delete(this.#ring);
    this.#ring.release();
  }

  /**
   * Length of the oldest pending record; -1 when none is pending, 0 for a
   * lost-samples record.
   */
  get nextLength(): number {
    this.#checkOpen("read");
    const n = this.#ring.peekLength();
    return n === LOST_RECORD ? 0 : n;
  }

  /** Drops the oldest pending record, if any. */
  skip(): void {
    this.#checkOpen("skip");
    if (this.#ring.peekLength() >= 0) this.#ring.discardOldest();
  }

  /**
   * Copies the oldest pending record into `dst` and returns Ok (its length is
   * `lastLength`), returns Lost for a lost-samples record (records were
   * dropped because the ring was full; nothing is copied), or returns
   * NothingToRead. Throws, keeping the record, when `dst` is shorter than the
   * record; throws when the reader is closed.
   */
  read(dst: Uint8Array): PerfReadStatus {
    this.#checkOpen("read");
    const ring = this.#ring;
    const n = ring.peekLength();
    if (n < 0) return PerfReadStatus.NothingToRead;
    if (n === LOST_RECORD) {
      ring.discardOldest();
      return PerfReadStatus.Lost;
    }
    if (dst.length < n) {
      throw new DestinationTooSmallError(`destination of ${dst.length} bytes is too small for the next perf record of ${n} bytes`);
    }
    ring.shiftInto(dst);
    this.#lastLength = n;
    return PerfReadStatus.Ok;
  }

  #checkOpen(op: string): void {
    if (this.#closed) fail(`perf reader on ${describe(this.map)} is closed (${op})`);
  }
}
