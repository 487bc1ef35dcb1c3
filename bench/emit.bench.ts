/**
 * Emit throughput: events emitted from JS (`HostDataSource.emit`) into a data
 * source, delivered synchronously to its subscribers. Data source "events"
 * has fields pid, uid (u32), ts (u64) and flag (u32); the producer sets pid,
 * uid and ts; a guest subscriber (bench/guests/emit-guest.wat) reads pid,
 * uid and ts and sets flag on every event; a JS subscriber reads pid and flag.
 *
 *   no subscriber (baseline)     the host's own cost: record, fields, release
 *   1 / 4 / 16 guest subscribers the subscriber curve
 *   1 JS subscriber, 3 mixed     guest, JS, guest in that priority order
 *   1 / 16 / 64 fields set       a data source of N u32 fields, all set per event, one JS
 *                                subscriber reading the last one (the slope gives the cost per field)
 *
 * Each sample emits batches; events/s = 1e9 / ns per event. Then the heap:
 * bytes allocated per event (bench/lib/alloc-probe.ts, 10^6 events) and the
 * growth of the heap after a full GC over 10^6 events (retention).
 */
import type { EventView, HostDataSource } from "../runtime/data-source-api.js";
import type { FieldKindName, FieldValue } from "../runtime/field-accessor.js";
import type { Gadget } from "../runtime/gadget.js";
import { allocatedPerOp } from "./lib/alloc-probe.js";
import { heapUsedAfterGc } from "./lib/gc.js";
import { type BenchSuite, byName, type CaseResult, type CaseSpec, type Figure, measureAll, perRound, type RunOptions, single, type SuiteResult, suiteResult } from "./lib/harness.js";
import { loadBenchGadget } from "./lib/igwasm-host.js";
import { watFile } from "./lib/wat.js";

export const EMIT_BASELINE = "emit, no subscriber";
const guests = (n: number): string => `emit -> ${n} guest subscriber${n === 1 ? "" : "s"}`;
const ONE_JS = "emit -> 1 JS subscriber";
const MIXED = "emit -> 3 subscribers (guest, JS, guest)";
const fieldsSet = (n: number): string => `emit, ${n} field${n === 1 ? "" : "s"} set (1 JS subscriber)`;
const SUBSCRIBER_CURVE = [1, 4, 16];
const FIELD_CURVE = [1, 16, 64];

interface EmitGuest {
  subscribe(prio: number, cbID: bigint): number;
  count(): bigint;
  sum(): bigint;
  other(): bigint;
  setErrors(): number;
  reset(): void;
}

interface JsSeen {
  count: number;
  sum: number;
  flags: number;
}

interface Setup {
  readonly gadget: Gadget;
  readonly events: HostDataSource;
  readonly guest: EmitGuest;
  readonly subscribers: ReadonlyArray<"guest" | "js">;
  readonly jsSeen: JsSeen;
}

const UID = 1000;

function setUp(wasm: Uint8Array<ArrayBuffer>, subscribers: ReadonlyArray<"guest" | "js">): Setup {
  const gadget = loadBenchGadget(wasm, { fastPath: true });
  const events = gadget.dataSources.declare("events", { fields: { pid: "uint32", uid: "uint32", ts: "uint64", flag: "uint32" } });
  gadget.init();
  const guest = gadget.exports as unknown as EmitGuest;
  const pid = events.field("pid");
  const flag = events.field("flag");
  const jsSeen: JsSeen = { count: 0, sum: 0, flags: 0 };
  subscribers.forEach((kind, prio) => {
    if (kind === "guest") {
      if (guest.subscribe(prio, BigInt(prio + 1)) !== 0) throw new Error("the guest could not subscribe");
    } else {
      events.subscribe((ev) => {
        jsSeen.count++;
        jsSeen.sum += pid.get(ev as EventView) as number;
        jsSeen.flags += flag.get(ev as EventView) as number;
      }, { priority: prio });
    }
  });
  return { gadget, events, guest, subscribers, jsSeen };
}

/** Emits `count` events with pid 1..count. One values object, reused, as a tight producer would. */
function emitter(events: HostDataSource): (count: number) => void {
  const values = { pid: 0, uid: UID, ts: 7n };
  return (count) => {
    for (let i = 1; i <= count; i++) {
      values.pid = i;
      events.emit(values);
    }
  };
}

