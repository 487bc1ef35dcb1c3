/**
 * igwasm-gen: regenerates `generated/` from `spec/` and `data/syscalls/`.
 *
 *   npm run gen                 write generated/
 *   npm run gen:check           fail with a diff when generated/ is stale
 */
import { existsSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { generate } from "./generate.js";
import { drift, isClean, writeAll } from "./output.js";
import { loadSpec, SpecError } from "./parse.js";
import type { AbiSpec } from "./model.js";
import type { GeneratedFile } from "./generated-file.js";

/**
 * The generated files of one release: those of the profile that holds it,
 * and the ones every profile shares. Profile files are recognised by the
 * profile id in their path (host/<id>/, guest/assemblyscript/<id>/,
 * guest/c/igwasm_<id>.h, docs/<id>.md).
 */
function filesOfRelease(files: readonly GeneratedFile[], spec: AbiSpec, text: string): GeneratedFile[] {
  const tags = spec.releases.map((r) => r.tag);
  const wanted = text.startsWith("v") || text === "pre-release" ? text : `v${text}`;
  const tag = tags.includes(wanted) ? wanted : tags.filter((t) => t.startsWith(`${wanted}.`)).pop();
  if (tag === undefined) throw new UsageError(`unknown IG release "${text}" (known: ${tags.join(", ")})`);
  const profile = spec.profiles.find((p) => p.releases.includes(tag))!;
  const markers = (id: string): string[] => [`host/${id}/`, `guest/assemblyscript/${id}/`, `guest/c/igwasm_${id.replace(/-/g, "_")}.h`, `docs/${id}.md`];
  const others = spec.profiles.filter((p) => p.id !== profile.id).flatMap((p) => markers(p.id));
  const mentionsOther = (line: string): boolean => others.some((m) => line.includes(`./${m}`));
  return files
    .filter((f) => !others.some((m) => f.path.includes(m)))
    .map((f) => (f.path === "index.ts" ? { ...f, content: f.content.split("\n").filter((l) => !mentionsOther(l)).join("\n") } : f));
}

const USAGE = `usage: igwasm-gen [--check] [--spec DIR] [--out DIR] [--syscalls DIR] [--ig-version RELEASE]

Regenerates the host interfaces and import shims, constants, AssemblyScript
and C guest bindings, syscall tables and reference docs from the ABI spec.

  --check         write nothing; exit 1 with a diff when the output is stale
  --spec DIR      spec directory or file (default: spec)
  --out DIR       output directory (default: generated)
  --syscalls DIR  syscall data directory (default: data/syscalls)
  --ig-version R  only the bindings and docs of the ABI profile of IG release R
                  (v0.37.0, v0.37 for its newest patch, pre-release); needs --out
  -h, --help      show this help`;

/**
 * The igwasm checkout (or installed package) this generator belongs to: the
 * nearest directory above this file that holds `spec/abi.yaml`. Defaults are
 * found there, so the output does not depend on the working directory.
 */
export function packageRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "spec", "abi.yaml"))) return dir;
    if (dirname(dir) === dir) return process.cwd();
  }
}

/**
 * Runs the generator. Defaults (spec/, generated/, data/syscalls/) are taken
 * relative to `root` (the package root); paths given as arguments relative to
 * the working directory, as a user typing them expects.
 */
export function runGen(argv: readonly string[], root = packageRoot()): number {
  let check = false;
  let spec = resolve(root, "spec");
  let out = resolve(root, "generated");
  let syscalls = resolve(root, "data/syscalls");
  let igVersion: string | null = null;
  let outGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    if (arg === "--check") check = true;
    else if (arg === "--spec") spec = resolve(value());
    else if (arg === "--out") {
      out = resolve(value());
      outGiven = true;
    } else if (arg === "--ig-version") igVersion = value();
    else if (arg === "--syscalls") syscalls = resolve(value());
    else if (arg === "-h" || arg === "--help") {
      console.log(USAGE);
      return 0;
    } else throw new UsageError(`unknown argument "${arg}"`);
  }
  let files: GeneratedFile[];
  try {
    files = generate({ spec: spec, syscallData: syscalls });
  } catch (e) {
    if (e instanceof SpecError) {
      console.error(e.message);
      return 1;
    }
    throw e;
  }
  if (igVersion !== null) {
    if (!outGiven) throw new UsageError("--ig-version writes a subset of the bindings: give --out DIR (not generated/)");
    files = filesOfRelease(files, loadSpec(spec), igVersion);
  }
  const outDir = out;
  const shown = relative(process.cwd(), out) || ".";
  if (check) {
    const d = drift(files, outDir);
    if (isClean(d)) {
      console.log(`${shown}/ is up to date (${files.length} files)`);
      return 0;
    }
    console.error(`${shown}/ is stale: run \`npm run gen\` and commit the result.`);
    for (const p of d.missing) console.error(`missing: ${p}`);
    for (const p of d.extra) console.error(`no longer generated: ${p}`);
    for (const diff of d.diffs) console.error(diff);
    return 1;
  }
  const d = writeAll(files, outDir);
  const n = d.changed.length + d.missing.length + d.extra.length;
  console.log(n === 0 ? `${shown}/ is up to date (${files.length} files)` : `wrote ${d.changed.length + d.missing.length} and removed ${d.extra.length} of ${files.length} files in ${shown}/`);
  return 0;
}

export class UsageError extends Error {}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith("codegen/gen.ts") || process.argv[1]?.endsWith("codegen/gen.js")) {
  try {
    process.exitCode = runGen(process.argv.slice(2));
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`igwasm-gen: ${e.message}\n\n${USAGE}`);
      process.exitCode = 2;
    } else throw e;
  }
}
