/**
 * The field family: reading and writing field values of records.
 *
 * The hot path (fieldGetScalar/fieldSet on a fixed-size field) resolves the
 * field from its handle entry (offset, kind and data source are stored there,
 * no JS object is touched), resolves the record address, checks that both
 * belong to the same data source and that the access kind has the field's
 * size (HandleTable.flat), then reads or writes the value's 64 bits as two
 * halves (scalar-bits.ts), which the shims' numbers or BigInt become through
 * a BigUint64Array/Uint32Array scratch pair. These are the typed
 * implementations behind the generated shims; the fast path, in either form,
 * serves the plain cases without them (runtime/fast-path).
 *
 * What each function accepts follows IG's host, which works on a field's
 * current value as a byte slice (pkg/datasource/accessors.go, aeac857):
 * - a scalar kind reads or writes a value whose current length is the kind's
 *   size, whatever the field's kind (a variable-length field holding 4 bytes
 *   reads as Uint32); Bool reads 1 only when the byte is exactly 1;
 * - fieldGetBuffer with String or Bytes returns the raw bytes of any field (a
 *   Uint32 field gives its 4 bytes; a CString field is not cut at its NUL);
 *   CString is not an access kind there, nor for fieldSet;
 * - the older getters (seed fieldAccessorGet, env-v1 fieldGet and
 *   fieldGetToBuffer) read String through IG's `String()`, which cuts a
 *   CString field at its first NUL, and Bytes as raw bytes; CString is not an
 *   access kind there either.
 *
 * Stricter than IG, on purpose: String or Bytes written with fieldSet to a
 * fixed-size field must have the field's size. IG replaces the field's
 * payload with a slice of any length (after which scalar access to it fails);
 * here a fixed-size field lives inside a fixed-size record, so a value of
 * another length has nowhere to go and the call fails. With the field's size
 * the bytes are written in place, which is what IG's guests observe too.
 *
 * Also different on purpose: Bytes written with fieldSet are copied. IG keeps
 * a view of the guest's memory (wazero's Memory.Read), so a guest that later
 * overwrites its buffer changes the record; no guest can rely on that.
 */
import { FieldKind, FieldKindSize } from "../../generated/constants.js";
import type { DataHandle, FieldHandle } from "../../generated/types.js";
import { type Budgets, metadataCost } from "../budgets.js";
import { fail } from "../errors.js";
import { HandleType, type HandleTable } from "../handles.js";
import type { HostMemory } from "../host-memory.js";
import type { RecordSlab } from "../record-slab.js";
import type { DataSources, RecordRef } from "../data-sources.js";
import { cStringLength } from "../utf8.js";
import { wideValue } from "../abi/wide.js";
import { createScalarBits, type ScalarBits } from "../scalar-bits.js";

function isScalarKind(kind: number): boolean {
  return kind >= FieldKind.Bool && kind <= FieldKind.Float64;
}

/** scalarAddress's answer when the access does not work on the record in place. */
const IN_VALUE = -1;

function kindName(kind: number): string {
  return FieldKind[kind] ?? String(kind);
}

export class FieldOps {
  private readonly scratch64 = new BigUint64Array(1);
  private readonly scratch32 = new Uint32Array(this.scratch64.buffer);
  /** Reads leave the high half in scratch32[0]. */
  private readonly bits: ScalarBits;
  private readonly handles: HandleTable;

  constructor(
    private readonly sources: DataSources,
    private readonly mem: HostMemory,
    private readonly budgets: Budgets,
  ) {
    this.handles = sources.handles;
    this.bits = createScalarBits(mem, this.scratch32);
  }

  // Every host function resolves the field's handle entry first (its kind, offset and data
  // source are stored there, `fb` below), then the record (`rec`, a RecordRef), and passes both
  // on. Scalar access in place, the common case, takes `scalarAddress` instead, which answers
  // a single number; the other cases resolve both handles again (resolution changes nothing).

  /**
   * The address of the field's value when a scalar access of `kind` reads or
   * writes it in place: a fixed-size field, and `kind` of its size (a kind of
   * the same size reinterprets the bytes, as in IG). IN_VALUE otherwise. Fails
   * as the access fails for a bad handle or a field of another data source.
   */
  private scalarAddress(field: number, data: number, kind: number, what: string): number {
    const at = this.handles.flat.scalarAddress(field, data, kind);
    return at !== -1 ? at : this.resolvedScalarAddress(field, data, kind, what);
  }

  /** scalarAddress resolved step by step: for element handles, values, and every failure (it reports them). */
  private resolvedScalarAddress(field: number, data: number, kind: number, what: string): number {
    const fb = this.handles.entry(field, HandleType.Field, what);
    const rec = this.record(fb, field, data, what);
    const size = FieldKindSize[this.handles.fieldKind(fb)];
    return size !== 0 && isScalarKind(kind) && FieldKindSize[kind] === size ? this.valueAddress(fb, rec) : IN_VALUE;
  }