/** Checks that every subscriber saw every event of one batch of `count`, and the guest's fieldSet reached the JS subscriber. */
function checkDelivery(s: Setup, count: number): void {
  s.guest.reset();
  Object.assign(s.jsSeen, { count: 0, sum: 0, flags: 0 });
  emitter(s.events)(count);
  const guests = s.subscribers.filter((k) => k === "guest").length;
  const js = s.subscribers.filter((k) => k === "js").length;
  // flag = pid & 1 once a guest ran before the JS subscriber (priority order).
  const guestFirst = s.subscribers[0] === "guest";
  const sum = (count * (count + 1)) / 2;
  const want = {
    guestCount: count * guests,
    guestSum: sum * guests,
    guestOther: count * (UID + 7) * guests,
    setErrors: 0,
    jsCount: count * js,
    jsSum: sum * js,
    jsFlags: guestFirst ? Math.ceil(count / 2) * js : 0,
  };
  const got = {
    guestCount: Number(s.guest.count()),
    guestSum: Number(s.guest.sum()),
    guestOther: Number(s.guest.other()),
    setErrors: s.guest.setErrors(),
    jsCount: s.jsSeen.count,
    jsSum: s.jsSeen.sum,
    jsFlags: s.jsSeen.flags,
  };
  if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`delivery: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
}

/** A data source of `n` u32 fields on a guest that runs no code, and an emitter that sets all of them. */
function wideEmitter(minimal: Uint8Array<ArrayBuffer>, n: number): { emit: (count: number) => void; check: () => void } {
  const gadget = loadBenchGadget(minimal, { fastPath: true });
  const fields: Record<string, FieldKindName> = {};
  for (let i = 0; i < n; i++) fields[`f${i}`] = "uint32";
  const wide = gadget.dataSources.declare("wide", { fields });
  gadget.init();
  // Built in one go, as an object literal would be: an object that gets 64 properties one keyed store at a
  // time turns into a dictionary in V8, and every read of it becomes a hash lookup.
  const values: Record<string, FieldValue> = Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, i]));
  const last = wide.field(`f${n - 1}`);
  let seen = 0;
  // Kept small: a sum that outgrew V8's small integers would box a new number on every event.
  wide.subscribe((ev) => void (seen = (seen + (last.get(ev as EventView) as number)) & 0xffffff));
  const emit = (count: number): void => {
    for (let i = 0; i < count; i++) {
      values.f0 = i;
      wide.emit(values);
    }
  };
  return {
    emit,
    check: () => {
      seen = 0;
      emit(10);
      // The checking subscriber stays subscribed while timed: every case of the curve pays the same for it.
      const want = n === 1 ? 45 : 10 * (n - 1);
      if (seen !== want) throw new Error(`${n} fields: the last field summed to ${seen}, want ${want}`);
    },
  };
}

/** heapUsed growth after a full GC over `count` events, after `warmup` events (what the steady state retains). */
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
    const minimal = await watFile(new URL("./guests/minimal-guest.wat", import.meta.url));
    const configs: Array<{ name: string; subscribers: Array<"guest" | "js"> }> = [
      { name: EMIT_BASELINE, subscribers: [] },
      ...SUBSCRIBER_CURVE.map((n) => ({ name: guests(n), subscribers: Array<"guest">(n).fill("guest") })),
      { name: ONE_JS, subscribers: ["js"] },
      { name: MIXED, subscribers: ["guest", "js", "guest"] },
    ];
    const setups = new Map<string, Setup>();
    const specs: CaseSpec[] = configs.map(({ name, subscribers }) => {
      const s = setUp(wasm, subscribers);
      setups.set(name, s);
      const emit = emitter(s.events);
      return { name, iterations: batch, fn: () => emit(batch), check: () => checkDelivery(s, batch) };
    });
    for (const n of FIELD_CURVE) {
      const { emit, check } = wideEmitter(minimal, n);
      specs.push({ name: fieldsSet(n), iterations: batch, fn: () => emit(batch), check });
    }
    const cases = measureAll(specs, EMIT_BASELINE, options, console.log);
    const eventsPerSecond = (name: string): Figure => perRound(cases, (ns) => 1e9 / ns(name));

    const events = options.quick ? 10_000 : 1_000_000;
    const window = options.quick ? 1_000 : 10_000;
    const derived: Record<string, Figure> = {};
    for (const c of configs) derived[`events/s, ${c.name.replace(/^emit(, | -> )/, "")}`] = eventsPerSecond(c.name);
    const [few, many] = [FIELD_CURVE[0], FIELD_CURVE[FIELD_CURVE.length - 1]];
    derived["ns per extra field set"] = perRound(cases, (ns) => (ns(fieldsSet(many)) - ns(fieldsSet(few))) / (many - few));
    for (const name of [guests(1), MIXED]) {
      const probe = allocatedPerOp(emitter(setups.get(name)!.events), events, window);
      derived[`bytes allocated per event, ${name.replace(/^emit -> /, "")}`] = probe.perOp;
      derived[`allocation probe, ${name.replace(/^emit -> /, "")}: events counted`] = single(probe.operations);
    }
    derived["heap growth: events emitted"] = single(events);
    derived["heap growth, 1 guest subscriber (bytes)"] = single(heapGrowth(setups.get(guests(1))!, events, events / 10));
    derived["heap growth, 3 subscribers (guest, JS, guest) (bytes)"] = single(heapGrowth(setups.get(MIXED)!, events, events / 10));
    return suiteResult(this, options, { baseline: EMIT_BASELINE, cases, derived, notes: notes(cases) });
  },
};

function notes(cases: readonly CaseResult[]): string[] {
  const at = (n: number): number => byName(cases, guests(n)).nsPerOp - byName(cases, EMIT_BASELINE).nsPerOp;
  return [`cost of one guest subscriber (read 3, set 1), from the curve: ${at(1).toFixed(0)} / ${(at(4) / 4).toFixed(0)} / ${(at(16) / 16).toFixed(0)} ns per event each (1 / 4 / 16 subscribers)`];
}
