/**
 * Writing generated files, and comparing them with what is on disk.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import type { GeneratedFile } from "./generated-file.js";

export interface Drift {
  readonly changed: readonly string[];
  readonly missing: readonly string[];
  /** Files on disk that the generator no longer writes. */
  readonly extra: readonly string[];
  /** A short diff of each changed file. */
  readonly diffs: readonly string[];
}

function listFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

/** Compares `files` with `outDir`. */
export function drift(files: readonly GeneratedFile[], outDir: string): Drift {
  const changed: string[] = [];
  const missing: string[] = [];
  const diffs: string[] = [];
  const wanted = new Set(files.map((f) => f.path));
  for (const f of files) {
    let onDisk: string;
    try {
      onDisk = readFileSync(join(outDir, f.path), "utf8");
    } catch {
      missing.push(f.path);
      continue;
    }
    if (onDisk !== f.content) {
      changed.push(f.path);
      diffs.push(lineDiff(f.path, onDisk, f.content));
    }
  }
  const extra = listFiles(outDir)
    .map((p) => relative(outDir, p).split("\\").join("/"))
    .filter((p) => !wanted.has(p))
    .sort();
  return { changed, missing, extra, diffs };
}

export function isClean(d: Drift): boolean {
  return d.changed.length === 0 && d.missing.length === 0 && d.extra.length === 0;
}

/** Writes `files` under `outDir`, removing files there that are no longer generated. */
export function writeAll(files: readonly GeneratedFile[], outDir: string): Drift {
  const d = drift(files, outDir);
  for (const f of files) {
    if (!d.changed.includes(f.path) && !d.missing.includes(f.path)) continue;
    const path = join(outDir, f.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, f.content);
  }
  for (const p of d.extra) rmSync(join(outDir, p));
  return d;
}

/** A compact unified-style diff: the first differing region of each file, with 3 lines of context. */
export function lineDiff(path: string, before: string, after: string, context = 3): string {
  const a = before.split("\n");
  const b = after.split("\n");
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length - 1;
  let endB = b.length - 1;
  while (endA >= start && endB >= start && a[endA] === b[endB]) {
    endA--;
    endB--;
  }
  const from = Math.max(0, start - context);
  const out = [`--- ${path} (on disk)`, `+++ ${path} (generated)`, `@@ -${from + 1} +${from + 1} @@`];
  for (let i = from; i < start; i++) out.push(` ${a[i]}`);
  for (let i = start; i <= endA; i++) out.push(`-${a[i]}`);
  for (let i = start; i <= endB; i++) out.push(`+${b[i]}`);
  for (let i = endA + 1; i < Math.min(a.length, endA + 1 + context); i++) out.push(` ${a[i]}`);
  return out.join("\n");
}
