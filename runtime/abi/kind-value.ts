/**
 * Decoding a value whose meaning depends on a FieldKind (fieldSet's and
 * setConfig's `value`): the kind decides, once, what the implementation gets.
 */
import { FieldKind, FieldKindSize, isBufferKind } from "../../generated/constants.js";
import { readBytes, type GuestMemoryAccess } from "./memory.js";
import { joinU64 } from "./wide.js";

/**
 * The value of kind `kind` from its wire halves:
 * - String, CString, Bytes: a view of the packed range (lo = address, hi = length);
 * - Bool: 1 when any bit is set, else 0;
 * - kinds of 1 to 4 bytes: the low half (u32 bits; the implementation keeps the bytes it needs);
 * - anything else (8-byte kinds, unknown kinds): the 64 bits as a bigint.
 */
export function kindValue(mem: GuestMemoryAccess, kind: number, lo: number, hi: number): number | bigint | Uint8Array {
  if (isBufferKind(kind)) return readBytes(mem, lo >>> 0, hi >>> 0, "value");
  if (kind === FieldKind.Bool) return (lo | hi) !== 0 ? 1 : 0;
  const size = FieldKindSize[kind] ?? 0;
  if (size !== 0 && size <= 4) return lo >>> 0;
  return joinU64(lo, hi);
}
