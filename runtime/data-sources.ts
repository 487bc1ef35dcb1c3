/**
 * The data sources of one gadget instance: registry, record resolution and
 * packet delivery. Host-function families (data source, data array, field)
 * and the public JS API are thin layers over this.
 */
import { DataArrayElementFlag, DataArrayIndexShift, DataArrayMaxIndex, DataSourceType, type FieldKind, SubscriptionType } from "../generated/constants.js";
import { errorText, fail } from "./errors.js";
import { ANY_ARRAY, ANY_DATA, type HandleTable, HandleType } from "./handles.js";
import { HANDLE_ENTRY_BYTES, type HostMemory } from "./host-memory.js";
import { DataArray, DataSource, type Field, type Subscription } from "./data-source.js";
import type { Logger } from "./logger.js";

/**
 * A resolved record (DataSources.resolveRecord), valid until the handle it
 * came from is released: for a Data handle or a single packet the offset of
 * its handle-table entry (at most MaxHandles * 16); for a data-array element
 * ELEMENT_REF | element index << ELEMENT_INDEX_SHIFT | the array's entry index.
 * Read through DataSources.recordAddress, recordSource, recordSlot.
 */
export type RecordRef = number;

/** Marks a RecordRef of a data-array element: above every entry offset, and with the index still a small integer. */
const ELEMENT_REF = 1 << 28;
const ELEMENT_INDEX_SHIFT = 13;
const ELEMENT_ARRAY_MASK = (1 << ELEMENT_INDEX_SHIFT) - 1;

/** How the runtime reaches the guest's data-source callback export. */
export interface GuestCallbackLink {
  /** The exported callback (`dsCallback` or `dataSourceCallback`), or null when the guest has none. */
  callback: ((cbID: bigint, ds: number, data: number) => void) | null;
}

export class DataSources {
  readonly sources: DataSource[] = [];
  private readonly byName = new Map<string, DataSource>();
  readonly fields: Field[] = [];
  /** Called after a data source is created (the public API attaches queued subscribers). */
  onCreate: ((ds: DataSource) => void) | null = null;
  /** Called, after the log line, when a guest callback traps (the gadget reports it with its phase). */
  onGuestFailure: ((ds: DataSource, cbID: bigint, error: unknown) => void) | null = null;

  /** Deliveries in progress, one inside another (a subscriber that emits starts a nested one). */
  private depth = 0;

  constructor(
    readonly mem: HostMemory,
    readonly handles: HandleTable,
    readonly guest: GuestCallbackLink,
    readonly logger: Logger,
    /** Most deliveries in progress at once (Limits.callbackDepth). */
    private readonly maxDepth: number,
  ) {}

  /** The data source registered under `name` (the newest, when the guest replaced one). */
  get(name: string): DataSource | undefined {
    return this.byName.get(name);
  }

  /** Names of the registered data sources, in creation order of their current holders. */
  names(): string[] {
    return this.sources.filter((ds) => this.byName.get(ds.name) === ds).map((ds) => ds.name);
  }

  /**
   * Creates a data source of type Single or Array (IG refuses every other
   * type: pkg/datasource/data.go newDataSource, since 6587c90f6, before the
   * first release). `existing` says what a taken name does: "fail" for the
   * host's own declarations; "replace" for the guest's newDataSource, which in
   * IG registers the new source under the name and forgets the old one
   * (pkg/gadget-context/gadget-context.go RegisterDataSource, no check in any
   * release): handles to the old source keep working on it, getDataSource
   * finds the new one. An empty name is a name like any other, as in IG.
   */
  create(name: string, type: DataSourceType, ownedByGuest: boolean, existing: "fail" | "replace" = "fail"): DataSource {
    if (existing === "fail" && this.byName.has(name)) fail(`data source "${name}" exists already`);
    if (type !== DataSourceType.Single && type !== DataSourceType.Array) {
      fail(`invalid data source type ${type} (1 Single or 2 Array)`);
    }
    if (this.sources.length > 0xffff) fail("too many data sources");
    const ds = new DataSource(this.sources.length, name, type, this.mem, ownedByGuest);
    this.sources.push(ds);
    this.byName.set(name, ds);
    this.onCreate?.(ds);
    return ds;
  }

