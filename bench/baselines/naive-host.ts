/**
 * The naive baseline: IG's field functions the way a first JS host is
 * usually written, to show what igwasm's design buys on the same guest loops.
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

// Shared coders: a first host would at least not make one per call.
const decoder = new TextDecoder();
const encoder = new TextEncoder();

class NaiveDataSource {
  readonly fields: NaiveField[] = [];
  size = 0;
  constructor(readonly name: string) {}
}

class NaiveField {
  constructor(
    readonly ds: NaiveDataSource,
    readonly name: string,
    readonly kind: FieldKind,
    readonly offset: number,
  ) {}
}

class NaiveRecord {
  readonly buffer: ArrayBuffer;
  readonly strings = new Map<string, string>();
  constructor(readonly ds: NaiveDataSource) {
    this.buffer = new ArrayBuffer(ds.size);
  }
}

export class NaiveHost {
  private readonly dataSources = new Map<string, NaiveDataSource>();
  private readonly handles = new Map<number, unknown>();
  private nextHandle = 1;
  private memory: WebAssembly.Memory | null = null;
  readonly errors: string[] = [];

  /** Declares a host data source (fixed-size fields get consecutive aligned offsets). */
  declare(name: string, fields: Record<string, FieldKind>): void {
    const ds = new NaiveDataSource(name);
    for (const [fieldName, kind] of Object.entries(fields)) {
      const size = FieldKindSize[kind];
      const offset = size === 0 ? 0 : Math.ceil(ds.size / size) * size;
      if (size !== 0) ds.size = offset + size;
      ds.fields.push(new NaiveField(ds, fieldName, kind, offset));
    }
    this.dataSources.set(name, ds);
  }

  attach(memory: WebAssembly.Memory): void {
    this.memory = memory;
  }

  private newHandle(obj: unknown): number {
    const h = this.nextHandle++;
    this.handles.set(h, obj);
    return h;
  }

  private readString(packed: bigint): string {
    const ptr = Number(packed & 0xffffffffn);
    const len = Number(packed >> 32n);
    return decoder.decode(new Uint8Array(this.memory!.buffer, ptr, len));
  }

  private fail(message: string): void {
    this.errors.push(message);
    if (this.errors.length > 100) this.errors.shift();
  }

  private resolve(field: number, data: number): { field: NaiveField; record: NaiveRecord } | null {
    const f = this.handles.get(field);
    const r = this.handles.get(data);
    if (!(f instanceof NaiveField)) return this.fail(`bad field handle ${field}`), null;
    if (!(r instanceof NaiveRecord)) return this.fail(`bad data handle ${data}`), null;
    if (f.ds !== r.ds) return this.fail("field of another data source"), null;
    return { field: f, record: r };
  }

  /** The `ig` import module. */
  imports(): WebAssembly.ModuleImports {
    return {
      getDataSource: (name: bigint): number => {
        const ds = this.dataSources.get(this.readString(name));
        return ds ? this.newHandle(ds) : 0;
      },
      dataSourceGetField: (ds: number, name: bigint): number => {
        const source = this.handles.get(ds);
        if (!(source instanceof NaiveDataSource)) return 0;
        const n = this.readString(name);
        const f = source.fields.find((x) => x.name === n);
        return f ? this.newHandle(f) : 0;
      },
      dataSourceNewPacketSingle: (ds: number): number => {
        const source = this.handles.get(ds);
        return source instanceof NaiveDataSource ? this.newHandle(new NaiveRecord(source)) : 0;
      },
      fieldGetScalar: (field: number, data: number, kind: number, errPtr: number): bigint => {
        const r = this.resolve(field, data);
        if (r === null || FieldKindSize[r.field.kind] === 0 || FieldKindSize[kind] !== FieldKindSize[r.field.kind] || kind === 0 || kind > FieldKind.Float64) {
          if (errPtr !== 0) new DataView(this.memory!.buffer).setUint32(errPtr, 1, true);
          return 0n;
        }
        const view = new DataView(r.record.buffer);
        const at = r.field.offset;
        switch (kind) {
          case FieldKind.Bool: return view.getUint8(at) !== 0 ? 1n : 0n;
          case FieldKind.Int8: return BigInt(view.getInt8(at));
          case FieldKind.Int16: return BigInt(view.getInt16(at, true));
          case FieldKind.Int32: return BigInt(view.getInt32(at, true));
          case FieldKind.Uint8: return BigInt(view.getUint8(at));
          case FieldKind.Uint16: return BigInt(view.getUint16(at, true));
          case FieldKind.Uint32: return BigInt(view.getUint32(at, true));
          case FieldKind.Float32: return BigInt(view.getUint32(at, true));
          case FieldKind.Int64: return view.getBigInt64(at, true);
          default: return view.getBigUint64(at, true);
        }
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

/** Instantiates a guest on a naive host with data source "bench" declared as `fields`. */
export function loadNaive(wasm: Uint8Array<ArrayBuffer>, dsName: string, fields: Record<string, FieldKind>): { host: NaiveHost; exports: WebAssembly.Exports } {
  const host = new NaiveHost();
  host.declare(dsName, fields);
  const instance = new WebAssembly.Instance(new WebAssembly.Module(wasm), { ig: host.imports() });
  host.attach(instance.exports.memory as WebAssembly.Memory);
  return { host, exports: instance.exports };
}
