/** The handle family: releasing a handle of any type, and dropping them all when the gadget stops. */
import { DataArrayElementFlag, MaxHandles } from "../../generated/constants.js";
import { fail } from "../errors.js";
import { ANY_HANDLE, HandleType } from "../handles.js";
import { HANDLE_ENTRY_BYTES } from "../host-memory.js";
import type { DataArray } from "../data-source.js";
import type { DataSources } from "../data-sources.js";
import type { MapOps } from "./map-ops.js";
import type { PerfOps } from "./perf-ops.js";

export class HandleOps {
  constructor(
    private readonly sources: DataSources,
    private readonly maps: MapOps,
    private readonly perf: PerfOps,
  ) {}

  /**
   * IG (pkg/operators/wasm/handle.go releaseHandle, aeac857) forgets the
   * handle and nothing else: a perf reader stays open and a map stays alive
   * until the gadget stops, though nothing can reach them any more. igwasm
   * deliberately closes such a reader and lets go of the map, so their bytes
   * go back to the gadget's budgets (docs/limits.md); no guest can tell.
   * Packets and records from dataArrayNew are freed with their handle: in IG
   * the garbage collector does that.
   */
  releaseHandle(handle: number): void {
    const handles = this.sources.handles;
    if ((handle & DataArrayElementFlag) !== 0) fail(`releaseHandle: ${handle} is a data-array element, not a handle`);
    this.releaseAt(handles.entry(handle, ANY_HANDLE, "releaseHandle"));
  }

  /**
   * Releases every live handle, as IG does after gadgetStop: its Stop sets the
   * handle map to nil (pkg/operators/wasm/wasm.go Stop, aeac857), so in
   * gadgetPostStop no earlier handle is valid. Records of packets and pending
   * dataArrayNew records are freed. Different from IG: a handle created later
   * (in gadgetPostStop) works here; in IG creating one panics on the nil map
   * and traps the guest.
   */
  dropAll(): void {
    const handles = this.sources.handles;
    for (let index = 1; index <= MaxHandles; index++) {
      const base = index * HANDLE_ENTRY_BYTES;
      if (handles.typeAt(base) !== 0) this.releaseAt(base);
    }
  }

  private releaseAt(base: number): void {
    const handles = this.sources.handles;
    switch (handles.typeAt(base)) {
      case HandleType.PacketSingle:
      case HandleType.PacketArray:
        // A packet released this way is discarded, as dataSourceRelease would.
        this.sources.releasePacket(this.sources.sources[handles.dataSourceIndex(base)], base);
        return;
      case HandleType.Data: {
        const array = handles.object<DataArray | undefined>(base);
        if (array !== undefined) {
          // A record from dataArrayNew that was never appended.
          this.sources.discardPendingRecord(array, base);
          return;
        }
        break;
      }
      case HandleType.PerfReader:
        // Nobody else can reach the reader: close it so it stops buffering.
        this.perf.closeEntry(base);
        return;
      case HandleType.Map:
        this.maps.releaseEntry(base);
        return;
    }
    handles.releaseEntry(base);
  }
}
