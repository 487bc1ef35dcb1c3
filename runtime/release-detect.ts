/**
 * Which IG release a module was built for, from what it imports and exports.
 *
 * IG changed its ABI about eight times without changing the declared API
 * version, so the version cannot tell. The wasm signatures can: every import
 * must exist, under the release's module name (`env` until v0.38.1, `ig`
 * since v0.39.0), with exactly the signature that release registered (wazero
 * refuses any other), and the exports IG required must be there (`malloc`
 * until v0.37.0, `gadgetAPIVersion` since v0.30.0). That gives a range of
 * releases; a few exports narrow it further when they can (a module that
 * exports only `_initialize` was built for a host that calls it: v0.38.0 or
 * later). Behaviours the range cannot tell apart take the newest release in
 * it. The spec's release table (generated/releases.ts) holds every fact used
 * here; nothing is restated.
 */
import { GuestExport, WasiModule, type GuestExportRole, type ProfileId } from "../generated/constants.js";
import { behaviourOfRelease, igReleases, variantReleases, type IgRelease, type VariantReleases } from "../generated/releases.js";
import { profileModules } from "../generated/host/descriptors.js";
import { GadgetError } from "./errors.js";
import { exportsOfRoles } from "./guest-exports.js";
import { formatFuncType, type WasmSignatures } from "./wasm-signatures.js";

/** The module name of WASI preview 1, which the host may also offer (the spec's WasiModule). */
export const WASI_MODULE = WasiModule;

export interface ReleaseResolution {
  /** The release whose ABI and behaviours the host uses: the newest in the range, or the one asked for. */
  readonly release: IgRelease;
  /** The profile (signature set) of that release. */
  readonly profile: ProfileId;
  /** Oldest and newest release the module can have been built for. */
  readonly first: IgRelease;
  readonly last: IgRelease;
  /** Why, one line per fact that narrowed the range. */
  readonly reasons: readonly string[];
}

/** One import that does not fit a release, in one line. */
export interface ImportProblem {
  readonly module: string;
  readonly name: string;
  readonly message: string;
}

const TAGS: readonly IgRelease[] = igReleases.map((r) => r.tag);

function indexOf(tag: IgRelease | null): number {
  return tag === null ? TAGS.length - 1 : TAGS.indexOf(tag);
}

function inRange(v: VariantReleases, i: number): boolean {
  return i >= indexOf(v.releases.first) && i <= indexOf(v.releases.last);
}

/** `v0.33.0 - v0.37.0`, `v0.39.0 and later`, `pre-release`. */
export function rangeText(first: number, last: number): string {
  if (first === last) return TAGS[first];
  return last === TAGS.length - 1 ? `${TAGS[first]} and later` : `${TAGS[first]} - ${TAGS[last]}`;
}

/** The releases (as runs of indices) in which `pred` holds. */
function runs(pred: (i: number) => boolean): string {
  const out: string[] = [];
  for (let i = 0; i < TAGS.length; i++) {
    if (!pred(i)) continue;
    let j = i;
    while (j + 1 < TAGS.length && pred(j + 1)) j++;
    out.push(rangeText(i, j));
    i = j;
  }
  return out.join(", ");
}

export function profileOfRelease(tag: IgRelease): ProfileId {
  return igReleases[indexOf(tag)].profile as ProfileId;
}

export function isIgRelease(tag: string): tag is IgRelease {
  return (TAGS as readonly string[]).includes(tag);
}

/** Accepts `v0.37.0`, `0.37.0`, `v0.37` (newest patch of that minor) and `pre-release`. */
export function parseIgRelease(text: string): IgRelease {
  const t = text.trim();
  const tag = t.startsWith("v") || t === "pre-release" ? t : `v${t}`;
  if (isIgRelease(tag)) return tag;
  const minor = /^v\d+\.\d+$/.test(tag) ? TAGS.filter((r) => r.startsWith(`${tag}.`)) : [];
  if (minor.length > 0) return minor[minor.length - 1];
  throw new GadgetError(`unknown IG release "${text}" (known: pre-release, ${TAGS[1]} ... ${TAGS[TAGS.length - 1]})`);
}

