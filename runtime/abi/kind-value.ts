/**
 * Decoding a value whose meaning depends on a FieldKind (fieldSet's and
 * setConfig's `value`): the kind decides, once, what the implementation gets.
 * The kinds' sizes come from the spec, through the generated constants
 * (`FieldKindDecoding`), which the shim passes in.
 */
import { readBytes, type GuestMemoryAccess } from "./memory.js";
import { wideValue } from "./wide.js";

/** What decoding needs to know of the kinds: generated as `FieldKindDecoding`. */
export interface KindDecoding {
  /** Bytes of each kind, indexed by kind value; 0 for kinds without a fixed size. */
  readonly size: readonly number[];
  /** Whether a kind's values travel as packed buffers. */
  isBuffer(kind: number): boolean;
  /** The value of the Bool kind (-1: none). */
  readonly bool: number;
}

/**
 * The value of kind `kind` from its wire halves:
 * - buffer kinds (String, CString, Bytes): a view of the packed range (lo = address, hi = length);
 * - Bool: 1 when any bit is set, else 0;
 * - kinds of 1 to 4 bytes: the low half (u32 bits; the implementation keeps the bytes it needs);
 * - anything else (8-byte kinds, unknown kinds): the 64 bits, as a number when they are a safe
 *   integer's two's complement, else as a bigint (`wideValue`).
 */
export function kindValue(mem: GuestMemoryAccess, kinds: KindDecoding, kind: number, lo: number, hi: number): number | bigint | Uint8Array {
  if (kinds.isBuffer(kind)) return readBytes(mem, lo >>> 0, hi >>> 0, "value");
  if (kind === kinds.bool) return (lo | hi) !== 0 ? 1 : 0;
  const size = kinds.size[kind] ?? 0;
  if (size !== 0 && size <= 4) return lo >>> 0;
  return wideValue(lo, hi);
}
