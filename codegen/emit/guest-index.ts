/**
 * Guest-side bindings and reference docs: everything under `generated/guest/`
 * and `generated/docs/`. The helpers the three emitters share live in
 * guest-common.ts, so that AssemblyScript, C and the Markdown reference
 * always agree on signedness and sources.
 */
import type { GeneratedFile } from "../generated-file.js";
import type { AbiSpec } from "../model.js";
import { emitAssemblyScript } from "./assemblyscript.js";
import { emitCHeaders } from "./c-header.js";
import { emitMarkdown } from "./markdown.js";

/** Every guest binding and reference page, sorted by path. */
export function emitGuestAndDocs(spec: AbiSpec): GeneratedFile[] {
  return [...emitAssemblyScript(spec), ...emitCHeaders(spec), ...emitMarkdown(spec)].sort((a, b) =>
    a.path < b.path ? -1 : a.path > b.path ? 1 : 0,
  );
}
