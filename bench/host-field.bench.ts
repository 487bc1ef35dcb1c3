/**
 * Host-side (JS) field access through the public API, against a raw DataView
 * access at a known offset (the floor: what the API does underneath).
 *
 * Every case runs the same loop over 64 live records (so nothing is loop
 * invariant) and sums what it reads. The records are taken from the data
 * source's slab directly: the public API hands out EventViews only inside
 * callbacks, and the emit suite measures that path as a whole.
 */
import { EventView, type HostDataSource } from "../runtime/data-source-api.js";
import { type BenchSuite, type CaseSpec, type Figure, measureAll, ratioOf, type RunOptions, type SuiteResult, suiteResult } from "./lib/harness.js";
import { loadBenchGadget } from "./lib/igwasm-host.js";
import { watFile } from "./lib/wat.js";

const RECORDS = 64;
export const HOST_FIELD_BASELINE = "raw DataView.getUint32 (known offset)";

export const hostFieldSuite: BenchSuite = {
  name: "host-field",
  title: "Host-side (JS) field read/write, per access",
  async run(options: RunOptions): Promise<SuiteResult> {
    const n = options.quick ? 1024 : 131_072; // a multiple of RECORDS: the sums are exact
    const gadget = loadBenchGadget(await watFile(new URL("./guests/minimal-guest.wat", import.meta.url)), { fastPath: true });
    const events: HostDataSource = gadget.dataSources.declare("events", { fields: { pid: "uint32", ts: "uint64", ratio: "float64", comm: "string" } });
    const pid = events.field("pid");
    const ts = events.field("ts");
    const ratio = events.field("ratio");
    const slab = events.source.slab;
    const slots = new Int32Array(RECORDS);
    const addrs = new Uint32Array(RECORDS);
    for (let i = 0; i < RECORDS; i++) {
      slots[i] = slab.alloc();
      addrs[i] = slab.addr[slots[i]];
      pid.write(slots[i], i + 1);
      ts.write(slots[i], BigInt(i));
      ratio.write(slots[i], i / 2);
    }
    const pidOffset = events.source.field("pid")!.offset;
    const ratioOffset = events.source.field("ratio")!.offset;
    const view = gadget.runtime.hostMemory.view;
    const ev = new EventView(events);
    // The loops point `ev` at a record the way the runtime's dispatch does: its
    // slot, and its address too if this runtime's EventView carries one.
    const evAddr = ev as unknown as { addr: number };
    const hasAddr = "addr" in ev;
    const expectedPidSum = (n / RECORDS) * ((RECORDS * (RECORDS + 1)) / 2);
    const sumCheck = (name: string, fn: () => number, want: number) => (): void => {
      const got = fn();
      if (got !== want) throw new Error(`${name}: sum ${got}, want ${want}`);
    };

    const rawRead = (): number => {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += view.getUint32(addrs[i & (RECORDS - 1)] + pidOffset, true);
      return sum;
    };
    const accessorGet = (): number => {
      let sum = 0;
      for (let i = 0; i < n; i++) {
        ev.slot = slots[i & (RECORDS - 1)];
        if (hasAddr) evAddr.addr = addrs[i & (RECORDS - 1)];
        sum += pid.get(ev) as number;
      }
      return sum;
    };
    const accessorRead = (): number => {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += pid.read(slots[i & (RECORDS - 1)]) as number;
      return sum;
    };
    const eventGet = (): number => {
      let sum = 0;
      for (let i = 0; i < n; i++) {
        ev.slot = slots[i & (RECORDS - 1)];
        if (hasAddr) evAddr.addr = addrs[i & (RECORDS - 1)];
        sum += ev.get("pid") as number;
      }
      return sum;
    };
    const rawReadF64 = (): number => {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += view.getFloat64(addrs[i & (RECORDS - 1)] + ratioOffset, true);
      return sum;
    };
    const accessorGetF64 = (): number => {
      let sum = 0;
      for (let i = 0; i < n; i++) {
        ev.slot = slots[i & (RECORDS - 1)];
        if (hasAddr) evAddr.addr = addrs[i & (RECORDS - 1)];
        sum += ratio.get(ev) as number;
      }
      return sum;
    };
    const rawWrite = (): number => {
      for (let i = 0; i < n; i++) view.setUint32(addrs[i & (RECORDS - 1)] + pidOffset, (i & (RECORDS - 1)) + 1, true);
      return 0;
    };
    const accessorWrite = (): number => {
      for (let i = 0; i < n; i++) pid.write(slots[i & (RECORDS - 1)], (i & (RECORDS - 1)) + 1);
      return 0;
    };
    const expectedF64 = (n / RECORDS) * ((RECORDS * (RECORDS - 1)) / 2 / 2);

    const specs: CaseSpec[] = [
      { name: HOST_FIELD_BASELINE, iterations: n, fn: rawRead, check: sumCheck("raw", rawRead, expectedPidSum) },
      { name: "FieldAccessor.get(event) uint32", iterations: n, fn: accessorGet, check: sumCheck("accessor", accessorGet, expectedPidSum) },
      { name: "FieldAccessor.read(slot) uint32", iterations: n, fn: accessorRead, check: sumCheck("read", accessorRead, expectedPidSum) },
      { name: "EventView.get(name) uint32", iterations: n, fn: eventGet, check: sumCheck("event", eventGet, expectedPidSum) },
      { name: "raw DataView.getFloat64 (known offset)", iterations: n, fn: rawReadF64, check: sumCheck("raw f64", rawReadF64, expectedF64) },
      { name: "FieldAccessor.get(event) float64", iterations: n, fn: accessorGetF64, check: sumCheck("accessor f64", accessorGetF64, expectedF64) },
      { name: "raw DataView.setUint32 (known offset)", iterations: n, fn: rawWrite, check: sumCheck("raw write", () => (rawWrite(), accessorRead()), expectedPidSum) },
      { name: "FieldAccessor.write(slot, value) uint32", iterations: n, fn: accessorWrite, check: sumCheck("write", () => (accessorWrite(), accessorRead()), expectedPidSum) },
    ];
    const cases = measureAll(specs, HOST_FIELD_BASELINE, options, console.log);
    const derived: Record<string, Figure> = {
      "FieldAccessor.get uint32 / raw DataView read": ratioOf(cases, "FieldAccessor.get(event) uint32", HOST_FIELD_BASELINE),
      "EventView.get(name) uint32 / raw DataView read": ratioOf(cases, "EventView.get(name) uint32", HOST_FIELD_BASELINE),
      "FieldAccessor.get float64 / raw DataView read": ratioOf(cases, "FieldAccessor.get(event) float64", "raw DataView.getFloat64 (known offset)"),
      "FieldAccessor.write uint32 / raw DataView write": ratioOf(cases, "FieldAccessor.write(slot, value) uint32", "raw DataView.setUint32 (known offset)"),
    };
    for (const slot of slots) slab.free(slot);
    return suiteResult(this, options, { baseline: HOST_FIELD_BASELINE, cases, derived });
  },
};
