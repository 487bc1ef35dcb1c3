/**
 * Perf readers over emulated perf event array maps, with IG's results
 * (pkg/operators/wasm/perf.go over cilium/ebpf v0.22.0 perf/reader.go, aeac857).
 *
 * Where igwasm differs, because a synchronous host call cannot wait: IG's
 * perfReaderRead on a non-overwritable reader with nothing pending blocks
 * until a record arrives or the reader is closed (there is no deadline for
 * such readers). Here it returns 2 at once, the value IG gives an
 * overwritable reader that has been read to its end.
 */
import type { MapHandle, PerfReaderHandle } from "../../generated/types.js";
import type { Budget } from "../budgets.js";
import { errorText } from "../data-sources.js";
import { DestinationTooSmallError, fail, HostCallError } from "../errors.js";
import { HandleType, type HandleTable } from "../handles.js";
import type { Logger } from "../logger.js";
import type { BpfMap } from "../maps/bpf-map.js";
import { checkPerfReaderSize, PerfReader, PerfReadStatus } from "../perf/perf-reader.js";
import type { MapOps } from "./map-ops.js";

const EMPTY = new Uint8Array(0);


export class PerfOps {
  private scratch = new Uint8Array(0);

  constructor(
    private readonly handles: HandleTable,
    private readonly maps: MapOps,
    private readonly logger: Logger,
    /** The gadget's perfRingBytes: every open reader's ring counts. */
    private readonly ringBytes: Budget,
  ) {}

  private readerOf(handle: number, what: string): PerfReader {
    return this.handles.object<PerfReader>(this.handles.entry(handle, HandleType.PerfReader, what));
  }

  newPerfReader(map: MapHandle, size: number, overwritable: boolean): PerfReaderHandle {
    // IG answers 1 for a bad map handle (perf.go newPerfReader, since 7386530c3), which a guest takes
    // for a handle; igwasm deliberately answers 0, its error value for every other failure (spec/functions/perf.yaml).
    const perfMap: BpfMap = this.maps.mapOf(map, "newPerfReader");
    this.handles.ensureFree();
    checkPerfReaderSize(size);
    this.ringBytes.check(size, "newPerfReader");
    const reader = PerfReader.open(perfMap, size, overwritable);
    this.ringBytes.charge(size, "newPerfReader");
    return this.handles.alloc({ type: HandleType.PerfReader, reader }) as PerfReaderHandle;
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
   * The oldest record, or null when none is pending (the guest gets 2). As in
   * IG: an overwritable reader must be paused first (cilium's errMustBePaused:
   * 1); a lost-samples record is a success with nothing written (0); a record
   * longer than `capacity` fails the call and is consumed all the same (IG
   * reads it before it finds that it does not fit).
   */
  perfReaderRead(reader: PerfReaderHandle, capacity: number): Uint8Array | null {
    const r = this.readerOf(reader, "perfReaderRead");
    if (r.overwritable && !r.paused) fail("perfReaderRead: an overwritable perf reader must be paused before it is read");
    const n = r.nextLength;
    if (n < 0) return null;
    if (n > capacity) {
      r.skip();
      throw new DestinationTooSmallError(`perfReaderRead: the next perf record has ${n} bytes, the destination ${capacity}; the record is dropped, as in IG`);
    }
    if (this.scratch.length < n) this.scratch = new Uint8Array(n);
    const status = r.read(this.scratch.subarray(0, n));
    return status === PerfReadStatus.Ok ? this.scratch.subarray(0, r.lastLength) : EMPTY;
  }

  perfReaderClose(reader: PerfReaderHandle): void {
    this.closeEntry(this.handles.entry(reader, HandleType.PerfReader, "perfReaderClose"));
  }
}
