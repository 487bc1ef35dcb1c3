/**
 * UTF-8 helpers with an ASCII fast path.
 *
 * Most strings crossing the ABI are short ASCII names (fields, data sources,
 * params). TextDecoder costs 50-60 ns even for 16 ASCII bytes (DESIGN.md);
 * building short ASCII strings from char codes is several times cheaper, so
 * we scan first and fall back to TextDecoder for long or non-ASCII input.
 * Invalid UTF-8 decodes with U+FFFD replacement characters, as Go does when a
 * gadget's bytes are printed; it is not an error.
 */
const decoder = new TextDecoder("utf-8");
const encoder = new TextEncoder();
const ASCII_FAST_PATH_MAX = 64;

export function decodeUtf8(bytes: Uint8Array, start: number, length: number): string {
  const end = start + length;
  if (length <= ASCII_FAST_PATH_MAX) {
    let s = "";
    for (let i = start; i < end; i++) {
      const b = bytes[i];
      if (b >= 0x80) return decoder.decode(bytes.subarray(start, end));
      s += String.fromCharCode(b);
    }
    return s;
  }
  return decoder.decode(bytes.subarray(start, end));
}

export function encodeUtf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Bytes up to (not including) the first NUL, as C strings end. */
export function cStringLength(bytes: Uint8Array): number {
  const nul = bytes.indexOf(0);
  return nul === -1 ? bytes.length : nul;
}
