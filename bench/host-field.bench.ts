/**
 * Host-side (JS) field access through the public API, against raw DataView
 * accesses at known offsets (the floor: what the API does underneath).
 *
 * Every case loops over 64 live records (so nothing is loop invariant) and
 * sums what it reads. A subscriber reads through an EventView the runtime
 * re-points at each record, so the accessor cases re-point one too; the
 * "same loop" raw cases do exactly the same re-pointing and read with a raw
 * DataView instead of the accessor, which isolates what `get` itself costs.
 * The baseline re-points nothing: against it, a read is charged for the
 * re-pointing as well (the figure issue 6 first set its target on).
 *
 * The records are taken from the data source's slab directly: the public
 * API hands out EventViews only inside callbacks, and the emit suite
 * measures that path as a whole.
 */
import { EventView, type HostDataSource } from "../runtime/data-source-api.js";
import { type BenchSuite, type CaseSpec, type Figure, measureAll, ratioOf, type RunOptions, type SuiteResult, suiteResult } from "./lib/harness.js";
import { loadBenchGadget } from "./lib/igwasm-host.js";
import { watFile } from "./lib/wat.js";

const RECORDS = 64;
export const HOST_FIELD_BASELINE = "raw DataView.getUint32 (known address)";
const RAW_SAME_LOOP = "raw DataView.getUint32 at a re-pointed EventView";
const GET = "FieldAccessor.get(event) uint32";
const RAW_F64 = "raw DataView.getFloat64 at a re-pointed EventView";
const GET_F64 = "FieldAccessor.get(event) float64";
const RAW_4 = "4 fields per record: raw DataView.getUint32";
const GET_4 = "4 fields per record: FieldAccessor.get";
const RAW_WRITE = "raw DataView.setUint32 (known address)";
const WRITE = "FieldAccessor.write(slot, value) uint32";

