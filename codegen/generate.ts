/**
 * The whole generator as a function: spec + data -> every generated file.
 * Used by the CLI (`codegen/gen.ts`), `igwasm gen` and the golden test.
 */
import { emitHostTs } from "./emit/index.js";
import { emitGuestAndDocs } from "./emit/guest-index.js";
import type { GeneratedFile } from "./generated-file.js";
import type { AbiSpec } from "./model.js";
import { loadSpec } from "./parse.js";
import { emitSyscallTables } from "./syscalls/emit-syscall-tables.js";

export interface GenerateOptions {
  /** Spec directory or file. */
  readonly spec: string;
  /** Directory of the syscall data files; null to skip them (small test specs). */
  readonly syscallData: string | null;
}

export function emitAll(spec: AbiSpec): GeneratedFile[] {
  return [...emitHostTs(spec), ...emitGuestAndDocs(spec)];
}

export function generate(options: GenerateOptions): GeneratedFile[] {
  const files = [...emitAll(loadSpec(options.spec)), ...(options.syscallData ? emitSyscallTables(options.syscallData) : [])];
  const seen = new Set<string>();
  for (const f of files) {
    if (seen.has(f.path)) throw new Error(`two emitters write ${f.path}`);
    seen.add(f.path);
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
