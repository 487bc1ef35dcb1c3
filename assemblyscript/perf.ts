// Perf event array readers.
import {
  newPerfReader,
  perfReaderClose,
  perfReaderPause,
  perfReaderRead,
  perfReaderResume,
} from "../generated/guest/assemblyscript/v0.43/perf";
import { PerfReadStatus } from "../generated/guest/assemblyscript/constants";
import { GadgetMap } from "./map";
import { packBuffer } from "./internal";

/** Reads records of a PerfEventArray map. */
// @ts-ignore: decorator
@unmanaged
export class PerfReader {
  /** Wraps a raw PerfReader handle (0 gives null). */
  // @ts-ignore: decorator
  @inline
  static fromHandle(handle: u32): PerfReader | null {
    return changetype<PerfReader | null>(<usize>handle);
  }

  /** Opens a reader on a PerfEventArray map with `size` bytes per CPU buffer; null on error. */
  static new(map: GadgetMap, size: u32, overwritable: bool = false): PerfReader | null {
    return changetype<PerfReader | null>(<usize>newPerfReader(map.handle, size, overwritable ? 1 : 0));
  }

  /** The raw handle. */
  // @ts-ignore: decorator
  @inline
  get handle(): u32 {
    return <u32>changetype<usize>(this);
  }

  /** false on error. */
  pause(): bool {
    return perfReaderPause(this.handle) == 0;
  }

  /** false on error. */
  resume(): bool {
    return perfReaderResume(this.handle) == 0;
  }

  /**
   * Reads one record into `dst` (an ArrayBuffer or a typed array):
   * PerfReadStatus.Ok, .Error, or .NothingToRead.
   */
  read<T>(dst: T): PerfReadStatus {
    return <PerfReadStatus>perfReaderRead(this.handle, packBuffer<T>(dst));
  }

  /** false on error. */
  close(): bool {
    return perfReaderClose(this.handle) == 0;
  }
}
