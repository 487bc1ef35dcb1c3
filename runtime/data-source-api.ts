/**
 * The public JS API over a gadget's data sources: declare host data sources
 * with typed fields, emit events into them, subscribe to what the guest emits.
 *
 * Reading is lazy and allocation-free for scalars: a subscriber gets an
 * EventView that points at the record (one view object per data source,
 * re-pointed for each event), and `get` reads one field with one DataView
 * access. Strings are decoded only when asked for. An EventView is valid
 * only during the callback; `toJSON()` copies.
 */
import { DataSourceType, FieldKind, FieldKindSize, SubscriptionType } from "../generated/constants.js";
import type { DataArray, DataSource, Field } from "./data-source.js";
import type { DataSources } from "./data-sources.js";
import { cStringLength, decodeUtf8, encodeUtf8 } from "./utf8.js";

export type FieldValue = number | bigint | boolean | string | Uint8Array;
export type FieldKindName =
  | "bool" | "int8" | "int16" | "int32" | "int64" | "uint8" | "uint16" | "uint32" | "uint64"
  | "float32" | "float64" | "string" | "cstring" | "bytes";

const KIND_BY_NAME: Record<FieldKindName, FieldKind> = {
  bool: FieldKind.Bool, int8: FieldKind.Int8, int16: FieldKind.Int16, int32: FieldKind.Int32, int64: FieldKind.Int64,
  uint8: FieldKind.Uint8, uint16: FieldKind.Uint16, uint32: FieldKind.Uint32, uint64: FieldKind.Uint64,
  float32: FieldKind.Float32, float64: FieldKind.Float64, string: FieldKind.String, cstring: FieldKind.CString, bytes: FieldKind.Bytes,
};

/** `uint32` -> FieldKind.Uint32; throws on an unknown name. */
export function fieldKindFromName(name: string): FieldKind {
  const kind = KIND_BY_NAME[name.toLowerCase() as FieldKindName];
  if (kind === undefined) throw new TypeError(`unknown field kind "${name}" (expected one of: ${Object.keys(KIND_BY_NAME).join(", ")})`);
  return kind;
}

export function fieldKindName(kind: FieldKind): FieldKindName {
  return (Object.keys(KIND_BY_NAME) as FieldKindName[]).find((k) => KIND_BY_NAME[k] === kind) ?? "bytes";
}

export interface DeclareOptions {
  readonly type?: "single" | "array";
  /** Field name -> kind name, in record order. */
  readonly fields: Readonly<Record<string, FieldKindName>>;
}

export interface SubscribeOptions {
  /** data: once per record (array packets: per element); array: once per array packet; packet: once per packet. Default data. */
  readonly type?: "data" | "array" | "packet";
  /** Lower runs first; guest and JS subscribers share one order. Default 0. */
  readonly priority?: number;
}

export type EventCallback = (event: EventView | ArrayView, ds: HostDataSource) => void;

/** Reads and writes one field of records. */
export class FieldAccessor {
  constructor(
    private readonly field: Field,
    private readonly sources: DataSources,
  ) {}

  get name(): string {
    return this.field.name;
  }

  get kind(): FieldKind {
    return this.field.kind;
  }

  get tags(): readonly string[] {
    return this.field.tags;
  }

  /** The value of this field in the event's record. */
  get(event: EventView): FieldValue {
    return this.read(event.slot);
  }

  read(slot: number): FieldValue {
    const f = this.field;
    const ds = f.ds;
    if (f.size === 0) {
      const bytes = ds.slab.vars[slot * ds.slab.varCount + f.offset];
      switch (f.kind) {
        case FieldKind.String:
          return decodeUtf8(bytes, 0, bytes.length);
        case FieldKind.CString:
          return decodeUtf8(bytes, 0, cStringLength(bytes));
        default:
          return bytes;
      }
    }
    const view = this.sources.mem.view;
    const addr = ds.slab.addr[slot] + f.offset;
    switch (f.kind) {
      case FieldKind.Bool:
        return view.getUint8(addr) !== 0;
      case FieldKind.Int8:
        return view.getInt8(addr);
      case FieldKind.Int16:
        return view.getInt16(addr, true);
      case FieldKind.Int32:
        return view.getInt32(addr, true);
      case FieldKind.Int64:
        return view.getBigInt64(addr, true);
      case FieldKind.Uint8:
        return view.getUint8(addr);
      case FieldKind.Uint16:
        return view.getUint16(addr, true);
      case FieldKind.Uint32:
        return view.getUint32(addr, true);
      case FieldKind.Uint64:
        return view.getBigUint64(addr, true);
      case FieldKind.Float32:
        return view.getFloat32(addr, true);
      default:
        return view.getFloat64(addr, true);
    }
  }

