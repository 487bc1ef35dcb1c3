/**
 * The plain host: the fair baseline for guest field access. It is the
 * straightforward JS translation of IG's Go host, written the way a
 * competent engineer would without igwasm's tricks (no host memory, no
 * handle table in linear memory, no wasm fast path, no split i64s):
 *
 * - handles: a Map from number to object, allocated like IG's `addHandle`
 *   (next index after the last one, skipping used ones) and checked like its
 *   `getHandle[T]` (a type test: `instanceof` here);
 *   IG: pkg/operators/wasm/wasm.go addHandle/getHandle at aeac857.
 * - records: like IG's datasource payloads, the fixed-size fields share one
 *   buffer per record and every variable-length field is its own byte slice.
 *   The record's DataView is made once, when the packet is created; strings
 *   are stored as the bytes the guest gave (copied, as Go's `[]byte(str)`
 *   does) and copied out as bytes, never re-encoded;
 *   IG: pkg/datasource/accessors.go Get/Set, pkg/operators/wasm/fields.go.
 * - i64 arguments and results are BigInt, as the JS wasm API hands them over;
 *   packed (len << 32 | ptr) values are split with BigInt operators.
 * - guest memory: a cached Uint8Array/DataView, rebuilt when the guest's
 *   memory grows (its buffer object changes).
 *
 * Validation matches igwasm's for what the bench reaches: handle types, the
 * field belonging to the record's data source, the kind's size matching the
 * field's, destination capacity, guest bounds. It implements only what
 * bench/guests/field-guest.wat imports: getDataSource, dataSourceGetField,
 * dataSourceNewPacketSingle, fieldGetScalar, fieldGetBuffer, fieldSet.
 * Data-array element handles are not implemented (the bench uses none).
 */
import { FieldKind, FieldKindSize } from "../../generated/constants.js";
import { BaselineHostBase } from "./base-host.js";
import { type BaselineDataSource, BaselineField, scalarAsI64 } from "./layout.js";

const decoder = new TextDecoder();
const EMPTY = new Uint8Array(0);

/** One packet's data: the fixed-size part behind one DataView, variable-length fields as bytes. */
class PlainRecord {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly vars: Uint8Array[];
  constructor(readonly ds: BaselineDataSource) {
    this.bytes = new Uint8Array(ds.fixedSize);
    this.view = new DataView(this.bytes.buffer);
    this.vars = new Array<Uint8Array>(ds.varCount).fill(EMPTY);
  }
}

const MAX_HANDLES = 1 << 16;

export class PlainHost extends BaselineHostBase {
  private lastHandle = 0;
  private guestU8 = EMPTY;
  private guestView = new DataView(new ArrayBuffer(0));
  override attach(memory: WebAssembly.Memory): void {
    super.attach(memory);
    this.guestBytes();
  }

  /** Guest memory as bytes, rebuilt after the guest grew it. */
  private guestBytes(): Uint8Array {
    const buffer = this.memory!.buffer;
    if (buffer !== this.guestU8.buffer) {
      this.guestU8 = new Uint8Array(buffer);
      this.guestView = new DataView(buffer);
    }
    return this.guestU8;
  }

  protected addHandle(obj: unknown): number {
    if (this.handles.size >= MAX_HANDLES - 1) {
      this.warn("too many open handles");
      return 0;
    }
    let h = this.lastHandle;
    do h = (h + 1) % MAX_HANDLES;
    while (h === 0 || this.handles.has(h));
    this.handles.set(h, obj);
    this.lastHandle = h;
    return h;
  }

  /** The bytes of a packed (len << 32 | ptr) guest buffer, or null when it is outside guest memory. */
  private guestSlice(packed: bigint): Uint8Array | null {
    const ptr = Number(BigInt.asUintN(32, packed));
    const len = Number(packed >> 32n);
    const mem = this.guestBytes();
    if (ptr + len > mem.length) return null;
    return mem.subarray(ptr, ptr + len);
  }

