/**
 * The field family: reading and writing field values of records.
 *
 * The hot path (fieldGetScalar/fieldSet on a fixed-size field) resolves the
 * field from its handle entry (offset, kind and data source are stored there,
 * no JS object is touched), resolves the record address, checks that both
 * belong to the same data source and that the access kind has the field's
 * size, then does one DataView access. Scalars are written from a shared
 * BigUint64Array/Uint32Array scratch pair, so sign-extended, zero-extended
 * and float bit patterns all reduce to copying the low `size` bytes.
 */
import { FieldKind, FieldKindSize, isBufferKind } from "../../generated/constants.js";
import type { DataHandle, FieldHandle } from "../../generated/types.js";
import { fail } from "../errors.js";
import { HandleType, type HandleTable } from "../handles.js";
import type { HostMemory } from "../host-memory.js";
import type { DataSources } from "../data-sources.js";
import { cStringLength } from "../utf8.js";

export class FieldOps {
  private readonly scratch64 = new BigUint64Array(1);
  private readonly scratch32 = new Uint32Array(this.scratch64.buffer);
  private readonly handles: HandleTable;
  /** Set by locate: the field's kind and offset (slot number for variable-length fields). */
  private fieldKind = 0;
  private fieldOffset = 0;

  constructor(
    private readonly sources: DataSources,
    private readonly mem: HostMemory,
  ) {
    this.handles = sources.handles;
  }

  /** Resolves field and record; returns the record address. */
  private locate(field: number, data: number, what: string): number {
    const handles = this.handles;
    const fb = handles.entry(field, HandleType.Field, what);
    const addr = this.sources.resolveData(data, what);
    if (handles.ds(fb) !== this.sources.ds.index) this.mismatch(field, fb, what);
    this.fieldKind = handles.kind(fb);
    this.fieldOffset = handles.a(fb);
    return addr;
  }

  private mismatch(field: number, fb: number, what: string): never {
    const owner = this.sources.sources[this.handles.ds(fb)].name;
    fail(`${what}: field ${field} belongs to data source "${owner}", the data to "${this.sources.ds.name}"`);
  }

  /** The field's size, when `kind` is a fixed-size kind of that size. */
  private checkScalar(kind: number, what: string): number {
    const size = FieldKindSize[this.fieldKind];
    if (size !== 0 && kind >= FieldKind.Bool && kind <= FieldKind.Float64 && FieldKindSize[kind] === size) return size;
    return this.scalarError(kind, what);
  }

  private scalarError(kind: number, what: string): never {
    const size = FieldKindSize[this.fieldKind];
    if (size === 0) fail(`${what}: the field is ${FieldKind[this.fieldKind]}; read it with a String, CString or Bytes kind`);
    if (!(kind >= FieldKind.Bool && kind <= FieldKind.Float64)) fail(`${what}: kind ${kind} is not a fixed-size kind`);
    fail(`${what}: kind ${FieldKind[kind]} has ${FieldKindSize[kind]} bytes, the field (${FieldKind[this.fieldKind]}) ${size}`);
  }

  private checkBuffer(kind: number, what: string): void {
    if (FieldKindSize[this.fieldKind] !== 0) fail(`${what}: the field is ${FieldKind[this.fieldKind]}, not String, CString or Bytes`);
    if (!isBufferKind(kind)) fail(`${what}: kind ${kind} is not String, CString or Bytes`);
  }

  /** Reads a fixed-size value with `kind`'s signedness (sign- or zero-extended; floats as bits). */
  readScalar(addr: number, kind: number): bigint {
    const view = this.mem.view;
    switch (kind) {
      case FieldKind.Bool:
        return view.getUint8(addr) !== 0 ? 1n : 0n;
      case FieldKind.Int8:
        return BigInt(view.getInt8(addr));
      case FieldKind.Int16:
        return BigInt(view.getInt16(addr, true));
      case FieldKind.Int32:
        return BigInt(view.getInt32(addr, true));
      case FieldKind.Uint8:
        return BigInt(view.getUint8(addr));
      case FieldKind.Uint16:
        return BigInt(view.getUint16(addr, true));
      case FieldKind.Uint32:
      case FieldKind.Float32:
        return BigInt(view.getUint32(addr, true));
      case FieldKind.Int64:
        return view.getBigInt64(addr, true);
      default: // Uint64, Float64
        return view.getBigUint64(addr, true);
    }
  }

