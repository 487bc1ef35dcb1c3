/**
 * Emits `generated/releases.ts`: IG's releases in order with the profile each
 * belongs to, the host behaviours that changed inside a signature set (as a
 * typed flag record per release, for the runtime), and a descriptor per
 * function variant, export and behaviour with its release range and IG
 * sources (for `igwasm inspect`, `igwasm diff` and the docs).
 */
import { StructureKind, VariableDeclarationKind } from "ts-morph";
import type { GeneratedFile } from "../generated-file.js";
import type { AbiSpec, Behaviour, ReleaseRange } from "../model.js";
import { ImportSet, jsDoc, literal, printTsFile, sectionSources, specPath, type Statement } from "./ts-print.js";

export const RELEASES_PATH = "releases.ts";

function rangeLiteral(r: ReleaseRange): string {
  return literal({ first: r.first, last: r.last });
}

function flagType(b: Behaviour): string {
  return typeof b.flag === "number" ? "number" : "boolean";
}

export function emitReleases(spec: AbiSpec): GeneratedFile[] {
  const imports = new ImportSet(RELEASES_PATH);
  const profileOf = (tag: string): string => spec.profiles.find((p) => p.releases.includes(tag))?.id ?? "";
  const flags = spec.behaviours.filter((b) => b.flag !== null);
  const text = (lines: string[]): string => lines.join("\n");
  const statements: Statement[] = [
    {
      kind: StructureKind.TypeAlias,
      isExported: true,
      name: "IgRelease",
      type: spec.releases.map((r) => JSON.stringify(r.tag)).join(" | "),
      docs: [jsDoc("An IG release tag, or `pre-release` for the wasm ABI of the branch that predates the first release.")],
    },
    {
      kind: StructureKind.Interface,
      isExported: true,
      name: "IgReleaseInfo",
      properties: [
        { name: "tag", isReadonly: true, type: "IgRelease" },
        { name: "date", isReadonly: true, type: "string", docs: [jsDoc("Commit date of the tag, YYYY-MM-DD.")] },
        { name: "commit", isReadonly: true, type: "string", docs: [jsDoc("IG commit of the tag (abbreviated).")] },
        { name: "profile", isReadonly: true, type: "string", docs: [jsDoc("The ABI profile the release belongs to.")] },
      ],
      docs: [jsDoc("One IG release.")],
    },
    {
      kind: StructureKind.VariableStatement,
      isExported: true,
      declarationKind: VariableDeclarationKind.Const,
      declarations: [
        {
          kind: StructureKind.VariableDeclaration,
          name: "igReleases",
          type: "readonly IgReleaseInfo[]",
          initializer: text(["[", ...spec.releases.map((r) => `  ${literal({ tag: r.tag, date: r.date, commit: r.commit, profile: profileOf(r.tag) })},`), "]"]),
        },
      ],
      docs: [jsDoc("IG's releases, oldest first (semantic-version order: a patch release of an older minor comes before the next minor).")],
    },
    {
      kind: StructureKind.Interface,
      isExported: true,
      name: "HostBehaviour",
      properties: flags.map((b) => ({ name: b.id, isReadonly: true, type: flagType(b), docs: [jsDoc(`${b.doc.trim()}\n\nReleases: ${b.releases.first} - ${b.releases.last ?? "now"}.`)] })),
      docs: [jsDoc("Guest-visible host behaviours that changed without a signature change, as the runtime reads them for one release.")],
    },
    {
      kind: StructureKind.Function,
      isExported: true,
      name: "behaviourOfRelease",
      parameters: [{ name: "tag", type: "IgRelease" }],
      returnType: "HostBehaviour",
      statements: [
        // A spec without behaviour flags returns an empty record and must not declare unused locals.
        ...(flags.length === 0
          ? ["void tag;"]
          : ["const i = igReleases.findIndex((r) => r.tag === tag);", "const within = (first: number, last: number): boolean => i >= first && i <= last;"]),
        "return {",
        ...flags.map((b) => {
          const first = spec.releases.findIndex((r) => r.tag === b.releases.first);
          const last = spec.releases.findIndex((r) => r.tag === (b.releases.tags[b.releases.tags.length - 1] ?? b.releases.first));
          return `  ${b.id}: within(${first}, ${last}) ? ${literal(b.flag)} : ${literal(b.otherwise)},`;
        }),
        "};",
      ],
      docs: [jsDoc("The behaviour flags of one release.")],
    },
    {
      kind: StructureKind.Interface,
      isExported: true,
      name: "ReleaseRangeDescriptor",
      properties: [
        { name: "first", isReadonly: true, type: "IgRelease" },
        { name: "last", isReadonly: true, type: "IgRelease | null", docs: [jsDoc("null: still current.")] },
      ],
      docs: [jsDoc("A contiguous run of releases.")],
    },
    {
      kind: StructureKind.Interface,
      isExported: true,
      name: "BehaviourDescriptor",
      properties: [
        { name: "id", isReadonly: true, type: "string" },
        { name: "releases", isReadonly: true, type: "ReleaseRangeDescriptor" },
        { name: "breaking", isReadonly: true, type: "boolean", docs: [jsDoc("Whether a guest built before the change can break after it.")] },
        { name: "doc", isReadonly: true, type: "string" },
        { name: "sources", isReadonly: true, type: "readonly string[]", docs: [jsDoc("IG file@commit.")] },
      ],
      docs: [jsDoc("A recorded behaviour of IG's host and the releases it held in.")],
    },
    {
      kind: StructureKind.VariableStatement,
      isExported: true,
      declarationKind: VariableDeclarationKind.Const,
      declarations: [
        {
          kind: StructureKind.VariableDeclaration,
          name: "behaviours",
          type: "readonly BehaviourDescriptor[]",
          initializer: text([
            "[",
            ...spec.behaviours.map((b) => `  { id: ${JSON.stringify(b.id)}, releases: ${rangeLiteral(b.releases)}, breaking: ${b.breaking}, doc: ${JSON.stringify(b.doc.trim())}, sources: ${literal(b.sources)} },`),
            "]",
          ]),
        },
      ],
      docs: [jsDoc("Every behaviour the spec records, in spec order.")],
    },
    {
      kind: StructureKind.Interface,
      isExported: true,
      name: "VariantReleases",
      properties: [
        { name: "name", isReadonly: true, type: "string" },
        { name: "kind", isReadonly: true, type: '"function" | "export"' },
        { name: "wire", isReadonly: true, type: "string", docs: [jsDoc("The wasm signature: `(i32,i64)->(i32)`.")] },
        { name: "releases", isReadonly: true, type: "ReleaseRangeDescriptor" },
        { name: "required", isReadonly: true, type: "boolean", docs: [jsDoc("Exports only: the host refuses a module without it.")] },
        { name: "sources", isReadonly: true, type: "readonly string[]" },
      ],
      docs: [jsDoc("One variant of a host function or guest export with its wasm signature and release range.")],
    },
    {
      kind: StructureKind.VariableStatement,
      isExported: true,
      declarationKind: VariableDeclarationKind.Const,
      declarations: [
        {
          kind: StructureKind.VariableDeclaration,
          name: "variantReleases",
          type: "readonly VariantReleases[]",
          initializer: text([
            "[",
            ...spec.functions.map((f) => {
              const wire = `(${f.params.map((p) => p.wire).join(",")})->(${f.result.wire ?? ""})`;
              return `  { name: ${JSON.stringify(f.name)}, kind: "function", wire: ${JSON.stringify(wire)}, releases: ${rangeLiteral(f.releases)}, required: false, sources: ${literal(f.sources)} },`;
            }),
            ...spec.exports.map((e) => {
              const wire = `(${e.params.map((p) => p.wire).join(",")})->(${e.result.wire ?? ""})`;
              return `  { name: ${JSON.stringify(e.name)}, kind: "export", wire: ${JSON.stringify(wire)}, releases: ${rangeLiteral(e.releases)}, required: ${e.required}, sources: ${literal(e.sources)} },`;
            }),
            "]",
          ]),
        },
      ],
      docs: [jsDoc("Every host function variant and guest export, with its wasm signature and the releases it held in.")],
    },
  ];
  // The release table's file and the behaviours' files: a one-file spec names only itself.
  const sources = [...sectionSources(spec, "abi"), ...spec.behaviours.map((b) => specPath(b.loc.specFile))];
  return [printTsFile(RELEASES_PATH, sources, imports, statements)];
}
