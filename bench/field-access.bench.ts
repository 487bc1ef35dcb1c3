/**
 * Guest -> host field access: fieldGetScalar / fieldSet on u32, i64 and f64
 * fields and fieldGetBuffer on 16-byte, 256-byte and 4 KiB strings, each in
 * a loop of N calls inside the guest (bench/guests/field-guest.wat). Three
 * suites, one per way igwasm serves those calls, each with the two baseline
 * hosts measured in the same rounds:
 *
 *   field-access         igwasm: loadGadget's default, the wasm fast path
 *   field-access-js      igwasm (JS fast path): `fastPath: "js"`, the JS form of the fast path
 *   field-access-shims   igwasm (JS shims): `fastPath: false`, the generated JS shims alone
 *
 *   plain   bench/baselines/plain-host.ts: IG's Go host translated to JS (the fair baseline)
 *   naive   bench/baselines/naive-host.ts: a careless JS host
 *
 * Baseline: the empty i32x4 -> i64 JS import of the call-floor suite,
 * measured again in each suite. The "mixed field-access suite" figures are,
 * per round, the geometric mean over the eight operations of
 * baseline-host ns / igwasm ns; their median over rounds is what the targets
 * judge.
 */
import { FieldKind } from "../generated/constants.js";
import type { Gadget } from "../runtime/gadget.js";
import { loadOnBaseline } from "./baselines/load.js";
import { NaiveHost } from "./baselines/naive-host.js";
import { PlainHost } from "./baselines/plain-host.js";
import { CALL_FLOOR_BASELINE, callFloorModule } from "./call-floor.bench.js";
import { type BenchSuite, type CaseSpec, type Figure, geometricMean, measureAll, perRound, ratioOf, type RunOptions, type SuiteResult, suiteResult } from "./lib/harness.js";
import { loadBenchGadget } from "./lib/igwasm-host.js";
import { watFile } from "./lib/wat.js";

type Loop = (slot: number, kind: number, n: number) => bigint | number;
interface GuestExports {
  getLoop: Loop;
  setLoop: Loop;
  getBufferLoop: Loop;
  setBufferLoop: Loop;
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
  s4k: { slot: 5, kind: FieldKind.String },
} as const;
type FieldName = keyof typeof FIELDS;
type StringField = "s16" | "s256" | "s4k";

interface FieldOp {
  readonly op: string;
  readonly loop: "getLoop" | "setLoop" | "getBufferLoop" | "setBufferLoop";
  readonly field: FieldName;
}

/** The eight operations of the mixed suite. */
export const FIELD_OPS: readonly FieldOp[] = [
  { op: "fieldGetScalar u32", loop: "getLoop", field: "u32" },
  { op: "fieldGetScalar i64", loop: "getLoop", field: "i64" },
  { op: "fieldGetScalar f64", loop: "getLoop", field: "f64" },
  { op: "fieldSet u32", loop: "setLoop", field: "u32" },
  { op: "fieldSet i64", loop: "setLoop", field: "i64" },
  { op: "fieldSet f64", loop: "setLoop", field: "f64" },
  { op: "fieldGetBuffer 16 B", loop: "getBufferLoop", field: "s16" },
  { op: "fieldGetBuffer 256 B", loop: "getBufferLoop", field: "s256" },
];

/** Measured too, outside the mixed suite: the large end of the fieldGetBuffer curve, and a string fieldSet. */
const EXTRA_OPS: readonly FieldOp[] = [
  { op: "fieldGetBuffer 4 KiB", loop: "getBufferLoop", field: "s4k" },
  { op: "fieldSet string 16 B", loop: "setBufferLoop", field: "s16" },
];

/** igwasm's three ways of serving the field functions (loadGadget's `fastPath`), one suite each. */
export const IGWASM_HOSTS = ["igwasm", "igwasm (JS fast path)", "igwasm (JS shims)"] as const;
export type IgwasmHost = (typeof IGWASM_HOSTS)[number];
export const HOSTS = [...IGWASM_HOSTS, "plain", "naive"] as const;
export type HostName = (typeof HOSTS)[number];

/** loadGadget's `fastPath` for each igwasm host. */
const FAST_PATH_OPTION = { igwasm: true, "igwasm (JS fast path)": "js", "igwasm (JS shims)": false } as const;

const STRINGS: Record<StringField, string> = {
  s16: "0123456789abcdef",
  s256: "x".repeat(200) + "0123456789abcdef".repeat(3) + "01234567",
  s4k: "0123456789abcdef".repeat(256),
};

const DECLARED: Record<FieldName, FieldKind> = Object.fromEntries(Object.entries(FIELDS).map(([name, f]) => [name, f.kind])) as Record<FieldName, FieldKind>;

/** The guest on one host, initialised, with values in every field. */
export function setUpGuest(wasm: Uint8Array<ArrayBuffer>, host: HostName): { exports: GuestExports; problems: () => string[] } {
  let exports: GuestExports;
  let problems: () => string[];
  if (host === "naive" || host === "plain") {
    const loaded = loadOnBaseline(host === "naive" ? new NaiveHost() : new PlainHost(), wasm, "bench", DECLARED);
    exports = loaded.exports as unknown as GuestExports;
    const code = (loaded.exports.gadgetInit as () => number)();
    if (code !== 0) throw new Error(`${host} host: gadgetInit returned ${code}`);
    problems = () => loaded.host.errors;
  } else {
    const lines: string[] = [];
    const gadget: Gadget = loadBenchGadget(wasm, { fastPath: FAST_PATH_OPTION[host], lines });
    gadget.dataSources.declare("bench", { fields: { u32: "uint32", i64: "int64", f64: "float64", s16: "string", s256: "string", s4k: "string" } });
    gadget.init();
    exports = gadget.exports as unknown as GuestExports;
    problems = () => lines;
  }
  exports.setLoop(FIELDS.u32.slot, FieldKind.Uint32, 1);
  exports.setLoop(FIELDS.i64.slot, FieldKind.Int64, 1);
  exports.setLoop(FIELDS.f64.slot, FieldKind.Float64, 1);
  for (const name of ["s16", "s256", "s4k"] as const) {
    const bytes = new TextEncoder().encode(STRINGS[name]);
    new Uint8Array(exports.memory.buffer).set(bytes, 0x2000);
    const status = exports.setBuffer(FIELDS[name].slot, FieldKind.String, bytes.length);
    if (status !== 0) throw new Error(`${host}: setting ${name} failed`);
  }
  return { exports, problems };
}

