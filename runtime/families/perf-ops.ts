/** Perf readers over emulated perf event array maps. */
import type { MapHandle, PerfReaderHandle } from "../../generated/types.js";
import type { Budget } from "../budgets.js";
import { HandleType, type HandleTable } from "../handles.js";
import { checkPerfReaderSize, PerfReader, PerfReadStatus } from "../perf/perf-reader.js";
import type { MapOps } from "./map-ops.js";

export class PerfOps {
  private scratch = new Uint8Array(0);

  constructor(
    private readonly handles: HandleTable,
    private readonly maps: MapOps,
    /** The gadget's perfRingBytes: every open reader's ring counts. */
    private readonly ringBytes: Budget,
  ) {}

  private readerOf(handle: number, what: string): PerfReader {
    return this.handles.object<PerfReader>(this.handles.entry(handle, HandleType.PerfReader, what));
  }

  newPerfReader(map: MapHandle, size: number, overwritable: boolean): PerfReaderHandle {
    const m = this.maps.mapOf(map, "newPerfReader");
    this.handles.ensureFree();
    checkPerfReaderSize(size);
    this.ringBytes.check(size, "newPerfReader");
    const reader = PerfReader.open(m, size, overwritable);
    this.ringBytes.charge(size, "newPerfReader");
    return this.handles.alloc(HandleType.PerfReader, 0, 0, reader) as PerfReaderHandle;
  }

  /** Closes the reader of a handle entry and frees the handle; its ring's bytes go back to the budget. */
  closeEntry(base: number): void {
    const reader = this.handles.object<PerfReader>(base);
    reader.close();
    this.ringBytes.refund(reader.size);
    this.handles.releaseEntry(base);
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
    this.closeEntry(this.handles.entry(reader, HandleType.PerfReader, "perfReaderClose"));
  }
}