const functions = variantReleases.filter((v) => v.kind === "function");
/** Exports some releases required: a module without one was not built for those. */
const SOMETIMES_REQUIRED = [...new Set(variantReleases.filter((v) => v.kind === "export" && v.required).map((v) => v.name))];
/**
 * Roles whose export says which releases a module was built for: the host calls it only in those.
 * Not the WASI entry points (see the initialiser rule) nor the allocator (C and Rust modules export malloc for their own use).
 */
const NARROWING_ROLES = new Set<GuestExportRole>(["apiVersion", "callback", "init", "preStart", "start", "stop", "postStop"]);
const exportsByName = (name: string): VariantReleases[] => variantReleases.filter((v) => v.kind === "export" && v.name === name);

function moduleOf(i: number): string {
  return profileModules[profileOfRelease(TAGS[i])].module;
}

function wireOf(sigs: WasmSignatures, p: ImportProblem): string | null {
  const imp = sigs.imports.find((i) => i.module === p.module && i.name === p.name);
  return imp?.type ? formatFuncType(imp.type).replace(/ /g, "") : null;
}

/** Whether an import of `module.name` with wasm type `wire` (null: unknown) links on release i. */
function importFits(module: string, name: string, wire: string | null, i: number): boolean {
  if (moduleOf(i) !== module) return false;
  return functions.some((v) => v.name === name && inRange(v, i) && (wire === null || v.wire === wire));
}

/**
 * Checks every import of the module against one release: the one checker the
 * loader and `igwasm inspect` share. An empty list means the module links.
 */
export function checkImports(sigs: WasmSignatures, release: IgRelease, wasi: boolean): ImportProblem[] {
  const i = indexOf(release);
  const problems: ImportProblem[] = [];
  const add = (module: string, name: string, message: string): void => void problems.push({ module, name, message: `${module}.${name}: ${message}` });
  for (const imp of sigs.imports) {
    if (imp.module === WASI_MODULE) {
      if (!wasi) add(imp.module, imp.name, "the module imports WASI, but no WASI implementation was given (the Node entry provides one)");
      continue;
    }
    if (imp.kind !== "function") {
      add(imp.module, imp.name, `a ${imp.kind}; the host offers only functions`);
      continue;
    }
    const wire = imp.type ? formatFuncType(imp.type).replace(/ /g, "") : null;
    if (importFits(imp.module, imp.name, wire, i)) continue;
    const expected = functions.filter((v) => v.name === imp.name && inRange(v, i));
    const had = runs((j) => importFits(imp.module, imp.name, wire, j));
    const hadText = had === "" ? "no IG release has it" : `IG ${had} had it`;
    if (moduleOf(i) !== imp.module) add(imp.module, imp.name, `IG ${release} registers its functions under "${moduleOf(i)}", not "${imp.module}"; ${hadText}`);
    else if (expected.length === 0) add(imp.module, imp.name, `IG ${release} has no such host function; ${hadText}`);
    else add(imp.module, imp.name, `imported as ${wire}, but IG ${release} has ${expected.map((v) => v.wire).join(" or ")}; ${hadText}`);
  }
  return problems;
}

/** The exports release `release` requires that the module lacks (IG refuses to load it then). */
export function missingExports(sigs: WasmSignatures, release: IgRelease): string[] {
  const i = indexOf(release);
  const exported = new Set(sigs.exports.map((e) => e.name));
  return variantReleases.filter((v) => v.kind === "export" && v.required && inRange(v, i) && !exported.has(v.name)).map((v) => v.name);
}

/**
 * The narrowest range of releases the module can have been built for.
 * Throws a GadgetError listing the imports that no release offers together.
 */
