/**
 * eBPF maps: handles over the in-memory BpfMap emulation.
 *
 * As in IG (pkg/operators/wasm/maps.go, aeac857): mapRelease accepts only the
 * handle newMap returned (IG keeps those in `createdMap`); on a handle from
 * getMap or from a map-of-maps lookup it fails with 1 and the handle stays.
 * Map-of-maps lookups return a new handle to the inner map; when writing it
 * to the guest then fails (a destination past the end of guest memory), IG
 * deletes it again, while here it stays live until released or the gadget
 * stops: the shim writes after the family returns.
 *
 * Different from IG: getMap finds the embedder's maps from load. IG's eBPF
 * operator publishes a gadget's maps in its Start, so getMap fails in
 * gadgetInit and gadgetPreStart there.
 */
import type { MapType, MapUpdateFlags } from "../../generated/constants.js";
import type { MapHandle } from "../../generated/types.js";
import { MISS, type Miss } from "../abi/miss.js";
import { DestinationTooSmallError, fail } from "../errors.js";
import { HandleType, type HandleTable } from "../handles.js";
import type { Budgets } from "../budgets.js";
import { BpfMap, type MapBudget, type MapRegistry } from "../maps/bpf-map.js";

export class MapOps {
  private readonly budget: MapBudget;
  /** Live handles of each map the guest created: at 0 the map gives its budget back. */
  private readonly handleCounts = new Map<BpfMap, number>();

  constructor(
    private readonly handles: HandleTable,
    private readonly registry: MapRegistry,
    budgets: Budgets,
  ) {
    this.budget = { entries: budgets.mapEntries, bytes: budgets.mapBytes };
  }

  mapOf(handle: number, what: string): BpfMap {
    return this.handles.object<BpfMap>(this.handles.entry(handle, HandleType.Map, what));
  }

  /** A new handle to `map`; `created`: the handle newMap returns, the only one mapRelease accepts. */
  handleOf(map: BpfMap, created = false): MapHandle {
    const handle = this.handles.alloc({ type: HandleType.Map, fromNewMap: created, map }) as MapHandle;
    const count = this.handleCounts.get(map);
    if (count !== undefined) this.handleCounts.set(map, count + 1);
    return handle;
  }

  newMap(name: string, type: MapType, keySize: number, valueSize: number, maxEntries: number): MapHandle {
    this.handles.ensureFree();
    const map = BpfMap.create({ name, type, keySize, valueSize, maxEntries }, this.budget);
    this.handleCounts.set(map, 0);
    return this.handleOf(map, true);
  }

  /** Frees a map handle (from `entry`); the last handle of a map the guest created gives its budget back. */
  releaseEntry(base: number): void {
    const map = this.handles.object<BpfMap>(base);
    this.handles.releaseEntry(base);
    const count = this.handleCounts.get(map);
    if (count === undefined) return;
    if (count > 1) {
      this.handleCounts.set(map, count - 1);
      return;
    }
    this.handleCounts.delete(map);
    map.releaseBudget();
  }

  getMap(name: string): MapHandle | Miss {
    const map = this.registry.get(name);
    return map === undefined ? MISS : this.handleOf(map);
  }

  /** A key that is not there is a miss (MISS), the normal answer of a filter map: no exception, no message. */
  mapLookup(map: MapHandle, key: Uint8Array, capacity: number): Uint8Array | Miss {
    const m = this.mapOf(map, "mapLookup");
    if (m.isMapOfMaps) {
      const inner = m.lookupMap(key);
      if (!inner) return MISS;
      // Refuse before creating the handle: one the guest never receives could never be released.
      if (capacity < 4) throw new DestinationTooSmallError(`mapLookup: a map handle needs 4 bytes, the destination holds ${capacity}`);
      const out = new Uint8Array(4);
      new DataView(out.buffer).setUint32(0, this.handleOf(inner), true);
      return out;
    }
    const out = new Uint8Array(m.spec.valueSize);
    if (!m.lookup(key, out)) return MISS;
    return out;
  }

  mapUpdate(map: MapHandle, key: Uint8Array, value: Uint8Array, flags: MapUpdateFlags): void {
    const m = this.mapOf(map, "mapUpdate");
    if (m.isMapOfMaps) {
      if (value.length !== 4) fail(`mapUpdate: the value of a map of maps is a 4-byte map handle, not ${value.length} bytes`);
      const inner = this.mapOf(new DataView(value.buffer, value.byteOffset, 4).getUint32(0, true), "mapUpdate (inner map)");
      m.updateMap(key, inner, flags);
      return;
    }
    m.update(key, value, flags);
  }

  mapDelete(map: MapHandle, key: Uint8Array): void {
    this.mapOf(map, "mapDelete").delete(key);
  }

  mapRelease(map: MapHandle): void {
    const base = this.handles.entry(map, HandleType.Map, "mapRelease");
    if (!this.handles.fromNewMap(base)) fail(`mapRelease: map handle ${map} was not returned by newMap (release it with releaseHandle)`);
    this.releaseEntry(base);
  }
}
