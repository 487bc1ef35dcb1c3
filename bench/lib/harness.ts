/**
 * The bench harness: interleaved rounds, medians and spreads.
 *
 * A suite's cases are measured in rounds. Each round runs every case once
 * (one sample: `reps` calls of the case's `fn`, each call `iterations`
 * operations), in an order rotated by one from the previous round, so that a
 * change of load on the machine (others share it) lands in every case of the
 * round instead of in whichever case was running. A case reports the median
 * of its per-round ns/op and the spread between the rounds' 25th and 75th
 * percentiles. A ratio between two cases is computed per round (both samples
 * were taken within one round, close together in time) and then reduced to
 * its median; targets judge that median and print the spread beside it.
 *
 * Time is the process's CPU time (user + system, `process.cpuUsage()`), not
 * the wall clock: on a machine shared by more runnable processes than it has
 * cores, a wall-clock sample measures the scheduler as much as the code (a
 * sample preempted halfway takes twice as long). CPU time leaves out the time
 * the process waited for a core; what sharing still costs (caches, other
 * threads of this process such as the GC's) stays in, and the interleaving
 * spreads it over the cases.
 *
 * Before the rounds every case is checked (it throws when it does not do
 * what it claims), warmed up so JS and wasm code reach their optimising tier,
 * and calibrated: `reps` is chosen so that one sample takes about
 * `sampleMs` of CPU time.
 */

export interface RunOptions {
  /** A smoke run: few rounds of tiny samples; figures are not meaningful. */
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

/** A figure over rounds: the median and the 25th / 75th percentiles. */
export interface Figure {
  readonly median: number;
  readonly low: number;
  readonly high: number;
}

export interface CaseResult {
  readonly name: string;
  /** Nanoseconds of CPU time per operation over the rounds. */
  readonly ns: Figure;
  /** ns.median, for convenience. */
  readonly nsPerOp: number;
  /** Operations per second at the median. */
  readonly opsPerSec: number;
  /** Half the interquartile range of ns/op, in percent of the median. */
  readonly spreadPercent: number;
  /** ns/op of each round, in round order. */
  readonly samplesNs: readonly number[];
  /** Ratio to the suite's baseline, computed per round. */
  readonly ratio: Figure;
}

export interface SuiteResult {
  readonly name: string;
  readonly title: string;
  /** Name of the case every ratio is taken against. */
  readonly baseline: string;
  readonly rounds: number;
  readonly cases: CaseResult[];
  /** Suite-specific derived figures (ratios, speedups, bytes), by name. */
  readonly derived: Record<string, Figure>;
  /** Lines to print under the table. */
  readonly notes: string[];
}

export interface BenchSuite {
  readonly name: string;
  readonly title: string;
  run(options: RunOptions): Promise<SuiteResult> | SuiteResult;
}

/** How a suite is sampled. */
export interface Sampling {
  readonly rounds: number;
  /** Target CPU time of one sample. */
  readonly sampleMs: number;
  /** Warm-up per case before calibration. */
  readonly warmUpMs: number;
}

/** A suite's result, the number of rounds taken from `options`. */
export function suiteResult(
  suite: Pick<BenchSuite, "name" | "title">,
  options: RunOptions,
  parts: { baseline: string; cases: CaseResult[]; derived?: Record<string, Figure>; notes?: string[] },
): SuiteResult {
  return { name: suite.name, title: suite.title, rounds: sampling(options).rounds, derived: {}, notes: [], ...parts };
}

export function sampling(options: RunOptions): Sampling {
  return options.quick ? { rounds: 3, sampleMs: 0.5, warmUpMs: 0 } : { rounds: 31, sampleMs: 8, warmUpMs: 200 };
}

/** The process's CPU time (user + system), in milliseconds. */
export function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Runs `fn` repeatedly for about `ms` of CPU time; returns how many calls that was (at least one). */
function runFor(fn: () => unknown, ms: number): number {
  const end = cpuMs() + ms;
  let calls = 0;
  do {
    fn();
    calls++;
  } while (cpuMs() < end);
  return calls;
}

/** Calls of `fn` that take about `ms` of CPU time. */
function calibrate(fn: () => unknown, ms: number): number {
  const probe = Math.max(ms / 4, 0.05);
  const start = cpuMs();
  const calls = runFor(fn, probe);
  const elapsed = cpuMs() - start;
  return Math.max(1, Math.round((calls * ms) / elapsed));
}

/** One sample: CPU ns per operation over `reps` calls. */
function sample(spec: CaseSpec, reps: number): number {
  const fn = spec.fn;
  const start = cpuMs();
  for (let i = 0; i < reps; i++) fn();
  return ((cpuMs() - start) * 1e6) / (reps * spec.iterations);
}

/** The q-quantile (0..1) of `values`, linearly interpolated. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

/** The median and interquartile range of `values`. */
export function figureOf(values: readonly number[]): Figure {
  if (values.length === 0) throw new Error("no values");
  return { median: quantile(values, 0.5), low: quantile(values, 0.25), high: quantile(values, 0.75) };
}

/** A figure measured once (no rounds): no spread. */
export function single(value: number): Figure {
  return { median: value, low: value, high: value };
}

/**
 * Measures `specs` in interleaved rounds (see the file comment) and returns
 * one result per case, in the order given, with ratios to `baseline`.
 */
export function measureAll(specs: readonly CaseSpec[], baseline: string, options: RunOptions, log: (line: string) => void): CaseResult[] {
  const names = new Set(specs.map((s) => s.name));
  if (names.size !== specs.length) throw new Error("bench case names must be unique within a suite");
  if (!names.has(baseline)) throw new Error(`baseline "${baseline}" is not among the cases`);
  const { rounds, sampleMs, warmUpMs } = sampling(options);
  const reps = specs.map((spec) => {
    spec.check?.();
    if (warmUpMs > 0) runFor(spec.fn, warmUpMs);
    return calibrate(spec.fn, sampleMs);
  });
  const samples = specs.map(() => new Array<number>(rounds));
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < specs.length; k++) {
      const i = (k + round) % specs.length;
      samples[i][round] = sample(specs[i], reps[i]);
    }
  }
  const base = samples[specs.findIndex((s) => s.name === baseline)];
  return specs.map((spec, i) => {
    const ns = figureOf(samples[i]);
    const result: CaseResult = {
      name: spec.name,
      ns,
      nsPerOp: ns.median,
      opsPerSec: 1e9 / ns.median,
      spreadPercent: ((ns.high - ns.low) / 2 / ns.median) * 100,
      samplesNs: samples[i],
      ratio: figureOf(samples[i].map((v, r) => v / base[r])),
    };
    log(`  ${spec.name}: ${formatNs(ns.median)} ns/op ±${result.spreadPercent.toFixed(1)}%`);
    return result;
  });
}

