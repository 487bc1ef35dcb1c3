/**
 * `igwasm inspect <gadget>`: the module's profile, its imports checked against the
 * profile's host functions (name and wire signature), its exports checked against
 * the profile's guest exports, and its declared API version. Needs no runtime:
 * the signatures come from the binary (wasm-imports.ts), the rules from the
 * generated descriptors.
 */
import { ApiVersion, GuestExport, MemoryExport, type ProfileId } from "../generated/constants.js";
import { profileModules, guestExportsOfProfile, hostFunctionsOfProfile } from "../generated/host/descriptors.js";
import { igReleases } from "../generated/releases.js";
import { profileOfRelease } from "../runtime/release-detect.js";
import { parseIgRelease, resolveRelease, WASI_MODULE, type ReleaseResolution } from "../runtime/release-detect.js";
import { errorText } from "../runtime/data-sources.js";
import { formatFuncType, readWasmSignatures, sameFuncType, type FuncType, type WasmSignatures } from "./wasm-imports.js";


export type ImportStatus = "ok" | "wasi" | "unknown-module" | "unknown-function" | "wrong-signature" | "not-a-function";
export type ExportStatus = "ok" | "missing" | "absent" | "wrong-signature" | "not-a-function" | "other";

export interface ImportReport {
  readonly module: string;
  readonly name: string;
  readonly kind: string;
  readonly signature: string | null;
  readonly status: ImportStatus;
  /** The spec's signature(s) when status is wrong-signature. */
  readonly expected?: readonly string[];
}

export interface ExportReport {
  readonly name: string;
  readonly kind: string | null;
  readonly signature: string | null;
  /** Whether the profile requires it; null for exports the spec does not know. */
  readonly required: boolean | null;
  readonly status: ExportStatus;
  readonly expected?: string;
}

export interface InspectReport {
  readonly file: string;
  readonly source: "wasm" | "image" | "directory" | "embedded";
  readonly size: number;
  readonly profile: ProfileId;
  readonly profileReason: string;
  /** The IG release range the module was built for, and why. */
  readonly release: ReleaseResolution;
  readonly importModules: readonly string[];
  readonly imports: readonly ImportReport[];
  readonly exports: readonly ExportReport[];
  readonly apiVersion: { readonly value: string | null; readonly how: "called" | "declared" | "absent"; readonly note?: string };
  readonly problems: readonly string[];
}

function wireType(params: readonly { readonly wire: "i32" | "i64" }[], result: "i32" | "i64" | null): FuncType {
  return { params: params.map((p) => p.wire), results: result === null ? [] : [result] };
}

/** The export that declares the ABI version (in every release that has one). */
const VERSION_EXPORT = GuestExport.gadgetAPIVersion;

function tryApiVersion(module: WebAssembly.Module, sigs: WasmSignatures): { value: string | null; how: "called" | "declared"; note?: string } {
  if (sigs.imports.some((i) => i.kind !== "function")) return { value: null, how: "declared", note: "not called: the module imports memory, tables or globals" };
  const imports: WebAssembly.Imports = {};
  for (const imp of sigs.imports) {
    imports[imp.module] ??= {};
    (imports[imp.module] as Record<string, unknown>)[imp.name] = () => {
      throw new Error(`${VERSION_EXPORT} called the host function ${imp.module}.${imp.name}`);
    };
  }
  try {
    const instance = new WebAssembly.Instance(module, imports);
    const fn = instance.exports[VERSION_EXPORT];
    if (typeof fn !== "function") return { value: null, how: "declared", note: "not a function" };
    const v = (fn as () => unknown)();
    return { value: String(v), how: "called" };
  } catch (e) {
    return { value: null, how: "declared", note: `calling it with stub imports failed: ${(e as Error).message}` };
  }
}

export interface InspectOptions {
  /** Check against this IG release instead of the one detected (`v0.37.0`, `v0.37`). */
  readonly igVersion?: string;
  /** Instantiate the module with stub imports to call gadgetAPIVersion (default true). */
  readonly callVersion?: boolean;
}

