/**
 * Compiles the host bindings generated from the full spec and from every
 * fixture spec in test/specs/ with `tsc --strict --noEmit`, next to the real
 * runtime/ (symlinked) so their relative imports resolve. A negative control
 * proves the check can fail: an implementation whose `fieldGetScalar` returns
 * a number instead of a bigint must not compile.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { emitHostTs } from "../codegen/emit/index.js";
import type { GeneratedFile } from "../codegen/generated-file.js";
import { loadSpec } from "../codegen/parse.js";

const ROOT = resolve(import.meta.dirname, "..");
const BUILD = join(ROOT, "test", ".build", "compile-host");
const TSC = join(ROOT, "node_modules", ".bin", "tsc");
const FIXTURES = join(ROOT, "test", "specs");

function fixtureSpecs(): string[] {
  try {
    return readdirSync(FIXTURES)
      .filter((f) => f.endsWith(".yaml") || f.endsWith(".yml"))
      .sort();
  } catch {
    return [];
  }
}

/** Writes generated files to `<dir>/generated/` and links `<dir>/runtime` to the real runtime. */
function writeTree(dir: string, files: readonly GeneratedFile[], extra: Record<string, string> = {}): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  symlinkSync(join(ROOT, "runtime"), join(dir, "runtime"), "dir");
  const all = [...files.map((f) => ({ path: join("generated", f.path), content: f.content })), ...Object.entries(extra).map(([path, content]) => ({ path, content }))];
  for (const f of all) {
    const path = join(dir, f.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, f.content);
  }
}

function writeTsconfig(path: string, include: readonly string[]): void {
  const config = {
    compilerOptions: {
      target: "ES2022",
      module: "nodenext",
      moduleResolution: "nodenext",
      lib: ["ES2022", "DOM"],
      types: ["node"],
      typeRoots: [join(ROOT, "node_modules", "@types")],
      strict: true,
      noEmit: true,
      isolatedModules: true,
      verbatimModuleSyntax: true,
      noUnusedLocals: true,
      noImplicitOverride: true,
      noFallthroughCasesInSwitch: true,
      skipLibCheck: true,
    },
    include,
  };
  writeFileSync(path, JSON.stringify(config, null, 2));
}

function tsc(project: string): { status: number | null; output: string } {
  const r = spawnSync(TSC, ["-p", project, "--pretty", "false"], { cwd: ROOT, encoding: "utf8" });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/**
 * Type-checks against the generated contract, so the project also proves the
 * contract is usable: the profile's, and the shared one-function contract it extends.
 */
const GOOD_IMPL = `import type { V0_43FieldHost } from "./generated/host/v0.43/field.js";
import type { FieldGetScalarHost } from "./generated/host/shared/field.js";
export const impl: Pick<V0_43FieldHost, "fieldGetScalar"> = {
  fieldGetScalar() {
    return 1n;
  },
};
export const scalar: FieldGetScalarHost = impl;
`;

const BAD_IMPL = GOOD_IMPL.replace("return 1n;", 'return "1";');

describe("generated host bindings compile with tsc --strict", () => {
  const cases = [{ name: "spec", spec: "spec" }, ...fixtureSpecs().map((f) => ({ name: f.replace(/\.ya?ml$/, ""), spec: join("test", "specs", f) }))];
  let result: { status: number | null; output: string };

  beforeAll(() => {
    rmSync(BUILD, { recursive: true, force: true });
    for (const c of cases) {
      const extra: Record<string, string> = c.name === "spec" ? { "good.ts": GOOD_IMPL } : {};
      writeTree(join(BUILD, c.name), emitHostTs(loadSpec(join(ROOT, c.spec))), extra);
    }
    writeTsconfig(join(BUILD, "tsconfig.json"), cases.flatMap((c) => [`${c.name}/generated/**/*.ts`, `${c.name}/*.ts`]));
    result = tsc(join(BUILD, "tsconfig.json"));
  });

  it("finds the fixture specs", () => {
    expect(cases.length).toBeGreaterThan(1);
  });

  it("the whole build passes", () => {
    expect(result.output).toBe("");
    expect(result.status).toBe(0);
  });

  for (const c of cases) {
    it(`${c.name}: no diagnostics`, () => {
      const mine = result.output.split("\n").filter((line) => line.includes(`compile-host/${c.name}/`));
      expect(mine).toEqual([]);
    });
  }
});

describe("negative control", () => {
  it("an implementation returning a string where number | bigint is due fails to compile", () => {
    const dir = join(BUILD, "..", "compile-host-negative");
    writeTree(dir, emitHostTs(loadSpec(join(ROOT, "spec"))), { "bad.ts": BAD_IMPL });
    writeTsconfig(join(dir, "tsconfig.json"), ["generated/**/*.ts", "*.ts"]);
    const r = tsc(join(dir, "tsconfig.json"));
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/bad\.ts\(\d+,\d+\): error TS2322:/);
    expect(r.output).toContain("Type 'string' is not assignable to type 'number | bigint'.");
    // The generated files themselves are clean: bad.ts is the only culprit.
    expect(r.output.split("\n").filter((l) => l.includes("error") && !l.includes("bad.ts"))).toEqual([]);
  });
});
