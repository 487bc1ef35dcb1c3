/**
 * Runs the bench suites, prints a table per suite and the targets, and writes
 * a JSON summary (default bench/results/latest.json, not committed).
 *
 *   npm run bench                        every suite (~2 minutes)
 *   npm run bench -- --quick             smoke run: tiny loops, figures not meaningful
 *   npm run bench -- field emit          only suites whose name contains "field" or "emit"
 *   npm run bench -- --out path.json     write the summary elsewhere
 *   npm run bench -- --list              list the suites
 *   npm run bench -- --in-process        all suites in this process (see below)
 *
 * Each suite runs in a Node process of its own, as a gadget does: V8 keeps
 * type feedback per function, so a suite run after others would measure
 * functions they share (delivery, handle tables, slabs) optimised for all of
 * their runtimes at once. Emit, for one, measured 11.3 M events/s alone and
 * 6.4-6.6 M/s after the field-access and host-field suites in one process
 * (bench/README.md, "Method"). `--in-process` runs them the old way, to see
 * that effect.
 *
 * `npm run bench` is `node --expose-gc --import tsx bench/run.ts` (the heap
 * figures need a full GC; bench/lib/gc.ts enables it at run time otherwise).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { callFloorSuite } from "./call-floor.bench.js";
import { cliSuite } from "./cli.bench.js";
import { emitSuite } from "./emit.bench.js";
import { FIELD_ACCESS_SUITES } from "./field-access.bench.js";
import { hostFieldSuite } from "./host-field.bench.js";
import { type BenchSuite, type Figure, formatFigure, formatSuite, type SuiteResult } from "./lib/harness.js";
import { mapSuite } from "./map.bench.js";
import { trampolineSuite } from "./trampolines.bench.js";

export const SUITES: readonly BenchSuite[] = [callFloorSuite, ...FIELD_ACCESS_SUITES, hostFieldSuite, emitSuite, mapSuite, trampolineSuite, cliSuite];

export interface Target {
  readonly name: string;
  readonly suite: string;
  /** Key in the suite's `derived` figures. */
  readonly derived: string;
  readonly op: "<=" | ">=" | "<";
  readonly target: number;
  readonly unit: string;
}

/**
 * The project's performance targets (issues 6 and 14), each read from one
 * derived figure. A target is met when the figure's median over rounds meets
 * it; the spread is reported beside it.
 */
