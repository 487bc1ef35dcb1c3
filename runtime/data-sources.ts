/**
 * The data sources of one gadget instance: registry, record resolution and
 * packet delivery. Host-function families (data source, data array, field)
 * and the public JS API are thin layers over this.
 */
import { DataArrayElementFlag, DataArrayIndexShift, DataArrayMaxIndex, DataSourceType, type FieldKind, SubscriptionType } from "../generated/constants.js";
import { fail } from "./errors.js";
import { ANY_ARRAY, ANY_DATA, type HandleTable, HandleType } from "./handles.js";
import type { HostMemory } from "./host-memory.js";
import { DataArray, DataSource, type Field, type Subscription } from "./data-source.js";
import type { Logger } from "./logger.js";

/** How the runtime reaches the guest's data-source callback export. */
export interface GuestCallbackLink {
  /** The exported callback (`dsCallback` or `dataSourceCallback`), or null when the guest has none. */
  callback: ((cbID: bigint, ds: number, data: number) => void) | null;
}

export class DataSources {
  readonly sources: DataSource[] = [];
  private readonly byName = new Map<string, DataSource>();
  readonly fields: Field[] = [];
  /** Set by resolveData: the data source and record slot of the last resolved Data handle. */
  ds!: DataSource;
  slot = 0;
  /** Called after a data source is created (the public API attaches queued subscribers). */
  onCreate: ((ds: DataSource) => void) | null = null;
  /** Called, after the log line, when a guest callback traps (the gadget reports it with its phase). */
  onGuestFailure: ((ds: DataSource, cbID: bigint, error: unknown) => void) | null = null;

  constructor(
    readonly mem: HostMemory,
    readonly handles: HandleTable,
    readonly guest: GuestCallbackLink,
    private readonly logger: Logger,
  ) {}

  get(name: string): DataSource | undefined {
    return this.byName.get(name);
  }

  /** Creates a data source; fails when the name is taken. */
  create(name: string, type: DataSourceType, ownedByGuest: boolean): DataSource {
    if (name === "") fail("data source name is empty");
    if (this.byName.has(name)) fail(`data source "${name}" exists already`);
    if (type !== DataSourceType.Undefined && type !== DataSourceType.Single && type !== DataSourceType.Array) {
      fail(`unknown data source type ${type}`);
    }
    if (this.sources.length > 0xffff) fail("too many data sources");
    const ds = new DataSource(this.sources.length, name, type === DataSourceType.Array ? DataSourceType.Array : DataSourceType.Single, this.mem, ownedByGuest);
    this.sources.push(ds);
    this.byName.set(name, ds);
    this.onCreate?.(ds);
    return ds;
  }

  addField(ds: DataSource, name: string, kind: FieldKind): Field {
    if (name === "") fail("field name is empty");
    const field = ds.addField(name, kind, this.fields.length);
    this.fields.push(field);
    return field;
  }

  // --- handles ---------------------------------------------------------

  dataSourceOf(handle: number, what: string): DataSource {
    const base = this.handles.entry(handle, HandleType.DataSource, what);
    return this.sources[this.handles.a(base)];
  }

  fieldHandle(field: Field): number {
    return this.handles.alloc(HandleType.Field, field.offset, field.id, undefined, field.ds.index, field.kind);
  }

  fieldOf(handle: number, what: string): Field {
    const base = this.handles.entry(handle, HandleType.Field, what);
    return this.fields[this.handles.b(base)];
  }

  arrayOf(handle: number, what: string): DataArray {
    return this.handles.object<DataArray>(this.handles.entry(handle, ANY_ARRAY, what));
  }

  /**
   * Resolves a Data handle (a record, a single packet, or a data-array element
   * handle) and returns the record's address; `this.ds` and `this.slot` are
   * set as a side effect, so the hot path allocates nothing.
   */
  resolveData(handle: number, what: string): number {
    if ((handle & DataArrayElementFlag) !== 0) return this.resolveElement(handle, what);
    const handles = this.handles;
    const base = handles.entry(handle, ANY_DATA, what);
    this.ds = this.sources[handles.ds(base)];
    this.slot = handles.b(base);
    return handles.a(base);
  }

