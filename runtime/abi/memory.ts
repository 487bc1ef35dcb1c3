/**
 * Guest memory as the generated shims see it: a two-method interface and
 * pure functions over it. A pointer and a length always arrive as two
 * numbers (the generated trampolines split every packed i64 before JS sees
 * it), so nothing here keeps state between calls.
 *
 * Bounds: every range is checked against the current memory size before any
 * byte is read or written; a bad range throws HostCallError and writes
 * nothing. Pointers and lengths are u32 numbers, so `ptr + len` is exact.
 * A destination is checked for the bytes actually written, not for its whole
 * declared capacity, as IG's engine does (wazero's Memory.Write of the value;
 * IG pkg/operators/wasm/helpers.go writeToDstBuffer, aeac857).
 */
import { DestinationTooSmallError, HostCallError } from "../errors.js";
import { decodeUtf8, encodeUtf8Into, utf8Length } from "../utf8.js";

/**
 * The calling module's linear memory. Both views must be current: after the
 * module's memory grows, the old buffer is detached, so an implementation
 * either re-reads `memory.buffer` or caches views and rebuilds them when they
 * report length 0 (see `viewsOf`).
 */
export interface GuestMemoryAccess {
  /** The whole memory as bytes. */
  u8(): Uint8Array;
  /** The whole memory as a DataView (little-endian reads and writes). */
  view(): DataView;
}

const EMPTY = new Uint8Array(0);

/**
 * Cached views over a `WebAssembly.Memory`, rebuilt only when growth detached
 * them (reading `memory.buffer` costs ~20 ns, a cached view ~0.5 ns). Growth
 * inside a nested guest call (its malloc) is covered too: each access checks.
 */
export function viewsOf(memory: WebAssembly.Memory): GuestMemoryAccess {
  let u8: Uint8Array = EMPTY;
  let view = new DataView(new ArrayBuffer(0));
  const refresh = (): void => {
    u8 = new Uint8Array(memory.buffer);
    view = new DataView(memory.buffer);
  };
  return {
    u8: () => (u8.length !== 0 ? u8 : (refresh(), u8)),
    view: () => (u8.length !== 0 ? view : (refresh(), view)),
  };
}

/**
 * Throws unless [ptr, ptr+len) lies inside guest memory. As in IG's engine
 * (wazero's `offset + byteCount <= len(buffer)`), an empty range must start
 * inside memory or right at its end too.
 */
export function checkRange(mem: GuestMemoryAccess, ptr: number, len: number, what: string): void {
  const size = mem.u8().length;
  if (ptr + len > size) throw new HostCallError(`${what}: range [${ptr}, ${ptr + len}) is outside guest memory (${size} bytes)`);
}

/** Decodes UTF-8 text at [ptr, ptr+len) (u32 numbers). A 0 length is the empty string. */
export function readString(mem: GuestMemoryAccess, ptr: number, len: number, what: string): string {
  checkRange(mem, ptr, len, what);
  return len === 0 ? "" : decodeUtf8(mem.u8(), ptr, len);
}

/**
 * A view of [ptr, ptr+len). It aliases guest memory: valid only until the
 * guest runs again; copy it to keep it.
 */
export function readBytes(mem: GuestMemoryAccess, ptr: number, len: number, what: string): Uint8Array {
  checkRange(mem, ptr, len, what);
  return len === 0 ? EMPTY : mem.u8().subarray(ptr, ptr + len);
}

/**
 * Copies bytes or UTF-8 text to [ptr, ptr+cap). Returns the byte count.
 * Throws, writing nothing, when the value does not fit or the range is bad.
 */
export function writeInto(mem: GuestMemoryAccess, ptr: number, cap: number, value: Uint8Array | string, what: string): number {
  const length = typeof value === "string" ? utf8Length(value) : value.length;
  if (length > cap) throw new DestinationTooSmallError(`${what}: ${length} bytes do not fit in a buffer of ${cap}`);
  checkRange(mem, ptr, length, what);
  // Text is encoded straight into guest memory, with no intermediate copy.
  if (typeof value === "string") encodeUtf8Into(value, length, mem.u8(), ptr);
  else mem.u8().set(value, ptr);
  return length;
}

/** Writes a little-endian u32; throws, writing nothing, when out of bounds. */
export function writeU32(mem: GuestMemoryAccess, ptr: number, value: number, what: string): void {
  checkRange(mem, ptr, 4, what);
  mem.view().setUint32(ptr, value, true);
}

/** Writes a little-endian u64 given as its two u32 halves; throws, writing nothing, when out of bounds. */
export function writeU64Words(mem: GuestMemoryAccess, ptr: number, lo: number, hi: number, what: string): void {
  checkRange(mem, ptr, 8, what);
  const view = mem.view();
  view.setUint32(ptr, lo, true);
  view.setUint32(ptr + 4, hi, true);
}

/** Reads a little-endian u32; throws when out of bounds. */
export function readU32(mem: GuestMemoryAccess, ptr: number, what: string): number {
  checkRange(mem, ptr, 4, what);
  return mem.view().getUint32(ptr, true);
}