export const hostFieldSuite: BenchSuite = {
  name: "host-field",
  title: "Host-side (JS) field read/write, per access",
  async run(options: RunOptions): Promise<SuiteResult> {
    const n = options.quick ? 1024 : 131_072; // a multiple of 4 * RECORDS: the sums are exact
    const gadget = loadBenchGadget(await watFile(new URL("./guests/minimal-guest.wat", import.meta.url)), { fastPath: true });
    const events: HostDataSource = gadget.dataSources.declare("events", {
      fields: { pid: "uint32", ts: "uint64", ratio: "float64", comm: "string", a: "uint32", b: "uint32", c: "uint32" },
    });
    const [pid, ratio, a, b, c] = ["pid", "ratio", "a", "b", "c"].map((name) => events.field(name));
    const slab = events.source.slab;
    const slots = new Int32Array(RECORDS);
    const addrs = new Uint32Array(RECORDS);
    for (let i = 0; i < RECORDS; i++) {
      slots[i] = slab.alloc();
      addrs[i] = slab.addr[slots[i]];
      for (const f of [pid, a, b, c]) f.write(slots[i], i + 1);
      ratio.write(slots[i], i / 2);
    }
    const [pidOff, ratioOff, aOff, bOff, cOff] = ["pid", "ratio", "a", "b", "c"].map((name) => events.source.field(name)!.offset);
    const view = gadget.runtime.hostMemory.view;
    const ev = new EventView(events);
    const expectedSum = (n / RECORDS) * ((RECORDS * (RECORDS + 1)) / 2);
    const expectedF64 = (n / RECORDS) * ((RECORDS * (RECORDS - 1)) / 2 / 2);
    const sumCheck = (name: string, fn: () => number, want: number) => (): void => {
      const got = fn();
      if (got !== want) throw new Error(`${name}: sum ${got}, want ${want}`);
    };

    const raw = (): number => {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += view.getUint32(addrs[i & (RECORDS - 1)] + pidOff, true);
      return sum;
    };
    // The loops point `ev` at a record the way the runtime's dispatch does: its slot and its address.
    const rawSameLoop = (): number => {
      let sum = 0;
      for (let i = 0; i < n; i++) {
        ev.slot = slots[i & (RECORDS - 1)];
        ev.addr = addrs[i & (RECORDS - 1)];
        sum += view.getUint32(ev.addr + pidOff, true);
      }
      return sum;
    };
    const get = (): number => {
      let sum = 0;
      for (let i = 0; i < n; i++) {
        ev.slot = slots[i & (RECORDS - 1)];
        ev.addr = addrs[i & (RECORDS - 1)];
        sum += pid.get(ev) as number;
      }
      return sum;
    };
    const rawF64 = (): number => {
      let sum = 0;
      for (let i = 0; i < n; i++) {
        ev.slot = slots[i & (RECORDS - 1)];
        ev.addr = addrs[i & (RECORDS - 1)];
        sum += view.getFloat64(ev.addr + ratioOff, true);
      }
      return sum;
    };
    const getF64 = (): number => {
      let sum = 0;
      for (let i = 0; i < n; i++) {
        ev.slot = slots[i & (RECORDS - 1)];
        ev.addr = addrs[i & (RECORDS - 1)];
        sum += ratio.get(ev) as number;
      }
      return sum;
    };
    // n reads in n / 4 records, four fields each: a callback reading several fields.
    const raw4 = (): number => {
      let sum = 0;
      for (let i = 0; i < n; i += 4) {
        ev.slot = slots[(i >> 2) & (RECORDS - 1)];
        ev.addr = addrs[(i >> 2) & (RECORDS - 1)];
        const at = ev.addr;
        sum += view.getUint32(at + pidOff, true) + view.getUint32(at + aOff, true) + view.getUint32(at + bOff, true) + view.getUint32(at + cOff, true);
      }
      return sum;
    };
    const get4 = (): number => {
      let sum = 0;
      for (let i = 0; i < n; i += 4) {
        ev.slot = slots[(i >> 2) & (RECORDS - 1)];
        ev.addr = addrs[(i >> 2) & (RECORDS - 1)];
        sum += (pid.get(ev) as number) + (a.get(ev) as number) + (b.get(ev) as number) + (c.get(ev) as number);
      }
      return sum;
    };
    const read = (): number => {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += pid.read(slots[i & (RECORDS - 1)]) as number;
      return sum;
    };
    const eventGet = (): number => {
      let sum = 0;
      for (let i = 0; i < n; i++) {
        ev.slot = slots[i & (RECORDS - 1)];
        ev.addr = addrs[i & (RECORDS - 1)];
        sum += ev.get("pid") as number;
      }
      return sum;
    };
    const rawWrite = (): number => {
      for (let i = 0; i < n; i++) view.setUint32(addrs[i & (RECORDS - 1)] + pidOff, (i & (RECORDS - 1)) + 1, true);
      return 0;
    };
    const write = (): number => {
      for (let i = 0; i < n; i++) pid.write(slots[i & (RECORDS - 1)], (i & (RECORDS - 1)) + 1);
      return 0;
    };

    const spec = (name: string, fn: () => number, want: number): CaseSpec => ({ name, iterations: n, fn, check: sumCheck(name, fn, want) });
    const specs: CaseSpec[] = [
      spec(HOST_FIELD_BASELINE, raw, expectedSum),
      spec(RAW_SAME_LOOP, rawSameLoop, expectedSum),
      spec(GET, get, expectedSum),
      spec(RAW_F64, rawF64, expectedF64),
      spec(GET_F64, getF64, expectedF64),
      // Four reads per record, n / 4 records: the sum is 4 * (n / 4 / RECORDS) * the sum over one pass.
      spec(RAW_4, raw4, expectedSum),
      spec(GET_4, get4, expectedSum),
      spec("FieldAccessor.read(slot) uint32", read, expectedSum),
      spec("EventView.get(name) uint32", eventGet, expectedSum),
      spec(RAW_WRITE, () => (rawWrite(), read()), expectedSum),
      spec(WRITE, () => (write(), read()), expectedSum),
    ];
    // Time the writes alone (each check above ran a write, then read the values back).
    specs[specs.length - 2] = { ...specs[specs.length - 2], fn: rawWrite };
    specs[specs.length - 1] = { ...specs[specs.length - 1], fn: write };
    const cases = measureAll(specs, HOST_FIELD_BASELINE, options, console.log);
    const derived: Record<string, Figure> = {
      "FieldAccessor.get uint32 / raw DataView read (same loop)": ratioOf(cases, GET, RAW_SAME_LOOP),
      "FieldAccessor.get uint32 / raw DataView read at a known address (re-pointing counted)": ratioOf(cases, GET, HOST_FIELD_BASELINE),
      "FieldAccessor.get float64 / raw DataView read (same loop)": ratioOf(cases, GET_F64, RAW_F64),
      "4 fields per record: FieldAccessor.get / raw DataView read": ratioOf(cases, GET_4, RAW_4),
      "EventView.get(name) uint32 / raw DataView read (same loop)": ratioOf(cases, "EventView.get(name) uint32", RAW_SAME_LOOP),
      "FieldAccessor.write uint32 / raw DataView write": ratioOf(cases, WRITE, RAW_WRITE),
    };
    for (const slot of slots) slab.free(slot);
    return suiteResult(this, options, { baseline: HOST_FIELD_BASELINE, cases, derived });
  },
};
