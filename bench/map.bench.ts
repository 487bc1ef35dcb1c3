/**
 * Lookups from a guest that hit or miss, each in a loop of N calls inside the
 * guest:
 * - mapLookup (bench/guests/map-guest.wat) of a key that is in a Hash map
 *   (hit: 8 bytes copied to the guest) and of one that is not (miss: status
 *   1, as a filter map answers most events);
 * - getDataSource and dataSourceGetField (bench/guests/lookup-guest.wat) of a
 *   name that exists and of one that does not. A hit returns a new handle,
 *   which the guest releases (releaseHandle) as a probing gadget must: the
 *   hit cases include that call, the miss cases have nothing to release.
 *
 * A miss is an answer, not a failure (igwasm/abi MISS): target miss <= 1.5x hit.
 * Baseline: the empty i32x4 -> i64 JS import of the call-floor suite.
 */
import { CALL_FLOOR_BASELINE, callFloorModule } from "./call-floor.bench.js";
import { type BenchSuite, type CaseSpec, measureAll, ratioOf, type RunOptions, type SuiteResult, suiteResult } from "./lib/harness.js";
import { loadBenchGadget } from "./lib/igwasm-host.js";
import { watFile } from "./lib/wat.js";

const HIT = "mapLookup, hit (8-byte value)";
const MISS = "mapLookup, miss";
const DS_HIT = "getDataSource, hit (+ releaseHandle)";
const DS_MISS = "getDataSource, miss";
const FIELD_HIT = "dataSourceGetField, hit (+ releaseHandle)";
const FIELD_MISS = "dataSourceGetField, miss";

/** Packed (len << 32 | ptr) strings of lookup-guest.wat. */
const EVENTS = 0x0000_0006_0000_0010n;
const COMM = 0x0000_0004_0000_0020n;
const NOTHERE = 0x0000_0007_0000_0030n;

interface LookupGuest {
  dataSourceLoop(name: bigint, n: number): number;
  fieldLoop(name: bigint, n: number): number;
}

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
    const lookups = loadBenchGadget(await watFile(new URL("./guests/lookup-guest.wat", import.meta.url)), { fastPath: true, lines });
    lookups.init();
    const names = lookups.exports as unknown as LookupGuest;
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
      { name: DS_HIT, iterations: n, fn: () => names.dataSourceLoop(EVENTS, n), check: () => expect("getDataSource hits", names.dataSourceLoop(EVENTS, n), 0) },
      { name: DS_MISS, iterations: n, fn: () => names.dataSourceLoop(NOTHERE, n), check: () => expect("getDataSource misses", names.dataSourceLoop(NOTHERE, n), n) },
      { name: FIELD_HIT, iterations: n, fn: () => names.fieldLoop(COMM, n), check: () => expect("dataSourceGetField hits", names.fieldLoop(COMM, n), 0) },
      { name: FIELD_MISS, iterations: n, fn: () => names.fieldLoop(NOTHERE, n), check: () => expect("dataSourceGetField misses", names.fieldLoop(NOTHERE, n), n) },
    ];
    const cases = measureAll(specs, CALL_FLOOR_BASELINE, options, console.log);
    return suiteResult(this, options, {
      baseline: CALL_FLOOR_BASELINE,
      cases,
      derived: {
        "mapLookup hit / empty i32x4->i64 JS import": ratioOf(cases, HIT, CALL_FLOOR_BASELINE),
        "mapLookup miss / empty i32x4->i64 JS import": ratioOf(cases, MISS, CALL_FLOOR_BASELINE),
        "mapLookup miss / hit": ratioOf(cases, MISS, HIT),
        "getDataSource miss / hit (+ releaseHandle)": ratioOf(cases, DS_MISS, DS_HIT),
        "dataSourceGetField miss / hit (+ releaseHandle)": ratioOf(cases, FIELD_MISS, FIELD_HIT),
      },
    });
  },
};
