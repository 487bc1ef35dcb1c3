/**
 * Smoke test of the bench runner: `bench/run.ts --quick` runs every suite
 * (tiny loops, so it takes seconds) and writes a JSON summary with every
 * suite, case and target. No timing is asserted: only that the suites run,
 * check their own results, and report.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BenchSummary } from "../bench/run.js";
import { SUITES, TARGETS } from "../bench/run.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "igwasm-bench-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runBench(args: string[]): { summary: BenchSummary; stdout: string } {
  const out = join(dir, `${args.join("-") || "all"}.json`);
  const stdout = execFileSync(process.execPath, ["--expose-gc", "--import", "tsx", "bench/run.ts", "--quick", "--out", out, ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 120_000,
  });
  return { summary: JSON.parse(readFileSync(out, "utf8")) as BenchSummary, stdout };
}

describe("bench --quick", () => {
  let summary: BenchSummary;
  let stdout: string;
  beforeAll(() => {
    ({ summary, stdout } = runBench([]));
  });

  it("runs every suite and records it in the summary, with the machine load", () => {
    expect(summary.meta.quick).toBe(true);
    expect(summary.meta.loadStart).toHaveLength(3);
    expect(summary.meta.loadEnd).toHaveLength(3);
    expect(Object.keys(summary.suites).sort()).toEqual(SUITES.map((s) => s.name).sort());
    for (const suite of Object.values(summary.suites)) {
      expect(suite.cases.length, suite.name).toBeGreaterThan(1);
      expect(suite.cases.map((c) => c.name)).toContain(suite.baseline);
      for (const c of suite.cases) {
        expect(c.samplesNs, `${suite.name} / ${c.name}`).toHaveLength(suite.rounds);
        for (const v of [c.nsPerOp, c.opsPerSec, c.spreadPercent, c.ratio.median, c.ratio.low, c.ratio.high, ...c.samplesNs]) {
          expect(Number.isFinite(v), `${suite.name} / ${c.name}`).toBe(true);
        }
        expect(c.ns.low).toBeLessThanOrEqual(c.ns.median);
        expect(c.ns.median).toBeLessThanOrEqual(c.ns.high);
      }
      expect(suite.cases.find((c) => c.name === suite.baseline)!.ratio).toEqual({ median: 1, low: 1, high: 1 });
    }
  });

  it("records the scaling curves", () => {
    const names = (suite: string): string[] => summary.suites[suite].cases.map((c) => c.name);
    for (const n of ["1 guest subscriber", "4 guest subscribers", "16 guest subscribers", "1 field set", "16 fields set", "64 fields set"]) {
      expect(names("emit").some((c) => c.includes(n)), n).toBe(true);
    }
    for (const size of ["16 B", "256 B", "4 KiB"]) expect(names("field-access")).toContain(`igwasm: fieldGetBuffer ${size}`);
    expect(names("map-lookup").some((c) => c.includes("hit"))).toBe(true);
    expect(names("map-lookup").some((c) => c.includes("miss"))).toBe(true);
    for (const [suite, igwasm] of [["field-access", "igwasm"], ["field-access-js", "igwasm (JS fast path)"], ["field-access-shims", "igwasm (JS shims)"]]) {
      // Each suite: its igwasm host and the two baselines, and no other igwasm host (a process each).
      for (const host of [igwasm, "plain", "naive"]) expect(names(suite), suite).toContain(`${host}: fieldGetScalar u32`);
      expect(names(suite).filter((c) => c.startsWith("igwasm") && !c.startsWith(`${igwasm}:`)), suite).toEqual([]);
    }
  });

  it("evaluates every target", () => {
    expect(summary.targets.map((t) => t.name)).toEqual(TARGETS.map((t) => t.name));
    for (const t of summary.targets) {
      expect(Number.isFinite(t.measured), t.name).toBe(true);
      expect(t.spread!.low, t.name).toBeLessThanOrEqual(t.measured!);
      expect(t.spread!.high, t.name).toBeGreaterThanOrEqual(t.measured!);
      expect(t.met).toBe(t.op === "<=" ? t.measured! <= t.target : t.op === ">=" ? t.measured! >= t.target : t.measured! < t.target);
    }
  });

  it("prints a table per suite and the targets", () => {
    for (const s of SUITES) expect(stdout).toContain(`## ${s.title}`);
    expect(stdout).toContain("## Targets");
    expect(stdout).toMatch(/ns\/op/);
    expect(stdout).toMatch(/machine load at start \(1\/5\/15 min\): [\d.]+ [\d.]+ [\d.]+/);
    expect(stdout).toMatch(/machine load at end/);
  });

  it("runs only the suites a filter names", () => {
    const { summary: filtered } = runBench(["call"]);
    expect(Object.keys(filtered.suites)).toEqual(["call-floor"]);
    expect(filtered.targets.every((t) => t.met === null)).toBe(true);
  });

  it("runs each suite in a process of its own, unless --in-process", () => {
    expect(summary.meta.inProcess).toBe(false);
    for (const s of SUITES) expect(stdout).toContain(`# ${s.name} (quick) (a process of its own)`);
    const { summary: together, stdout: out } = runBench(["--in-process", "call", "map"]);
    expect(together.meta.inProcess).toBe(true);
    expect(Object.keys(together.suites)).toEqual(["call-floor", "map-lookup"]);
    expect(out).not.toContain("a process of its own");
  });

  it("a suite process for an unknown suite stops with its usage", () => {
    expect(() => runBench(["--suite-only", "no-such-suite", join(dir, "x.json")])).toThrow(/usage: run.ts --suite-only/);
  });
});
