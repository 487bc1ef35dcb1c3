/**
 * Emits `generated/constants.ts`: the spec's enums as TS enums, its constants,
 * the API version, the profile ids, its agreed names and guest export names
 * (export-constants.ts), and (when the spec has a `FieldKind` enum)
 * per-kind tables derived from the enum's `size`/`signed`/`float` attributes.
 */
import {
  StructureKind,
  type EnumDeclarationStructure,
  type FunctionDeclarationStructure,
  type TypeAliasDeclarationStructure,
  type VariableStatementStructure,
} from "ts-morph";
import type { GeneratedFile } from "../generated-file.js";
import type { AbiSpec, EnumDesc } from "../model.js";
import { exportStatements, nameStatements } from "./export-constants.js";
import { constStatement, ImportSet, jsDoc, literal, printTsFile, sectionSources, specPath, tag, type Statement } from "./ts-print.js";

export const CONSTANTS_PATH = "constants.ts";

/** Name of the enum the per-kind tables are derived from. */
export const FIELD_KIND_ENUM = "FieldKind";

/** Values from 0xffff up (masks and flag bits) are printed in hex, smaller ones in decimal. */
export function numberText(value: number): string {
  return value >= 0xffff ? `0x${value.toString(16)}` : String(value);
}

function enumStatement(e: EnumDesc): EnumDeclarationStructure {
  return {
    kind: StructureKind.Enum,
    isExported: true,
    name: e.name,
    docs: [jsDoc(e.doc, [tag("generated", `from enum ${e.name}`)])],
    members: e.values.map((v) => ({
      kind: StructureKind.EnumMember,
      name: v.name,
      value: v.value,
      docs: [jsDoc(v.doc)],
    })),
  };
}

/** Tables indexed by FieldKind value, derived from the enum's attributes. */
function fieldKindStatements(e: EnumDesc): Statement[] {
  const length = Math.max(...e.values.map((v) => v.value)) + 1;
  const table = <T>(pick: (value: number) => T): T[] =>
    Array.from({ length }, (_, i) => pick(i));
  const byValue = new Map(e.values.map((v) => [v.value, v]));
  const sizes = table((i) => byValue.get(i)?.size ?? 0);
  const signed = table((i) => byValue.get(i)?.signed ?? false);
  const float = table((i) => byValue.get(i)?.float ?? false);
  const bufferKinds = e.values.filter((v) => v.size === undefined && v.value !== 0);
  const isBufferKind: FunctionDeclarationStructure = {
    kind: StructureKind.Function,
    isExported: true,
    name: "isBufferKind",
    parameters: [{ name: "kind", type: "number" }],
    returnType: "boolean",
    docs: [
      jsDoc(
        `Whether a ${e.name} has no fixed size: its values travel as packed buffers (${bufferKinds.map((v) => v.name).join(", ")}).`,
      ),
    ],
    statements:
      bufferKinds.length === 0
        ? ["return false;"]
        : [`return ${bufferKinds.map((v) => `kind === ${e.name}.${v.name}`).join(" || ")};`],
  };
  return [
    constStatement(
      `${e.name}Size`,
      "readonly number[]",
      literal(sizes),
      `Byte size of each ${e.name}, indexed by kind value; 0 for kinds without a fixed size.`,
    ),
    constStatement(`${e.name}Signed`, "readonly boolean[]", literal(signed), `Whether each ${e.name} is a signed integer, indexed by kind value.`),
    constStatement(`${e.name}Float`, "readonly boolean[]", literal(float), `Whether each ${e.name} is a float, indexed by kind value.`),
    isBufferKind,
    constStatement(
      `${e.name}Decoding`,
      undefined,
      `{ size: ${e.name}Size, isBuffer: isBufferKind, bool: ${e.values.some((v) => v.name === "Bool") ? `${e.name}.Bool` : "-1"} }`,
      `How the shims decode a value whose meaning depends on a ${e.name} (igwasm/abi \`kindValue\`).`,
    ),
  ];
}

export function emitConstants(spec: AbiSpec): GeneratedFile[] {
  const statements: Statement[] = [];
  statements.push(constStatement("ApiVersion", undefined, String(spec.apiVersion), "The ABI version modules declare (`gadgetAPIVersion`); the same in every profile."));
  const profiles: VariableStatementStructure = constStatement(
    "Profiles",
    undefined,
    `${literal(spec.profiles.map((e) => e.id))} as const`,
    "Ids of the ABI profiles, oldest first.",
  );
  const profileId: TypeAliasDeclarationStructure = {
    kind: StructureKind.TypeAlias,
    isExported: true,
    name: "ProfileId",
    type: "(typeof Profiles)[number]",
    docs: [jsDoc(`An ABI profile. ${spec.profiles.map((e) => `\`${e.id}\`: ${e.title}.`).join(" ")}`)],
  };
  statements.push(profiles, profileId);
  for (const c of spec.constants) {
    statements.push(constStatement(c.name, undefined, numberText(c.value), c.doc, `from constant ${c.name} = ${numberText(c.value)}`));
  }
  statements.push(...nameStatements(spec), ...exportStatements(spec));
  for (const e of spec.enums) statements.push(enumStatement(e));
  const fieldKind = spec.enums.find((e) => e.name === FIELD_KIND_ENUM);
  if (fieldKind !== undefined) statements.push(...fieldKindStatements(fieldKind));
  const sources = [
    ...sectionSources(spec, "abi"),
    ...(spec.enums.length > 0 ? sectionSources(spec, "enums") : []),
    ...spec.exports.map((e) => specPath(e.loc.specFile)),
  ];
  return [printTsFile(CONSTANTS_PATH, sources, new ImportSet(CONSTANTS_PATH), statements)];
}
