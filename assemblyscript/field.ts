// Fields: typed reads and writes of record values.
import { fieldAddTag, fieldGetBuffer, fieldGetScalar, fieldSet } from "../generated/guest/assemblyscript/v0.43/field";
import { FieldKind } from "../generated/guest/assemblyscript/constants";
import { Data } from "./data";
import { bufferLength, pack, packBuffer, packStr, readBuffer, readBufferCapacity } from "./internal";

/** The u32 error word `fieldGetScalar` writes to: a static location, so a scalar read allocates nothing. */
const ERR_WORD: usize = memory.data(4);

/** Largest String/Bytes value `getString`/`getByteArray` will grow their buffer to (bytes). */
let maxValueSize: usize = 64 * 1024;

/** First size of the read buffer: large enough that most values fit at once. */
const INITIAL_READ_SIZE: usize = 4096;

/**
 * Copies a String/CString/Bytes value into the READ scratch buffer; its
 * length, or -1. The ABI cannot say how long a value is, and -1 means an
 * error or a buffer too small, so on -1 the buffer grows (x4, up to
 * maxValueSize) and the read is retried. The host logs each too-small try
 * as a warning; with a 4 KiB start that happens only for long values.
 */
function readVariable(field: u32, data: u32, kind: u32): i32 {
  let cap = readBufferCapacity();
  if (cap < INITIAL_READ_SIZE) cap = INITIAL_READ_SIZE;
  if (cap > maxValueSize) cap = maxValueSize;
  for (;;) {
    const ptr = readBuffer(cap);
    const n = fieldGetBuffer(field, data, kind, pack(ptr, cap));
    if (n >= 0) return n;
    if (cap >= maxValueSize) return -1;
    cap = cap << 2 > maxValueSize ? maxValueSize : cap << 2;
  }
  return -1;
}

/**
 * A field of a data source. Get one with `DataSource.getField` or
 * `DataSource.addField`.
 *
 * Scalar getters (`getUint32`, ...) cannot return a value and an error
 * without allocating, so on error they return 0 and record the failure:
 * when 0 is a plausible value, check `Field.lastGetFailed()` right after the
 * call. The host also logs why the call failed. Setters return false on error.
 * A read or write with a kind whose size differs from the field's is an
 * error; a kind of the same size reinterprets the bytes (e.g. getInt32 on a
 * Uint32 field).
 */
// @ts-ignore: decorator
@unmanaged
export class Field {
  /** Wraps a raw Field handle (0 gives null). */
  // @ts-ignore: decorator
  @inline
  static fromHandle(handle: u32): Field | null {
    return changetype<Field | null>(<usize>handle);
  }

  /** Whether the last scalar get (on any field) failed. */
  // @ts-ignore: decorator
  @inline
  static lastGetFailed(): bool {
    return load<u32>(ERR_WORD) != 0;
  }

  /**
   * Sets the largest String/Bytes value `getString` and `getByteArray` read,
   * in bytes (default 64 KiB). Larger values read as an error.
   */
  static setMaxValueSize(bytes: usize): void {
    maxValueSize = bytes;
  }

  /** The raw handle. */
  // @ts-ignore: decorator
  @inline
  get handle(): u32 {
    return <u32>changetype<usize>(this);
  }

  /** Reads a fixed-size value as `kind`, raw (sign-/zero-extended, floats as bits). */
  // @ts-ignore: decorator
  @inline
  getScalar(data: Data, kind: FieldKind): u64 {
    store<u32>(ERR_WORD, 0);
    return fieldGetScalar(this.handle, data.handle, <u32>kind, ERR_WORD);
  }

  /** Writes a fixed-size value as `kind`, raw. false on error. */
  // @ts-ignore: decorator
  @inline
  setScalar(data: Data, kind: FieldKind, value: u64): bool {
    return fieldSet(this.handle, data.handle, <u32>kind, value) == 0;
  }

  // --- fixed-size getters: no allocation ---------------------------------

  getBool(data: Data): bool {
    return this.getScalar(data, FieldKind.Bool) != 0;
  }
  getInt8(data: Data): i8 {
    return <i8>this.getScalar(data, FieldKind.Int8);
  }
  getInt16(data: Data): i16 {
    return <i16>this.getScalar(data, FieldKind.Int16);
  }
  getInt32(data: Data): i32 {
    return <i32>this.getScalar(data, FieldKind.Int32);
  }
  getInt64(data: Data): i64 {
    return <i64>this.getScalar(data, FieldKind.Int64);
  }
  getUint8(data: Data): u8 {
    return <u8>this.getScalar(data, FieldKind.Uint8);
  }
  getUint16(data: Data): u16 {
    return <u16>this.getScalar(data, FieldKind.Uint16);
  }
  getUint32(data: Data): u32 {
    return <u32>this.getScalar(data, FieldKind.Uint32);
  }
  getUint64(data: Data): u64 {
    return this.getScalar(data, FieldKind.Uint64);
  }
  getFloat32(data: Data): f32 {
    return reinterpret<f32>(<u32>this.getScalar(data, FieldKind.Float32));
  }
  getFloat64(data: Data): f64 {
    return reinterpret<f64>(this.getScalar(data, FieldKind.Float64));
  }

