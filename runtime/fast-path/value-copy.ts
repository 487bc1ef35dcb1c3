/**
 * Copies of String and Bytes values between their block in host memory and
 * the guest's memory, for both forms of the field fast path: guest-copy.wat
 * imports them for values longer than 32 bytes (shorter ones cross between
 * the two wasm modules as words), js-field-fast-path.ts calls them for every
 * value. Callers have checked both ranges, so they are in bounds here.
 *
 * Up to WORD_COPY_MAX bytes, word by word between the two DataViews
 * (copy-words.ts). Longer values out of host memory through the view
 * RecordSlab keeps of each value (no object made when the value is read
 * again: a `subarray` costs ~25 ns, more than the builtin copy of a few
 * hundred bytes); into host memory through a view of the guest's bytes.
 */
import type { GuestMemoryAccess } from "../abi/memory.js";
import type { DataSources } from "../data-sources.js";
import type { HostMemory } from "../host-memory.js";
import { DescriptorWord } from "../record-slab.js";
import { copyWords, WORD_COPY_MAX } from "./copy-words.js";

export interface ValueCopy {
  /** Copies the value described at host address `descriptor`, in a record of data source `dataSource`, to the guest's `ptr`. */
  copyOut(dataSource: number, descriptor: number, ptr: number): void;
  /** Copies guest [ptr, ptr+len) to host [at, at+len). */
  copyIn(ptr: number, len: number, at: number): void;
}

export function createValueCopy(sources: DataSources, host: HostMemory, guest: GuestMemoryAccess): ValueCopy {
  return {
    // Arguments may come from wasm i32s: read as unsigned.
    copyOut(dataSource, descriptor, ptr) {
      const d = descriptor >>> 2;
      ptr >>>= 0;
      const u32 = host.u32;
      const len = u32[d + DescriptorWord.length];
      if (len <= WORD_COPY_MAX) copyWords(host.view, u32[d + DescriptorWord.at], guest.view(), ptr, len);
      else guest.u8().set(sources.sources[dataSource].slab.descriptorBytes(d), ptr);
    },
    copyIn(ptr, len, at) {
      at >>>= 0;
      len >>>= 0;
      ptr >>>= 0;
      if (len > WORD_COPY_MAX) host.u8.set(guest.u8().subarray(ptr, ptr + len), at);
      else copyWords(guest.view(), ptr, host.view, at, len);
    },
  };
}