export function inspectModule(bytes: Uint8Array, file: string, source: InspectReport["source"], options: InspectOptions = {}): InspectReport {
  const sigs = readWasmSignatures(bytes);
  let module: WebAssembly.Module;
  try {
    module = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  } catch (e) {
    throw new Error(`${file} is not a valid wasm module: ${(e as Error).message}`);
  }
  const problems: string[] = [];
  let resolution: ReleaseResolution;
  try {
    resolution = resolveRelease(sigs, options.igVersion === undefined ? {} : { release: parseIgRelease(options.igVersion) });
  } catch (e) {
    // No release fits: report every import against the newest release (or the one asked for).
    const release = options.igVersion === undefined ? igReleases[igReleases.length - 1].tag : parseIgRelease(options.igVersion);
    problems.push(errorText(e).replace(/:\n\s+/, ": ").replace(/\n\s+/g, "; "));
    resolution = { release, profile: profileOfRelease(release), first: release, last: release, reasons: ["no release fits; checked against " + release] };
  }
  const profile = resolution.profile;
  const reason = resolution.reasons.join("; ");
  const modules = [profileModules[profile].module];
  const fns = hostFunctionsOfProfile(profile);

  const imports = sigs.imports.map((imp): ImportReport => {
    const signature = imp.type ? formatFuncType(imp.type) : null;
    const base = { module: imp.module, name: imp.name, kind: imp.kind, signature };
    if (imp.module === WASI_MODULE) return { ...base, status: "wasi" };
    if (!modules.includes(imp.module)) {
      problems.push(`import ${imp.module}.${imp.name}: unknown module ${imp.module} (the ${profile} profile imports from ${modules.join(" or ")})`);
      return { ...base, status: "unknown-module" };
    }
    if (imp.kind !== "function" || imp.type === undefined) {
      problems.push(`import ${imp.module}.${imp.name}: a ${imp.kind}; the host offers only functions`);
      return { ...base, status: "not-a-function" };
    }
    const variants = fns.filter((f) => f.name === imp.name);
    if (variants.length === 0) {
      problems.push(`import ${imp.module}.${imp.name}: the ${profile} profile has no such host function`);
      return { ...base, status: "unknown-function" };
    }
    const expected = variants.map((f) => wireType(f.params, f.result.wire));
    if (!expected.some((t) => sameFuncType(t, imp.type!))) {
      const texts = [...new Set(expected.map(formatFuncType))];
      problems.push(`import ${imp.module}.${imp.name}: signature ${signature}, expected ${texts.join(" or ")}`);
      return { ...base, status: "wrong-signature", expected: texts };
    }
    return { ...base, status: "ok" };
  });

  const specExports = guestExportsOfProfile(profile);
  const exportsByName = new Map(sigs.exports.map((e) => [e.name, e]));
  const exports: ExportReport[] = specExports.map((spec): ExportReport => {
    const expected = formatFuncType(wireType(spec.params, spec.result.wire));
    const e = exportsByName.get(spec.name);
    if (e === undefined) {
      if (spec.required) problems.push(`export ${spec.name}: missing (required in the ${profile} profile)`);
      return { name: spec.name, kind: null, signature: null, required: spec.required, status: spec.required ? "missing" : "absent" };
    }
    if (e.kind !== "function" || e.type === undefined) {
      problems.push(`export ${spec.name}: a ${e.kind}, expected a function ${expected}`);
      return { name: spec.name, kind: e.kind, signature: null, required: spec.required, status: "not-a-function", expected };
    }
    const signature = formatFuncType(e.type);
    if (signature !== expected) {
      problems.push(`export ${spec.name}: signature ${signature}, expected ${expected}`);
      return { name: spec.name, kind: e.kind, signature, required: spec.required, status: "wrong-signature", expected };
    }
    return { name: spec.name, kind: e.kind, signature, required: spec.required, status: "ok" };
  });
  const memory = exportsByName.get(MemoryExport);
  if (memory === undefined || memory.kind !== "memory") problems.push(`export ${MemoryExport}: missing (the host reads and writes the guest's memory through it)`);
  for (const e of sigs.exports) {
    if (specExports.some((s) => s.name === e.name)) continue;
    exports.push({ name: e.name, kind: e.kind, signature: e.type ? formatFuncType(e.type) : null, required: null, status: "other" });
  }

  let apiVersion: InspectReport["apiVersion"];
  const versionExport = exportsByName.get(VERSION_EXPORT);
  if (versionExport === undefined) apiVersion = { value: null, how: "absent" };
  else if (options.callVersion === false) apiVersion = { value: null, how: "declared", note: "not called (--no-call)" };
  else apiVersion = tryApiVersion(module, sigs);
  if (apiVersion.how === "called" && apiVersion.value !== String(ApiVersion)) problems.push(`${VERSION_EXPORT} returned ${apiVersion.value}; hosts support ${ApiVersion}`);

  return { file, source, size: bytes.length, profile, profileReason: reason, release: resolution, importModules: modules, imports, exports, apiVersion, problems };
}

