/**
 * Positioned access to a parsed YAML document. Every accessor takes the node
 * it reads from, so each problem is reported at the exact line and column the
 * user must edit; problems are collected, never thrown, so one run of the
 * generator lists all of them.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type YAMLMap, type YAMLSeq } from "yaml";
import type { SourceLoc } from "./model.js";

export class YamlReader {
  readonly lines = new LineCounter();
  readonly root: Node | null;
  readonly syntaxErrors: number;

  constructor(
    readonly file: string,
    text: string,
    private readonly problems: string[],
    /** The file relative to the spec directory (what generated headers name); defaults to `file`. */
    readonly specFile: string = file,
  ) {
    const doc = parseDocument(text, { lineCounter: this.lines, prettyErrors: false, uniqueKeys: true });
    for (const err of doc.errors) {
      const pos = err.linePos?.[0] ?? this.lines.linePos(err.pos[0]);
      problems.push(`${file}:${pos.line}:${pos.col}: YAML syntax error: ${firstLine(err.message)}`);
    }
    this.syntaxErrors = doc.errors.length;
    this.root = doc.errors.length === 0 ? ((doc.contents as Node | null) ?? null) : null;
  }

  loc(node: Node | null | undefined): SourceLoc {
    const offset = node?.range?.[0] ?? 0;
    const pos = this.lines.linePos(offset);
    return { file: this.file, specFile: this.specFile, line: pos.line, col: pos.col };
  }

  error(node: Node | null | undefined, message: string): void {
    const { line, col } = this.loc(node);
    this.problems.push(`${this.file}:${line}:${col}: ${message}`);
  }

  /** The node as a map, or null after reporting what it should have been. */
  map(node: Node | null | undefined, what: string): YAMLMap<unknown, unknown> | null {
    if (isMap(node)) return node;
    this.error(node, `${what} must be a mapping`);
    return null;
  }

  seq(node: Node | null | undefined, what: string): YAMLSeq<unknown> | null {
    if (isSeq(node)) return node;
    this.error(node, `${what} must be a list`);
    return null;
  }

  /** The value node under `key`, or undefined. */
  get(map: YAMLMap<unknown, unknown>, key: string): Node | undefined {
    for (const pair of map.items) {
      if (isScalar(pair.key) && pair.key.value === key) return (pair.value as Node | null) ?? undefined;
    }
    return undefined;
  }

  has(map: YAMLMap<unknown, unknown>, key: string): boolean {
    return map.items.some((pair) => isScalar(pair.key) && pair.key.value === key);
  }

  /** Reports every key of `map` that is not in `allowed` (typos are errors, not ignored). */
  keys(map: YAMLMap<unknown, unknown>, allowed: readonly string[], what: string): void {
    for (const pair of map.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : "?";
      if (!allowed.includes(key)) {
        this.error(pair.key as Node, `unknown key "${key}" in ${what} (expected one of: ${allowed.join(", ")})`);
      }
    }
  }

  /** A required (or optional, when `fallback` is given) string. */
  str(map: YAMLMap<unknown, unknown>, key: string, what: string, fallback?: string): string {
    const node = this.get(map, key);
    if (node === undefined) {
      if (fallback !== undefined) return fallback;
      this.error(map, `${what}: missing "${key}"`);
      return "";
    }
    if (isScalar(node) && (typeof node.value === "string" || typeof node.value === "number")) {
      // A plain scalar that YAML reads as a number keeps its text: commit 6e3099093 is not Infinity.
      const text = typeof node.value === "number" && typeof node.source === "string" ? node.source : String(node.value);
      return text.trimEnd();
    }
    this.error(node, `${what}: "${key}" must be a string`);
    return "";
  }

  /** A required (or optional) integer. */
  int(map: YAMLMap<unknown, unknown>, key: string, what: string, fallback?: number): number {
    const node = this.get(map, key);
    if (node === undefined) {
      if (fallback !== undefined) return fallback;
      this.error(map, `${what}: missing "${key}"`);
      return 0;
    }
    return this.intNode(node, `${what}: "${key}"`);
  }

  intNode(node: Node, what: string): number {
    if (isScalar(node) && typeof node.value === "number" && Number.isSafeInteger(node.value)) return node.value;
    this.error(node, `${what} must be an integer`);
    return 0;
  }

  bool(map: YAMLMap<unknown, unknown>, key: string, what: string, fallback: boolean): boolean {
    const node = this.get(map, key);
    if (node === undefined) return fallback;
    if (isScalar(node) && typeof node.value === "boolean") return node.value;
    this.error(node, `${what}: "${key}" must be true or false`);
    return fallback;
  }

  /** A list of strings (a YAML list, or one string). */
  strList(map: YAMLMap<unknown, unknown>, key: string, what: string): { values: string[]; node: Node | undefined } {
    const node = this.get(map, key);
    if (node === undefined) return { values: [], node };
    if (isScalar(node) && typeof node.value === "string") return { values: [node.value], node };
    const list = this.seq(node, `${what}: "${key}"`);
    if (!list) return { values: [], node };
    const values: string[] = [];
    for (const item of list.items) {
      if (isScalar(item) && typeof item.value === "string") values.push(item.value);
      else this.error(item as Node, `${what}: "${key}" must list strings`);
    }
    return { values, node };
  }

  items(node: Node | undefined, what: string): Node[] {
    if (node === undefined) return [];
    const list = this.seq(node, what);
    return list ? (list.items as Node[]) : [];
  }
}

function firstLine(message: string): string {
  return message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
}