  /** Adds a field (an empty name is accepted, as in IG's dataSourceAddField). */
  addField(ds: DataSource, name: string, kind: FieldKind): Field {
    const field = ds.addField(name, kind, this.fields.length);
    this.fields.push(field);
    return field;
  }

  // --- handles ---------------------------------------------------------

  dataSourceOf(handle: number, what: string): DataSource {
    const base = this.handles.entry(handle, HandleType.DataSource, what);
    return this.sources[this.handles.dataSourceIndex(base)];
  }

  fieldHandle(field: Field): number {
    return this.handles.alloc({
      type: HandleType.Field,
      dataSource: field.ds.index,
      fieldKind: field.kind,
      fieldOffset: field.offset,
      fieldId: field.id,
    });
  }

  fieldOf(handle: number, what: string): Field {
    const base = this.handles.entry(handle, HandleType.Field, what);
    return this.fields[this.handles.fieldId(base)];
  }

  arrayOf(handle: number, what: string): DataArray {
    return this.handles.object<DataArray>(this.handles.entry(handle, ANY_ARRAY, what));
  }

  /**
   * Resolves a Data handle (a record, a single packet, or a data-array element
   * handle) to a RecordRef, from which `recordAddress`, `recordSource`,
   * `recordSourceIndex` and `recordSlot` read the record. A number, so the
   * hot path allocates nothing.
   */
  resolveRecord(handle: number, what: string): RecordRef {
    if ((handle & DataArrayElementFlag) !== 0) return this.resolveElement(handle, what);
    return this.handles.entry(handle, ANY_DATA, what);
  }

  /** resolveRecord for a data-array element handle (kept apart so resolveRecord stays small enough to inline). */
  private resolveElement(handle: number, what: string): RecordRef {
    const base = this.handles.elementArrayEntry(handle, what);
    const index = (handle >>> DataArrayIndexShift) & DataArrayMaxIndex;
    const length = this.handles.object<DataArray>(base).slots.length;
    if (index >= length) fail(`${what}: element ${index} is past the end of the array (${length})`);
    return ELEMENT_REF | (index << ELEMENT_INDEX_SHIFT) | (base / HANDLE_ENTRY_BYTES);
  }

  // The accessors of a RecordRef are inlined into the field host functions: each keeps the
  // element case, which reads the array, in a function of its own.

  /** The index of the record's data source. */
  recordSourceIndex(ref: RecordRef): number {
    return this.handles.dataSourceIndex(ref < ELEMENT_REF ? ref : (ref & ELEMENT_ARRAY_MASK) * HANDLE_ENTRY_BYTES);
  }

  /** The record's data source. */
  recordSource(ref: RecordRef): DataSource {
    return this.sources[this.recordSourceIndex(ref)];
  }

  /** The record's slot in its data source's slab. */
  recordSlot(ref: RecordRef): number {
    return ref < ELEMENT_REF ? this.handles.recordSlot(ref) : this.elementSlot(ref);
  }

  /** The record's address in host memory. */
  recordAddress(ref: RecordRef): number {
    return ref < ELEMENT_REF ? this.handles.recordAddress(ref) : this.elementAddress(ref);
  }

  private elementSlot(ref: RecordRef): number {
    return this.elementArray(ref).slots[(ref >>> ELEMENT_INDEX_SHIFT) & DataArrayMaxIndex];
  }

  private elementAddress(ref: RecordRef): number {
    return this.elementArray(ref).ds.slab.addr[this.elementSlot(ref)];
  }

  private elementArray(ref: RecordRef): DataArray {
    return this.handles.object<DataArray>((ref & ELEMENT_ARRAY_MASK) * HANDLE_ENTRY_BYTES);
  }

