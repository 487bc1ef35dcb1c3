/**
 * The bench harness: runs cases with benchmark.js and reports per-iteration
 * figures.
 *
 * Most cases time a loop (inside wasm, or in JS) of `iterations` operations
 * per benchmark.js call, so the timer and benchmark.js' own call cost are
 * amortised; ns/op is the benchmark.js mean divided by `iterations`. Every
 * suite measures its baseline in the same run, and ratios are taken against
 * it, so a slower or faster machine shifts both sides together.
 */
import Benchmark from "benchmark";

export interface RunOptions {
  /** A smoke run: tiny loops and sampling times; figures are not meaningful. */
  readonly quick: boolean;
}

export interface CaseSpec {
  /** Unique within the suite. */
  readonly name: string;
  /** Runs `iterations` operations. */
  readonly fn: () => unknown;
  /** Operations per call of `fn`. */
  readonly iterations: number;
  /** Checked once before timing: throws when the case does not do what it claims. */
  readonly check?: () => void;
}

export interface CaseResult {
  readonly name: string;
  /** Nanoseconds per operation (per iteration of the case's loop). */
  readonly nsPerOp: number;
  readonly opsPerSec: number;
  /** Relative margin of error of the mean, in percent (benchmark.js `stats.rme`). */
  readonly rmePercent: number;
  readonly samples: number;
  /** nsPerOp / the suite baseline's nsPerOp. */
  ratioToBaseline?: number;
}

export interface SuiteResult {
  readonly name: string;
  readonly title: string;
  /** Name of the case every ratio is taken against. */
  readonly baseline: string;
  readonly cases: CaseResult[];
  /** Suite-specific derived figures (ratios, speedups, bytes), by name. */
  readonly derived: Record<string, number>;
  /** Lines to print under the table. */
  readonly notes: string[];
}

export interface BenchSuite {
  readonly name: string;
  readonly title: string;
  run(options: RunOptions): Promise<SuiteResult> | SuiteResult;
}

/** Sampling limits: ~1.5 s per case in a full run, a few ms in a quick one. */
export function benchOptions(options: RunOptions): Benchmark.Options {
  return options.quick ? { maxTime: 0.02, minSamples: 2, minTime: 0.002, initCount: 1 } : { maxTime: 1.5, minSamples: 10, initCount: 1 };
}

/**
 * Runs `fn` for about `seconds` first, so JS and wasm code reach their
 * optimising tier before benchmark.js samples it (its own calibration cycles
 * count towards the samples otherwise, and skew the first case of a suite).
 */
function warmUp(fn: () => unknown, seconds: number): void {
  const end = performance.now() + seconds * 1000;
  do fn();
  while (performance.now() < end);
}

/** Times one case. */
export function measure(spec: CaseSpec, options: RunOptions): CaseResult {
  spec.check?.();
  warmUp(spec.fn, options.quick ? 0 : 0.25);
  // benchmark.js would decompile `fn` and inline its body (losing its closure)
  // when setup/teardown functions are given; we give none, so it calls `fn`.
  const bench = new Benchmark(spec.name, spec.fn, { ...benchOptions(options), async: false });
  bench.run();
  if (bench.error) throw new Error(`bench case "${spec.name}" failed: ${bench.error.message}`, { cause: bench.error });
  const nsPerOp = (bench.stats.mean * 1e9) / spec.iterations;
  return {
    name: spec.name,
    nsPerOp,
    opsPerSec: 1e9 / nsPerOp,
    rmePercent: bench.stats.rme,
    samples: bench.stats.sample.length,
  };
}

/** Measures every case, then fills in the ratios to `baseline`. */
export function measureAll(specs: readonly CaseSpec[], baseline: string, options: RunOptions, log: (line: string) => void): CaseResult[] {
  const results: CaseResult[] = [];
  for (const spec of specs) {
    const r = measure(spec, options);
    log(`  ${spec.name}: ${formatNs(r.nsPerOp)} ns/op ±${r.rmePercent.toFixed(1)}%`);
    results.push(r);
  }
  const base = results.find((r) => r.name === baseline);
  if (!base) throw new Error(`baseline "${baseline}" is not among the cases`);
  for (const r of results) r.ratioToBaseline = r.nsPerOp / base.nsPerOp;
  return results;
}

export function byName(results: readonly CaseResult[], name: string): CaseResult {
  const r = results.find((x) => x.name === name);
  if (!r) throw new Error(`no bench case "${name}"`);
  return r;
}

export function geometricMean(values: readonly number[]): number {
  return Math.exp(values.reduce((s, v) => s + Math.log(v), 0) / values.length);
}

export function formatNs(ns: number): string {
  return ns >= 100 ? ns.toFixed(0) : ns >= 10 ? ns.toFixed(1) : ns.toFixed(2);
}

export function formatOps(ops: number): string {
  if (ops >= 1e9) return `${(ops / 1e9).toFixed(2)} G`;
  if (ops >= 1e6) return `${(ops / 1e6).toFixed(2)} M`;
  if (ops >= 1e3) return `${(ops / 1e3).toFixed(2)} k`;
  return ops.toFixed(0);
}

/** The suite as a text table: case, ns/op, ops/s, ±rme, ratio to the baseline. */
export function formatSuite(suite: SuiteResult): string {
  const rows = suite.cases.map((c) => [
    c.name === suite.baseline ? `${c.name} (baseline)` : c.name,
    formatNs(c.nsPerOp),
    formatOps(c.opsPerSec),
    `±${c.rmePercent.toFixed(1)}%`,
    `${(c.ratioToBaseline ?? NaN).toFixed(2)}x`,
  ]);
  const header = ["case", "ns/op", "ops/s", "rme", "vs baseline"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  const out = [`## ${suite.title}`, line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)];
  for (const [k, v] of Object.entries(suite.derived)) out.push(`${k}: ${Number.isInteger(v) ? v : v.toFixed(3)}`);
  out.push(...suite.notes);
  return out.join("\n");
}
