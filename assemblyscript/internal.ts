// Internal helpers of the igwasm AssemblyScript library: packing (len << 32 | ptr)
// values and the scratch buffers strings travel through. Not part of the public API.
//
// Data structure design: three growable raw buffers (heap.alloc, outside the GC):
//   A    encodes the first string argument of a host call (names, messages, keys);
//   B    encodes a second string argument in the same call (setConfig's value);
//   READ receives what the host copies out (field strings, params, syscall names).
// A buffer is valid until the next call that uses it, so a packed value is
// always handed to the host immediately. Buffers only grow; nothing is
// allocated per call once they have reached their working size.

/** Packs a guest buffer as the ABI wants it: length in the high 32 bits, address in the low 32. */
// @ts-ignore: decorator
@inline
export function pack(ptr: usize, len: usize): u64 {
  return (<u64>len << 32) | <u64>ptr;
}

/** Packs an ArrayBuffer or a typed array (any ArrayBufferView) without copying it; null packs as empty. */
// @ts-ignore: decorator
@inline
export function packBuffer<T>(buf: T): u64 {
  if (isNullable<T>()) {
    // A null buffer is the empty buffer.
    if (changetype<usize>(buf) == 0) return 0;
    return packBuffer<nonnull<T>>(changetype<nonnull<T>>(buf));
  } else if (buf instanceof ArrayBuffer) {
    return pack(changetype<usize>(buf), <usize>buf.byteLength);
  } else if (buf instanceof ArrayBufferView) {
    return pack(buf.dataStart, <usize>buf.byteLength);
  } else {
    ERROR("expected an ArrayBuffer or a typed array (Uint8Array, ...)");
    return 0;
  }
}

/** Byte length of an ArrayBuffer or a typed array. */
// @ts-ignore: decorator
@inline
export function bufferLength<T>(buf: T): i32 {
  if (isNullable<T>()) {
    if (changetype<usize>(buf) == 0) return 0;
    return bufferLength<nonnull<T>>(changetype<nonnull<T>>(buf));
  } else if (buf instanceof ArrayBuffer) {
    return buf.byteLength;
  } else if (buf instanceof ArrayBufferView) {
    return buf.byteLength;
  } else {
    ERROR("expected an ArrayBuffer or a typed array (Uint8Array, ...)");
    return 0;
  }
}

/*
 * Reusable buffers outside the GC heap that grow (doubling) to the largest
 * size asked for and are never freed: the per-event paths reuse them instead
 * of allocating. Each one's state is two words in static memory, [ptr, cap],
 * so no object has to be created at start-up.
 */
const WORD = sizeof<usize>();
// Two for strings passed in (a call may pass two), one for values read back.
const SCRATCH_A = memory.data(16);
const SCRATCH_B = memory.data(16);
const SCRATCH_READ = memory.data(16);

/** The scratch buffer whose state is at `state`, at least `need` bytes long. */
function ensureScratch(state: usize, minCap: usize, need: usize): usize {
  const cap = load<usize>(state, WORD);
  if (need > cap) {
    let n: usize = cap < minCap ? minCap : cap;
    while (n < need) n <<= 1;
    const ptr = load<usize>(state);
    store<usize>(state, ptr == 0 ? heap.alloc(n) : heap.realloc(ptr, n));
    store<usize>(state, n, WORD);
  }
  return load<usize>(state);
}

/** The READ scratch buffer, at least `need` bytes long. */
export function readBuffer(need: usize): usize {
  return ensureScratch(SCRATCH_READ, 256, need);
}

/** Current capacity of the READ scratch buffer. */
export function readBufferCapacity(): usize {
  return load<usize>(SCRATCH_READ, WORD);
}

function encodeInto(s: string, buf: usize): usize {
  return String.UTF8.encodeUnsafe(changetype<usize>(s), s.length, buf, false, String.UTF8.ErrorMode.REPLACE);
}

/** Encodes `s` as UTF-8 into scratch buffer A and packs it. 0 for the empty string. */
export function packStr(s: string): u64 {
  const units = s.length;
  if (units == 0) return 0;
  const buf = ensureScratch(SCRATCH_A, 64, <usize>units * 3);
  return pack(buf, encodeInto(s, buf));
}

/** Like packStr, through scratch buffer B (for a second string in the same call). */
export function packStr2(s: string): u64 {
  const units = s.length;
  if (units == 0) return 0;
  const buf = ensureScratch(SCRATCH_B, 64, <usize>units * 3);
  return pack(buf, encodeInto(s, buf));
}

/** Decodes a NUL-terminated (or `max`-byte) UTF-8 string at `ptr`. */
export function decodeCString(ptr: usize, max: usize): string {
  let n: usize = 0;
  while (n < max && load<u8>(ptr + n) != 0) n++;
  return String.UTF8.decodeUnsafe(ptr, n, false);
}
