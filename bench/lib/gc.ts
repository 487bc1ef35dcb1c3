/**
 * A full garbage collection, for heap measurements. Uses `global.gc` when
 * node runs with --expose-gc (as `npm run bench` does); otherwise turns the
 * flag on at run time and takes `gc` from a fresh context.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

let gcFn: (() => void) | null = null;

export function fullGc(): void {
  if (gcFn === null) {
    const g = (globalThis as { gc?: () => void }).gc;
    if (typeof g === "function") {
      gcFn = g;
    } else {
      setFlagsFromString("--expose-gc");
      gcFn = runInNewContext("gc") as () => void;
    }
  }
  // Twice: the first pass may leave objects that finalizers released.
  gcFn();
  gcFn();
}

/** heapUsed after a full collection. */
export function heapUsedAfterGc(): number {
  fullGc();
  return process.memoryUsage().heapUsed;
}
