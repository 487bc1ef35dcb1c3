/**
 * Copies bytes between two memories (host memory and a guest's).
 *
 * `to.set(from.subarray(...))` makes a view per call, ~20 ns, more than
 * copying a short value word by word through the DataViews both sides
 * already hold; past about 128 bytes the builtin copy wins (bench
 * field-access, the fieldGetBuffer curve).
 */

/** Runs up to this many bytes are copied word by word. */
const WORD_COPY_MAX = 128;

/** Copies `n` bytes from `from` at `src` to `to` at `dst`; both ranges are in bounds, the memories distinct. */
export function copyBetween(from: DataView, fromBytes: Uint8Array, src: number, to: DataView, toBytes: Uint8Array, dst: number, n: number): void {
  if (n > WORD_COPY_MAX) {
    toBytes.set(fromBytes.subarray(src, src + n), dst);
    return;
  }
  let i = 0;
  for (; i + 4 <= n; i += 4) to.setUint32(dst + i, from.getUint32(src + i, true), true);
  for (; i < n; i++) to.setUint8(dst + i, from.getUint8(src + i));
}