export function byName(results: readonly CaseResult[], name: string): CaseResult {
  const r = results.find((x) => x.name === name);
  if (!r) throw new Error(`no bench case "${name}"`);
  return r;
}

/**
 * A figure computed per round from the cases' samples of that round, then
 * reduced to its median and quartiles. `f` reads a case's ns/op of the
 * current round through `ns(name)`.
 */
export function perRound(results: readonly CaseResult[], f: (ns: (name: string) => number) => number): Figure {
  const rounds = results[0]?.samplesNs.length ?? 0;
  const values: number[] = [];
  for (let round = 0; round < rounds; round++) values.push(f((name) => byName(results, name).samplesNs[round]));
  return figureOf(values);
}

/** ns(a) / ns(b), per round. */
export function ratioOf(results: readonly CaseResult[], a: string, b: string): Figure {
  return perRound(results, (ns) => ns(a) / ns(b));
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

/** A figure as "median [low..high]" with `digits` decimals. */
export function formatFigure(f: Figure, format: (v: number) => string = (v) => v.toFixed(3)): string {
  return f.low === f.high ? format(f.median) : `${format(f.median)} [${format(f.low)}..${format(f.high)}]`;
}

/** The suite as a text table: case, ns/op (median), ops/s, ±spread, ratio to the baseline with its quartiles. */
export function formatSuite(suite: SuiteResult): string {
  const rows = suite.cases.map((c) => [
    c.name === suite.baseline ? `${c.name} (baseline)` : c.name,
    formatNs(c.nsPerOp),
    formatOps(c.opsPerSec),
    `±${c.spreadPercent.toFixed(1)}%`,
    formatFigure(c.ratio, (v) => `${v.toFixed(2)}x`),
  ]);
  const header = ["case", "ns/op", "ops/s", "spread", "vs baseline [p25..p75]"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  const out = [`## ${suite.title} (${suite.rounds} interleaved rounds)`, line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)];
  for (const [k, v] of Object.entries(suite.derived)) out.push(`${k}: ${formatFigure(v, (x) => (Number.isInteger(x) ? String(x) : x.toFixed(3)))}`);
  out.push(...suite.notes);
  return out.join("\n");
}