const IMPORT_LABEL: Record<ImportStatus, string> = {
  ok: "ok",
  wasi: "wasi",
  "unknown-module": "UNKNOWN MODULE",
  "unknown-function": "UNKNOWN",
  "wrong-signature": "WRONG SIGNATURE",
  "not-a-function": "NOT A FUNCTION",
};

const EXPORT_LABEL: Record<ExportStatus, string> = {
  ok: "ok",
  missing: "MISSING",
  absent: "-",
  "wrong-signature": "WRONG SIGNATURE",
  "not-a-function": "NOT A FUNCTION",
  other: "other",
};

/** The human-readable report. */
export function formatReport(r: InspectReport): string {
  const lines: string[] = [];
  lines.push(`${r.file}: ${r.source === "image" ? "gadget image, wasm module of " : ""}${r.size} bytes`);
  const range = r.release.first === r.release.last ? `IG ${r.release.first}` : `IG ${r.release.first} - ${r.release.last}`;
  lines.push(`built for ${range} (ABI profile ${r.profile}; the host uses IG ${r.release.release})`);
  // Detection reasons are facts about the module ("imports ...", "does not export ..."); the others stand alone.
  for (const why of r.release.reasons) lines.push(/^(imports|exports|does not) /.test(why) ? `  because it ${why}` : `  ${why}`);
  const pad = (s: string, n: number): string => s.padEnd(n);
  lines.push("");
  lines.push(`imports (${r.imports.length}):`);
  const iw = Math.max(0, ...r.imports.map((i) => IMPORT_LABEL[i.status].length));
  const nw = Math.max(0, ...r.imports.map((i) => `${i.module}.${i.name}`.length));
  for (const i of r.imports) {
    let line = `  ${pad(IMPORT_LABEL[i.status], iw)}  ${pad(`${i.module}.${i.name}`, nw)}  ${i.signature ?? i.kind}`;
    if (i.status === "wrong-signature") line += `  (expected ${i.expected!.join(" or ")})`;
    else if (i.status === "unknown-function") line += `  (not a ${r.profile} host function)`;
    else if (i.status === "unknown-module") line += `  (the ${r.profile} profile imports from ${r.importModules.join(" or ")})`;
    lines.push(line.trimEnd());
  }
  lines.push("");
  lines.push("exports:");
  const ew = Math.max(0, ...r.exports.map((e) => EXPORT_LABEL[e.status].length));
  const enw = Math.max(0, ...r.exports.map((e) => e.name.length));
  for (const e of r.exports) {
    const req = e.required === null ? "" : e.required ? "required" : "optional";
    let line = `  ${pad(EXPORT_LABEL[e.status], ew)}  ${pad(e.name, enw)}  ${pad(req, 8)}  ${e.signature ?? e.kind ?? ""}`;
    if (e.status === "wrong-signature" || e.status === "not-a-function") line += `  (expected ${e.expected})`;
    lines.push(line.trimEnd());
  }
  lines.push("");
  const v = r.apiVersion;
  lines.push(
    `API version: ${v.how === "called" ? `${v.value} (${VERSION_EXPORT} called with stub imports)` : v.how === "declared" ? `declared (${VERSION_EXPORT} exported${v.note ? `; ${v.note}` : ""})` : `not declared (no ${VERSION_EXPORT} export)`}`,
  );
  lines.push("");
  if (r.problems.length === 0) lines.push("no problems found");
  else {
    lines.push(`${r.problems.length} problem${r.problems.length === 1 ? "" : "s"}:`);
    for (const p of r.problems) lines.push(`  ${p}`);
  }
  return lines.join("\n") + "\n";
}
