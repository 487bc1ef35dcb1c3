/**
 * 64-bit values without BigInt on the call path.
 *
 * The generated trampolines (generated/host/<profile>/trampolines.ts) give a
 * module the exact i64 signatures it imports, split every i64 argument into
 * its low and high u32 halves before calling JS, and take an i64 result back
 * as the low half returned plus the high half left in a scratch word of
 * their own memory: the `WideSlot`. A JS shim returning an i64 therefore
 * stores the high half in `slot.words[0]` and returns the low half; the
 * helpers below do exactly that, so no shim computes halves itself.
 */

/** The scratch word a trampoline reads an i64 result's high half from. */
export interface WideSlot {
  /** One page the trampoline module imports as `abi.wide`. */
  readonly memory: WebAssembly.Memory;
  /** `words[0]` is the high half of the i64 result being returned. */
  readonly words: Uint32Array;
}

/** A fresh slot: one page that never grows, so `words` never detaches. */
export function createWideSlot(): WideSlot {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 1 });
  return { memory, words: new Uint32Array(memory.buffer, 0, 2) };
}

const TWO_32 = 0x1_0000_0000;
// Shared scratch for BigInt <-> halves without BigInt arithmetic (one store, two loads).
const scratch64 = new BigUint64Array(1);
const scratchI64 = new BigInt64Array(scratch64.buffer);
const scratch32 = new Uint32Array(scratch64.buffer);

/** Returns an i64 result from its halves: leaves `hi` in the slot, returns `lo`. */
export function returnHalves(slot: WideSlot, lo: number, hi: number): number {
  slot.words[0] = hi;
  return lo;
}

/**
 * Returns an i64 result: a number is any safe integer and stands for its
 * 64-bit two's complement (-1 is all ones); a bigint gives its low 64 bits.
 */
export function returnWide(slot: WideSlot, value: number | bigint): number {
  if (typeof value === "number") {
    // Most results fit 32 bits: no division for them (it was a third of a JS-path fieldGetScalar).
    slot.words[0] = value >= 0 && value < TWO_32 ? 0 : Math.floor(value / TWO_32) >>> 0;
    return value >>> 0;
  }
  scratch64[0] = BigInt.asUintN(64, value);
  slot.words[0] = scratch32[1];
  return scratch32[0];
}

/** The u64 with halves `lo` and `hi`. */
export function joinU64(lo: number, hi: number): bigint {
  scratch32[0] = lo;
  scratch32[1] = hi;
  return scratch64[0];
}

/** The i64 (two's complement) with halves `lo` and `hi`. */
export function joinI64(lo: number, hi: number): bigint {
  scratch32[0] = lo;
  scratch32[1] = hi;
  return scratchI64[0];
}

/** Above this, a high half no longer makes a safe integer (2^53 = 2^21 * 2^32). */
const SAFE_HIGH = 0x20_0000;

/**
 * The 64 bits with halves `lo` and `hi`, as `returnWide` and the field
 * functions take them: a number when they are the two's complement of a safe
 * integer (hi below 2^21, or a negative value of at most 53 bits), else the
 * u64 as a bigint. So the common values (counters, sizes, timestamps since
 * boot) make no BigInt on their way through JS.
 */
export function wideValue(lo: number, hi: number): number | bigint {
  lo >>>= 0;
  hi >>>= 0;
  if (hi < SAFE_HIGH) return hi * TWO_32 + lo;
  if (hi >= TWO_32 - SAFE_HIGH) {
    const negative = (hi - TWO_32) * TWO_32 + lo;
    if (negative > -Number.MAX_SAFE_INTEGER - 1) return negative;
  }
  return joinU64(lo, hi);
}

/** The u64 with halves `lo` and `hi` as a number: exact below 2^53 (addresses, sizes, enum values). */
export function wideToNumber(lo: number, hi: number): number {
  return (hi >>> 0) * TWO_32 + (lo >>> 0);
}

/** The halves of a 64-bit value (its low 64 bits), for code that holds a bigint: [lo, hi]. */
export function splitWide(value: bigint): [number, number] {
  scratch64[0] = BigInt.asUintN(64, value);
  return [scratch32[0], scratch32[1]];
}