function expectedResult(loop: string, field: FieldName, n: number): bigint | number {
  if (loop === "setLoop" || loop === "setBufferLoop") return 0;
  if (loop === "getBufferLoop") return n * new TextEncoder().encode(STRINGS[field as StringField]).length;
  // setLoop(.., 1) wrote 1 (the double 1.0 for f64); setLoop(.., n) in a timed run writes values
  // down to 1, so 1 is last. getLoop sums the i64s it reads, wrapping as wasm's i64.add does.
  return field === "f64" ? BigInt.asIntN(64, BigInt(n) * F64_ONE_BITS) : BigInt(n);
}

/** The bits of the double 1.0. */
const F64_ONE_BITS = 0x3ff0_0000_0000_0000n;

export function caseName(host: HostName, op: string): string {
  return `${host}: ${op}`;
}

/** How derived figures name an igwasm host: "igwasm", "igwasm JS fast path", "igwasm JS shims". */
function figureName(host: IgwasmHost): string {
  return host.replace(/[()]/g, "");
}

/**
 * The field-access suite of one igwasm host: its cases and those of the two
 * baseline hosts, interleaved in the same rounds. Each igwasm host has a
 * suite, and so a process, of its own (bench/run.ts), as a gadget runs with
 * one of them: in one process the wasm fast path's guest and the JS fast
 * path's share functions (value copies, the fallbacks), and each measured up
 * to 40% slower beside the other (bench/README.md, "Method").
 */
function fieldAccessSuiteOf(igwasm: IgwasmHost, name: string, title: string): BenchSuite {
  const hosts: readonly HostName[] = [igwasm, "plain", "naive"];
  const label = figureName(igwasm);
  return {
    name,
    title,
    async run(options: RunOptions): Promise<SuiteResult> {
      const n = options.quick ? 500 : 20_000;
      const wasm = await watFile(new URL("./guests/field-guest.wat", import.meta.url));
      const floor = await callFloorModule();
      const specs: CaseSpec[] = [{ name: CALL_FLOOR_BASELINE, iterations: n, fn: () => floor.loopJsConstI64(n) }];
      for (const host of hosts) {
        const { exports, problems } = setUpGuest(wasm, host);
        for (const { op, loop, field } of [...FIELD_OPS, ...EXTRA_OPS]) {
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
      /** Per round: the geometric mean over the mixed suite of `slow` ns / `fast` ns. */
      const mixed = (slow: HostName, fast: HostName): Figure =>
        perRound(cases, (ns) => geometricMean(FIELD_OPS.map(({ op }) => ns(caseName(slow, op)) / ns(caseName(fast, op)))));
      const derived: Record<string, Figure> = {
        [`${label} fieldGetScalar u32 / empty i32x4->i64 JS import`]: ratioOf(cases, caseName(igwasm, "fieldGetScalar u32"), CALL_FLOOR_BASELINE),
        [`mixed field-access suite: plain / ${label} (geometric mean)`]: mixed("plain", igwasm),
        [`mixed field-access suite: naive / ${label} (geometric mean)`]: mixed("naive", igwasm),
      };
      for (const { op } of FIELD_OPS) derived[`plain / ${label}, ${op}`] = ratioOf(cases, caseName("plain", op), caseName(igwasm, op));
      for (const { op } of [...FIELD_OPS, ...EXTRA_OPS].filter((o) => o.loop === "getBufferLoop" || o.loop === "setBufferLoop")) {
        derived[`${label} ${op} / empty i32x4->i64 JS import`] = ratioOf(cases, caseName(igwasm, op), CALL_FLOOR_BASELINE);
      }
      return suiteResult(this, options, {
        baseline: CALL_FLOOR_BASELINE,
        cases,
        derived,
        notes: [NOTES[igwasm]],
      });
    },
  };
}

const NOTES: Record<IgwasmHost, string> = {
  igwasm:
    "fieldGetBuffer and a String fieldSet: the wasm fast path resolves the handles and copies values of up to 32 bytes " +
    "in wasm (guest-copy.wat), longer ones through JS (value-copy.ts).",
  "igwasm (JS fast path)":
    "The JS fast path (js-field-fast-path.ts) behind the generated trampolines: the handles resolved in one step, " +
    "64-bit values as two numbers, values copied between the two memories (value-copy.ts).",
  "igwasm (JS shims)": "The generated shims over FieldOps alone: values handed over as a Uint8Array, 64-bit values as numbers or BigInt (wideValue).",
};

export const FIELD_ACCESS_SUITES: readonly BenchSuite[] = [
  fieldAccessSuiteOf("igwasm", "field-access", "Guest -> host field access, per call (guest loops): the wasm fast path"),
  fieldAccessSuiteOf("igwasm (JS fast path)", "field-access-js", "Guest -> host field access: the JS fast path (`fastPath: \"js\"`)"),
  fieldAccessSuiteOf("igwasm (JS shims)", "field-access-shims", "Guest -> host field access: the generated shims alone (`fastPath: false`)"),
];