  protected readString(packed: bigint): string | null {
    if (packed === 0n) return "";
    const bytes = this.guestSlice(packed);
    return bytes === null ? null : decoder.decode(bytes);
  }

  /** The field and record of a call, or null (with a warning) when a handle is wrong. */
  private fieldOf(field: number): BaselineField | null {
    const f = this.handles.get(field);
    if (f instanceof BaselineField) return f;
    this.warn(`bad field handle ${field}`);
    return null;
  }

  private recordOf(data: number, field: BaselineField): PlainRecord | null {
    const r = this.handles.get(data);
    if (!(r instanceof PlainRecord)) {
      this.warn(`bad data handle ${data}`);
      return null;
    }
    if (r.ds !== field.ds) {
      this.warn(`field "${field.name}" is not a field of the record's data source`);
      return null;
    }
    return r;
  }

  private writeError(errPtr: number): void {
    if (errPtr === 0) return;
    this.guestBytes();
    this.guestView.setUint32(errPtr, 1, true);
  }

  protected newRecord(ds: BaselineDataSource): PlainRecord {
    return new PlainRecord(ds);
  }

  /** The `ig` import module. */
  imports(): WebAssembly.ModuleImports {
    return {
      ...this.setUpImports(),
      fieldGetScalar: (field: number, data: number, kind: number, errPtr: number): bigint => {
        const f = this.fieldOf(field);
        const r = f === null ? null : this.recordOf(data, f);
        if (f === null || r === null || f.size === 0 || kind < FieldKind.Bool || kind > FieldKind.Float64 || FieldKindSize[kind] !== f.size) {
          this.writeError(errPtr);
          return 0n;
        }
        return scalarAsI64(r.view, f.offset, kind);
      },
      fieldSet: (field: number, data: number, kind: number, value: bigint): number => {
        const f = this.fieldOf(field);
        const r = f === null ? null : this.recordOf(data, f);
        if (f === null || r === null) return 1;
        if (kind === FieldKind.String || kind === FieldKind.CString || kind === FieldKind.Bytes) {
          if (f.size !== 0) return 1;
          const bytes = value === 0n ? EMPTY : this.guestSlice(value);
          if (bytes === null) return this.warn("fieldSet: value is outside guest memory"), 1;
          r.vars[f.offset] = bytes.slice();
          return 0;
        }
        if (f.size === 0 || kind < FieldKind.Bool || kind > FieldKind.Float64 || FieldKindSize[kind] !== f.size) return 1;
        const view = r.view;
        const at = f.offset;
        switch (f.size) {
          case 1: view.setUint8(at, kind === FieldKind.Bool ? (value !== 0n ? 1 : 0) : Number(BigInt.asUintN(8, value))); break;
          case 2: view.setUint16(at, Number(BigInt.asUintN(16, value)), true); break;
          case 4: view.setUint32(at, Number(BigInt.asUintN(32, value)), true); break;
          default: view.setBigUint64(at, value, true);
        }
        return 0;
      },
      fieldGetBuffer: (field: number, data: number, kind: number, dst: bigint): number => {
        const f = this.fieldOf(field);
        const r = f === null ? null : this.recordOf(data, f);
        if (f === null || r === null || (kind !== FieldKind.String && kind !== FieldKind.CString && kind !== FieldKind.Bytes)) return -1;
        // Like IG's accessor Get: a variable-length field's bytes, or a fixed-size field's bytes in the record.
        const bytes = f.size === 0 ? r.vars[f.offset] : r.bytes.subarray(f.offset, f.offset + f.size);
        const ptr = Number(BigInt.asUintN(32, dst));
        const cap = Number(dst >> 32n);
        const mem = this.guestBytes();
        if (bytes.length > cap || ptr + bytes.length > mem.length) {
          this.warn(`fieldGetBuffer: ${bytes.length} bytes do not fit the destination (${cap} bytes at ${ptr})`);
          return -1;
        }
        mem.set(bytes, ptr);
        return bytes.length;
      },
    };
  }
}