  /** Writes a value into a record slot (used when the host emits). */
  write(slot: number, value: FieldValue): void {
    const f = this.field;
    const ds = f.ds;
    if (f.size === 0) {
      let bytes: Uint8Array;
      if (typeof value === "string") bytes = encodeUtf8(value);
      else if (value instanceof Uint8Array) bytes = value.slice();
      else throw new TypeError(`field "${f.name}" is ${FieldKind[f.kind]}: expected a string or Uint8Array, got ${typeof value}`);
      ds.slab.vars[slot * ds.slab.varCount + f.offset] = bytes;
      return;
    }
    const view = this.sources.mem.view;
    const addr = ds.slab.addr[slot] + f.offset;
    switch (f.kind) {
      case FieldKind.Bool:
        view.setUint8(addr, value ? 1 : 0);
        return;
      case FieldKind.Int64:
        view.setBigInt64(addr, BigInt.asIntN(64, toBigInt(f, value)), true);
        return;
      case FieldKind.Uint64:
        view.setBigUint64(addr, BigInt.asUintN(64, toBigInt(f, value)), true);
        return;
      case FieldKind.Float32:
        view.setFloat32(addr, toNumber(f, value), true);
        return;
      case FieldKind.Float64:
        view.setFloat64(addr, toNumber(f, value), true);
        return;
    }
    // Integers up to 32 bits: the low bytes of the two's complement value.
    const n = toNumber(f, value);
    if (!Number.isInteger(n)) throw new TypeError(`field "${f.name}" is ${FieldKind[f.kind]}: ${n} is not an integer`);
    switch (FieldKindSize[f.kind]) {
      case 1:
        view.setUint8(addr, n & 0xff);
        return;
      case 2:
        view.setUint16(addr, n & 0xffff, true);
        return;
      default:
        view.setUint32(addr, n >>> 0, true);
    }
  }
}

function toNumber(f: Field, value: FieldValue): number {
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "boolean") return value ? 1 : 0;
  throw new TypeError(`field "${f.name}" is ${FieldKind[f.kind]}: expected a number, got ${typeof value}`);
}

function toBigInt(f: Field, value: FieldValue): bigint {
  if (typeof value === "bigint") return value;
  if (typeof value === "number" && Number.isInteger(value)) return BigInt(value);
  if (typeof value === "boolean") return value ? 1n : 0n;
  throw new TypeError(`field "${f.name}" is ${FieldKind[f.kind]}: expected an integer or bigint, got ${String(value)}`);
}

/** One record of a data source, during a callback. */
export class EventView {
  slot = 0;
  constructor(readonly ds: HostDataSource) {}

  get(name: string): FieldValue {
    return this.ds.field(name).read(this.slot);
  }

  /** A plain copy of every field, in field order. */
  toJSON(): Record<string, FieldValue> {
    const out: Record<string, FieldValue> = {};
    for (const accessor of this.ds.accessors()) {
      const v = accessor.read(this.slot);
      out[accessor.name] = v instanceof Uint8Array ? v.slice() : v;
    }
    return out;
  }
}

/** The records of an array packet, during a callback. */
export class ArrayView {
  array: DataArray | null = null;
  private readonly element: EventView;
  constructor(readonly ds: HostDataSource) {
    this.element = new EventView(ds);
  }

  get length(): number {
    return this.array?.slots.length ?? 0;
  }

  /** The i-th record; the returned view is reused by the next `at` call. */
  at(i: number): EventView {
    const slots = this.array?.slots ?? [];
    if (i < 0 || i >= slots.length) throw new RangeError(`index ${i} is outside the array (${slots.length})`);
    this.element.slot = slots[i];
    return this.element;
  }

  toJSON(): Record<string, FieldValue>[] {
    return Array.from({ length: this.length }, (_, i) => this.at(i).toJSON());
  }
}

/** A data source as the embedding code sees it. */
export class HostDataSource {
  private readonly byName = new Map<string, FieldAccessor>();
  private readonly eventView = new EventView(this);
  private readonly arrayView = new ArrayView(this);

  constructor(
    readonly source: DataSource,
    private readonly sources: DataSources,
  ) {}

  get name(): string {
    return this.source.name;
  }

  get type(): "single" | "array" {
    return this.source.isArray ? "array" : "single";
  }

  get referenced(): boolean {
    return this.source.referenced;
  }

  /** The accessor of a field; throws when the data source has no such field. */
  field(name: string): FieldAccessor {
    let accessor = this.byName.get(name);
    if (accessor === undefined) {
      const f = this.source.field(name);
      if (f === undefined) throw new RangeError(`data source "${this.name}" has no field "${name}"`);
      accessor = new FieldAccessor(f, this.sources);
      this.byName.set(name, accessor);
    }
    return accessor;
  }