  // --- packets ---------------------------------------------------------

  newPacketSingle(ds: DataSource): number {
    if (ds.isArray) fail(`data source "${ds.name}" is an Array data source; use dataSourceNewPacketArray`);
    const slot = ds.slab.alloc();
    try {
      return this.handles.alloc({ type: HandleType.PacketSingle, dataSource: ds.index, recordAddress: ds.slab.addr[slot], recordSlot: slot });
    } catch (e) {
      ds.slab.free(slot);
      throw e;
    }
  }

  newPacketArray(ds: DataSource): number {
    if (!ds.isArray) fail(`data source "${ds.name}" is a Single data source; use dataSourceNewPacketSingle`);
    const arr = ds.newArray();
    try {
      return this.handles.alloc({ type: HandleType.PacketArray, dataSource: ds.index, array: arr });
    } catch (e) {
      ds.releaseArray(arr);
      throw e;
    }
  }

  /**
   * Checks that `handle` is a packet of `ds`; returns its entry offset.
   * Stricter than IG (pkg/operators/wasm/datasource.go dataSourceEmitAndRelease
   * and dataSourceRelease, aeac857), which accept a packet of another data
   * source, and callback data of a Packet subscription, as the packet.
   */
  packetEntry(ds: DataSource, handle: number, what: string): number {
    const base = this.handles.entry(handle, HandleType.PacketSingle | HandleType.PacketArray, what);
    const owner = this.sources[this.handles.dataSourceIndex(base)];
    if (owner !== ds) fail(`${what}: packet ${handle} belongs to data source "${owner.name}", not "${ds.name}"`);
    return base;
  }

  /**
   * Emits packet `handle` into `ds`. A packet of another data source is
   * released without being emitted, and the call fails: the guest gave the
   * packet up either way (IG drops the packet's handle before emitting).
   */
  emitPacketHandle(ds: DataSource, handle: number, what: string): void {
    const base = this.handles.entry(handle, HandleType.PacketSingle | HandleType.PacketArray, what);
    const owner = this.sources[this.handles.dataSourceIndex(base)];
    if (owner !== ds) {
      this.releasePacket(owner, base);
      fail(`${what}: packet ${handle} belongs to data source "${owner.name}", not "${ds.name}"; it was released without being emitted`);
    }
    this.emitPacket(ds, base);
  }

  /** Releases a packet (its records and its handle) without emitting it. */
  releasePacket(ds: DataSource, base: number): void {
    if (this.handles.typeAt(base) === HandleType.PacketArray) ds.releaseArray(this.handles.object<DataArray>(base));
    else ds.slab.free(this.handles.recordSlot(base));
    this.handles.releaseEntry(base);
  }

  /** Discards a record from dataArrayNew that was never appended: frees the record and its handle. */
  discardPendingRecord(array: DataArray, base: number): void {
    array.ds.slab.free(this.handles.recordSlot(base));
    array.pending--;
    this.handles.releaseEntry(base);
  }

  /**
   * Delivers a packet to every subscriber, then releases it. The packet
   * handle is released before delivery (so subscribers cannot touch it) but
   * its records only after every subscriber ran.
   */
  emitPacket(ds: DataSource, base: number): void {
    const isArray = this.handles.typeAt(base) === HandleType.PacketArray;
    const payload: number | DataArray = isArray ? this.handles.object<DataArray>(base) : this.handles.recordSlot(base);
    this.handles.releaseEntry(base);
    try {
      this.deliver(ds, payload);
    } finally {
      if (typeof payload === "number") ds.slab.free(payload);
      else ds.releaseArray(payload);
    }
  }