export const TARGETS: readonly Target[] = [
  { name: "guest fieldGetScalar (u32) vs the empty i32x4->i64 JS import", suite: "field-access", derived: "igwasm fieldGetScalar u32 / empty i32x4->i64 JS import", op: "<=", target: 1.0, unit: "x" },
  { name: "host-side FieldAccessor.get vs a raw DataView read in the same loop", suite: "host-field", derived: "FieldAccessor.get uint32 / raw DataView read (same loop)", op: "<=", target: 1.3, unit: "x" },
  { name: "speedup over the plain host (IG's Go host in JS), mixed field-access suite", suite: "field-access", derived: "mixed field-access suite: plain / igwasm (geometric mean)", op: ">=", target: 5, unit: "x" },
  { name: "speedup over the plain host with the wasm fast path off (the JS fast path), mixed suite", suite: "field-access-js", derived: "mixed field-access suite: plain / igwasm JS fast path (geometric mean)", op: ">=", target: 2, unit: "x" },
  // issue 14: no BigInt on any call (generated i64 trampolines, bench/trampolines.bench.ts)
  { name: "every i64 host function through its trampoline vs the same shim with all-i32 arguments (worst function)", suite: "trampolines", derived: "worst function: trampoline / all-i32", op: "<=", target: 1.5, unit: "x" },
  { name: "fieldGetBuffer (16 B) vs the empty i32x4->i64 JS import", suite: "field-access", derived: "igwasm fieldGetBuffer 16 B / empty i32x4->i64 JS import", op: "<=", target: 3, unit: "x" },
  { name: "fieldSet of a 16-byte string vs the empty i32x4->i64 JS import", suite: "field-access", derived: "igwasm fieldSet string 16 B / empty i32x4->i64 JS import", op: "<=", target: 4, unit: "x" },
  { name: "emit throughput, 1 guest subscriber reading 3 fields and setting 1", suite: "emit", derived: "events/s, 1 guest subscriber", op: ">=", target: 8e6, unit: "events/s" },
  { name: "emit cost per extra field set", suite: "emit", derived: "ns per extra field set", op: "<=", target: 5, unit: "ns" },
  { name: "bytes allocated per emitted event (steady state, 1 guest subscriber)", suite: "emit", derived: "bytes allocated per event, 1 guest subscriber", op: "<", target: 1, unit: "B/event" },
  { name: "bytes allocated per emitted event (steady state, guest, JS, guest)", suite: "emit", derived: "bytes allocated per event, 3 subscribers (guest, JS, guest)", op: "<", target: 1, unit: "B/event" },
  { name: "heap growth over 10^6 emitted events", suite: "emit", derived: "heap growth, 3 subscribers (guest, JS, guest) (bytes)", op: "<", target: 1 << 20, unit: "bytes" },
  // issue 12: an expected miss is a value, not an exception (bench/map.bench.ts)
  { name: "mapLookup miss vs hit", suite: "map-lookup", derived: "mapLookup miss / hit", op: "<=", target: 1.5, unit: "x" },
  { name: "getDataSource miss vs hit (a hit releases its handle)", suite: "map-lookup", derived: "getDataSource miss / hit (+ releaseHandle)", op: "<=", target: 1.5, unit: "x" },
  { name: "dataSourceGetField miss vs hit (a hit releases its handle)", suite: "map-lookup", derived: "dataSourceGetField miss / hit (+ releaseHandle)", op: "<=", target: 1.5, unit: "x" },
  // issue 11: the CLI end to end (bench/cli.bench.ts)
  // Times of whole processes are CPU times, as everywhere in these suites (bench/README.md, "Method"); the wall
  // times are in the suite's figures.
  { name: "CLI end to end, enricher, JSON lines in and out (CPU time)", suite: "cli", derived: "events/s end to end (CPU time)", op: ">=", target: 1e6, unit: "events/s" },
  { name: "CLI peak RSS, 10^6 and 10^7 events", suite: "cli", derived: "peak RSS, 10^6 and 10^7 events, larger (bytes)", op: "<", target: 150 * 2 ** 20, unit: "bytes" },
  { name: "cold igwasm run of the embedded example (CPU time)", suite: "cli", derived: "cold igwasm run (ms, CPU time)", op: "<", target: 120, unit: "ms" },
  { name: "cold igwasm inspect (CPU time)", suite: "cli", derived: "cold igwasm inspect (ms, CPU time)", op: "<", target: 100, unit: "ms" },
];

export interface TargetResult extends Target {
  /** The figure's median over rounds; null when its suite did not run. */
  readonly measured: number | null;
  /** The figure's 25th / 75th percentiles over rounds. */
  readonly spread: { readonly low: number; readonly high: number } | null;
  readonly met: boolean | null;
}

export interface BenchSummary {
  readonly meta: {
    readonly date: string;
    readonly quick: boolean;
    readonly filter: readonly string[];
    /** All suites in one process (--in-process) rather than one process each. */
    readonly inProcess: boolean;
    readonly node: string;
    readonly v8: string;
    readonly platform: string;
    readonly cpu: string;
    readonly cpus: number;
    readonly seconds: number;
    /** os.loadavg() (1, 5, 15 minutes) when the run started and when it ended. */
    readonly loadStart: readonly number[];
    readonly loadEnd: readonly number[];
  };
  readonly suites: Record<string, SuiteResult>;
  readonly targets: readonly TargetResult[];
}

function evaluate(targets: readonly Target[], suites: Record<string, SuiteResult>): TargetResult[] {
  return targets.map((t) => {
    const figure: Figure | undefined = suites[t.suite]?.derived[t.derived];
    if (figure === undefined) return { ...t, measured: null, spread: null, met: null };
    const measured = figure.median;
    const met = t.op === "<=" ? measured <= t.target : t.op === ">=" ? measured >= t.target : measured < t.target;
    return { ...t, measured, spread: { low: figure.low, high: figure.high }, met };
  });
}

function formatValue(v: number, unit: string): string {
  if (unit === "x") return `${v.toFixed(2)}x`;
  if (unit === "bytes") return `${v} B`;
  if (unit === "events/s") return `${(v / 1e6).toFixed(2)} M/s`;
  return `${v.toFixed(2)} ${unit}`;
}

function formatTargets(results: readonly TargetResult[]): string {
  return [
    "## Targets (median over rounds [25th..75th percentile])",
    ...results.map((t) => {
      const status = t.met === null ? "not run" : t.met ? "met" : "NOT met";
      const f = (v: number): string => formatValue(v, t.unit);
      const measured = t.measured === null || t.spread === null ? "-" : formatFigure({ median: t.measured, ...t.spread }, f);
      return `${status.padEnd(8)} ${t.name}: ${measured} (target ${t.op} ${f(t.target)})`;
    }),
  ].join("\n");
}

