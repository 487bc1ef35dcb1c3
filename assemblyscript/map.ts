// eBPF maps as the host exposes them.
import {
  getMap,
  mapDelete,
  mapLookup,
  mapRelease,
  mapUpdate,
  newMap,
} from "../generated/guest/assemblyscript/v0.43/map";
import { MapType, MapUpdateFlags } from "../generated/guest/assemblyscript/constants";
import { packBuffer, packStr } from "./internal";

/**
 * An eBPF map (named `Map` in IG's Go wrapper; exported under both names:
 * importing `Map` shadows AssemblyScript's global `Map` in that file).
 * Keys and values are ArrayBuffers or typed arrays of the map's key and value sizes.
 */
// @ts-ignore: decorator
@unmanaged
export class GadgetMap {
  /** Wraps a raw Map handle (0 gives null). */
  // @ts-ignore: decorator
  @inline
  static fromHandle(handle: u32): GadgetMap | null {
    return changetype<GadgetMap | null>(<usize>handle);
  }

  /** Finds a map by name; null when there is none. */
  static get(name: string): GadgetMap | null {
    return changetype<GadgetMap | null>(<usize>getMap(packStr(name)));
  }

  /** Creates a map; null on error. */
  static new(name: string, type: MapType, keySize: u32, valueSize: u32, maxEntries: u32): GadgetMap | null {
    return changetype<GadgetMap | null>(<usize>newMap(packStr(name), <u32>type, keySize, valueSize, maxEntries));
  }

  /** The raw handle. */
  // @ts-ignore: decorator
  @inline
  get handle(): u32 {
    return <u32>changetype<usize>(this);
  }

  /**
   * Copies the value stored under `key` into `value`. false when the key is
   * absent or on error. For a map of maps the value written is a map handle
   * (read it as a u32 and wrap it with `GadgetMap.fromHandle`).
   */
  lookup<K, V>(key: K, value: V): bool {
    return mapLookup(this.handle, packBuffer<K>(key), packBuffer<V>(value)) == 0;
  }

  /** Stores `value` under `key`. `flags`: MapUpdateFlags.Any, NoExist or Exist. false on error. */
  update<K, V>(key: K, value: V, flags: u64 = MapUpdateFlags.Any): bool {
    return mapUpdate(this.handle, packBuffer<K>(key), packBuffer<V>(value), flags) == 0;
  }

  /** Same as `update(key, value, MapUpdateFlags.Any)`. */
  put<K, V>(key: K, value: V): bool {
    return this.update<K, V>(key, value, MapUpdateFlags.Any);
  }

  /** Deletes `key`. false when absent or on error. */
  delete<K>(key: K): bool {
    return mapDelete(this.handle, packBuffer<K>(key)) == 0;
  }

  /**
   * Closes a map made with `new` and releases its handle. false on error, and
   * for a map from `get`: IG's host refuses those (release their handle with
   * releaseHandle).
   */
  release(): bool {
    return mapRelease(this.handle) == 0;
  }
}

export { GadgetMap as Map };
