/**
 * The part of `generated/constants.ts` that names things: the spec's agreed
 * names (the WASI module), every guest export's name and the roles exports
 * play (each export's role is in its descriptor, generated/host/descriptors.ts). The runtime and the CLI
 * reach these names only through these constants, so the spec is their one
 * source (test/spec-facts.test.ts checks that no hand-written copy remains).
 */
import { StructureKind } from "ts-morph";
import { EXPORT_ROLES, type AbiSpec } from "../model.js";
import { constStatement, jsDoc, literal, propertyKey, type Statement } from "./ts-print.js";

/** An object literal with one entry a line (nested objects too), so long tables stay under the line limit. */
function objectLiteral(entries: readonly (readonly [string, unknown])[], indent = ""): string {
  if (entries.length === 0) return "{}";
  const inner = `${indent}  `;
  const value = (v: unknown): string =>
    typeof v === "object" && v !== null && !Array.isArray(v) ? objectLiteral(Object.entries(v), inner) : literal(v);
  return ["{", ...entries.map(([k, v]) => `${inner}${propertyKey(k)}: ${value(v)},`), `${indent}}`].join("\n");
}

/** The agreed names of the spec's `names` section, one constant each. */
export function nameStatements(spec: AbiSpec): Statement[] {
  return spec.names.map((n) =>
    constStatement(n.name, undefined, literal(n.value), `${n.doc}\n\nIG: ${n.sources.join(", ")}.`, `from name ${n.name} = ${n.value}`),
  );
}

/** Guest export names and the role vocabulary (for a spec without exports, an empty table: the descriptors' types still name them). */
export function exportStatements(spec: AbiSpec): Statement[] {
  const names = [...new Set(spec.exports.map((e) => e.name))];
  return [
    constStatement(
      "GuestExport",
      undefined,
      `${objectLiteral(names.map((n) => [n, n]))} as const`,
      "The name of every guest export the spec knows, keyed by itself.\nCode names an export through this table, so a name the spec does not have is a compile error.",
    ),
    {
      kind: StructureKind.TypeAlias,
      isExported: true,
      name: "GuestExportName",
      type: "(typeof GuestExport)[keyof typeof GuestExport]",
      docs: [jsDoc("A guest export's name.")],
    },
    {
      kind: StructureKind.TypeAlias,
      isExported: true,
      name: "GuestExportRole",
      type: Object.keys(EXPORT_ROLES).map((r) => JSON.stringify(r)).join("\n  | "),
      docs: [jsDoc(["What the host calls a guest export for:", ...Object.entries(EXPORT_ROLES).map(([r, d]) => `- \`${r}\`: ${d}`)].join("\n"))],
    },
  ];
}
