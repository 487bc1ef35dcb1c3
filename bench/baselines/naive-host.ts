/**
 * The naive host: IG's field functions the way a first, careless JS host is
 * written. It is NOT the fair baseline (that is plain-host.ts, a faithful
 * translation of IG's Go host): it makes a DataView on every call and
 * re-encodes stored strings on every read, which IG's host does not do. It
 * stays in the bench to show what those careless choices cost.
 *
 * - handles: a Map from number to a JS object, checked with `instanceof`;
 * - records: one ArrayBuffer per packet, read and written through a new
 *   DataView per call; string fields as JS strings;
 * - packed (len << 32 | ptr) i64 values split with BigInt operators;
 * - strings decoded with TextDecoder and encoded with TextEncoder on every
 *   call (one shared coder each), guest memory reached through
 *   `memory.buffer` on every call.
 *
 * It is correct (same results and error conventions as igwasm for what it
 * implements) but implements only what bench/guests/field-guest.wat imports:
 * getDataSource, dataSourceGetField, dataSourceNewPacketSingle,
 * fieldGetScalar, fieldGetBuffer, fieldSet. Nothing here is used by igwasm.
 */
import { FieldKind, FieldKindSize } from "../../generated/constants.js";
import { BaselineHostBase } from "./base-host.js";
import { type BaselineDataSource, BaselineField, scalarAsI64 } from "./layout.js";

// Shared coders: a first host would at least not make one per call.
const decoder = new TextDecoder();
const encoder = new TextEncoder();

class NaiveRecord {
  readonly buffer: ArrayBuffer;
  readonly strings = new Map<string, string>();
  constructor(readonly ds: BaselineDataSource) {
    this.buffer = new ArrayBuffer(ds.fixedSize);
  }
}

export class NaiveHost extends BaselineHostBase {
  private nextHandle = 1;

  protected addHandle(obj: unknown): number {
    const h = this.nextHandle++;
    this.handles.set(h, obj);
    return h;
  }

  protected readString(packed: bigint): string {
    const ptr = Number(packed & 0xffffffffn);
    const len = Number(packed >> 32n);
    return decoder.decode(new Uint8Array(this.memory!.buffer, ptr, len));
  }

  private resolve(field: number, data: number): { field: BaselineField; record: NaiveRecord } | null {
    const f = this.handles.get(field);
    const r = this.handles.get(data);
    if (!(f instanceof BaselineField)) return this.warn(`bad field handle ${field}`), null;
    if (!(r instanceof NaiveRecord)) return this.warn(`bad data handle ${data}`), null;
    if (f.ds !== r.ds) return this.warn("field of another data source"), null;
    return { field: f, record: r };
  }

  protected newRecord(ds: BaselineDataSource): NaiveRecord {
    return new NaiveRecord(ds);
  }

  /** The `ig` import module. */
  imports(): WebAssembly.ModuleImports {
    return {
      ...this.setUpImports(),
      fieldGetScalar: (field: number, data: number, kind: number, errPtr: number): bigint => {
        const r = this.resolve(field, data);
        if (r === null || FieldKindSize[r.field.kind] === 0 || FieldKindSize[kind] !== FieldKindSize[r.field.kind] || kind === 0 || kind > FieldKind.Float64) {
          if (errPtr !== 0) new DataView(this.memory!.buffer).setUint32(errPtr, 1, true);
          return 0n;
        }
        return scalarAsI64(new DataView(r.record.buffer), r.field.offset, kind);
      },
      fieldSet: (field: number, data: number, kind: number, value: bigint): number => {
        const r = this.resolve(field, data);
        if (r === null) return 1;
        if (kind === FieldKind.String || kind === FieldKind.CString || kind === FieldKind.Bytes) {
          if (FieldKindSize[r.field.kind] !== 0) return 1;
          r.record.strings.set(r.field.name, this.readString(value));
          return 0;
        }
        if (FieldKindSize[r.field.kind] === 0 || FieldKindSize[kind] !== FieldKindSize[r.field.kind] || kind === 0 || kind > FieldKind.Float64) return 1;
        const view = new DataView(r.record.buffer);
        const at = r.field.offset;
        switch (FieldKindSize[kind]) {
          case 1: view.setUint8(at, kind === FieldKind.Bool ? (value !== 0n ? 1 : 0) : Number(value & 0xffn)); break;
          case 2: view.setUint16(at, Number(value & 0xffffn), true); break;
          case 4: view.setUint32(at, Number(value & 0xffffffffn), true); break;
          default: view.setBigUint64(at, BigInt.asUintN(64, value), true);
        }
        return 0;
      },
      fieldGetBuffer: (field: number, data: number, kind: number, dst: bigint): number => {
        const r = this.resolve(field, data);
        if (r === null || FieldKindSize[r.field.kind] !== 0 || FieldKindSize[kind] !== 0 || kind === 0 || kind > FieldKind.Bytes) return -1;
        const ptr = Number(dst & 0xffffffffn);
        const cap = Number(dst >> 32n);
        const bytes = encoder.encode(r.record.strings.get(r.field.name) ?? "");
        if (bytes.length > cap || ptr + bytes.length > this.memory!.buffer.byteLength) return -1;
        new Uint8Array(this.memory!.buffer).set(bytes, ptr);
        return bytes.length;
      },
    };
  }
}
