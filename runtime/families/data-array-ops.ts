/**
 * The data-array family: the records of array packets.
 *
 * Stricter than IG, on purpose (pkg/operators/wasm/datasource.go, aeac857):
 * dataArrayAppend and dataArrayRelease accept only a record dataArrayNew made
 * for the same array (IG appends any Data handle, traps on a single packet and
 * releases any Data handle), and an array holds at most 32768 records, the
 * most an element handle can address (IG has no cap; elements past 32767 are
 * unreachable there). A well-behaved guest sees no difference.
 */
import { DataArrayElementFlag, DataArrayHandleMask, DataArrayIndexShift, DataArrayMaxIndex } from "../../generated/constants.js";
import type { DataArrayHandle, DataHandle } from "../../generated/types.js";
import { fail } from "../errors.js";
import { HandleType } from "../handles.js";
import type { DataArray } from "../data-source.js";
import type { DataSources } from "../data-sources.js";

export class DataArrayOps {
  constructor(private readonly sources: DataSources) {}

  dataArrayNew(arr: DataArrayHandle): DataHandle {
    const array = this.sources.arrayOf(arr, "dataArrayNew");
    const slab = array.ds.slab;
    const slot = slab.alloc();
    try {
      // The record remembers its array, so append/release can check it.
      const handle = this.sources.handles.alloc({
        type: HandleType.Data,
        dataSource: array.ds.index,
        recordAddress: slab.addr[slot],
        recordSlot: slot,
        pendingIn: array,
      });
      array.pending++;
      return handle as DataHandle;
    } catch (e) {
      slab.free(slot);
      throw e;
    }
  }

  /** Entry of a record made by dataArrayNew on `array`. */
  private newRecordEntry(array: DataArray, data: number, what: string): number {
    const handles = this.sources.handles;
    const base = handles.entry(data, HandleType.Data, what);
    if (handles.object<DataArray>(base) !== array) fail(`${what}: data ${data} was not made by dataArrayNew on this array`);
    return base;
  }

  dataArrayAppend(arr: DataArrayHandle, data: DataHandle): void {
    const array = this.sources.arrayOf(arr, "dataArrayAppend");
    const base = this.newRecordEntry(array, data, "dataArrayAppend");
    if (array.slots.length > DataArrayMaxIndex) fail(`dataArrayAppend: the array holds ${DataArrayMaxIndex + 1} records already`);
    array.slots.push(this.sources.handles.recordSlot(base));
    array.pending--;
    this.sources.handles.releaseEntry(base);
  }

  dataArrayRelease(arr: DataArrayHandle, data: DataHandle): void {
    const array = this.sources.arrayOf(arr, "dataArrayRelease");
    this.sources.discardPendingRecord(array, this.newRecordEntry(array, data, "dataArrayRelease"));
  }

  dataArrayLen(arr: DataArrayHandle): number {
    return this.sources.arrayOf(arr, "dataArrayLen").length;
  }

  dataArrayGet(arr: DataArrayHandle, index: number): DataHandle {
    const array = this.sources.arrayOf(arr, "dataArrayGet");
    if (index >= array.length) fail(`dataArrayGet: index ${index} is past the end of the array (${array.length})`);
    // Unreachable while arrays stay within the layout (emitArray, dataArrayAppend); an index beyond it would alias another element.
    if (index > DataArrayMaxIndex) fail(`dataArrayGet: index ${index} is beyond the element-handle layout (at most ${DataArrayMaxIndex})`);
    return ((DataArrayElementFlag | (index << DataArrayIndexShift) | (arr & DataArrayHandleMask)) >>> 0) as DataHandle;
  }
}
