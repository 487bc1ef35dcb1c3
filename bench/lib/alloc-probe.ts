/**
 * Bytes allocated per operation, measured with the heap-usage counter rather
 * than by what survives a GC: retention alone misses garbage that a scavenge
 * collects, and per-event garbage is what costs emit throughput.
 *
 * Each window starts right after a full GC (so the young generation is
 * empty and nothing is collected during a window small enough to fit it),
 * runs `window` operations and reads `heapUsed` again; the growth divided by
 * `window` is what one operation allocated. Windows whose heap shrank had a
 * GC in them and are dropped. The probe's own cost (reading the counter
 * allocates a little) is measured with an empty window and subtracted.
 */
import { fullGc } from "./gc.js";
import { figureOf, type Figure } from "./harness.js";

function heapGrowth(run: (count: number) => void, count: number): number {
  fullGc();
  const before = process.memoryUsage().heapUsed;
  run(count);
  return process.memoryUsage().heapUsed - before;
}

export interface AllocationProbe {
  /** Bytes allocated per operation over the windows (median and quartiles). */
  readonly perOp: Figure;
  /** Operations run in the windows that counted. */
  readonly operations: number;
  /** Windows dropped because a GC ran in them. */
  readonly dropped: number;
}

/** Runs `total` operations of `run(count)` in windows of `window`; see the file comment. */
export function allocatedPerOp(run: (count: number) => void, total: number, window: number): AllocationProbe {
  const idle = figureOf(Array.from({ length: 5 }, () => heapGrowth(() => {}, 0))).median;
  const perWindow: number[] = [];
  let dropped = 0;
  for (let done = 0; done < total; done += window) {
    const grown = heapGrowth(run, window);
    if (grown < 0) dropped++;
    else perWindow.push(Math.max(0, grown - idle) / window);
  }
  if (perWindow.length === 0) throw new Error("every allocation window had a GC in it: make the window smaller");
  return { perOp: figureOf(perWindow), operations: perWindow.length * window, dropped };
}
