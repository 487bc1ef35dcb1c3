/**
 * The JS half of the wasm fast path for String and Bytes values
 * (field-fast-path.wat, `fieldGetBuffer` and `fieldSet` of a buffer kind):
 * the wasm half resolves the handles in host memory, these copy the value
 * between its block in host memory and the guest's memory, which the wasm
 * half cannot see.
 *
 * The generated shims hand values over as Uint8Arrays (a view of the
 * guest's bytes, or the bytes the host returns), and making a view costs
 * more than the rest of such a call (~20 ns). Here nothing is made: a short
 * value is copied word by word between the two DataViews (copy-words.ts),
 * a long one through the view RecordSlab keeps of it.
 *
 * Each answers -1, having changed nothing, for any case but the plain
 * successful one, and the wasm half then calls the shim, which decides and
 * reports as without the fast path. So whenever these succeed, the shim
 * would have given the same answer and left the same bytes
 * (test/fast-path.test.ts runs each case both ways).
 */
import type { GuestMemoryAccess } from "../abi/memory.js";
import type { DataSources } from "../data-sources.js";
import type { HostMemory } from "../host-memory.js";
import { fitsInPlace } from "../record-slab.js";
import { copyWords, WORD_COPY_MAX } from "./copy-words.js";

/** The imports `values.copyOut` / `values.copyIn` of field-fast-path.wat. */
export interface ValueCopy {
  /**
   * Copies the value in cell `cell` of record `slot` of data source `dataSource` to the guest's
   * [ptr, ptr+cap); answers its length, or -1 when it does not fit or the range is outside guest memory.
   */
  copyOut(dataSource: number, slot: number, cell: number, ptr: number, cap: number): number;
  /**
   * Copies the guest's [ptr, ptr+len) into that cell; answers 0, or -1 when the range is outside
   * guest memory or the value does not fit the cell's block in place (RecordSlab.reserveVar decides then).
   */
  copyIn(dataSource: number, slot: number, cell: number, ptr: number, len: number): number;
}

export function createValueCopy(sources: DataSources, host: HostMemory, guest: GuestMemoryAccess): ValueCopy {
  return {
    copyOut(dataSource, slot, cell, ptr, cap) {
      const slab = sources.sources[dataSource].slab;
      const index = slab.cell(slot, cell);
      const n = slab.varLen[index];
      ptr >>>= 0;
      // The guest's size from its Uint8Array: a DataView's byteLength getter is a builtin call in Node 20.
      if (n > cap >>> 0 || ptr + n > guest.u8().length) return -1;
      // A long value through its kept view (RecordSlab.varBytes): no view made when it is read again.
      if (n > WORD_COPY_MAX) guest.u8().set(slab.varBytes(index), ptr);
      else copyWords(host.view, slab.varAt[index], guest.view(), ptr, n);
      return n;
    },
    copyIn(dataSource, slot, cell, ptr, len) {
      const slab = sources.sources[dataSource].slab;
      const index = slab.cell(slot, cell);
      ptr >>>= 0;
      len >>>= 0;
      if (ptr + len > guest.u8().length || !fitsInPlace(len, slab.varCap[index])) return -1;
      slab.varLen[index] = len;
      if (len > WORD_COPY_MAX) host.u8.set(guest.u8().subarray(ptr, ptr + len), slab.varAt[index]);
      else copyWords(guest.view(), ptr, host.view, slab.varAt[index], len);
      return 0;
    },
  };
}
