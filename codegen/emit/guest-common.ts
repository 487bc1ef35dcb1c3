/**
 * Helpers shared by the guest-side and documentation emitters (AssemblyScript,
 * C, Markdown): wire scalars of parameters and results, profile selections, and
 * comment text.
 */
import type { AbiSpec, EnumDesc, Profile, GuestExport, HostFn } from "../model.js";
import { exportsOfProfile, functionsOfProfile } from "../model.js";
import { familySource, sectionSources, specPath } from "./ts-print.js";

// The guest-side scalar of each wire value is a lowering decision (codegen/lowering.ts).
export { type GuestScalar, paramScalar, resultScalar, exportParamScalar, exportResultScalar } from "../lowering.js";

/** Functions of an profile, checked to have unique names (the import names of a module). */
export function profileFunctions(spec: AbiSpec, profile: Profile): readonly HostFn[] {
  const fns = functionsOfProfile(spec, profile.id);
  const seen = new Set<string>();
  for (const fn of fns) {
    if (seen.has(fn.name)) throw new Error(`profile ${profile.id}: two variants of ${fn.name}`);
    seen.add(fn.name);
  }
  return fns;
}

export function profileExports(spec: AbiSpec, profile: Profile): readonly GuestExport[] {
  return exportsOfProfile(spec, profile.id);
}

/**
 * The enums that belong to an profile: every enum except those that only
 * functions of other profiles use. That keeps `SubscriptionTypeSeed` out of the
 * later profiles and `SubscriptionType` out of the seed profile, whose numbering
 * differs, while enums no parameter names (result codes) appear everywhere.
 */
export function enumsOfProfile(spec: AbiSpec, profile: Profile): readonly EnumDesc[] {
  const usedBy = (e: EnumDesc, fns: readonly HostFn[]): boolean =>
    fns.some((fn) => fn.params.some((p) => p.type.kind === "enum" && p.type.enumName === e.name));
  const inProfile = functionsOfProfile(spec, profile.id);
  return spec.enums.filter((e) => usedBy(e, inProfile) || !usedBy(e, spec.functions));
}

/** Doc text as trimmed lines, with runs of blank lines kept to one. */
export function docLines(doc: string): string[] {
  const lines = doc.trim().split("\n").map((l) => l.trimEnd());
  return lines.filter((l, i) => l !== "" || (i > 0 && lines[i - 1] !== ""));
}

/** Doc text on one line (for list items and table cells). */
export function oneLine(doc: string): string {
  return doc.trim().replace(/\s+/g, " ");
}

/** Text that cannot end a block comment it is placed in. */
export function commentSafe(text: string): string {
  return text.replace(/\*\//g, "*\\/");
}

/** The lines of a `/** ... *\/` block, indented by `indent`. */
export function blockComment(lines: readonly string[], indent = ""): string {
  const body = lines.map((l) => (l === "" ? `${indent} *` : `${indent} * ${commentSafe(l)}`));
  return [`${indent}/**`, ...body, `${indent} */`].join("\n");
}

/** `MaxHandles` -> `MAX_HANDLES`, `Uint32` -> `UINT32`, `CString` -> `CSTRING`. */
export function screamingSnake(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();
}

/** File stem of a family's bindings: `dataSource` -> `datasource`. */
export function familyStem(name: string): string {
  return name.toLowerCase();
}

/** Unique, order-kept header sources. */
export function sources(...lists: readonly (readonly string[])[]): string[] {
  return [...new Set(lists.flat())];
}

/** Header sources of a file built from an profile's functions (and exports). */
export function profileSources(spec: AbiSpec, profile: Profile, withExports: boolean): string[] {
  const fns = functionsOfProfile(spec, profile.id);
  const fams = spec.families.filter((f) => fns.some((fn) => fn.family === f.name));
  return sources(
    sectionSources(spec, "abi"),
    spec.enums.length > 0 ? sectionSources(spec, "enums") : [],
    fams.map(familySource),
    withExports ? profileExports(spec, profile).map((e) => specPath(e.loc.specFile)) : [],
  );
}

/** Throws when two generated names collide (keyword renaming or case folding could make them). */
export function assertUnique(names: readonly string[], where: string): void {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw new Error(`${where}: the generated name ${n} is used twice`);
    seen.add(n);
  }
}
