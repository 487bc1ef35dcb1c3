// Data sources: finding or creating them, fields, subscriptions and packets.
import {
  dataSourceAddField,
  dataSourceEmitAndRelease,
  dataSourceGetField,
  dataSourceIsReferenced,
  dataSourceNewPacketArray,
  dataSourceNewPacketSingle,
  dataSourceRelease,
  dataSourceSubscribe,
  dataSourceUnreference,
  getDataSource,
  newDataSource,
} from "../generated/guest/assemblyscript/v0.43/datasource";
import { DataSourceType, FieldKind, SubscriptionType } from "../generated/guest/assemblyscript/constants";
import { Data, DataArray, Packet, PacketArray, PacketSingle } from "./data";
import { Field } from "./field";
import { packStr } from "./internal";

/** Called with each record (a Data subscription). */
export type DataCallback = (source: DataSource, data: Data) => void;
/** Called with the records of each packet of an Array data source (an Array subscription). */
export type ArrayCallback = (source: DataSource, array: DataArray) => void;
/** Called with each packet (a Packet subscription). */
export type PacketCallback = (source: DataSource, packet: Packet) => void;

/**
 * One subscription. AssemblyScript functions cannot capture variables, so a
 * callback is a top-level function (or a closure-free arrow function) and its
 * state lives in globals.
 */
class Subscription {
  constructor(
    public type: SubscriptionType,
    public onData: DataCallback | null,
    public onArray: ArrayCallback | null,
    public onPacket: PacketCallback | null,
  ) {}
}

/** The subscriptions of this module; a subscription's cbID is its index. */
const subscriptions = new Array<Subscription>();

/**
 * A data source: the host's (`DataSource.get`) or one the gadget creates
 * (`DataSource.new`). Functions that can fail return null or false.
 */
// @ts-ignore: decorator
@unmanaged
export class DataSource {
  /** Wraps a raw DataSource handle (0 gives null). */
  // @ts-ignore: decorator
  @inline
  static fromHandle(handle: u32): DataSource | null {
    return changetype<DataSource | null>(<usize>handle);
  }

  /** Finds a data source by name; null when there is none. */
  static get(name: string): DataSource | null {
    return changetype<DataSource | null>(<usize>getDataSource(packStr(name)));
  }

  /** Creates a data source of the gadget; null on error (e.g. the name is taken). */
  static new(name: string, type: DataSourceType = DataSourceType.Single): DataSource | null {
    return changetype<DataSource | null>(<usize>newDataSource(packStr(name), <u32>type));
  }

  /** The raw handle. */
  // @ts-ignore: decorator
  @inline
  get handle(): u32 {
    return <u32>changetype<usize>(this);
  }

  private subscribeAny(sub: Subscription, priority: u32): bool {
    const cbID = subscriptions.length;
    subscriptions.push(sub);
    if (dataSourceSubscribe(this.handle, <u32>sub.type, priority, <u64>cbID) != 0) {
      // Keep the slot (ids are indices) but drop the callback.
      sub.onData = null;
      sub.onArray = null;
      sub.onPacket = null;
      return false;
    }
    return true;
  }

  /**
   * Calls `cb` with each record of each packet. Lower priorities run first.
   * false on error.
   */
  subscribe(cb: DataCallback, priority: u32 = 0): bool {
    return this.subscribeAny(new Subscription(SubscriptionType.Data, cb, null, null), priority);
  }

  /** Calls `cb` with the records of each packet (Array data sources). false on error. */
  subscribeArray(cb: ArrayCallback, priority: u32 = 0): bool {
    return this.subscribeAny(new Subscription(SubscriptionType.Array, null, cb, null), priority);
  }

  /** Calls `cb` with each packet. false on error. */
  subscribePacket(cb: PacketCallback, priority: u32 = 0): bool {
    return this.subscribeAny(new Subscription(SubscriptionType.Packet, null, null, cb), priority);
  }

  /** Finds a field by name; null when there is none. */
  getField(name: string): Field | null {
    return changetype<Field | null>(<usize>dataSourceGetField(this.handle, packStr(name)));
  }

  /** Adds a field; null on error (name taken, bad kind, packets alive). */
  addField(name: string, kind: FieldKind): Field | null {
    return changetype<Field | null>(<usize>dataSourceAddField(this.handle, packStr(name), <u32>kind));
  }

  /** A new zeroed packet of a Single data source; null on error. Emit or release it. */
  newPacketSingle(): PacketSingle | null {
    return changetype<PacketSingle | null>(<usize>dataSourceNewPacketSingle(this.handle));
  }

  /** A new empty packet of an Array data source; null on error. Emit or release it. */
  newPacketArray(): PacketArray | null {
    return changetype<PacketArray | null>(<usize>dataSourceNewPacketArray(this.handle));
  }

  /**
   * Delivers a packet (PacketSingle, PacketArray or Packet) to every
   * subscriber, then releases it. false on error; the packet is released
   * either way.
   */
  emitAndRelease<P>(packet: P): bool {
    // @ts-ignore: compile-time check
    if (!isDefined(packet.__igwasmPacket)) ERROR("emitAndRelease takes a PacketSingle, a PacketArray or a Packet");
    return dataSourceEmitAndRelease(this.handle, <u32>changetype<usize>(packet)) == 0;
  }

  /** Releases a packet without emitting it. false on error. */
  release<P>(packet: P): bool {
    // @ts-ignore: compile-time check
    if (!isDefined(packet.__igwasmPacket)) ERROR("release takes a PacketSingle, a PacketArray or a Packet");
    return dataSourceRelease(this.handle, <u32>changetype<usize>(packet)) == 0;
  }

  /** Tells the host that no one else needs this data source's output. false on error. */
  unreference(): bool {
    return dataSourceUnreference(this.handle) == 0;
  }

  /** Whether the data source is still referenced (false also on error). */
  isReferenced(): bool {
    return dataSourceIsReferenced(this.handle) == 1;
  }
}

/**
 * The `dataSourceCallback` export: the host calls it for each delivery of a
 * subscription. Re-export it from the gadget's entry file. Routes to the
 * subscription's callback; allocates nothing.
 */
export function dataSourceCallback(cbID: u64, ds: u32, data: u32): void {
  if (cbID >= <u64>subscriptions.length) return;
  const sub = unchecked(subscriptions[<i32>cbID]);
  const source = changetype<DataSource>(<usize>ds);
  switch (sub.type) {
    case SubscriptionType.Data: {
      const cb = sub.onData;
      if (cb) cb(source, changetype<Data>(<usize>data));
      break;
    }
    case SubscriptionType.Array: {
      const cb = sub.onArray;
      if (cb) cb(source, changetype<DataArray>(<usize>data));
      break;
    }
    case SubscriptionType.Packet: {
      const cb = sub.onPacket;
      if (cb) cb(source, changetype<Packet>(<usize>data));
      break;
    }
    default:
      break;
  }
}
