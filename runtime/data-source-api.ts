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
import { DataArrayMaxIndex, DataSourceType, type FieldKind, SubscriptionType } from "../generated/constants.js";
import { errorText, HostCallError } from "./errors.js";
import type { DataArray, DataSource } from "./data-source.js";
import type { DataSources } from "./data-sources.js";
import { compileFill, type EventValues, type Fill } from "./event-fill.js";
import { FieldAccessor, fieldKindFromName, type FieldKindName, type FieldValue } from "./field-accessor.js";

export { FieldAccessor, fieldKindFromName, fieldKindName, type FieldKindName, type FieldValue, type RecordRef } from "./field-accessor.js";

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
/** The callback of a `data` subscription (the default type): one record. */
export type DataCallback = (event: EventView, ds: HostDataSource) => void;
/** The callback of an `array` subscription: one array packet. */
export type ArrayCallback = (event: ArrayView, ds: HostDataSource) => void;
/** Options of a subscription whose callback gets one record. */
export type DataSubscribeOptions = SubscribeOptions & { readonly type?: "data" };
/** Options of a subscription whose callback gets one array packet. */
export type ArraySubscribeOptions = SubscribeOptions & { readonly type: "array" };

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

/** Compiled fills a data source makes: the first sets of fields its producers set; more sets take the generic path. */
const MAX_FILLS = 4;

/** A data source as the embedding code sees it. */
export class HostDataSource {
  private readonly byName = new Map<string, FieldAccessor>();
  /** Compiled fills (runtime/event-fill.ts), newest first, with the names they set joined by "\0". */
  private fills: ReadonlyArray<{ readonly names: string; readonly fill: Fill }> = [];
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

  /**
   * Writes `values` (its enumerable properties, own and inherited) into the
   * record at `slot`: through a compiled fill when one fits, otherwise
   * property by property, after which the set of names gets a fill of its own.
   */
  private fill(slot: number, values: EventValues): void {
    const fills = this.fills;
    for (let i = 0; i < fills.length; i++) if (fills[i].fill(slot, values)) return;
    const names: string[] = [];
    for (const name in values) {
      this.field(name).write(slot, values[name]);
      names.push(name);
    }
    this.learnFill(names);
  }

  /**
   * Compiles a fill for `names` unless one exists or MAX_FILLS do (values of
   * types a fill does not convert keep taking the generic path; compiling
   * never repeats).
   */
  private learnFill(names: string[]): void {
    if (this.fills.length >= MAX_FILLS) return;
    const key = names.join("\0");
    if (this.fills.some((f) => f.names === key)) return;
    const fill = compileFill(this.source, this.sources.mem, names, (name) => this.field(name));
    this.fills = [{ names: key, fill }, ...this.fills];
  }

  /** Emits one event of a Single data source to every subscriber, synchronously. */
  emit(values: EventValues): void {
    if (this.source.isArray) throw new TypeError(`data source "${this.name}" is an Array data source: use emitArray`);
    const slab = this.source.slab;
    const slot = this.recordOrDrop();
    if (slot === -1) return;
    try {
      this.fill(slot, values);
      this.sources.deliver(this.source, slot);
    } finally {
      slab.free(slot);
    }
  }

  /** Emits one array packet of an Array data source. */
  emitArray(records: readonly EventValues[]): void {
    if (!this.source.isArray) throw new TypeError(`data source "${this.name}" is a Single data source: use emit`);
    // Guest subscribers address elements by a 15-bit index inside the element handle.
    if (records.length > DataArrayMaxIndex + 1) {
      throw new RangeError(`data source "${this.name}": an array packet holds at most ${DataArrayMaxIndex + 1} records, not ${records.length}`);
    }
    const arr = this.source.newArray();
    try {
      for (const values of records) {
        const slot = this.recordOrDrop();
        if (slot === -1) return;
        arr.slots.push(slot);
        this.fill(slot, values);
      }
      this.sources.deliver(this.source, arr);
    } finally {
      this.source.releaseArray(arr);
    }
  }

  /**
   * A record for an event from the embedder, or -1 when host memory is
   * exhausted (the guest may have used the budget): the event is dropped with
   * an error log line rather than thrown at the embedder.
   */
  private recordOrDrop(): number {
    try {
      return this.source.slab.alloc();
    } catch (e) {
      if (!(e instanceof HostCallError)) throw e;
      this.sources.logger.error(`data source "${this.name}": event dropped: ${errorText(e)}`);
      return -1;
    }
  }

  /** Subscribes a JS callback; see SubscribeOptions. The callback's type follows `options.type`. */
  subscribe(callback: DataCallback, options?: DataSubscribeOptions): void;
  subscribe(callback: ArrayCallback, options: ArraySubscribeOptions): void;
  subscribe(callback: EventCallback, options?: SubscribeOptions): void;
  subscribe(cb: DataCallback | ArrayCallback | EventCallback, options: SubscribeOptions = {}): void {
    const callback = cb as EventCallback;
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

/** Whether a subscribeAll subscription applies to `ds`: array subscriptions only to Array data sources. */
function accepts(ds: DataSource, options: SubscribeOptions): boolean {
  return options.type !== "array" || ds.isArray;
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
      if (accepts(ds, s.options)) view.subscribe(s.callback, s.options);
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
    return this.sources.names();
  }

  /** Names given to `subscribe` that no data source has had so far: those subscriptions never attached. */
  unattached(): string[] {
    return [...this.pending.keys()];
  }

  /** Subscribes to a data source by name; if it does not exist yet, when it is created. The callback's type follows `options.type`. */
  subscribe(name: string, callback: DataCallback, options?: DataSubscribeOptions): void;
  subscribe(name: string, callback: ArrayCallback, options: ArraySubscribeOptions): void;
  subscribe(name: string, callback: EventCallback, options?: SubscribeOptions): void;
  subscribe(name: string, cb: DataCallback | ArrayCallback | EventCallback, options: SubscribeOptions = {}): void {
    const callback = cb as EventCallback;
    const ds = this.sources.get(name);
    if (ds) this.view(ds).subscribe(callback, options);
    else this.pending.set(name, [...(this.pending.get(name) ?? []), { callback, options }]);
  }

  /** Subscribes to every data source, existing and future. The callback's type follows `options.type`. */
  subscribeAll(callback: DataCallback, options?: DataSubscribeOptions): void;
  subscribeAll(callback: ArrayCallback, options: ArraySubscribeOptions): void;
  subscribeAll(callback: EventCallback, options?: SubscribeOptions): void;
  subscribeAll(cb: DataCallback | ArrayCallback | EventCallback, options: SubscribeOptions = {}): void {
    const callback = cb as EventCallback;
    this.everywhere.push({ callback, options });
    for (const ds of this.sources.sources) {
      if (accepts(ds, options)) this.view(ds).subscribe(callback, options);
    }
  }
}
