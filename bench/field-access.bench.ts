/**
 * Guest -> host field access: fieldGetScalar / fieldSet on u32, i64 and f64
 * fields and fieldGetBuffer on 16- and 256-byte strings, each in a loop of N
 * calls inside the guest (bench/guests/field-guest.wat), on three hosts:
 *
 *   igwasm              loadGadget's default: the wasm fast path for scalars
 *   igwasm (JS shims)   loadGadget with `fastPath: false`: the generated JS shims
 *   naive               bench/baselines/naive-host.ts
 *
 * Baseline: the empty i32x4 -> i64 JS import of the call-floor suite,
 * measured again in this suite. The "mixed field-access suite" figure is the
 * geometric mean over the eight operations of naive ns / igwasm ns.
 */
import { FieldKind } from "../generated/constants.js";
import type { Gadget } from "../runtime/gadget.js";
import { loadNaive } from "./baselines/naive-host.js";
import { CALL_FLOOR_BASELINE, callFloorModule } from "./call-floor.bench.js";
import { type BenchSuite, byName, type CaseSpec, geometricMean, measureAll, type RunOptions, type SuiteResult } from "./lib/harness.js";
import { loadBenchGadget } from "./lib/igwasm-host.js";
import { watFile } from "./lib/wat.js";

type Loop = (slot: number, kind: number, n: number) => bigint | number;
interface GuestExports {
  getLoop: Loop;
  setLoop: Loop;
  getBufferLoop: Loop;
  setBuffer: (slot: number, kind: number, len: number) => number;
  memory: WebAssembly.Memory;
}

/** Field slots of field-guest.wat, with the data source's field kinds. */
const FIELDS = {
  u32: { slot: 0, kind: FieldKind.Uint32 },
  i64: { slot: 1, kind: FieldKind.Int64 },
  f64: { slot: 2, kind: FieldKind.Float64 },
  s16: { slot: 3, kind: FieldKind.String },
  s256: { slot: 4, kind: FieldKind.String },
} as const;
type FieldName = keyof typeof FIELDS;

/** The eight operations of the mixed suite. */
export const FIELD_OPS: ReadonlyArray<{ op: string; loop: "getLoop" | "setLoop" | "getBufferLoop"; field: FieldName }> = [
  { op: "fieldGetScalar u32", loop: "getLoop", field: "u32" },
  { op: "fieldGetScalar i64", loop: "getLoop", field: "i64" },
  { op: "fieldGetScalar f64", loop: "getLoop", field: "f64" },
  { op: "fieldSet u32", loop: "setLoop", field: "u32" },
  { op: "fieldSet i64", loop: "setLoop", field: "i64" },
  { op: "fieldSet f64", loop: "setLoop", field: "f64" },
  { op: "fieldGetBuffer 16 B", loop: "getBufferLoop", field: "s16" },
  { op: "fieldGetBuffer 256 B", loop: "getBufferLoop", field: "s256" },
];

export const HOSTS = ["igwasm", "igwasm (JS shims)", "naive"] as const;
export type HostName = (typeof HOSTS)[number];

const STRINGS: Record<"s16" | "s256", string> = {
  s16: "0123456789abcdef",
  s256: "x".repeat(200) + "0123456789abcdef".repeat(3) + "01234567",
};

