/**
 * Capping a module's own memory before it is compiled.
 *
 * IG's engine limits every module's linear memory to 256 pages
 * (`WithMemoryLimitPages(256)`, pkg/operators/wasm/wasm.go@7a3e62698): a
 * `memory.grow` past it returns -1. JS cannot cap a memory the module defines
 * once it exists, so the loader rewrites the memory section's limits in the
 * module's bytes instead: a memory without a maximum gets 256, one with a
 * larger maximum gets 256. A minimum above 256 is left alone (the loader
 * refuses such a module with a clear message, as IG's engine does). Nothing
 * else in the binary changes; a module without a memory section is returned
 * as it is.
 */

/** Reads an unsigned LEB128 at `pos`; returns the value and the position after it. */
function readU32(bytes: Uint8Array, pos: number): [number, number] {
  let result = 0;
  for (let shift = 0; shift < 35; shift += 7) {
    if (pos >= bytes.length) throw new RangeError("unexpected end of the module");
    const b = bytes[pos++];
    result += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return [result, pos];
  }
  throw new RangeError("LEB128 integer too long");
}

function writeU32(value: number): number[] {
  const out: number[] = [];
  do {
    let b = value & 0x7f;
    value = Math.floor(value / 128);
    if (value !== 0) b |= 0x80;
    out.push(b);
  } while (value !== 0);
  return out;
}

const MEMORY_SECTION = 5;

/**
 * Returns the module's bytes with every defined 32-bit memory's maximum at
 * most `maxPages`, and whether anything changed. Malformed input is returned
 * unchanged (compilation reports it).
 */
export function capMemoryPages(bytes: Uint8Array, maxPages: number): { bytes: Uint8Array; capped: boolean } {
  try {
    let pos = 8;
    while (pos < bytes.length) {
      const sectionStart = pos;
      const id = bytes[pos++];
      const [size, contentStart] = readU32(bytes, pos);
      const sectionEnd = contentStart + size;
      if (id !== MEMORY_SECTION) {
        pos = sectionEnd;
        continue;
      }
      let p = contentStart;
      const [count, afterCount] = readU32(bytes, p);
      p = afterCount;
      const content: number[] = writeU32(count);
      let capped = false;
      for (let i = 0; i < count; i++) {
        const flags = bytes[p++];
        // 64-bit or shared memories keep their limits (IG's guests declare neither; the loader refuses shared ones).
        if ((flags & ~1) !== 0) return { bytes, capped: false };
        const [min, afterMin] = readU32(bytes, p);
        p = afterMin;
        let max: number | null = null;
        if (flags & 1) {
          const [m, afterMax] = readU32(bytes, p);
          max = m;
          p = afterMax;
        }
        const newMax = max === null || max > maxPages ? Math.max(maxPages, min) : max;
        if (newMax !== max) capped = true;
        content.push(0x01, ...writeU32(min), ...writeU32(newMax));
      }
      if (!capped || p !== sectionEnd) return { bytes, capped: false };
      const section = [MEMORY_SECTION, ...writeU32(content.length), ...content];
      const out = new Uint8Array(bytes.length - (sectionEnd - sectionStart) + section.length);
      out.set(bytes.subarray(0, sectionStart), 0);
      out.set(section, sectionStart);
      out.set(bytes.subarray(sectionEnd), sectionStart + section.length);
      return { bytes: out, capped: true };
    }
  } catch {
    // Malformed: let the engine say so.
  }
  return { bytes, capped: false };
}