  /** Writes the low `size` bytes of `value` (Bool: 1 when non-zero). */
  writeScalar(addr: number, size: number, kind: number, value: bigint): void {
    this.scratch64[0] = value;
    const lo = this.scratch32[0];
    const view = this.mem.view;
    switch (size) {
      case 1:
        view.setUint8(addr, kind === FieldKind.Bool ? (lo | this.scratch32[1]) !== 0 ? 1 : 0 : lo & 0xff);
        return;
      case 2:
        view.setUint16(addr, lo & 0xffff, true);
        return;
      case 4:
        view.setUint32(addr, lo, true);
        return;
      default:
        view.setUint32(addr, lo, true);
        view.setUint32(addr + 4, this.scratch32[1], true);
    }
  }

  private variableValue(): Uint8Array {
    const ds = this.sources.ds;
    return ds.slab.vars[this.sources.slot * ds.slab.varCount + this.fieldOffset];
  }

  // --- host functions --------------------------------------------------

  fieldGetScalar(field: FieldHandle, data: DataHandle, kind: FieldKind): bigint {
    const addr = this.locate(field, data, "fieldGetScalar");
    this.checkScalar(kind, "fieldGetScalar");
    return this.readScalar(addr + this.fieldOffset, kind);
  }

  fieldGetBuffer(field: FieldHandle, data: DataHandle, kind: FieldKind): Uint8Array {
    return this.getBuffer(field, data, kind, "fieldGetBuffer");
  }

  fieldGetToBuffer(field: FieldHandle, data: DataHandle, kind: FieldKind): Uint8Array {
    return this.getBuffer(field, data, kind, "fieldGetToBuffer");
  }

  private getBuffer(field: number, data: number, kind: number, what: string): Uint8Array {
    this.locate(field, data, what);
    this.checkBuffer(kind, what);
    const value = this.variableValue();
    if (kind !== FieldKind.CString) return value;
    const n = cStringLength(value);
    return n === value.length ? value : value.subarray(0, n);
  }

  /** seed `fieldAccessorGet` / env-v1 `fieldGet`: a scalar, or the bytes to copy through the guest's malloc. */
  fieldAccessorGet(field: FieldHandle, data: DataHandle, kind: FieldKind): bigint | Uint8Array {
    return this.legacyGet(field, data, kind, "fieldAccessorGet");
  }

  fieldGet(field: FieldHandle, data: DataHandle, kind: FieldKind): bigint | Uint8Array {
    return this.legacyGet(field, data, kind, "fieldGet");
  }

  private legacyGet(field: number, data: number, kind: number, what: string): bigint | Uint8Array {
    if (isBufferKind(kind)) return this.getBuffer(field, data, kind, what);
    const addr = this.locate(field, data, what);
    this.checkScalar(kind, what);
    return this.readScalar(addr + this.fieldOffset, kind);
  }

  fieldSet(field: FieldHandle, data: DataHandle, kind: FieldKind, value: bigint | Uint8Array): void {
    this.set(field, data, kind, value, "fieldSet");
  }

  fieldAccessorSet(field: FieldHandle, data: DataHandle, kind: FieldKind, value: bigint | Uint8Array): void {
    this.set(field, data, kind, value, "fieldAccessorSet");
  }

  private set(field: number, data: number, kind: number, value: bigint | Uint8Array, what: string): void {
    const addr = this.locate(field, data, what);
    if (typeof value === "bigint") {
      const size = this.checkScalar(kind, what);
      this.writeScalar(addr + this.fieldOffset, size, kind, value);
      return;
    }
    this.checkBuffer(kind, what);
    const ds = this.sources.ds;
    // A copy: `value` may be a view of guest memory.
    ds.slab.vars[this.sources.slot * ds.slab.varCount + this.fieldOffset] = value.slice();
  }

  fieldAddTag(field: FieldHandle, tag: string): void {
    const f = this.sources.fieldOf(field, "fieldAddTag");
    if (tag === "") fail("fieldAddTag: empty tag");
    f.addTag(tag);
  }
}
