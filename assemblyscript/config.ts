// Gadget parameters and configuration.
import { getParamValue as rawGetParamValue, setConfig as rawSetConfig } from "../generated/guest/assemblyscript/ig-v1/config";
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

/** Sets a configuration value for the host (only strings are supported). false on error. */
export function setConfig(key: string, value: string): bool {
  return rawSetConfig(packStr(key), packStr2(value), FieldKind.String) == 0;
}