  /** Resolves `data` and checks that it is a record of the field's data source (field entry `fb`). */
  private record(fb: number, field: number, data: number, what: string): RecordRef {
    const rec = this.sources.resolveRecord(data, what);
    if (this.handles.dataSourceIndex(fb) !== this.sources.recordSourceIndex(rec)) this.mismatch(field, fb, rec, what);
    return rec;
  }

  private mismatch(field: number, fb: number, rec: RecordRef, what: string): never {
    const owner = this.sources.sources[this.handles.dataSourceIndex(fb)].name;
    fail(`${what}: field ${field} belongs to data source "${owner}", the data to "${this.sources.recordSource(rec).name}"`);
  }

  /** Where a fixed-size field's value starts in host memory. */
  private valueAddress(fb: number, rec: RecordRef): number {
    return this.sources.recordAddress(rec) + this.handles.fieldOffset(fb);
  }

  /** The field's current value: a view of the record for fixed-size fields, the stored bytes otherwise. */
  private valueBytes(fb: number, rec: RecordRef): Uint8Array {
    // Two functions, so V8 inlines only the kind of field a call site sees.
    const size = FieldKindSize[this.handles.fieldKind(fb)];
    return size !== 0 ? this.fixedValueBytes(fb, rec, size) : this.variableValueBytes(fb, rec);
  }

  private fixedValueBytes(fb: number, rec: RecordRef, size: number): Uint8Array {
    const at = this.valueAddress(fb, rec);
    return this.mem.u8.subarray(at, at + size);
  }

  private variableValueBytes(fb: number, rec: RecordRef): Uint8Array {
    const slab = this.slabOf(fb);
    return slab.varBytes(this.sources.recordSlot(rec), this.handles.fieldOffset(fb));
  }

  /** Stores a variable-length value of the field; the slab copies it into host memory (a value block). */
  private storeVariable(fb: number, rec: RecordRef, value: Uint8Array): void {
    const slab = this.slabOf(fb);
    slab.setVar(this.sources.recordSlot(rec), this.handles.fieldOffset(fb), value);
  }

  /** The slab of the field's data source, which `record` checked is the record's. */
  private slabOf(fb: number): RecordSlab {
    return this.sources.sources[this.handles.dataSourceIndex(fb)].slab;
  }

  /** Reads the field's value as scalar `kind`. */
  private getScalar(field: number, data: number, kind: number, what: string): number | bigint {
    const at = this.scalarAddress(field, data, kind, what);
    return at !== IN_VALUE ? this.readScalar(at, kind) : this.getScalarFromValue(field, data, kind, what);
  }

  /** getScalar from the value's bytes: a variable-length value of the kind's size, or a failure. */
  private getScalarFromValue(field: number, data: number, kind: number, what: string): number | bigint {
    const fb = this.handles.entry(field, HandleType.Field, what);
    const value = this.scalarBytes(fb, this.record(fb, field, data, what), kind, what);
    // The value lies in host memory (a view of it): read it where it is.
    return this.readScalar(value.byteOffset, kind);
  }

  /** The value bytes a scalar access of `kind` may use (their length is the kind's size), or a failure saying why not. */
  private scalarBytes(fb: number, rec: RecordRef, kind: number, what: string): Uint8Array {
    if (!isScalarKind(kind)) fail(`${what}: kind ${kindName(kind)} is not a fixed-size kind`);
    const value = this.valueBytes(fb, rec);
    if (value.length !== FieldKindSize[kind]) {
      fail(`${what}: kind ${kindName(kind)} has ${FieldKindSize[kind]} bytes, the value of the field (${kindName(this.handles.fieldKind(fb))}) ${value.length}`);
    }
    return value;
  }

  /**
   * Reads the fixed-size value at host address `at` (scalar-bits.ts says how
   * it extends to 64 bits) as the shims return it: a number when its bits are
   * a safe integer's two's complement (wideValue), else a bigint, so the
   * common values make no BigInt.
   */
  private readScalar(at: number, kind: number): number | bigint {
    const lo = this.bits.read(at, kind);
    return wideValue(lo, this.scratch32[0]);
  }

  /**
   * Writes the low `size` bytes of `value` (Bool: 1 when non-zero). A number
   * is a safe integer standing for its 64-bit two's complement (the shims pass
   * the u32 bits of kinds up to 4 bytes as numbers).
   */
  private writeScalar(at: number, size: number, kind: number, value: number | bigint): void {
    if (typeof value === "number") {
      this.bits.write(at, size, kind, value >>> 0, Math.floor(value / 0x1_0000_0000) >>> 0);
      return;
    }
    this.scratch64[0] = value;
    this.bits.write(at, size, kind, this.scratch32[0], this.scratch32[1]);
  }

  /** The field's value for a String or Bytes read. */
  private bufferValue(field: number, data: number, kind: number, what: string): Uint8Array {
    const fb = this.handles.entry(field, HandleType.Field, what);
    const value = this.valueBytes(fb, this.record(fb, field, data, what));
    if (kind !== FieldKind.String && kind !== FieldKind.Bytes) this.notBufferKind(kind, what);
    return value;
  }

