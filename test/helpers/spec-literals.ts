/**
 * Finds hand-written copies of the spec's names in TypeScript source: the
 * scanner behind test/spec-facts.test.ts. A name the spec holds (a guest
 * export, the WASI module, a host module) must reach runtime/ and cli/
 * through generated/constants.ts, never as a string typed again by hand.
 *
 * It reads the syntax tree, so comments (documentation) are free to name
 * things, and it flags:
 * - a string or template literal whose text is exactly a spec name;
 * - a spec name as a whole word inside any string or template text (error
 *   messages build the name from the constant instead);
 * - a property access by a spec name on a wasm exports object
 *   (`instance.exports.malloc`), which copies the name as an identifier;
 * - a host function's name compared with `===` or `!==` (a lookup by name).
 */
import ts from "typescript";

export interface SpecNames {
  /** Names flagged only where a literal is exactly the name (short or common words). */
  readonly exact: ReadonlySet<string>;
  /** Names flagged also as a whole word inside any string or template text. */
  readonly words: ReadonlySet<string>;
  /**
   * Names flagged only where a literal of the name is compared (`===`, `!==`): a lookup by a
   * hand-typed name. Host function names, which error messages use as labels.
   */
  readonly compared: ReadonlySet<string>;
}

export interface SpecLiteralFinding {
  readonly file: string;
  readonly line: number;
  readonly name: string;
  readonly text: string;
}

function wordPattern(names: ReadonlySet<string>): RegExp | null {
  if (names.size === 0) return null;
  const alternatives = [...names].map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|");
  return new RegExp(`(?<![A-Za-z0-9_$])(${alternatives})(?![A-Za-z0-9_$])`);
}

function isEquality(kind: ts.SyntaxKind): boolean {
  return kind === ts.SyntaxKind.EqualsEqualsEqualsToken || kind === ts.SyntaxKind.ExclamationEqualsEqualsToken || kind === ts.SyntaxKind.EqualsEqualsToken || kind === ts.SyntaxKind.ExclamationEqualsToken;
}

/** Every hand-written copy of a spec name in one source file, in source order. */
export function findSpecLiterals(file: string, text: string, names: SpecNames): SpecLiteralFinding[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const words = wordPattern(names.words);
  const findings: SpecLiteralFinding[] = [];
  const report = (node: ts.Node, name: string): void => {
    const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    findings.push({ file, line, name, text: node.getText(source) });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteralLike(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) {
      const value = node.text;
      const word = words?.exec(value);
      if (names.exact.has(value) || names.words.has(value)) report(node, value);
      else if (word) report(node, word[1]);
    } else if (ts.isBinaryExpression(node) && isEquality(node.operatorToken.kind)) {
      for (const side of [node.left, node.right]) {
        if (ts.isStringLiteralLike(side) && names.compared.has(side.text)) report(side, side.text);
      }
    } else if (ts.isPropertyAccessExpression(node) && /(^|\.)exports$/.test(node.expression.getText(source))) {
      const name = node.name.text;
      if (names.exact.has(name) || names.words.has(name)) report(node, name);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return findings;
}