  accessors(): FieldAccessor[] {
    return this.source.fields.map((f) => this.field(f.name));
  }

  /** Adds a field (before any packet of the data source exists). */
  addField(name: string, kind: FieldKindName | FieldKind): FieldAccessor {
    this.sources.addField(this.source, name, typeof kind === "number" ? kind : fieldKindFromName(kind));
    return this.field(name);
  }

  private fill(slot: number, values: Readonly<Record<string, FieldValue>>): void {
    for (const name of Object.keys(values)) this.field(name).write(slot, values[name]);
  }

  /** Emits one event of a Single data source to every subscriber, synchronously. */
  emit(values: Readonly<Record<string, FieldValue>>): void {
    if (this.source.isArray) throw new TypeError(`data source "${this.name}" is an Array data source: use emitArray`);
    const slab = this.source.slab;
    const slot = slab.alloc();
    try {
      this.fill(slot, values);
      this.sources.deliver(this.source, slot);
    } finally {
      slab.free(slot);
    }
  }

  /** Emits one array packet of an Array data source. */
  emitArray(records: readonly Readonly<Record<string, FieldValue>>[]): void {
    if (!this.source.isArray) throw new TypeError(`data source "${this.name}" is a Single data source: use emit`);
    const arr = this.source.newArray();
    try {
      for (const values of records) {
        const slot = this.source.slab.alloc();
        arr.slots.push(slot);
        this.fill(slot, values);
      }
      this.sources.deliver(this.source, arr);
    } finally {
      this.source.releaseArray(arr);
    }
  }

  /** Subscribes a JS callback; see SubscribeOptions. */
  subscribe(callback: EventCallback, options: SubscribeOptions = {}): void {
    const type = options.type === "array" ? SubscriptionType.Array : options.type === "packet" ? SubscriptionType.Packet : SubscriptionType.Data;
    if (type === SubscriptionType.Array && !this.source.isArray) throw new TypeError(`data source "${this.name}" is not an Array data source`);
    this.source.subscribe({
      prio: options.priority ?? 0,
      type,
      cbID: 0n,
      dsHandle: 0,
      js: (_ds, payload) => {
        if (typeof payload === "number") {
          this.eventView.slot = payload;
          callback(this.eventView, this);
        } else {
          this.arrayView.array = payload;
          callback(this.arrayView, this);
        }
      },
    });
  }
}

/** All data sources of a gadget. */
export class DataSourceApi {
  private readonly views = new Map<DataSource, HostDataSource>();
  private readonly pending = new Map<string, { callback: EventCallback; options: SubscribeOptions }[]>();
  private readonly everywhere: { callback: EventCallback; options: SubscribeOptions }[] = [];

  constructor(private readonly sources: DataSources) {
    sources.onCreate = (ds) => this.attach(ds);
  }

  private view(ds: DataSource): HostDataSource {
    let v = this.views.get(ds);
    if (v === undefined) {
      v = new HostDataSource(ds, this.sources);
      this.views.set(ds, v);
    }
    return v;
  }

  private attach(ds: DataSource): void {
    const view = this.view(ds);
    for (const s of this.everywhere) {
      if (s.options.type !== "array" || ds.isArray) view.subscribe(s.callback, s.options);
    }
    for (const s of this.pending.get(ds.name) ?? []) view.subscribe(s.callback, s.options);
    this.pending.delete(ds.name);
  }

  /** Declares a host data source with typed fields (before the guest's init looks it up). */
  declare(name: string, options: DeclareOptions): HostDataSource {
    const ds = this.sources.create(name, options.type === "array" ? DataSourceType.Array : DataSourceType.Single, false);
    for (const [field, kind] of Object.entries(options.fields)) this.sources.addField(ds, field, fieldKindFromName(kind));
    return this.view(ds);
  }

  get(name: string): HostDataSource | undefined {
    const ds = this.sources.get(name);
    return ds ? this.view(ds) : undefined;
  }

  names(): string[] {
    return this.sources.sources.map((ds) => ds.name);
  }

  /** Subscribes to a data source by name; if it does not exist yet, when it is created. */
  subscribe(name: string, callback: EventCallback, options: SubscribeOptions = {}): void {
    const ds = this.sources.get(name);
    if (ds) this.view(ds).subscribe(callback, options);
    else this.pending.set(name, [...(this.pending.get(name) ?? []), { callback, options }]);
  }

  /** Subscribes to every data source, existing and future. */
  subscribeAll(callback: EventCallback, options: SubscribeOptions = {}): void {
    this.everywhere.push({ callback, options });
    for (const ds of this.sources.sources) {
      if (options.type === "array" && !ds.isArray) continue;
      this.view(ds).subscribe(callback, options);
    }
  }
}