/** The guest on one host, initialised, with values in every field. */
export function setUpGuest(wasm: Uint8Array<ArrayBuffer>, host: HostName): { exports: GuestExports; problems: () => string[] } {
  let exports: GuestExports;
  let problems: () => string[];
  if (host === "naive") {
    const naive = loadNaive(wasm, "bench", { u32: FieldKind.Uint32, i64: FieldKind.Int64, f64: FieldKind.Float64, s16: FieldKind.String, s256: FieldKind.String });
    exports = naive.exports as unknown as GuestExports;
    const code = (naive.exports.gadgetInit as () => number)();
    if (code !== 0) throw new Error(`naive host: gadgetInit returned ${code}`);
    problems = () => naive.host.errors;
  } else {
    const lines: string[] = [];
    const gadget: Gadget = loadBenchGadget(wasm, { fastPath: host === "igwasm", lines });
    gadget.dataSources.declare("bench", { fields: { u32: "uint32", i64: "int64", f64: "float64", s16: "string", s256: "string" } });
    gadget.init();
    exports = gadget.exports as unknown as GuestExports;
    problems = () => lines;
  }
  exports.setLoop(FIELDS.u32.slot, FieldKind.Uint32, 1);
  exports.setLoop(FIELDS.i64.slot, FieldKind.Int64, 1);
  exports.setLoop(FIELDS.f64.slot, FieldKind.Float64, 1);
  for (const name of ["s16", "s256"] as const) {
    const bytes = new TextEncoder().encode(STRINGS[name]);
    new Uint8Array(exports.memory.buffer).set(bytes, 0x2000);
    const status = exports.setBuffer(FIELDS[name].slot, FieldKind.String, bytes.length);
    if (status !== 0) throw new Error(`${host}: setting ${name} failed`);
  }
  return { exports, problems };
}

function expectedResult(loop: string, field: FieldName, n: number): bigint | number {
  if (loop === "setLoop") return 0;
  if (loop === "getBufferLoop") return n * new TextEncoder().encode(STRINGS[field as "s16" | "s256"]).length;
  // setLoop(.., 1) wrote 1; setLoop(.., n) in a timed run writes values down to 1, so 1 is last.
  return BigInt(n);
}

export function caseName(host: HostName, op: string): string {
  return `${host}: ${op}`;
}

export const fieldAccessSuite: BenchSuite = {
  name: "field-access",
  title: "Guest -> host field access, per call (guest loops)",
  async run(options: RunOptions): Promise<SuiteResult> {
    const n = options.quick ? 500 : 20_000;
    const wasm = await watFile(new URL("./guests/field-guest.wat", import.meta.url));
    const floor = await callFloorModule();
    const specs: CaseSpec[] = [{ name: CALL_FLOOR_BASELINE, iterations: n, fn: () => floor.loopJsConstI64(n) }];
    for (const host of HOSTS) {
      const { exports, problems } = setUpGuest(wasm, host);
      for (const { op, loop, field } of FIELD_OPS) {
        const { slot, kind } = FIELDS[field];
        const fn = exports[loop];
        specs.push({
          name: caseName(host, op),
          iterations: n,
          fn: () => fn(slot, kind, n),
          check: () => {
            const got = fn(slot, kind, n);
            const want = expectedResult(loop, field, n);
            if (BigInt(got) !== BigInt(want) || problems().length > 0) {
              throw new Error(`${host} ${op}: got ${got}, want ${want}; log: ${problems().join(" | ")}`);
            }
          },
        });
      }
    }
    const cases = measureAll(specs, CALL_FLOOR_BASELINE, options, console.log);
    const derived: Record<string, number> = {};
    const speedups = (host: HostName): number[] =>
      FIELD_OPS.map(({ op }) => byName(cases, caseName("naive", op)).nsPerOp / byName(cases, caseName(host, op)).nsPerOp);
    for (const { op } of FIELD_OPS) {
      derived[`naive / igwasm, ${op}`] = byName(cases, caseName("naive", op)).nsPerOp / byName(cases, caseName("igwasm", op)).nsPerOp;
    }
    derived["mixed field-access suite: naive / igwasm (geometric mean)"] = geometricMean(speedups("igwasm"));
    derived["mixed field-access suite: naive / igwasm JS shims (geometric mean)"] = geometricMean(speedups("igwasm (JS shims)"));
    derived["igwasm fieldGetScalar u32 / empty i32x4->i64 JS import"] = byName(cases, caseName("igwasm", "fieldGetScalar u32")).ratioToBaseline!;
    derived["igwasm JS shims fieldGetScalar u32 / empty i32x4->i64 JS import"] = byName(cases, caseName("igwasm (JS shims)", "fieldGetScalar u32")).ratioToBaseline!;
    return {
      name: this.name,
      title: this.title,
      baseline: CALL_FLOOR_BASELINE,
      cases,
      derived,
      notes: ["fieldGetBuffer has no fast path: `igwasm` and `igwasm (JS shims)` run the same code for it."],
    };
  },
};
