/**
 * eBPF map lookups from a guest (bench/guests/map-guest.wat): mapLookup of a
 * key that is in a Hash map (hit: 8 bytes copied to the guest) and of one
 * that is not (miss: the call fails with status 1, as gadgets probing a map
 * meet it), each in a loop of N calls inside the guest.
 *
 * Baseline: the empty i32x4 -> i64 JS import of the call-floor suite.
 */
import { CALL_FLOOR_BASELINE, callFloorModule } from "./call-floor.bench.js";
import { type BenchSuite, type CaseSpec, measureAll, ratioOf, type RunOptions, type SuiteResult, suiteResult } from "./lib/harness.js";
import { loadBenchGadget } from "./lib/igwasm-host.js";
import { watFile } from "./lib/wat.js";

const HIT = "mapLookup, hit (8-byte value)";
const MISS = "mapLookup, miss";

interface MapGuest {
  lookupLoop(key: number, n: number): number;
  lastValue(): bigint;
}

export const mapSuite: BenchSuite = {
  name: "map-lookup",
  title: "Guest eBPF map lookups, per call (guest loops)",
  async run(options: RunOptions): Promise<SuiteResult> {
    const n = options.quick ? 500 : 20_000;
    const floor = await callFloorModule();
    const lines: string[] = [];
    const gadget = loadBenchGadget(await watFile(new URL("./guests/map-guest.wat", import.meta.url)), { fastPath: true, lines });
    gadget.init();
    const guest = gadget.exports as unknown as MapGuest;
    const expect = (what: string, got: unknown, want: unknown): void => {
      if (got !== want || lines.length > 0) throw new Error(`${what}: got ${String(got)}, want ${String(want)}; log: ${lines.join(" | ")}`);
    };
    const specs: CaseSpec[] = [
      { name: CALL_FLOOR_BASELINE, iterations: n, fn: () => floor.loopJsConstI64(n) },
      {
        name: HIT,
        iterations: n,
        fn: () => guest.lookupLoop(1, n),
        check: () => {
          expect("hit statuses", guest.lookupLoop(1, n), 0);
          expect("value", guest.lastValue(), 42n);
        },
      },
      { name: MISS, iterations: n, fn: () => guest.lookupLoop(2, n), check: () => expect("miss statuses", guest.lookupLoop(2, n), n) },
    ];
    const cases = measureAll(specs, CALL_FLOOR_BASELINE, options, console.log);
    return suiteResult(this, options, {
      baseline: CALL_FLOOR_BASELINE,
      cases,
      derived: {
        "mapLookup hit / empty i32x4->i64 JS import": ratioOf(cases, HIT, CALL_FLOOR_BASELINE),
        "mapLookup miss / empty i32x4->i64 JS import": ratioOf(cases, MISS, CALL_FLOOR_BASELINE),
      },
    });
  },
};