const formatLoad = (load: readonly number[]): string => load.map((l) => l.toFixed(2)).join(" ");

/** Runs `suite` and prints its table; in this process, the child's side of runInChild. */
async function runHere(suite: BenchSuite, quick: boolean): Promise<SuiteResult> {
  const result = await suite.run({ quick });
  console.log(`\n${formatSuite(result)}`);
  return result;
}

/**
 * Runs `suite` in a new Node process with this one's flags (--expose-gc, the
 * TypeScript loader), its output shown as it comes; returns its result.
 */
function runInChild(suite: BenchSuite, quick: boolean): SuiteResult {
  const dir = mkdtempSync(join(tmpdir(), "igwasm-bench-suite-"));
  try {
    const resultFile = join(dir, "result.json");
    const args = [...process.execArgv, fileURLToPath(import.meta.url), SUITE_ONLY_FLAG, suite.name, resultFile, ...(quick ? ["--quick"] : [])];
    const child = spawnSync(process.execPath, args, { stdio: "inherit" });
    if (child.status !== 0) throw new Error(`bench suite ${suite.name} failed (exit ${child.status ?? child.signal})`);
    return JSON.parse(readFileSync(resultFile, "utf8")) as SuiteResult;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `run.ts --suite-only NAME FILE [--quick]`: the child of runInChild. */
const SUITE_ONLY_FLAG = "--suite-only";

async function runSuiteOnly(argv: readonly string[]): Promise<void> {
  const at = argv.indexOf(SUITE_ONLY_FLAG);
  const [name, file] = [argv[at + 1], argv[at + 2]];
  const suite = SUITES.find((s) => s.name === name);
  if (suite === undefined || file === undefined) throw new Error(`usage: run.ts ${SUITE_ONLY_FLAG} SUITE RESULT_FILE [--quick]`);
  writeFileSync(file, JSON.stringify(await runHere(suite, argv.includes("--quick"))));
}

export async function runBench(argv: readonly string[]): Promise<BenchSummary> {
  const quick = argv.includes("--quick");
  const inProcess = argv.includes("--in-process");
  const outIndex = argv.indexOf("--out");
  const out = outIndex >= 0 ? resolve(argv[outIndex + 1]) : fileURLToPath(new URL("./results/latest.json", import.meta.url));
  const filter = argv.filter((a, i) => !a.startsWith("--") && (outIndex < 0 || i !== outIndex + 1));
  const selected = SUITES.filter((s) => filter.length === 0 || filter.some((f) => s.name.includes(f)));
  if (selected.length === 0) throw new Error(`no suite matches ${filter.join(", ")} (suites: ${SUITES.map((s) => s.name).join(", ")})`);

  const started = Date.now();
  const loadStart = loadavg();
  console.log(`machine load at start (1/5/15 min): ${formatLoad(loadStart)} on ${cpus().length} CPUs`);
  const suites: Record<string, SuiteResult> = {};
  for (const suite of selected) {
    console.log(`\n# ${suite.name}${quick ? " (quick)" : ""}${inProcess ? "" : " (a process of its own)"}`);
    suites[suite.name] = inProcess ? await runHere(suite, quick) : runInChild(suite, quick);
  }
  const targets = evaluate(TARGETS, suites);
  const loadEnd = loadavg();
  console.log(`\nmachine load at end (1/5/15 min): ${formatLoad(loadEnd)} on ${cpus().length} CPUs`);
  console.log(`\n${formatTargets(targets)}${quick ? "\n(quick run: figures are not meaningful)" : ""}`);

  const summary: BenchSummary = {
    meta: {
      date: new Date().toISOString(),
      quick,
      filter,
      inProcess,
      node: process.version,
      v8: process.versions.v8,
      platform: `${process.platform} ${process.arch}`,
      cpu: cpus()[0]?.model ?? "unknown",
      cpus: cpus().length,
      seconds: (Date.now() - started) / 1000,
      loadStart,
      loadEnd,
    },
    suites,
    targets,
  };
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(summary, null, 2)}\n`);
  console.log(`\nsummary: ${out} (${summary.meta.seconds.toFixed(0)} s)`);
  return summary;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  if (process.argv.includes("--list")) {
    for (const s of SUITES) console.log(`${s.name}: ${s.title}`);
  } else if (process.argv.includes(SUITE_ONLY_FLAG)) {
    await runSuiteOnly(process.argv.slice(2));
  } else {
    await runBench(process.argv.slice(2));
  }
}
