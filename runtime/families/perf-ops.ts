/** Perf readers over emulated perf event array maps. */
import type { MapHandle, PerfReaderHandle } from "../../generated/types.js";
import { HandleType, type HandleTable } from "../handles.js";
import { PerfReader, PerfReadStatus } from "../perf/perf-reader.js";
import type { MapOps } from "./map-ops.js";

export class PerfOps {
  private scratch = new Uint8Array(0);

  constructor(
    private readonly handles: HandleTable,
    private readonly maps: MapOps,
  ) {}

  private readerOf(handle: number, what: string): PerfReader {
    return this.handles.object<PerfReader>(this.handles.entry(handle, HandleType.PerfReader, what));
  }

  newPerfReader(map: MapHandle, size: number, overwritable: boolean): PerfReaderHandle {
    const reader = PerfReader.open(this.maps.mapOf(map, "newPerfReader"), size, overwritable);
    try {
      return this.handles.alloc(HandleType.PerfReader, 0, 0, reader) as PerfReaderHandle;
    } catch (e) {
      reader.close();
      throw e;
    }
  }

  perfReaderPause(reader: PerfReaderHandle): void {
    this.readerOf(reader, "perfReaderPause").pause();
  }

  perfReaderResume(reader: PerfReaderHandle): void {
    this.readerOf(reader, "perfReaderResume").resume();
  }

  /**
   * The oldest record, or null when none is pending. `capacity` is the
   * guest's buffer size: a record that does not fit stays pending and the
   * call fails (PerfReader.read throws before consuming it).
   */
  perfReaderRead(reader: PerfReaderHandle, capacity: number): Uint8Array | null {
    const r = this.readerOf(reader, "perfReaderRead");
    const want = Math.min(capacity, r.size);
    if (this.scratch.length < want) this.scratch = new Uint8Array(want);
    const status = r.read(this.scratch.subarray(0, want));
    return status === PerfReadStatus.Ok ? this.scratch.subarray(0, r.lastLength) : null;
  }

  perfReaderClose(reader: PerfReaderHandle): void {
    const base = this.handles.entry(reader, HandleType.PerfReader, "perfReaderClose");
    this.handles.object<PerfReader>(base).close();
    this.handles.releaseEntry(base);
  }
}