  // --- fixed-size setters: false on error ---------------------------------

  setBool(data: Data, value: bool): bool {
    return this.setScalar(data, FieldKind.Bool, value ? 1 : 0);
  }
  setInt8(data: Data, value: i8): bool {
    return this.setScalar(data, FieldKind.Int8, <u64><i64>value);
  }
  setInt16(data: Data, value: i16): bool {
    return this.setScalar(data, FieldKind.Int16, <u64><i64>value);
  }
  setInt32(data: Data, value: i32): bool {
    return this.setScalar(data, FieldKind.Int32, <u64><i64>value);
  }
  setInt64(data: Data, value: i64): bool {
    return this.setScalar(data, FieldKind.Int64, <u64>value);
  }
  setUint8(data: Data, value: u8): bool {
    return this.setScalar(data, FieldKind.Uint8, <u64>value);
  }
  setUint16(data: Data, value: u16): bool {
    return this.setScalar(data, FieldKind.Uint16, <u64>value);
  }
  setUint32(data: Data, value: u32): bool {
    return this.setScalar(data, FieldKind.Uint32, <u64>value);
  }
  setUint64(data: Data, value: u64): bool {
    return this.setScalar(data, FieldKind.Uint64, value);
  }
  setFloat32(data: Data, value: f32): bool {
    return this.setScalar(data, FieldKind.Float32, <u64>reinterpret<u32>(value));
  }
  setFloat64(data: Data, value: f64): bool {
    return this.setScalar(data, FieldKind.Float64, reinterpret<u64>(value));
  }

  // --- String, CString and Bytes ------------------------------------------

  /**
   * The value of a String or CString field, decoded from UTF-8 up to its
   * first NUL (as IG's Go wrapper does: the host returns a CString field's
   * bytes with the NUL and what follows); null on error. Reads through a
   * reusable buffer; only the returned string is allocated.
   */
  getString(data: Data): string | null {
    const n = readVariable(this.handle, data.handle, FieldKind.String);
    if (n < 0) return null;
    return String.UTF8.decodeUnsafe(readBuffer(0), <usize>n, true);
  }

  /**
   * Copies the value of a String, CString or Bytes field into `buf` (an
   * ArrayBuffer or a typed array). Returns the number of bytes copied, or -1
   * on error or when `buf` is too small (nothing is written then). Allocates
   * nothing.
   */
  getBytes<T>(data: Data, buf: T): i32 {
    return fieldGetBuffer(this.handle, data.handle, FieldKind.Bytes, packBuffer<T>(buf));
  }

  /** The value of a Bytes (or String) field as a new Uint8Array; null on error. */
  getByteArray(data: Data): Uint8Array | null {
    const n = readVariable(this.handle, data.handle, FieldKind.Bytes);
    if (n < 0) return null;
    const out = new Uint8Array(n);
    memory.copy(out.dataStart, readBuffer(0), <usize>n);
    return out;
  }

  /** Writes a String field, UTF-8 encoded (through a reusable buffer). false on error. */
  setString(data: Data, value: string): bool {
    return fieldSet(this.handle, data.handle, FieldKind.String, packStr(value)) == 0;
  }

  /**
   * Writes a CString field: the same call as setString, kind String. IG's
   * host refuses the kind CString in fieldSet in every release, and IG's Go
   * wrapper writes CString fields with String too. false on error.
   */
  setCString(data: Data, value: string): bool {
    return fieldSet(this.handle, data.handle, FieldKind.String, packStr(value)) == 0;
  }

  /** Writes a Bytes field from an ArrayBuffer or a typed array. false on error. */
  setBytes<T>(data: Data, value: T): bool {
    if (bufferLength<T>(value) == 0) return fieldSet(this.handle, data.handle, FieldKind.Bytes, 0) == 0;
    return fieldSet(this.handle, data.handle, FieldKind.Bytes, packBuffer<T>(value)) == 0;
  }

  /** Attaches a tag to the field. false on error. */
  addTag(tag: string): bool {
    return fieldAddTag(this.handle, packStr(tag)) == 0;
  }
}
