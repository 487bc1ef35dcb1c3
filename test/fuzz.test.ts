/**
 * The spec-driven fuzzer (fuzz/): a short seeded pass over every host
 * function of every profile finds nothing, and a host with one error value
 * mutated is caught.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { V0_43DataSourceHost } from "../generated/host/v0.43/index.js";
import { fuzz, PROFILES } from "../fuzz/fuzzer.js";
import { hostFunctionsOfProfile } from "../generated/host/descriptors.js";

describe("fuzzer", () => {
  it.each([
    ["the wasm fast path", true, 150],
    ["the JS fast path", "js", 60],
    ["the JS field shims", false, 60],
  ] as const)("a short seeded pass over every function of every profile finds nothing (%s)", async (_path, fastPath, calls) => {
    const report = await fuzz({ callsPerFunction: calls, seed: 20261129, fastPath });
    expect(report.sessions.map((s) => `${s.profile}/${s.fn}`)).toEqual(PROFILES.flatMap((p) => hostFunctionsOfProfile(p).map((f) => `${p}/${f.name}`)));
    expect(report.sessions.every((s) => s.targetCalls >= calls)).toBe(true);
    expect(report.examples).toEqual([]);
    expect(report.findings).toBe(0);
  }, 300_000);

  it("catches a host whose dataSourceGetField returns 1 instead of its error value 0", async () => {
    const report = await fuzz({
      callsPerFunction: 300,
      seed: 5,
      profiles: ["v0.43"],
      functions: ["dataSourceGetField"],
      families: (_profile, runtime) => ({
        "v0.43": {
          dataSource: new Proxy({} as V0_43DataSourceHost, {
            get: (_target, name: keyof V0_43DataSourceHost) => {
              const ops = runtime().dataSource;
              if (name !== "dataSourceGetField") return (ops[name] as (...a: unknown[]) => unknown).bind(ops);
              return (...args: Parameters<V0_43DataSourceHost["dataSourceGetField"]>) => {
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

  describe("npm run fuzz", () => {
    const ROOT = fileURLToPath(new URL("..", import.meta.url));
    const run = (...args: string[]) => spawnSync(process.execPath, ["--import", "tsx", "fuzz/run.ts", ...args], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });

    it("--help prints what each option does and exits 0", () => {
      const r = run("--help");
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^usage: npm run fuzz -- \[--calls N\]/);
      for (const option of ["--calls", "--seed", "--profile", "--function", "--js-fast-path", "--js-path", "--quiet"]) expect(r.stdout).toContain(`  ${option}`);
    });

    it("a bad option or value is one line saying which, then the usage; exit 2, no stack trace", () => {
      for (const [args, first] of [
        [["--bogus"], "fuzz: Unknown option '--bogus'"],
        [["--calls", "x"], "fuzz: --calls must be a positive integer and --seed an integer (got x, 1)"],
        [["--profile", "v9"], "fuzz: unknown profile v9 (known: "],
        [["--js-path", "--js-fast-path"], "fuzz: --js-path and --js-fast-path exclude each other"],
      ] as const) {
        const r = run(...args);
        expect(r.status, args.join(" ")).toBe(2);
        expect(r.stderr.split("\n")[0], args.join(" ")).toContain(first);
        expect(r.stderr).toContain("usage: npm run fuzz --");
        expect(r.stderr).not.toMatch(/\n\s+at /);
      }
    });
  });
});
