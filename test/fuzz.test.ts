/**
 * The spec-driven fuzzer (fuzz/): a short seeded pass over every host
 * function of every profile finds nothing, and a host with one error value
 * mutated is caught.
 */
import { describe, expect, it } from "vitest";
import type { IgV1DataSourceHost } from "../generated/host/ig-v1/index.js";
import { fuzz, PROFILES } from "../fuzz/fuzzer.js";
import { hostFunctionsOfEra } from "../generated/host/descriptors.js";

describe("fuzzer", () => {
  it.each([
    ["the wasm fast path", true, 150],
    ["the JS field shims", false, 60],
  ])("a short seeded pass over every function of every profile finds nothing (%s)", async (_path, fastPath, calls) => {
    const report = await fuzz({ callsPerFunction: calls, seed: 20261129, fastPath });
    expect(report.sessions.map((s) => `${s.profile}/${s.fn}`)).toEqual(PROFILES.flatMap((p) => hostFunctionsOfEra(p).map((f) => `${p}/${f.name}`)));
    expect(report.sessions.every((s) => s.targetCalls >= calls)).toBe(true);
    expect(report.examples).toEqual([]);
    expect(report.findings).toBe(0);
  }, 300_000);

  it("catches a host whose dataSourceGetField returns 1 instead of its error value 0", async () => {
    const report = await fuzz({
      callsPerFunction: 300,
      seed: 5,
      profiles: ["ig-v1"],
      functions: ["dataSourceGetField"],
      families: (_profile, runtime) => ({
        "ig-v1": {
          dataSource: new Proxy({} as IgV1DataSourceHost, {
            get: (_target, name: keyof IgV1DataSourceHost) => {
              const ops = runtime().dataSource;
              if (name !== "dataSourceGetField") return (ops[name] as (...a: unknown[]) => unknown).bind(ops);
              return (...args: Parameters<IgV1DataSourceHost["dataSourceGetField"]>) => {
                try {
                  return ops.dataSourceGetField(...args);
                } catch {
                  return 1; // the mutation: the error value 0 became 1, and nothing is logged
                }
              };
            },
          }),
        },
      }),
    });
    expect(report.findings).toBeGreaterThan(0);
    expect(report.examples.map((f) => f.called)).toContain("dataSourceGetField");
    expect(report.examples.map((f) => f.problem)).toContainEqual(expect.stringMatching(/^succeeded although parameter ds is (handle 0|the released handle \d+|a \w+ handle, not DataSource)$/));
  }, 120_000);
});
