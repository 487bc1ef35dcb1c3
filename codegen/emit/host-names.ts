/**
 * Paths and declaration names of the host bindings, in one place so the
 * emitters that declare a name and those that import it cannot disagree.
 *
 * - `host/shared/<family>.ts` declares each function variant once:
 *   `<Variant>Host` (its one-method contract), `<Variant>Import` (its wire
 *   signature) and `<variant>Shim` (its shim factory);
 * - `host/<profile>/<family>.ts` composes an profile's family from them:
 *   `<Profile><Family>Host`, `<Profile><Family>Imports`, `create<Profile><Family>Imports`;
 * - `host/<profile>/index.ts` composes the profile: `<Profile>HostImpl`, `<Profile>Imports`,
 *   `create<Profile>Imports`, `<Profile>Module`, `<Profile>ExtraModules`.
 */
import type { AbiSpec, Profile, Family, HostFn } from "../model.js";
import { codegenSymbols } from "../../runtime/codegen-symbols.js";
import { pascalCase } from "../names.js";

/** Directory (under `host/`) of the per-variant declarations the profiles share. */
export const SHARED_DIR = "shared";

/** Generated modules the host bindings import, as paths from the repository root (see ImportSet). */
export const TYPES_MODULE = "generated/types.js";
export const CONSTANTS_MODULE = "generated/constants.js";
/** The runtime module that exports ShimContext. */
export const SHIM_CONTEXT_MODULE = codegenSymbols.ShimContext.module;
/** The module of the helpers and values the shims call (igwasm/abi). */
export const ABI_MODULE = codegenSymbols.abi.module;

/** File name (without extension) of a family's bindings: `dataSource` -> `datasource`. */
export function familyFileName(family: Family): string {
  return family.name.toLowerCase();
}

export function hostFamilyPath(profile: Profile, family: Family): string {
  return `host/${profile.id}/${familyFileName(family)}.ts`;
}

export function hostProfileIndexPath(profile: Profile): string {
  return `host/${profile.id}/index.ts`;
}

export function hostSharedPath(family: Family): string {
  return `host/${SHARED_DIR}/${familyFileName(family)}.ts`;
}

/** The shared module of a family as an profile file imports it. */
export function hostSharedModule(family: Family): string {
  return `generated/host/${SHARED_DIR}/${familyFileName(family)}.js`;
}

/** Names of the declarations of one profile's family file. */
export function hostFamilyNames(profile: Profile, family: Family): { host: string; imports: string; create: string } {
  const base = `${profile.pascal}${pascalCase(family.name)}`;
  return { host: `${base}Host`, imports: `${base}Imports`, create: `create${base}Imports` };
}

/** Names of the declarations of one profile's index file. */
export function hostProfileNames(profile: Profile): { impl: string; imports: string; create: string; link: string; module: string; releases: string } {
  return {
    impl: `${profile.pascal}HostImpl`,
    imports: `${profile.pascal}Imports`,
    create: `create${profile.pascal}Imports`,
    link: `link${profile.pascal}Imports`,
    module: `${profile.pascal}Module`,
    releases: `${profile.pascal}Releases`,
  };
}

/** Position of an profile in the spec's profile order. */
function profileIndex(spec: AbiSpec, id: string): number {
  const i = spec.profiles.findIndex((e) => e.id === id);
  if (i < 0) throw new Error(`unknown profile ${id}`);
  return i;
}

/**
 * The identifier stem of a function variant: the pascal-case wire name, and
 * when several variants share that name, every variant but the newest (the
 * one reaching the latest profile) gets the pascal id of its first profile:
 * `DataSourceSubscribe` (env-v1, ig-v1) and `DataSourceSubscribeSeed` (seed).
 */
export function variantStem(spec: AbiSpec, fn: HostFn): string {
  const base = pascalCase(fn.name);
  const variants = spec.functions.filter((f) => f.name === fn.name);
  if (variants.length === 1) return base;
  const last = (f: HostFn): number => Math.max(...f.profiles.map((id) => profileIndex(spec, id)));
  const newest = variants.reduce((a, b) => (last(b) > last(a) ? b : a));
  if (fn === newest) return base;
  const first = spec.profiles[profileIndex(spec, fn.profiles[0])];
  return `${base}${first.pascal}`;
}

/** Names of the shared declarations of one function variant. */
export function hostVariantNames(spec: AbiSpec, fn: HostFn): { host: string; import: string; shim: string } {
  const stem = variantStem(spec, fn);
  return { host: `${stem}Host`, import: `${stem}Import`, shim: `${stem[0].toLowerCase()}${stem.slice(1)}Shim` };
}

/** The import modules of a variant's profiles, in profile order, each once: `env|ig`. */
export function variantModules(spec: AbiSpec, fn: HostFn): string {
  const modules = fn.profiles.map((id) => spec.profiles[profileIndex(spec, id)].module);
  return [...new Set(modules)].join("|");
}

/** The parameters of every generated factory: the implementation and the shim context. */
export function implAndContext(implType: string): { name: string; type: string }[] {
  return [
    { name: "impl", type: implType },
    { name: "ctx", type: "ShimContext" },
  ];
}
