// Gadget parameters and configuration.
import { getParamValue as rawGetParamValue, setConfig as rawSetConfig } from "../generated/guest/assemblyscript/v0.43/config";
import { FieldKind } from "../generated/guest/assemblyscript/constants";
import { decodeCString, pack, packStr, packStr2, readBuffer } from "./internal";

/**
 * The value of the gadget parameter `key`, as text; null when the key is
 * unknown or the value is longer than `maxLen` bytes.
 */
export function getParamValue(key: string, maxLen: u32 = 256): string | null {
  // One byte more than asked, zeroed: the host writes no length and no NUL.
  const size = <usize>maxLen + 1;
  const buf = readBuffer(size);
  memory.fill(buf, 0, size);
  if (rawGetParamValue(packStr(key), pack(buf, <usize>maxLen)) != 0) return null;
  return decodeCString(buf, <usize>maxLen);
}

/**
 * A parameter's value as an unsigned decimal number: `fallback` when the
 * parameter is unknown or empty, -1 when it is not a number of at most 10
 * digits (so the caller can report it).
 */
export function getParamUint(key: string, fallback: i64 = 0): i64 {
  const text = getParamValue(key, 32);
  if (text === null || text.length == 0) return fallback;
  return parseUint(text);
}

/** A decimal number of at most 10 digits, or -1 when `text` is not one. */
export function parseUint(text: string): i64 {
  if (text.length == 0 || text.length > 10) return -1;
  let n: i64 = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return -1;
    n = n * 10 + (c - 0x30);
  }
  return n;
}

/** Sets a configuration value for the host (only strings are supported). false on error. */
export function setConfig(key: string, value: string): bool {
  return rawSetConfig(packStr(key), packStr2(value), FieldKind.String) == 0;
}
