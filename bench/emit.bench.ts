/**
 * Emit throughput: events emitted from JS (`HostDataSource.emit`) into a data
 * source, delivered synchronously to its subscribers:
 *
 *   no subscriber (baseline)   the host's own cost: record, fields, release
 *   1 guest subscriber         bench/guests/emit-guest.wat: reads "pid" (fieldGetScalar) per event
 *   1 JS subscriber            reads "pid" through its FieldAccessor
 *   3 subscribers (mixed)      guest, JS, guest, in that priority order
 *
 * Each benchmark call emits a batch; events/s = 1e9 / ns per event. Then the
 * heap: 10^6 events after a warm-up, `heapUsed` after a full GC on both sides.
 * The steady state allocates nothing that survives, so growth should be ~0.
 */
import type { EventView, HostDataSource } from "../runtime/data-source-api.js";
import type { Gadget } from "../runtime/gadget.js";
import { type BenchSuite, byName, type CaseSpec, measureAll, type RunOptions, type SuiteResult } from "./lib/harness.js";
import { heapUsedAfterGc } from "./lib/gc.js";
import { loadBenchGadget } from "./lib/igwasm-host.js";
import { watFile } from "./lib/wat.js";

export const EMIT_BASELINE = "emit, no subscriber";
const ONE_GUEST = "emit -> 1 guest subscriber";
const ONE_JS = "emit -> 1 JS subscriber";
const MIXED = "emit -> 3 subscribers (guest, JS, guest)";

interface EmitGuest {
  subscribe(prio: number, cbID: bigint): number;
  count(): bigint;
  sum(): bigint;
  reset(): void;
}

interface Setup {
  gadget: Gadget;
  events: HostDataSource;
  guest: EmitGuest;
  guestSubscribers: number;
  jsSeen: { count: number; sum: number };
}

function setUp(wasm: Uint8Array<ArrayBuffer>, subscribers: ReadonlyArray<"guest" | "js">): Setup {
  const gadget = loadBenchGadget(wasm, { fastPath: true });
  const events = gadget.dataSources.declare("events", { fields: { pid: "uint32", uid: "uint32", ts: "uint64" } });
  gadget.init();
  const guest = gadget.exports as unknown as EmitGuest;
  const pid = events.field("pid");
  const jsSeen = { count: 0, sum: 0 };
  subscribers.forEach((kind, prio) => {
    if (kind === "guest") {
      if (guest.subscribe(prio, BigInt(prio + 1)) !== 0) throw new Error("the guest could not subscribe");
    } else {
      events.subscribe((ev) => {
        jsSeen.count++;
        jsSeen.sum += pid.get(ev as EventView) as number;
      }, { priority: prio });
    }
  });
  return { gadget, events, guest, guestSubscribers: subscribers.filter((k) => k === "guest").length, jsSeen };
}

/** Emits `count` events; pid runs 1..count. One values object, reused, as a tight producer would. */
function emitter(events: HostDataSource): (count: number) => void {
  const values = { pid: 0, uid: 1000, ts: 0n };
  return (count) => {
    for (let i = 1; i <= count; i++) {
      values.pid = i;
      events.emit(values);
    }
  };
}

/** Checks that every subscriber saw every event of one batch of `count`. */
function checkDelivery(s: Setup, count: number, jsSubscribers: number): void {
  s.guest.reset();
  s.jsSeen.count = 0;
  s.jsSeen.sum = 0;
  emitter(s.events)(count);
  const sum = (count * (count + 1)) / 2;
  const want = { guestCount: count * s.guestSubscribers, guestSum: sum * s.guestSubscribers, jsCount: count * jsSubscribers, jsSum: sum * jsSubscribers };
  const got = { guestCount: Number(s.guest.count()), guestSum: Number(s.guest.sum()), jsCount: s.jsSeen.count, jsSum: s.jsSeen.sum };
  if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`delivery: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
}

/** heapUsed growth over `count` events, after `warmup` events. */
function heapGrowth(s: Setup, count: number, warmup: number): number {
  const emit = emitter(s.events);
  emit(warmup);
  const before = heapUsedAfterGc();
  emit(count);
  return heapUsedAfterGc() - before;
}

export const emitSuite: BenchSuite = {
  name: "emit",
  title: "Emit throughput, per event (JS emits into a host data source)",
  async run(options: RunOptions): Promise<SuiteResult> {
    const batch = options.quick ? 100 : 1000;
    const wasm = await watFile(new URL("./guests/emit-guest.wat", import.meta.url));
    const configs: Array<{ name: string; subscribers: Array<"guest" | "js"> }> = [
      { name: EMIT_BASELINE, subscribers: [] },
      { name: ONE_GUEST, subscribers: ["guest"] },
      { name: ONE_JS, subscribers: ["js"] },
      { name: MIXED, subscribers: ["guest", "js", "guest"] },
    ];
    const setups = new Map<string, Setup>();
    const specs: CaseSpec[] = configs.map(({ name, subscribers }) => {
      const s = setUp(wasm, subscribers);
      setups.set(name, s);
      const emit = emitter(s.events);
      return {
        name,
        iterations: batch,
        fn: () => emit(batch),
        check: () => checkDelivery(s, batch, subscribers.filter((k) => k === "js").length),
      };
    });
    const cases = measureAll(specs, EMIT_BASELINE, options, console.log);

    const events = options.quick ? 10_000 : 1_000_000;
    const warmup = options.quick ? 1_000 : 100_000;
    const derived: Record<string, number> = {
      "events/s, 1 guest subscriber": 1e9 / byName(cases, ONE_GUEST).nsPerOp,
      "events/s, 3 subscribers (guest, JS, guest)": 1e9 / byName(cases, MIXED).nsPerOp,
      "heap growth: events emitted": events,
      "heap growth, 1 guest subscriber (bytes)": heapGrowth(setups.get(ONE_GUEST)!, events, warmup),
      "heap growth, 3 subscribers (guest, JS, guest) (bytes)": heapGrowth(setups.get(MIXED)!, events, warmup),
    };
    return { name: this.name, title: this.title, baseline: EMIT_BASELINE, cases, derived, notes: [] };
  },
};
