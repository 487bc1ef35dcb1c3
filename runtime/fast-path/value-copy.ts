/**
 * The JS part of the value fast path: copies of String and Bytes values
 * longer than 32 bytes, between their block in host memory and the guest's
 * memory. guest-copy.wat imports them and calls them after checking the
 * guest range, so both ranges are in bounds here; shorter values never reach
 * JS (they cross between the two wasm modules as words).
 *
 * Up to WORD_COPY_MAX bytes are copied word by word between the two
 * DataViews (copy-words.ts): no object is made, where a `subarray` view
 * costs ~20 ns. Longer ones take the builtin copy through a view.
 */
import type { GuestMemoryAccess } from "../abi/memory.js";
import type { HostMemory } from "../host-memory.js";
import { copyWords, WORD_COPY_MAX } from "./copy-words.js";

/** The imports `js.copyOutLong` / `js.copyInLong` of guest-copy.wat. */
export interface LongValueCopy {
  /** Copies host [at, at+len) to guest [ptr, ptr+len). */
  copyOutLong(at: number, len: number, ptr: number): void;
  /** Copies guest [ptr, ptr+len) to host [at, at+len). */
  copyInLong(ptr: number, len: number, at: number): void;
}

export function createLongValueCopy(host: HostMemory, guest: GuestMemoryAccess): LongValueCopy {
  return {
    // Arguments come from wasm i32s: read as unsigned.
    copyOutLong(at, len, ptr) {
      at >>>= 0;
      len >>>= 0;
      ptr >>>= 0;
      if (len > WORD_COPY_MAX) guest.u8().set(host.u8.subarray(at, at + len), ptr);
      else copyWords(host.view, at, guest.view(), ptr, len);
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