  /** resolveData for a data-array element handle (kept apart so resolveData stays small enough to inline). */
  private resolveElement(handle: number, what: string): number {
    const arr = this.handles.object<DataArray>(this.handles.elementArrayEntry(handle, what));
    const index = (handle >>> DataArrayIndexShift) & DataArrayMaxIndex;
    if (index >= arr.slots.length) fail(`${what}: element ${index} is past the end of the array (${arr.slots.length})`);
    const ds = arr.ds;
    this.ds = ds;
    this.slot = arr.slots[index];
    return ds.slab.addr[this.slot];
  }

  // --- packets ---------------------------------------------------------

  newPacketSingle(ds: DataSource): number {
    if (ds.isArray) fail(`data source "${ds.name}" is an Array data source; use dataSourceNewPacketArray`);
    const slot = ds.slab.alloc();
    try {
      return this.handles.alloc(HandleType.PacketSingle, ds.slab.addr[slot], slot, undefined, ds.index);
    } catch (e) {
      ds.slab.free(slot);
      throw e;
    }
  }

  newPacketArray(ds: DataSource): number {
    if (!ds.isArray) fail(`data source "${ds.name}" is a Single data source; use dataSourceNewPacketSingle`);
    const arr = ds.newArray();
    try {
      return this.handles.alloc(HandleType.PacketArray, 0, 0, arr, ds.index);
    } catch (e) {
      ds.releaseArray(arr);
      throw e;
    }
  }

  /** Checks that `handle` is a packet of `ds`; returns its entry offset. */
  packetEntry(ds: DataSource, handle: number, what: string): number {
    const base = this.handles.entry(handle, HandleType.PacketSingle | HandleType.PacketArray, what);
    const owner = this.sources[this.handles.ds(base)];
    if (owner !== ds) fail(`${what}: packet ${handle} belongs to data source "${owner.name}", not "${ds.name}"`);
    return base;
  }

  /** Releases a packet (its records and its handle) without emitting it. */
  releasePacket(ds: DataSource, base: number): void {
    if (this.handles.typeAt(base) === HandleType.PacketArray) ds.releaseArray(this.handles.object<DataArray>(base));
    else ds.slab.free(this.handles.b(base));
    this.handles.releaseEntry(base);
  }

  /** Discards a record from dataArrayNew that was never appended: frees the record and its handle. */
  discardPendingRecord(array: DataArray, base: number): void {
    array.ds.slab.free(this.handles.b(base));
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
    const payload: number | DataArray = isArray ? this.handles.object<DataArray>(base) : this.handles.b(base);
    this.handles.releaseEntry(base);
    try {
      this.deliver(ds, payload);
    } finally {
      if (typeof payload === "number") ds.slab.free(payload);
      else ds.releaseArray(payload);
    }
  }

  /** Runs every subscriber of `ds` on a packet (a record slot, or an array). */
  deliver(ds: DataSource, payload: number | DataArray): void {
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
        this.callGuest(sub, ds, HandleType.Data, ds.slab.addr[payload], payload, undefined);
      } else if (sub.type === SubscriptionType.Data) {
        for (const slot of payload.slots) this.callGuest(sub, ds, HandleType.Data, ds.slab.addr[slot], slot, undefined);
      } else {
        this.callGuest(sub, ds, HandleType.DataArray, 0, 0, payload);
      }
    }
  }

  /**
   * Calls the guest's callback with a temporary handle that lives exactly as
   * long as the call. A trap in the guest is logged and the next subscriber
   * runs: host state is unchanged by it.
   */
  private callGuest(sub: Subscription, ds: DataSource, type: number, a: number, b: number, obj: DataArray | undefined): void {
    const callback = this.guest.callback;
    if (callback === null) return;
    let handle: number;
    try {
      handle = this.handles.alloc(type, a, b, obj, ds.index);
    } catch (e) {
      this.logger.error(`cannot deliver to subscriber ${sub.cbID} of data source "${ds.name}": ${errorText(e)}`);
      return;
    }
    try {
      callback(sub.cbID, sub.dsHandle, handle);
    } catch (e) {
      this.logger.error(`subscriber ${sub.cbID} of data source "${ds.name}" failed: ${errorText(e)}`);
      this.onGuestFailure?.(ds, sub.cbID, e);
    } finally {
      // The guest may have released it already (releaseHandle).
      this.handles.releaseIfLive(handle);
    }
  }
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
