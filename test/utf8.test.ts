/**
 * UTF-8 helpers: the ASCII fast path and the in-place encoder must agree
 * byte for byte with TextDecoder/TextEncoder on every kind of input.
 */
import { describe, expect, it } from "vitest";
import { cStringLength, decodeUtf8, encodeUtf8Into, utf8Length } from "../runtime/utf8.js";

const SAMPLES = [
  "", "a", "pid", "x".repeat(64), "y".repeat(65), "héllo wörld", "日本語", "emoji 😀 ok", "😀",
  "\u0000nul", "mixed ascii then ü at the end of a long string, longer than sixty-four bytes ü",
  "\ud800", "lone \udc00 low", "end \ud83d", "\u07ff\u0800\uffff",
];

describe("utf8", () => {
  it("utf8Length is what TextEncoder writes, for every sample (lone surrogates included)", () => {
    for (const s of SAMPLES) expect(utf8Length(s), JSON.stringify(s)).toBe(new TextEncoder().encode(s).length);
  });

  it("encodeUtf8Into writes exactly TextEncoder's bytes at the offset, and nothing around them", () => {
    for (const s of SAMPLES) {
      const want = new TextEncoder().encode(s);
      const dst = new Uint8Array(want.length + 8).fill(0xa5);
      encodeUtf8Into(s, utf8Length(s), dst, 4);
      expect([...dst.subarray(4, 4 + want.length)], JSON.stringify(s)).toEqual([...want]);
      expect([...dst.subarray(0, 4), ...dst.subarray(4 + want.length)]).toEqual(new Array(8).fill(0xa5));
    }
  });

  it("decodeUtf8 agrees with TextDecoder, on the ASCII fast path and off it, invalid bytes included", () => {
    const inputs = [...SAMPLES.map((s) => new TextEncoder().encode(s)), new Uint8Array([0xff, 0x41]), new Uint8Array([0x41, 0xc3]), new Uint8Array(100).fill(0x7a)];
    for (const bytes of inputs) {
      const padded = new Uint8Array(bytes.length + 3);
      padded.set(bytes, 3);
      expect(decodeUtf8(padded, 3, bytes.length)).toBe(new TextDecoder().decode(bytes));
    }
  });

  it("cStringLength stops at the first NUL", () => {
    expect(cStringLength(new Uint8Array([0x61, 0x62, 0, 0x63]))).toBe(2);
    expect(cStringLength(new Uint8Array([0x61, 0x62]))).toBe(2);
    expect(cStringLength(new Uint8Array([]))).toBe(0);
  });
});
