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
import type { HostMemory } from "./host-memory.js";
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

/** Where a record is: its slot and, for fixed-size fields, its address in host memory. */
export interface RecordRef {
  readonly slot: number;
  readonly addr: number;
}

/**
 * Reads and writes one field of records.
 *
 * There is one subclass per kind, each with its own `get`, chosen when the
 * accessor is made: a call site that reads one field then sees one class and
 * V8 inlines the read down to one DataView access at `addr + offset`, with no
 * switch on the kind and no boxing of floats (bench/host-field).
 */
export class FieldAccessor {
  /** The host memory's current DataView (HostMemory.holdView re-arms it after growth). */
  view!: DataView;
  protected readonly mem: HostMemory;
  protected readonly off: number;
  private readonly scratch = { slot: 0, addr: 0 };

  constructor(
    protected readonly field: Field,
    private readonly sources: DataSources,
  ) {
    this.mem = sources.mem;
    this.off = field.offset;
    sources.mem.holdView(this);
  }

  /** The accessor of `field`, of the subclass for its kind. */
  static of(field: Field, sources: DataSources): FieldAccessor {
    return new (ACCESSORS[field.kind] ?? FieldAccessor)(field, sources);
  }

  get name(): string {
    return this.field.name;
  }

  get kind(): FieldKind {
    return this.field.kind;
  }

  get tags(): readonly string[] {
    return this.field.tags;
  }

  /** The value of this field in a record (an EventView during a callback). Bytes for Bytes fields. */
  get(record: RecordRef): FieldValue {
    return this.bytes(record);
  }

  /** The value of this field in the record at `slot`. */
  read(slot: number): FieldValue {
    this.scratch.slot = slot;
    this.scratch.addr = this.field.ds.slab.addr[slot];
    return this.get(this.scratch);
  }

  /** The stored bytes of a variable-length field. */
  protected bytes(record: RecordRef): Uint8Array {
    const slab = this.field.ds.slab;
    return slab.vars[record.slot * slab.varCount + this.off];
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

/* One subclass per kind; see FieldAccessor. */
class BoolAccessor extends FieldAccessor {
  override get(r: RecordRef): boolean {
    return this.view.getUint8(r.addr + this.off) !== 0;
  }
}
class Int8Accessor extends FieldAccessor {
  override get(r: RecordRef): number {
    return this.view.getInt8(r.addr + this.off);
  }
}
class Int16Accessor extends FieldAccessor {
  override get(r: RecordRef): number {
    return this.view.getInt16(r.addr + this.off, true);
  }
}
class Int32Accessor extends FieldAccessor {
  override get(r: RecordRef): number {
    return this.view.getInt32(r.addr + this.off, true);
  }
}
class Int64Accessor extends FieldAccessor {
  override get(r: RecordRef): bigint {
    return this.view.getBigInt64(r.addr + this.off, true);
  }
}
class Uint8Accessor extends FieldAccessor {
  override get(r: RecordRef): number {
    return this.view.getUint8(r.addr + this.off);
  }
}
class Uint16Accessor extends FieldAccessor {
  override get(r: RecordRef): number {
    return this.view.getUint16(r.addr + this.off, true);
  }
}
class Uint32Accessor extends FieldAccessor {
  override get(r: RecordRef): number {
    return this.view.getUint32(r.addr + this.off, true);
  }
}
class Uint64Accessor extends FieldAccessor {
  override get(r: RecordRef): bigint {
    return this.view.getBigUint64(r.addr + this.off, true);
  }
}
class Float32Accessor extends FieldAccessor {
  override get(r: RecordRef): number {
    return this.view.getFloat32(r.addr + this.off, true);
  }
}
class Float64Accessor extends FieldAccessor {
  override get(r: RecordRef): number {
    return this.view.getFloat64(r.addr + this.off, true);
  }
}
class StringAccessor extends FieldAccessor {
  override get(r: RecordRef): string {
    const b = this.bytes(r);
    return decodeUtf8(b, 0, b.length);
  }
}
class CStringAccessor extends FieldAccessor {
  override get(r: RecordRef): string {
    const b = this.bytes(r);
    return decodeUtf8(b, 0, cStringLength(b));
  }
}

const ACCESSORS: Partial<Record<FieldKind, new (field: Field, sources: DataSources) => FieldAccessor>> = {
  [FieldKind.Bool]: BoolAccessor,
  [FieldKind.Int8]: Int8Accessor,
  [FieldKind.Int16]: Int16Accessor,
  [FieldKind.Int32]: Int32Accessor,
  [FieldKind.Int64]: Int64Accessor,
  [FieldKind.Uint8]: Uint8Accessor,
  [FieldKind.Uint16]: Uint16Accessor,
  [FieldKind.Uint32]: Uint32Accessor,
  [FieldKind.Uint64]: Uint64Accessor,
  [FieldKind.Float32]: Float32Accessor,
  [FieldKind.Float64]: Float64Accessor,
  [FieldKind.String]: StringAccessor,
  [FieldKind.CString]: CStringAccessor,
  // Bytes: the base class returns the stored bytes.
};

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
  /** The record's slot and, for fixed-size fields, its address in host memory. */
  slot = 0;
  addr = 0;
  constructor(readonly ds: HostDataSource) {}

  /** Points the view at a record. */
  at(slot: number): this {
    this.slot = slot;
    this.addr = this.ds.source.slab.addr[slot];
    return this;
  }

  get(name: string): FieldValue {
    return this.ds.field(name).get(this);
  }

  /** A plain copy of every field, in field order. */
  toJSON(): Record<string, FieldValue> {
    const out: Record<string, FieldValue> = {};
    for (const accessor of this.ds.accessors()) {
      const v = accessor.get(this);
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
    return this.element.at(slots[i]);
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
      accessor = FieldAccessor.of(f, this.sources);
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
          callback(this.eventView.at(payload), this);
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
