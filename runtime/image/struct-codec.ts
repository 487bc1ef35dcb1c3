/**
 * Between field values and the bytes of an eBPF struct (BTF layout,
 * little-endian): what the kernel side would have written (a perf record, a
 * map value) and what IG's static fields then read at their offsets.
 */
import { FieldKind } from "../../generated/constants.js";
import type { FieldValue } from "../field-accessor.js";
import type { EbpfField, EbpfStruct } from "./ebpf-object.js";

/** Why a value does not fit a field; the caller adds where it came from. */
export class StructValueError extends Error {
  override readonly name = "StructValueError";
}

function intRange(kind: FieldKind): [bigint, bigint] | null {
  switch (kind) {
    case FieldKind.Int8: return [-(2n ** 7n), 2n ** 7n - 1n];
    case FieldKind.Int16: return [-(2n ** 15n), 2n ** 15n - 1n];
    case FieldKind.Int32: return [-(2n ** 31n), 2n ** 31n - 1n];
    case FieldKind.Int64: return [-(2n ** 63n), 2n ** 63n - 1n];
    case FieldKind.Uint8: return [0n, 2n ** 8n - 1n];
    case FieldKind.Uint16: return [0n, 2n ** 16n - 1n];
    case FieldKind.Uint32: return [0n, 2n ** 32n - 1n];
    case FieldKind.Uint64: return [0n, 2n ** 64n - 1n];
    default: return null;
  }
}

function writeField(view: DataView, bytes: Uint8Array, f: EbpfField, value: FieldValue): void {
  const at = f.offset;
  const range = intRange(f.kind);
  if (range !== null) {
    let n: bigint;
    if (typeof value === "bigint") n = value;
    else if (typeof value === "number" && Number.isInteger(value)) n = BigInt(value);
    else if (typeof value === "boolean") n = value ? 1n : 0n;
    else throw new StructValueError(`field ${f.name}: expected an integer, got ${JSON.stringify(value)}`);
    if (n < range[0] || n > range[1]) throw new StructValueError(`field ${f.name}: ${n} is outside ${range[0]}..${range[1]}`);
    const u = BigInt.asUintN(64, n);
    for (let i = 0; i < f.size; i++) bytes[at + i] = Number((u >> BigInt(8 * i)) & 0xffn);
    return;
  }
  switch (f.kind) {
    case FieldKind.Bool:
      if (typeof value !== "boolean") throw new StructValueError(`field ${f.name}: expected true or false`);
      bytes[at] = value ? 1 : 0;
      return;
    case FieldKind.Float32:
    case FieldKind.Float64:
      if (typeof value !== "number") throw new StructValueError(`field ${f.name}: expected a number`);
      if (f.kind === FieldKind.Float32) view.setFloat32(at, value, true);
      else view.setFloat64(at, value, true);
      return;
    case FieldKind.CString: {
      if (typeof value !== "string") throw new StructValueError(`field ${f.name}: expected a string`);
      const text = new TextEncoder().encode(value);
      // The kernel side writes at most size-1 bytes and a NUL (bpf_get_current_comm and the like).
      bytes.fill(0, at, at + f.size);
      bytes.set(text.subarray(0, f.size - 1), at);
      return;
    }
    default: {
      const data = typeof value === "string" ? new TextEncoder().encode(value) : value;
      if (!(data instanceof Uint8Array)) throw new StructValueError(`field ${f.name}: expected bytes`);
      if (data.length > f.size) throw new StructValueError(`field ${f.name}: ${data.length} bytes do not fit in ${f.size}`);
      bytes.set(data, at);
    }
  }
}

/**
 * The struct's bytes with `values` (by full field name) written at their
 * offsets; fields not given are zero. A parent's bytes are written before
 * its members, so members given by name win.
 */
export function encodeStruct(st: EbpfStruct, values: Readonly<Record<string, FieldValue>>): Uint8Array {
  const bytes = new Uint8Array(st.size);
  const view = new DataView(bytes.buffer);
  const byName = new Map(st.fields.map((f) => [f.name, f]));
  for (const name of Object.keys(values)) {
    if (!byName.has(name)) throw new StructValueError(`struct ${st.name} has no field ${name} (it has ${st.fields.map((f) => f.name).join(", ")})`);
  }
  for (const f of st.fields) if (f.name in values) writeField(view, bytes, f, values[f.name]);
  return bytes;
}

/** The value of one field in a struct's bytes, as IG's static field accessors read it. */
export function decodeField(f: EbpfField, bytes: Uint8Array): FieldValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = f.offset;
  switch (f.kind) {
    case FieldKind.Bool: return bytes[at] !== 0;
    case FieldKind.Int8: return view.getInt8(at);
    case FieldKind.Int16: return view.getInt16(at, true);
    case FieldKind.Int32: return view.getInt32(at, true);
    case FieldKind.Int64: return view.getBigInt64(at, true);
    case FieldKind.Uint8: return view.getUint8(at);
    case FieldKind.Uint16: return view.getUint16(at, true);
    case FieldKind.Uint32: return view.getUint32(at, true);
    case FieldKind.Uint64: return view.getBigUint64(at, true);
    case FieldKind.Float32: return view.getFloat32(at, true);
    case FieldKind.Float64: return view.getFloat64(at, true);
    case FieldKind.CString: {
      const raw = bytes.subarray(at, at + f.size);
      const end = raw.indexOf(0);
      return new TextDecoder().decode(end < 0 ? raw : raw.subarray(0, end));
    }
    default: return bytes.slice(at, at + f.size);
  }
}

/** Every field of a struct's bytes, by full name. */
export function decodeStruct(st: EbpfStruct, bytes: Uint8Array): Record<string, FieldValue> {
  if (bytes.length < st.size) {
    // As IG's tracer does with a short sample: the missing tail reads as zeros.
    const padded = new Uint8Array(st.size);
    padded.set(bytes);
    bytes = padded;
  }
  const out: Record<string, FieldValue> = {};
  for (const f of st.fields) out[f.name] = decodeField(f, bytes);
  return out;
}
