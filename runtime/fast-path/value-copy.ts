/**
 * The JS part of the value fast path: copies of String and Bytes values
 * longer than 32 bytes, between their block in host memory and the guest's
 * memory. guest-copy.wat imports them and calls them after checking the
 * guest range, so both ranges are in bounds here; shorter values never reach
 * JS (they cross between the two wasm modules as words).
 *
 * Out of host memory, through the view RecordSlab keeps of each value (no
 * object made when the value is read again: a `subarray` costs ~25 ns, more
 * than the builtin copy of a few hundred bytes). Into host memory, up to
 * WORD_COPY_MAX bytes word by word between the two DataViews (copy-words.ts),
 * longer ones through a view of the guest's bytes.
 */
import type { GuestMemoryAccess } from "../abi/memory.js";
import type { DataSources } from "../data-sources.js";
import type { HostMemory } from "../host-memory.js";
import { copyWords, WORD_COPY_MAX } from "./copy-words.js";

/** The imports `js.copyOutLong` / `js.copyInLong` of guest-copy.wat. */
export interface LongValueCopy {
  /** Copies the value described at host address `descriptor`, in a record of data source `dataSource`, to the guest's `ptr`. */
  copyOutLong(dataSource: number, descriptor: number, ptr: number): void;
  /** Copies guest [ptr, ptr+len) to host [at, at+len). */
  copyInLong(ptr: number, len: number, at: number): void;
}

export function createLongValueCopy(sources: DataSources, host: HostMemory, guest: GuestMemoryAccess): LongValueCopy {
  return {
    // Arguments come from wasm i32s: read as unsigned.
    copyOutLong(dataSource, descriptor, ptr) {
      guest.u8().set(sources.sources[dataSource].slab.descriptorBytes(descriptor >>> 2), ptr >>> 0);
    },
    copyInLong(ptr, len, at) {
      at >>>= 0;
      len >>>= 0;
      ptr >>>= 0;
      if (len > WORD_COPY_MAX) host.u8.set(guest.u8().subarray(ptr, ptr + len), at);
      else copyWords(guest.view(), ptr, host.view, at, len);
    },
  };
}
