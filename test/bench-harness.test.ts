/**
 * The bench harness's method (bench/lib/harness.ts), without timing: cases
 * run in interleaved rounds with the order rotated, and ratios are taken per
 * round and then reduced to their median.
 */
import { describe, expect, it } from "vitest";
import { type CaseResult, figureOf, measureAll, perRound, quantile, ratioOf } from "../bench/lib/harness.js";

describe("measureAll", () => {
  it("runs every case once per round, the order rotated by one each round, after checking each", () => {
    const calls: string[] = [];
    const checked: string[] = [];
    const spec = (name: string) => ({ name, iterations: 1, fn: () => void calls.push(name), check: () => void checked.push(name) });
    const results = measureAll([spec("a"), spec("b"), spec("c")], "a", { quick: true }, () => {});
    expect(checked).toEqual(["a", "b", "c"]);
    // Collapse repeated calls (calibration and each sample call a case many times in a row).
    const runs = calls.filter((name, i) => i === 0 || calls[i - 1] !== name);
    const rounds = results[0].samplesNs.length;
    expect(rounds).toBeGreaterThanOrEqual(3);
    const expected = ["a", "b", "c"]; // calibration, in case order
    for (let r = 0; r < rounds; r++) for (let k = 0; k < 3; k++) expected.push("abc"[(k + r) % 3]);
    expect(runs).toEqual(expected);
    for (const c of results) {
      expect(c.samplesNs).toHaveLength(rounds);
      expect(c.nsPerOp).toBe(c.ns.median);
    }
    expect(results[0].ratio).toEqual({ median: 1, low: 1, high: 1 });
  });

  it("refuses a baseline that is not a case and duplicate names", () => {
    const spec = (name: string) => ({ name, iterations: 1, fn: () => 0 });
    expect(() => measureAll([spec("a")], "z", { quick: true }, () => {})).toThrow(/baseline "z"/);
    expect(() => measureAll([spec("a"), spec("a")], "a", { quick: true }, () => {})).toThrow(/unique/);
  });
});

describe("figures over rounds", () => {
  const result = (name: string, samplesNs: number[]): CaseResult => {
    const ns = figureOf(samplesNs);
    return { name, ns, nsPerOp: ns.median, opsPerSec: 1e9 / ns.median, spreadPercent: 0, samplesNs, ratio: ns };
  };

  it("quantiles interpolate between sorted values", () => {
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(figureOf([5, 1, 3, 2, 4])).toEqual({ median: 3, low: 2, high: 4 });
  });

  it("takes a ratio per round, then its median (not the ratio of the medians)", () => {
    // A load spike in round 2 slows both cases; per round the ratio stays 2.
    const cases = [result("slow", [20, 22, 80, 21, 19]), result("fast", [10, 11, 40, 10.5, 9.5])];
    expect(ratioOf(cases, "slow", "fast")).toEqual({ median: 2, low: 2, high: 2 });
    expect(perRound(cases, (ns) => ns("slow") - ns("fast"))).toEqual({ median: 10.5, low: 10, high: 11 });
  });
});
