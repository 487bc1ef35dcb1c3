/**
 * The generated output does not depend on the working directory: run from
 * another directory with an absolute spec path, the generator writes
 * byte-for-byte the committed generated/ (headers name spec files relative to
 * the spec directory, never the caller's path).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "..");
const tmp = mkdtempSync(join(tmpdir(), "igwasm-cwd-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

describe("generation from another working directory", () => {
  it("writes the committed generated/, byte for byte", () => {
    const out = join(tmp, "out");
    const tsx = join(ROOT, "node_modules", ".bin", "tsx");
    execFileSync(tsx, [join(ROOT, "codegen/gen.ts"), "--spec", join(ROOT, "spec"), "--syscalls", join(ROOT, "data/syscalls"), "--out", out], { cwd: tmp, stdio: "pipe" });
    const fresh = files(out).map((p) => relative(out, p)).sort();
    const committed = files(join(ROOT, "generated")).map((p) => relative(join(ROOT, "generated"), p)).sort();
    expect(fresh).toEqual(committed);
    const differing = fresh.filter((p) => !readFileSync(join(out, p)).equals(readFileSync(join(ROOT, "generated", p))));
    expect(differing).toEqual([]);
  });

  it("finds spec/ and generated/ of the package, not of the working directory, by default", () => {
    const tsx = join(ROOT, "node_modules", ".bin", "tsx");
    const text = execFileSync(tsx, [join(ROOT, "codegen/gen.ts"), "--check"], { cwd: tmp, encoding: "utf8" });
    expect(text).toMatch(/generated\/ is up to date/);
  });
});
