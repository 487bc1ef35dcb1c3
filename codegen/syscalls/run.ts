/**
 * Writes the syscall tables under `generated/` on their own:
 * `npx tsx codegen/syscalls/run.ts`. (The main generator calls
 * `emitSyscallTables` too; this script exists so the tables can be produced
 * before, or without, the rest.)
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { emitSyscallTables, SyscallDataError } from "./emit-syscall-tables.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
// Relative to the working directory, so that problems read `data/syscalls/x86_64.tsv:3:1: ...`.
const dataDir = relative(process.cwd(), join(root, "data/syscalls")) || ".";
const outDir = join(root, "generated");

try {
  for (const file of emitSyscallTables(dataDir)) {
    const target = join(outDir, file.path);
    let current: string | undefined;
    try {
      current = readFileSync(target, "utf8");
    } catch {
      current = undefined;
    }
    if (current === file.content) {
      console.log(`unchanged ${relative(root, target)}`);
      continue;
    }
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.content);
    console.log(`wrote ${relative(root, target)}`);
  }
} catch (err) {
  if (!(err instanceof SyscallDataError)) throw err;
  console.error(err.message);
  process.exitCode = 1;
}
