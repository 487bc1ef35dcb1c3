/**
 * Copying a short run of bytes between two memories (host memory and a
 * guest's) without making an object.
 *
 * `to.set(from.subarray(...))` makes a view per call, ~20 ns, more than
 * copying a short value word by word through the DataViews both sides
 * already hold; past about 128 bytes the builtin copy wins (bench
 * field-access, the fieldGetBuffer curve), so callers take it there.
 */

/** Runs up to this many bytes are copied word by word. */
export const WORD_COPY_MAX = 128;

/** Copies `n` (at most WORD_COPY_MAX) bytes from `from` at `src` to `to` at `dst`; both ranges are in bounds. */
export function copyWords(from: DataView, src: number, to: DataView, dst: number, n: number): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) to.setUint32(dst + i, from.getUint32(src + i, true), true);
  for (; i < n; i++) to.setUint8(dst + i, from.getUint8(src + i));
}
