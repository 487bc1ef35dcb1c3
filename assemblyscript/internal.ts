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

let aPtr: usize = 0;
let aCap: usize = 0;
let bPtr: usize = 0;
let bCap: usize = 0;
let readPtr: usize = 0;
let readCap: usize = 0;

function capacityFor(cap: usize, need: usize): usize {
  let n: usize = cap < 64 ? 64 : cap;
  while (n < need) n <<= 1;
  return n;
}

function ensureA(need: usize): usize {
  if (need > aCap) {
    const n = capacityFor(aCap, need);
    aPtr = aPtr == 0 ? heap.alloc(n) : heap.realloc(aPtr, n);
    aCap = n;
  }
  return aPtr;
}

function ensureB(need: usize): usize {
  if (need > bCap) {
    const n = capacityFor(bCap, need);
    bPtr = bPtr == 0 ? heap.alloc(n) : heap.realloc(bPtr, n);
    bCap = n;
  }
  return bPtr;
}

/** The READ scratch buffer, at least `need` bytes long. */
export function readBuffer(need: usize): usize {
  if (need > readCap) {
    const n = capacityFor(readCap < 256 ? 256 : readCap, need);
    readPtr = readPtr == 0 ? heap.alloc(n) : heap.realloc(readPtr, n);
    readCap = n;
  }
  return readPtr;
}

/** Current capacity of the READ scratch buffer. */
export function readBufferCapacity(): usize {
  return readCap;
}

function encodeInto(s: string, buf: usize): usize {
  return String.UTF8.encodeUnsafe(changetype<usize>(s), s.length, buf, false, String.UTF8.ErrorMode.REPLACE);
}

/** Encodes `s` as UTF-8 into scratch buffer A and packs it. 0 for the empty string. */
export function packStr(s: string): u64 {
  const units = s.length;
  if (units == 0) return 0;
  const buf = ensureA(<usize>units * 3);
  return pack(buf, encodeInto(s, buf));
}

/** Like packStr, through scratch buffer B (for a second string in the same call). */
export function packStr2(s: string): u64 {
  const units = s.length;
  if (units == 0) return 0;
  const buf = ensureB(<usize>units * 3);
  return pack(buf, encodeInto(s, buf));
}

/** Decodes a NUL-terminated (or `max`-byte) UTF-8 string at `ptr`. */
export function decodeCString(ptr: usize, max: usize): string {
  let n: usize = 0;
  while (n < max && load<u8>(ptr + n) != 0) n++;
  return String.UTF8.decodeUnsafe(ptr, n, false);
}
