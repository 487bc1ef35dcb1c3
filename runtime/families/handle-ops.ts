/** The handle family: releasing a handle of any type. */
import { DataArrayElementFlag } from "../../generated/constants.js";
import { fail } from "../errors.js";
import { ANY_HANDLE, HandleType } from "../handles.js";
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

  releaseHandle(handle: number): void {
    const handles = this.sources.handles;
    if ((handle & DataArrayElementFlag) !== 0) fail(`releaseHandle: ${handle} is a data-array element, not a handle`);
    const base = handles.entry(handle, ANY_HANDLE, "releaseHandle");
    switch (handles.typeAt(base)) {
      case HandleType.PacketSingle:
      case HandleType.PacketArray:
        // A packet released this way is discarded, as dataSourceRelease would.
        this.sources.releasePacket(this.sources.sources[handles.ds(base)], base);
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
