/**
 * Emits `generated/types.ts`: one branded number type per handle type, so a
 * Field handle cannot be passed where a Data handle is expected.
 */
import { StructureKind, type TypeAliasDeclarationStructure } from "ts-morph";
import type { GeneratedFile } from "../generated-file.js";
import { handleTypeName } from "../lowering.js";
import type { AbiSpec } from "../model.js";
import { ImportSet, jsDoc, printTsFile, sectionSources, tag } from "./ts-print.js";

export const TYPES_PATH = "types.ts";

export function emitTypes(spec: AbiSpec): GeneratedFile[] {
  const statements = spec.handleTypes.map(
    (h): TypeAliasDeclarationStructure => ({
      kind: StructureKind.TypeAlias,
      isExported: true,
      name: handleTypeName(h.name),
      type: `number & { readonly __handle: ${JSON.stringify(h.name)} }`,
      docs: [jsDoc(h.doc, [tag("generated", `from handle type ${h.name}`)])],
    }),
  );
  return [printTsFile(TYPES_PATH, sectionSources(spec, "abi"), new ImportSet(TYPES_PATH), statements)];
}
