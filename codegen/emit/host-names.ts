/**
 * Paths and declaration names of the host bindings, in one place so the
 * emitters that declare a name and those that import it cannot disagree.
 *
 * - `host/shared/<family>.ts` declares each function variant once:
 *   `<Variant>Host` (its one-method contract), `<Variant>Import` (its wire
 *   signature) and `<variant>Shim` (its shim factory);
 * - `host/<era>/<family>.ts` composes an era's family from them:
 *   `<Era><Family>Host`, `<Era><Family>Imports`, `create<Era><Family>Imports`;
 * - `host/<era>/index.ts` composes the era: `<Era>HostImpl`, `<Era>Imports`,
 *   `create<Era>Imports`, `<Era>Module`, `<Era>ExtraModules`.
 */
import type { AbiSpec, Era, Family, HostFn } from "../model.js";
import { codegenSymbols } from "../../runtime/codegen-symbols.js";
import { pascalCase } from "../names.js";

/** Directory (under `host/`) of the per-variant declarations the eras share. */
export const SHARED_DIR = "shared";

/** Generated modules the host bindings import, as paths from the repository root (see ImportSet). */
export const TYPES_MODULE = "generated/types.js";
export const CONSTANTS_MODULE = "generated/constants.js";
/** The runtime module that exports ShimContext. */
export const SHIM_CONTEXT_MODULE = codegenSymbols.ShimContext.module;

/** File name (without extension) of a family's bindings: `dataSource` -> `datasource`. */
export function familyFileName(family: Family): string {
  return family.name.toLowerCase();
}

export function hostFamilyPath(era: Era, family: Family): string {
  return `host/${era.id}/${familyFileName(family)}.ts`;
}

export function hostEraIndexPath(era: Era): string {
  return `host/${era.id}/index.ts`;
}

export function hostSharedPath(family: Family): string {
  return `host/${SHARED_DIR}/${familyFileName(family)}.ts`;
}

/** The shared module of a family as an era file imports it. */
export function hostSharedModule(family: Family): string {
  return `generated/host/${SHARED_DIR}/${familyFileName(family)}.js`;
}

/** Names of the declarations of one era's family file. */
export function hostFamilyNames(era: Era, family: Family): { host: string; imports: string; create: string } {
  const base = `${era.pascal}${pascalCase(family.name)}`;
  return { host: `${base}Host`, imports: `${base}Imports`, create: `create${base}Imports` };
}

/** Names of the declarations of one era's index file. */
export function hostEraNames(era: Era): { impl: string; imports: string; create: string; module: string; extraModules: string } {
  return {
    impl: `${era.pascal}HostImpl`,
    imports: `${era.pascal}Imports`,
    create: `create${era.pascal}Imports`,
    module: `${era.pascal}Module`,
    extraModules: `${era.pascal}ExtraModules`,
  };
}

/** Position of an era in the spec's era order. */
function eraIndex(spec: AbiSpec, id: string): number {
  const i = spec.eras.findIndex((e) => e.id === id);
  if (i < 0) throw new Error(`unknown era ${id}`);
  return i;
}

/**
 * The identifier stem of a function variant: the pascal-case wire name, and
 * when several variants share that name, every variant but the newest (the
 * one reaching the latest era) gets the pascal id of its first era:
 * `DataSourceSubscribe` (env-v1, ig-v1) and `DataSourceSubscribeSeed` (seed).
 */
export function variantStem(spec: AbiSpec, fn: HostFn): string {
  const base = pascalCase(fn.name);
  const variants = spec.functions.filter((f) => f.name === fn.name);
  if (variants.length === 1) return base;
  const last = (f: HostFn): number => Math.max(...f.eras.map((id) => eraIndex(spec, id)));
  const newest = variants.reduce((a, b) => (last(b) > last(a) ? b : a));
  if (fn === newest) return base;
  const first = spec.eras[eraIndex(spec, fn.eras[0])];
  return `${base}${first.pascal}`;
}

/** Names of the shared declarations of one function variant. */
export function hostVariantNames(spec: AbiSpec, fn: HostFn): { host: string; import: string; shim: string } {
  const stem = variantStem(spec, fn);
  return { host: `${stem}Host`, import: `${stem}Import`, shim: `${stem[0].toLowerCase()}${stem.slice(1)}Shim` };
}

/** The import modules of a variant's eras, in era order, each once: `env|ig`. */
export function variantModules(spec: AbiSpec, fn: HostFn): string {
  const modules = fn.eras.map((id) => spec.eras[eraIndex(spec, id)].module);
  return [...new Set(modules)].join("|");
}
