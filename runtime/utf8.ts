/**
 * UTF-8 helpers with an ASCII fast path.
 *
 * Most strings crossing the ABI are short ASCII names (fields, data sources,
 * params). TextDecoder costs 50-60 ns even for 16 ASCII bytes (DESIGN.md);
 * building short ASCII strings from char codes is several times cheaper, so
 * we scan first and fall back to TextDecoder for long or non-ASCII input.
 * Invalid UTF-8 decodes with U+FFFD replacement characters; it is not an
 * error. igwasm differs from IG here: IG converts a guest's bytes with Go's
 * `string(buf)`, which keeps them as they are, so two names or keys that
 * differ only in invalid bytes are two names in IG and one here, and a
 * setConfig value or log line holds U+FFFD where IG holds the raw bytes.
 * Gadgets pass ASCII names in practice; JS strings cannot carry raw bytes.
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

/**
 * Bytes `text` takes in UTF-8, as TextEncoder writes it (a lone surrogate
 * becomes U+FFFD, 3 bytes). Lets a caller refuse a destination that is too
 * small before writing anything.
 */
export function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/**
 * Encodes `text`, whose UTF-8 length is `length` (utf8Length), straight into
 * `dst` at `at`: ASCII byte by byte, anything else with TextEncoder.encodeInto.
 */
export function encodeUtf8Into(text: string, length: number, dst: Uint8Array, at: number): void {
  if (length === text.length) {
    for (let i = 0; i < length; i++) dst[at + i] = text.charCodeAt(i);
  } else {
    encoder.encodeInto(text, dst.subarray(at, at + length));
  }
}

/** Bytes up to (not including) the first NUL, as C strings end. */
export function cStringLength(bytes: Uint8Array): number {
  const nul = bytes.indexOf(0);
  return nul === -1 ? bytes.length : nul;
}
