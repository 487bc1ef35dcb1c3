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

  it("runs every suite and records it in the summary", () => {
    expect(summary.meta.quick).toBe(true);
    expect(Object.keys(summary.suites).sort()).toEqual(SUITES.map((s) => s.name).sort());
    for (const suite of Object.values(summary.suites)) {
      expect(suite.cases.length, suite.name).toBeGreaterThan(1);
      expect(suite.cases.map((c) => c.name)).toContain(suite.baseline);
      for (const c of suite.cases) {
        for (const v of [c.nsPerOp, c.opsPerSec, c.rmePercent, c.ratioToBaseline]) expect(Number.isFinite(v), `${suite.name} / ${c.name}`).toBe(true);
        expect(c.samples).toBeGreaterThan(0);
      }
      expect(suite.cases.find((c) => c.name === suite.baseline)!.ratioToBaseline).toBe(1);
    }
  });

  it("evaluates every target", () => {
    expect(summary.targets.map((t) => t.name)).toEqual(TARGETS.map((t) => t.name));
    for (const t of summary.targets) {
      expect(Number.isFinite(t.measured), t.name).toBe(true);
      expect(typeof t.met).toBe("boolean");
    }
  });

  it("prints a table per suite and the targets", () => {
    for (const s of SUITES) expect(stdout).toContain(`## ${s.title}`);
    expect(stdout).toContain("## Targets");
    expect(stdout).toMatch(/ns\/op/);
  });

  it("runs only the suites a filter names", () => {
    const { summary: filtered } = runBench(["call"]);
    expect(Object.keys(filtered.suites)).toEqual(["call-floor"]);
    expect(filtered.targets.every((t) => t.met === null)).toBe(true);
  });
});