export function resolveRelease(sigs: WasmSignatures, options: { readonly release?: IgRelease; readonly wasi?: boolean } = {}): ReleaseResolution {
  const wasi = options.wasi ?? true;
  if (options.release !== undefined) {
    const problems = checkImports(sigs, options.release, wasi);
    for (const name of missingExports(sigs, options.release)) {
      problems.push({ module: "", name, message: `the module does not export ${name}, which IG ${options.release} requires` });
    }
    refuseIfAny(options.release, problems);
    return { release: options.release, profile: profileOfRelease(options.release), first: options.release, last: options.release, reasons: [`IG ${options.release} was asked for`] };
  }
  let candidates = TAGS.map((_, i) => i);
  const reasons: string[] = [];
  const narrow = (keep: (i: number) => boolean, reason: string, hard: boolean): void => {
    const next = candidates.filter(keep);
    if (next.length === candidates.length) return;
    if (next.length === 0 && !hard) {
      reasons.push(`${reason} (ignored: it would exclude every release left)`);
      return;
    }
    candidates = next;
    reasons.push(reason);
  };
  for (const imp of sigs.imports) {
    if (imp.module === WASI_MODULE || imp.kind !== "function") continue;
    const wire = imp.type ? formatFuncType(imp.type).replace(/ /g, "") : null;
    const fits = (i: number): boolean => importFits(imp.module, imp.name, wire, i);
    const had = runs(fits);
    narrow(fits, `imports ${imp.module}.${imp.name} ${wire ?? ""}: ${had === "" ? "no IG release" : `IG ${had}`}`, true);
  }
  const exported = new Set(sigs.exports.map((e) => e.name));
  for (const name of SOMETIMES_REQUIRED) {
    if (exported.has(name)) continue;
    const required = (i: number): boolean => exportsByName(name).some((v) => v.required && inRange(v, i));
    narrow((i) => !required(i), `does not export ${name}, which IG ${runs(required)} required`, true);
  }
  const has = (name: string): boolean => exported.has(name);
  // Which initialiser a release runs is the behaviour initializerIsStart.
  const [reactor, command] = [GuestExport._initialize, GuestExport._start];
  const runsCommand = (i: number): boolean => behaviourOfRelease(TAGS[i]).initializerIsStart;
  const runsReactor = (i: number): boolean => !runsCommand(i);
  if (has(reactor) && !has(command)) narrow(runsReactor, `exports ${reactor} and no ${command}: IG ${runs(runsReactor)} runs ${reactor} (the others only ${command})`, false);
  if (has(command) && !has(reactor)) narrow(runsCommand, `exports ${command} and no ${reactor}: IG ${runs(runsCommand)} runs ${command} (the others only ${reactor})`, false);
  // Newest first: a module that exports the names of two eras is taken for the newer (the older one's rule is then ignored).
  const lastRelease = (name: string): number => Math.max(...exportsByName(name).map((v) => indexOf(v.releases.last)));
  for (const name of exportsOfRoles(NARROWING_ROLES).sort((a, b) => lastRelease(b) - lastRelease(a))) {
    if (!has(name)) continue;
    const offered = (i: number): boolean => exportsByName(name).some((v) => inRange(v, i));
    narrow(offered, `exports ${name}, which IG ${runs(offered)} calls`, false);
  }
  if (candidates.length === 0) {
    // Say which facts left no release: the imports that fit no release at all, else every narrowing.
    const latest = TAGS[TAGS.length - 1];
    const unknown = checkImports(sigs, latest, wasi).filter((p) => !TAGS.some((_, i) => importFits(p.module, p.name, wireOf(sigs, p), i)));
    const lines = unknown.length > 0 ? unknown.map((p) => p.message) : reasons;
    throw new GadgetError(`no IG release offers all of this module's imports and exports:\n  ${lines.join("\n  ")}`);
  }
  const first = candidates[0];
  const last = candidates[candidates.length - 1];
  // Every candidate offers every host import; what can still be missing is WASI.
  refuseIfAny(TAGS[last], checkImports(sigs, TAGS[last], wasi));
  if (reasons.length === 0) reasons.push("nothing in the module narrows the range");
  return { release: TAGS[last], profile: profileOfRelease(TAGS[last]), first: TAGS[first], last: TAGS[last], reasons };
}

function refuseIfAny(release: IgRelease, problems: readonly ImportProblem[]): void {
  if (problems.length > 0) throw new GadgetError(`the module cannot run on IG ${release}:\n  ${problems.map((p) => p.message).join("\n  ")}`);
}
