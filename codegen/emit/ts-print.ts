/**
 * Shared printing for the TypeScript emitters. Each emitter assembles a file
 * from ts-morph Structures in memory and hands them here: the file is printed
 * once by an in-memory Project, then the generated header is prepended (after
 * printing, so formatting never touches it). Imports are collected while the
 * statements are built and emitted sorted, so output does not depend on the
 * order an emitter happened to ask for them.
 */
import {
  IndentationText,
  NewLineKind,
  Project,
  QuoteKind,
  StructureKind,
  VariableDeclarationKind,
  type CodeBlockWriter,
  type ImportDeclarationStructure,
  type JSDocStructure,
  type JSDocTagStructure,
  type OptionalKind,
  type StatementStructures,
  type VariableStatementStructure,
  type WriterFunction,
} from "ts-morph";
import { posix } from "node:path";
import type { GeneratedFile } from "../generated-file.js";
import { generatedHeader } from "../header.js";
import { wrapLines } from "./wrap.js";
import type { AbiSpec, Family } from "../model.js";

export type Statement = StatementStructures | WriterFunction | string;

/**
 * The imports of one file: module specifier -> name -> type-only. A name used
 * both as a type and as a value is imported as a value.
 */
export class ImportSet {
  private readonly modules = new Map<string, Map<string, boolean>>();

  /**
   * `file` is the emitted file's path under `generated/`. Modules given as a
   * path from the repository root (`runtime/x.js`, `generated/types.js`) are
   * imported by their path relative to it; `./` and `../` paths are kept.
   */
  constructor(private readonly file: string) {}

  private specifier(module: string): string {
    if (module.startsWith(".")) return module;
    const rel = posix.relative(posix.dirname(posix.join("generated", this.file)), module);
    return rel.startsWith(".") ? rel : `./${rel}`;
  }

  /** Imports `name` for use in type positions only (`import type`). */
  type(module: string, name: string): string {
    const names = this.names(module);
    if (!names.has(name)) names.set(name, true);
    return name;
  }

  /** Imports `name` as a value. */
  value(module: string, name: string): string {
    this.names(module).set(name, false);
    return name;
  }

  private names(target: string): Map<string, boolean> {
    const module = this.specifier(target);
    let names = this.modules.get(module);
    if (names === undefined) {
      names = new Map();
      this.modules.set(module, names);
    }
    return names;
  }

  /** Import declarations sorted by module specifier, names sorted within each. */
  structures(): ImportDeclarationStructure[] {
    return [...this.modules.keys()].sort(compareStrings).map((module) => {
      const names = this.modules.get(module)!;
      const sorted = [...names.keys()].sort(compareStrings);
      const allTypes = sorted.every((n) => names.get(n));
      return {
        kind: StructureKind.ImportDeclaration,
        moduleSpecifier: module,
        isTypeOnly: allTypes,
        namedImports: sorted.map((name) => ({
          kind: StructureKind.ImportSpecifier,
          name,
          isTypeOnly: !allTypes && names.get(name) === true,
        })),
      };
    });
  }
}

/** Code-point order, independent of locale. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Prints one TypeScript file. `sources` are the spec files its content comes
 * from (as `spec/...` paths), named in the header.
 */
export function printTsFile(
  path: string,
  sources: readonly string[],
  imports: ImportSet,
  statements: readonly Statement[],
): GeneratedFile {
  const project = new Project({
    useInMemoryFileSystem: true,
    manipulationSettings: {
      indentationText: IndentationText.TwoSpaces,
      newLineKind: NewLineKind.LineFeed,
      quoteKind: QuoteKind.Double,
      useTrailingCommas: true,
    },
  });
  // A blank line after every declaration; consecutive re-exports stay together.
  const spaced: Statement[] = [];
  statements.forEach((statement, i) => {
    spaced.push(statement);
    const next = statements[i + 1];
    if (next !== undefined && !(isExportAll(statement) && isExportAll(next))) spaced.push((writer) => writer.blankLineIfLastNot());
  });
  const file = project.createSourceFile(`/${path}`, {
    statements: [...imports.structures(), (writer) => writer.blankLineIfLastNot(), ...spaced],
  });
  const text = wrapLines(file.getFullText().replace(/\n{3,}/g, "\n\n").trimEnd()) + "\n";
  const header = generatedHeader(uniqueSorted(sources), "ts");
  return { path, content: `${header}\n${text}` };
}