  /**
   * Runs every subscriber of `ds` on a packet (a record slot, or an array).
   * Fails, running none, when `maxDepth` deliveries are in progress already:
   * a subscriber that emits into its own data source ends there instead of
   * exhausting the stack.
   */
  deliver(ds: DataSource, payload: number | DataArray): void {
    if (this.depth >= this.maxDepth) fail(`callback nesting depth limit (callbackDepth ${this.maxDepth}) reached; the packet was not delivered`);
    this.depth++;
    ds.delivering++;
    try {
      this.runSubscribers(ds, payload);
    } finally {
      this.depth--;
      ds.delivering--;
    }
  }

  private runSubscribers(ds: DataSource, payload: number | DataArray): void {
    const subs = ds.subscriptions;
    for (let i = 0; i < subs.length; i++) {
      const sub = subs[i];
      if (sub.js !== null) {
        try {
          if (sub.type === SubscriptionType.Data && typeof payload !== "number") {
            for (const slot of payload.slots) sub.js(ds, slot);
          } else {
            sub.js(ds, payload);
          }
        } catch (e) {
          this.logger.error(`subscriber of data source "${ds.name}" failed: ${errorText(e)}`);
        }
        continue;
      }
      if (typeof payload === "number") {
        this.callGuest(sub, ds, payload);
      } else if (sub.type === SubscriptionType.Data) {
        for (const slot of payload.slots) this.callGuest(sub, ds, slot);
      } else {
        this.callGuest(sub, ds, payload);
      }
    }
  }

  /**
   * Calls the guest's callback with a temporary handle, to the record in
   * `slot` or to `array`, that lives exactly as long as the call. A trap in the guest is logged and the next subscriber
   * runs: host state is unchanged by it.
   *
   * As in IG (pkg/operators/wasm/datasource.go dataSourceSubscribe, aeac857):
   * when the handle table is full the callback still runs, with data handle 0
   * (IG's addHandle logs "too many open handles" and returns 0).
   *
   * Where igwasm differs on purpose:
   * - `ds`: we pass the data-source handle given to dataSourceSubscribe. IG
   *   passes its own stack[0] as captured when dataSourceSubscribe returned, a
   *   slot of that call's stack whose value is not the handle and is not
   *   reliable; a guest cannot depend on it, so we pass something useful.
   * - A guest that emits, inside its callback, into a data source it also
   *   subscribes to gets the nested delivery here; IG serialises callbacks
   *   with a non-reentrant mutex (since d003d2143, v0.38.0) and deadlocks.
   * - IG runs callbacks with the context of the guest call that subscribed;
   *   once that context is cancelled (the gadget stops) a delivery closes the
   *   module. Here a delivery has no such coupling to the lifecycle.
   */
  private callGuest(sub: Subscription, ds: DataSource, payload: number | DataArray): void {
    const callback = this.guest.callback;
    if (callback === null) return;
    let handle = 0;
    try {
      handle = this.callbackHandle(ds, payload);
    } catch (e) {
      this.logger.warn(`delivering to subscriber ${sub.cbID} of data source "${ds.name}" with data handle 0: ${errorText(e)}`);
    }
    try {
      callback(sub.cbID, sub.dsHandle, handle);
    } catch (e) {
      this.logger.error(`subscriber ${sub.cbID} of data source "${ds.name}" failed: ${errorText(e)}`);
      this.onGuestFailure?.(ds, sub.cbID, e);
    } finally {
      // The guest may have released it already (releaseHandle).
      if (handle !== 0) this.handles.releaseIfLive(handle);
    }
  }

  /** A Data handle to the record in `slot`, or a DataArray handle to `array`. */
  private callbackHandle(ds: DataSource, payload: number | DataArray): number {
    // One alloc call per record type, each with its own literal, so V8 can inline alloc and drop the literal.
    if (typeof payload !== "number") return this.handles.alloc({ type: HandleType.DataArray, dataSource: ds.index, array: payload });
    return this.handles.alloc({ type: HandleType.Data, dataSource: ds.index, recordAddress: ds.slab.addr[payload], recordSlot: payload });
  }
}

export { errorText } from "./errors.js";
