// Records and arrays of records. Every type here is a zero-cost wrapper of a
// host handle: an `@unmanaged` class with no fields whose "pointer" is the
// handle itself, so wrapping the handles a callback receives allocates
// nothing, and a failed lookup (handle 0) is `null`.
import {
  dataArrayAppend,
  dataArrayGet,
  dataArrayLen,
  dataArrayNew,
  dataArrayRelease,
} from "../generated/guest/assemblyscript/v0.43/dataarray";

/** A record: an event of a data source. Read and write it with `Field`. */
// @ts-ignore: decorator
@unmanaged
export class Data {
  /** Wraps a raw Data handle (0 gives null). */
  // @ts-ignore: decorator
  @inline
  static fromHandle(handle: u32): Data | null {
    return changetype<Data | null>(<usize>handle);
  }

  /** The raw handle. */
  // @ts-ignore: decorator
  @inline
  get handle(): u32 {
    return <u32>changetype<usize>(this);
  }
}

/** The records of an Array data source's packet. */
// @ts-ignore: decorator
@unmanaged
export class DataArray {
  /** Wraps a raw DataArray handle (0 gives null). */
  // @ts-ignore: decorator
  @inline
  static fromHandle(handle: u32): DataArray | null {
    return changetype<DataArray | null>(<usize>handle);
  }

  /** The raw handle. */
  // @ts-ignore: decorator
  @inline
  get handle(): u32 {
    return <u32>changetype<usize>(this);
  }

  /**
   * Allocates a zeroed record for this array; null on error. Give it back with
   * `append` (it joins the array) or `release`.
   */
  new(): Data | null {
    return changetype<Data | null>(<usize>dataArrayNew(this.handle));
  }

  /** Appends a record made with `new()`; its handle is released. false on error. */
  append(data: Data): bool {
    return dataArrayAppend(this.handle, data.handle) == 0;
  }

  /** Releases a record made with `new()` without appending it. false on error. */
  release(data: Data): bool {
    return dataArrayRelease(this.handle, data.handle) == 0;
  }

  /** Number of records (0 also on error). */
  len(): u32 {
    return dataArrayLen(this.handle);
  }

  /** The record at `index`; null when out of range or on error. */
  get(index: u32): Data | null {
    return changetype<Data | null>(<usize>dataArrayGet(this.handle, index));
  }
}

/** A packet of a Single data source: one record, usable wherever a `Data` goes. */
// @ts-ignore: decorator
@unmanaged
export class PacketSingle extends Data {
  /** @internal Marks packet types for DataSource.emitAndRelease's compile-time check. */
  // @ts-ignore: decorator
  @inline
  get __igwasmPacket(): bool {
    return true;
  }
}

/** A packet of an Array data source: a `DataArray`. */
// @ts-ignore: decorator
@unmanaged
export class PacketArray extends DataArray {
  /** @internal Marks packet types for DataSource.emitAndRelease's compile-time check. */
  // @ts-ignore: decorator
  @inline
  get __igwasmPacket(): bool {
    return true;
  }
}

/** A packet of either shape, as a Packet subscription receives it. */
// @ts-ignore: decorator
@unmanaged
export class Packet {
  /** @internal Marks packet types for DataSource.emitAndRelease's compile-time check. */
  // @ts-ignore: decorator
  @inline
  get __igwasmPacket(): bool {
    return true;
  }

  /** The raw handle. */
  // @ts-ignore: decorator
  @inline
  get handle(): u32 {
    return <u32>changetype<usize>(this);
  }

  /** This packet as the record of a Single data source. */
  // @ts-ignore: decorator
  @inline
  asSingle(): PacketSingle {
    return changetype<PacketSingle>(this);
  }

  /** This packet as the records of an Array data source. */
  // @ts-ignore: decorator
  @inline
  asArray(): PacketArray {
    return changetype<PacketArray>(this);
  }
}