function isExportAll(statement: Statement): boolean {
  return typeof statement === "object" && statement.kind === StructureKind.ExportDeclaration;
}

function uniqueSorted(values: readonly string[]): string[] {
  return [...new Set(values)].sort(compareStrings);
}

/** Trims a spec doc and keeps it from closing the comment it goes into. */
export function docText(doc: string): string {
  return doc.trim().replace(/\*\//g, "*\\/");
}

/** The first sentence of a doc, keeping its line breaks (for short doc comments). */
export function firstSentence(doc: string): string {
  const text = docText(doc);
  const m = /^([\s\S]*?[.!?])(?:\s|$)/.exec(text);
  return m ? m[1] : text;
}

export function tag(tagName: string, text?: string): OptionalKind<JSDocTagStructure> {
  return text === undefined ? { tagName } : { tagName, text: docText(text) };
}

/** A JSDoc structure; an empty description is left out. */
export function jsDoc(description: string, tags: readonly OptionalKind<JSDocTagStructure>[] = []): OptionalKind<JSDocStructure> {
  const text = docText(description);
  return text === "" ? { tags: [...tags] } : { description: text, tags: [...tags] };
}

/** Writes a JSDoc block by hand (inside object literals, where no structure exists). */
export function writeJsDoc(writer: CodeBlockWriter, description: string, tags: readonly { tagName: string; text?: string }[] = []): void {
  const lines: string[] = [];
  const text = docText(description);
  if (text !== "") lines.push(...text.split("\n"));
  for (const t of tags) {
    const body = t.text === undefined ? "" : docText(t.text);
    const [first, ...rest] = body.split("\n");
    lines.push(first === "" ? `@${t.tagName}` : `@${t.tagName} ${first}`, ...rest);
  }
  if (lines.length === 1) {
    writer.writeLine(`/** ${lines[0]} */`);
    return;
  }
  writer.writeLine("/**");
  for (const line of lines) writer.writeLine(line === "" ? " *" : ` * ${line}`);
  writer.writeLine(" */");
}

/** An exported `const` with its doc and, when given, an `@generated` trace of the spec fact. */
export function constStatement(name: string, type: string | undefined, initializer: string, doc: string, trace?: string): VariableStatementStructure {
  return {
    kind: StructureKind.VariableStatement,
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    declarations: [{ kind: StructureKind.VariableDeclaration, name, type, initializer }],
    docs: [jsDoc(doc, trace === undefined ? [] : [tag("generated", trace)])],
  };
}

/** A TypeScript literal for a JSON-like value, on one line: strings double-quoted, keys bare when they can be. */
export function literal(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `[${value.map(literal).join(", ")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return "{}";
    return `{ ${entries.map(([k, v]) => `${propertyKey(k)}: ${literal(v)}`).join(", ")} }`;
  }
  throw new Error(`cannot print ${typeof value} as a literal`);
}

export function propertyKey(key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : JSON.stringify(key);
}

/** Prefixes a path relative to the spec directory so it names the spec file in headers. */
export function specPath(file: string): string {
  return file.startsWith("spec/") ? file : `spec/${file}`;
}

/** The spec file a family comes from, as a header source. */
export function familySource(family: Family): string {
  return specPath(family.file);
}

/**
 * Spec files of the top-level sections (profiles, handle types, constants, enums).
 * The model records files only for families and exports; a single-file spec
 * (every family in one file) holds every section in that file, the spec
 * directory keeps them in `abi.yaml` and `enums.yaml`.
 */
export function sectionSources(spec: AbiSpec, section: "abi" | "enums"): string[] {
  const files = new Set(spec.families.map((f) => f.file));
  if (files.size === 1 && !spec.families[0].file.includes("/")) return [specPath(spec.families[0].file)];
  return [section === "abi" ? "spec/abi.yaml" : "spec/enums.yaml"];
}

/** Spec files of every family and export of the spec, for files built from all of them. */
export function allSources(spec: AbiSpec): string[] {
  return [
    ...sectionSources(spec, "abi"),
    ...spec.families.map(familySource),
    ...spec.exports.map((e) => specPath(e.loc.specFile)),
  ];
}
