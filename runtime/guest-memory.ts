/**
 * Access to a guest's linear memory.
 *
 * Data structure design: we cache one Uint8Array and one DataView over the
 * guest's `memory.buffer`. Reading `memory.buffer` costs ~20 ns per access
 * (DESIGN.md), a cached view ~0.5 ns. When the guest's memory grows, its old
 * ArrayBuffer is detached and every view over it reports length 0; `u8()` and
 * `view()` check that one field and rebuild only then. This also covers growth
 * inside a nested guest call (a `malloc` or a callback): every accessor checks
 * again, so no caller ever holds a stale view across a guest call.
 *
 * Packed values (len << 32 | ptr in one i64) are split through a
 * BigUint64Array/Uint32Array pair sharing 8 bytes: one BigInt store and two
 * u32 loads, no BigInt arithmetic (36 ns vs 10 ns, DESIGN.md).
 *
 * Bounds: every range is checked against the current memory size before any
 * byte is read or written; a bad range throws HostCallError and writes
 * nothing. Lengths are plain numbers below 2^32, so `ptr + len` is exact.
 * A destination is checked for the bytes actually written, not for its whole
 * declared capacity, as IG's engine does (wazero Memory.Write of the value:
 * a buffer of capacity 100 that ends past memory takes a 4-byte value).
 */
import { DestinationTooSmallError, HostCallError } from "./errors.js";
import { decodeUtf8, encodeUtf8Into, utf8Length } from "./utf8.js";

const EMPTY = new Uint8Array(0);

export class GuestMemory {
  private memory: WebAssembly.Memory | null = null;
  private u8Cache: Uint8Array = EMPTY;
  private viewCache: DataView = new DataView(new ArrayBuffer(0));
  // Shared scratch for unpacking i64 values without BigInt arithmetic.
  private readonly scratch64 = new BigUint64Array(1);
  private readonly scratch32 = new Uint32Array(this.scratch64.buffer);
  /** Pointer and length of the last value `unpack` or `span` split. */
  ptr = 0;
  len = 0;

  /** Attaches the guest's exported memory (after instantiation). */
  attach(memory: WebAssembly.Memory): void {
    this.memory = memory;
    this.refresh();
  }

  get attached(): boolean {
    return this.memory !== null;
  }

  /** The guest memory as bytes; valid until the next guest call or growth. */
  u8(): Uint8Array {
    const u8 = this.u8Cache;
    if (u8.length !== 0) return u8;
    return this.refresh();
  }

  /** The guest memory as a DataView; valid until the next guest call or growth. */
  view(): DataView {
    if (this.u8Cache.length === 0) this.refresh();
    return this.viewCache;
  }

  /** Current size of guest memory in bytes. */
  get byteLength(): number {
    return this.u8().length;
  }

  private refresh(): Uint8Array {
    if (this.memory === null) throw new HostCallError("guest memory is not attached yet");
    const buffer = this.memory.buffer as ArrayBuffer;
    this.u8Cache = new Uint8Array(buffer);
    this.viewCache = new DataView(buffer);
    return this.u8Cache;
  }

  /** Splits a packed (len << 32 | ptr) value into `this.ptr` and `this.len`. */
  unpack(packed: bigint): void {
    this.scratch64[0] = packed;
    this.ptr = this.scratch32[0];
    this.len = this.scratch32[1];
  }

  /** Packs a pointer and a length into one i64 value. */
  pack(ptr: number, len: number): bigint {
    this.scratch32[0] = ptr;
    this.scratch32[1] = len;
    return this.scratch64[0];
  }

  /** Low 64 bits of an i64 as a number (exact below 2^53). */
  u64ToNumber(value: bigint): number {
    this.scratch64[0] = value;
    return this.scratch32[1] * 0x1_0000_0000 + this.scratch32[0];
  }

  /**
   * Unpacks a packed destination; returns its pointer and leaves its capacity
   * in `this.len`. Not bounds-checked here: `writeInto` checks the bytes it
   * writes (IG checks no more: pkg/operators/wasm/helpers.go writeToDstBuffer
   * and bufToStack write the value with wazero's Memory.Write, aeac857).
   */
  span(packed: bigint, _what: string): number {
    this.unpack(packed);
    return this.ptr;
  }

  /** Unpacks and bounds-checks a packed source range; returns its pointer, its length in `this.len`. */
  private source(packed: bigint, what: string): number {
    this.unpack(packed);
    this.check(this.ptr, this.len, what);
    return this.ptr;
  }

  /**
   * Throws unless [ptr, ptr+len) lies inside guest memory. As in IG's engine
   * (wazero's `offset + byteCount <= len(buffer)`), an empty range must start
   * inside memory or right at its end too.
   */
  check(ptr: number, len: number, what: string): void {
    if (ptr + len > this.u8().length) {
      throw new HostCallError(`${what}: range [${ptr}, ${ptr + len}) is outside guest memory (${this.u8().length} bytes)`);
    }
  }

  /** Decodes a packed UTF-8 string. 0 is the empty string. */
  readString(packed: bigint, what: string): string {
    const ptr = this.source(packed, what);
    if (this.len === 0) return "";
    return decodeUtf8(this.u8(), ptr, this.len);
  }

  /**
   * A view of a packed byte range. It aliases guest memory: valid only until
   * the guest runs again; copy it to keep it.
   */
  readBytes(packed: bigint, what: string): Uint8Array {
    const ptr = this.source(packed, what);
    if (this.len === 0) return EMPTY;
    return this.u8().subarray(ptr, ptr + this.len);
  }

  /**
   * Copies bytes or UTF-8 text to [ptr, ptr+cap). Returns the byte count.
   * Throws, writing nothing, when the value does not fit or the range is bad.
   */
  writeInto(ptr: number, cap: number, value: Uint8Array | string, what: string): number {
    const length = typeof value === "string" ? utf8Length(value) : value.length;
    if (length > cap) {
      throw new DestinationTooSmallError(`${what}: ${length} bytes do not fit in a buffer of ${cap}`);
    }
    this.check(ptr, length, what);
    // Text is encoded straight into guest memory, with no intermediate copy.
    if (typeof value === "string") encodeUtf8Into(value, length, this.u8(), ptr);
    else this.u8().set(value, ptr);
    return length;
  }

  /** Writes a little-endian u32; throws, writing nothing, when out of bounds. */
  writeU32(ptr: number, value: number, what: string): void {
    this.check(ptr, 4, what);
    this.view().setUint32(ptr, value, true);
  }

  /** Writes a little-endian u64; throws, writing nothing, when out of bounds. */
  writeU64(ptr: number, value: bigint, what: string): void {
    this.check(ptr, 8, what);
    this.view().setBigUint64(ptr, value, true);
  }

  readU32(ptr: number, what: string): number {
    this.check(ptr, 4, what);
    return this.view().getUint32(ptr, true);
  }
}