  private notBufferKind(kind: number, what: string): never {
    fail(`${what}: kind ${kindName(kind)} is not String or Bytes`);
  }

  /** bufferValue for the older getters: String reads stop at a CString field's first NUL (IG's `String()`). */
  private bufferValueToNul(field: number, data: number, kind: number, what: string): Uint8Array {
    const value = this.bufferValue(field, data, kind, what);
    if (kind !== FieldKind.String || this.handles.fieldKind(this.handles.entry(field, HandleType.Field, what)) !== FieldKind.CString) return value;
    return value.subarray(0, cStringLength(value));
  }

  // --- host functions --------------------------------------------------

  fieldGetScalar(field: FieldHandle, data: DataHandle, kind: FieldKind): number | bigint {
    return this.getScalar(field, data, kind, "fieldGetScalar");
  }

  fieldGetBuffer(field: FieldHandle, data: DataHandle, kind: FieldKind): Uint8Array {
    return this.bufferValue(field, data, kind, "fieldGetBuffer");
  }

  fieldGetToBuffer(field: FieldHandle, data: DataHandle, kind: FieldKind): Uint8Array {
    return this.bufferValueToNul(field, data, kind, "fieldGetToBuffer");
  }

  /** seed `fieldAccessorGet` / env-v1 `fieldGet`: a scalar, or the bytes to copy through the guest's malloc. */
  fieldAccessorGet(field: FieldHandle, data: DataHandle, kind: FieldKind): number | bigint | Uint8Array {
    return this.legacyGet(field, data, kind, "fieldAccessorGet");
  }

  fieldGet(field: FieldHandle, data: DataHandle, kind: FieldKind): number | bigint | Uint8Array {
    return this.legacyGet(field, data, kind, "fieldGet");
  }

  private legacyGet(field: number, data: number, kind: number, what: string): number | bigint | Uint8Array {
    return isScalarKind(kind) ? this.getScalar(field, data, kind, what) : this.bufferValueToNul(field, data, kind, what);
  }

  /**
   * Writes a field. What the guest gets on success (0, or the field handle
   * before v0.39.0) is the generated shim's, per the release's fieldSet variant.
   */
  fieldSet(field: FieldHandle, data: DataHandle, kind: FieldKind, value: number | bigint | Uint8Array): void {
    this.set(field, data, kind, value, "fieldSet");
  }

  fieldAccessorSet(field: FieldHandle, data: DataHandle, kind: FieldKind, value: number | bigint | Uint8Array): void {
    this.set(field, data, kind, value, "fieldAccessorSet");
  }

  private set(field: number, data: number, kind: number, value: number | bigint | Uint8Array, what: string): void {
    if (typeof value === "object") {
      const fb = this.handles.entry(field, HandleType.Field, what);
      this.setBytes(fb, this.record(fb, field, data, what), kind, value, what);
      return;
    }
    const at = this.scalarAddress(field, data, kind, what);
    if (at !== IN_VALUE) this.writeScalar(at, FieldKindSize[kind], kind, value);
    else this.setScalarInValue(field, data, kind, value, what);
  }

  /** set for a scalar written into the value's bytes: a variable-length value of the kind's size, or a failure. */
  private setScalarInValue(field: number, data: number, kind: number, value: number | bigint, what: string): void {
    const fb = this.handles.entry(field, HandleType.Field, what);
    // The value's bytes in host memory, of the kind's size: written in place (readers that keep values copy them).
    const current = this.scalarBytes(fb, this.record(fb, field, data, what), kind, what);
    this.writeScalar(current.byteOffset, current.length, kind, value);
  }

  private setBytes(fb: number, rec: RecordRef, kind: number, value: Uint8Array, what: string): void {
    if (kind !== FieldKind.String && kind !== FieldKind.Bytes) fail(`${what}: kind ${kindName(kind)} cannot be written; use String or Bytes`);
    const fieldKind = this.handles.fieldKind(fb);
    const size = FieldKindSize[fieldKind];
    if (size === 0) {
      // storeVariable copies: `value` is a view of guest memory.
      this.storeVariable(fb, rec, value);
      return;
    }
    if (value.length !== size) {
      fail(`${what}: ${value.length} bytes do not fit the field (${kindName(fieldKind)}, ${size} bytes); IG would replace its value, igwasm keeps records fixed-size`);
    }
    this.mem.u8.set(value, this.valueAddress(fb, rec));
  }

  fieldAddTag(field: FieldHandle, tag: string): void {
    const f = this.sources.fieldOf(field, "fieldAddTag");
    if (tag === "") fail("fieldAddTag: empty tag");
    if (f.tags.has(tag)) return;
    if (f.tags.size >= this.budgets.limits.tagsPerField) fail(`fieldAddTag: field "${f.name}" has ${f.tags.size} tags already (tagsPerField)`);
    this.budgets.metadataBytes.charge(metadataCost("Tag", tag), "fieldAddTag");
    f.tags.add(tag);
  }
}
