/**
 * All TypeScript host-side emitters: `emitHostTs(spec)` returns every file
 * they write, paths relative to `generated/`, in a fixed order.
 */
import { StructureKind } from "ts-morph";
import type { GeneratedFile } from "../generated-file.js";
import type { AbiSpec } from "../model.js";
import { CONSTANTS_PATH, emitConstants } from "./constants.js";
import { DESCRIPTORS_PATH, emitDescriptors } from "./descriptors.js";
import { emitHost, hostProfileIndexPath } from "./host.js";
import { allSources, ImportSet, printTsFile } from "./ts-print.js";
import { emitReleases, RELEASES_PATH } from "./releases.js";
import { emitTypes, TYPES_PATH } from "./types.js";

export { emitConstants } from "./constants.js";
export { emitDescriptors } from "./descriptors.js";
export { emitHost, emitHostProfileIndex, emitHostFamily, emitHostShared } from "./host.js";
export { emitTypes } from "./types.js";

const INDEX_PATH = "index.ts";

/** `host/ig-v1/index.ts` -> `./host/ig-v1/index.js`. */
function moduleSpecifier(path: string): string {
  return `./${path.replace(/\.ts$/, ".js")}`;
}

/** `generated/index.ts`: re-exports everything; every profile's names carry the profile prefix, so nothing clashes. */
export function emitIndex(spec: AbiSpec): GeneratedFile[] {
  const paths = [TYPES_PATH, CONSTANTS_PATH, DESCRIPTORS_PATH, RELEASES_PATH, ...spec.profiles.map(hostProfileIndexPath)];
  const statements = paths.map((path) => ({ kind: StructureKind.ExportDeclaration, moduleSpecifier: moduleSpecifier(path) }) as const);
  return [printTsFile(INDEX_PATH, allSources(spec), new ImportSet(INDEX_PATH), statements)];
}

/** Every TypeScript host-side file: types, constants, descriptors, per-profile bindings, index. */
export function emitHostTs(spec: AbiSpec): GeneratedFile[] {
  return [...emitTypes(spec), ...emitConstants(spec), ...emitDescriptors(spec), ...emitReleases(spec), ...emitHost(spec), ...emitIndex(spec)];
}
