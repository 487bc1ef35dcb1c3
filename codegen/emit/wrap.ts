/**
 * Keeps generated TypeScript under a line width: a code line that is too long
 * is broken at the commas of its outermost bracketed list, one item per line
 * (recursively, until every line fits or nothing is left to break); a comment
 * line is broken between words. Strings and template literals are never
 * broken. ts-morph prints every list on one line, so this runs on its output.
 */
export const LINE_WIDTH = 120;

const OPEN: Record<string, string> = { "(": ")", "[": "]", "{": "}" };

interface Group {
  readonly open: number;
  readonly close: number;
  readonly commas: readonly number[];
}

/** The bracket groups of a line (outermost first), with the positions of their top-level commas. */
function groups(line: string): Group[] {
  const found: Group[] = [];
  const stack: { open: number; closer: string; commas: number[] }[] = [];
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"' || c === "'" || c === "`") {
      // Skip the literal: the code we print has no nested template literals.
      for (i++; i < line.length && line[i] !== c; i++) if (line[i] === "\\") i++;
      continue;
    }
    // Type argument lists (`<...>`) are not broken: a trailing comma is not allowed there.
    if (c === "<" && /[A-Za-z0-9_]/.test(line[i - 1] ?? "")) {
      stack.push({ open: i, closer: ">", commas: [] });
    } else if (c in OPEN) {
      stack.push({ open: i, closer: OPEN[c], commas: [] });
    } else if (stack.length > 0 && c === stack[stack.length - 1].closer && !(c === ">" && line[i - 1] === "=")) {
      const g = stack.pop()!;
      if (g.closer !== ">") found.push({ open: g.open, close: i, commas: g.commas });
    } else if (c === "," && stack.length > 0) {
      stack[stack.length - 1].commas.push(i);
    }
  }
  return found.sort((a, b) => a.open - b.open || b.close - a.close);
}

function wrapCode(line: string, width: number): string[] {
  if (line.length <= width) return [line];
  const indent = /^\s*/.exec(line)![0];
  // The outermost group holding a list (or a single long item) that makes the line fit best.
  const candidates = groups(line).filter((g) => g.close > g.open + 1);
  const group = candidates.find((g) => g.commas.length > 0) ?? candidates[0];
  if (group === undefined) return wrapDeclaration(line, indent, width);
  const bounds = [group.open, ...group.commas, group.close];
  const items: string[] = [];
  for (let k = 0; k + 1 < bounds.length; k++) {
    const item = line.slice(bounds[k] + 1, bounds[k + 1]).trim();
    if (item !== "") items.push(item);
  }
  const inner = `${indent}  `;
  const out = [line.slice(0, group.open + 1).trimEnd(), ...items.map((item) => `${inner}${item},`), `${indent}${line.slice(group.close).trimStart()}`];
  // A list that did not get shorter cannot be helped by breaking it again.
  if (out.every((l) => l.length >= line.length)) return [line];
  return out.flatMap((l) => wrapCode(l, width));
}

/**
 * A declaration with no bracketed list to break: an interface's `extends`
 * list, an intersection type, or an initializer after ` = `.
 */
function wrapDeclaration(line: string, indent: string, width: number): string[] {
  const inner = `${indent}  `;
  const ext = /^(\s*export interface \w+) extends (.*) \{\}$/.exec(line);
  if (ext !== null) {
    const bases = ext[2].split(", ");
    return [ext[1], ...bases.map((b, i) => `${inner}${i === 0 ? "extends " : "  "}${b}${i === bases.length - 1 ? " {}" : ","}`)];
  }
  const and = /^(\s*export type \w+ =) (.* & .*);$/.exec(line);
  if (and !== null) {
    const parts = and[2].split(" & ");
    return [and[1], ...parts.map((p, i) => `${inner}${i === 0 ? "" : "& "}${p}${i === parts.length - 1 ? ";" : ""}`)];
  }
  const at = line.indexOf(" = ");
  if (at > 0 && at + 3 < line.length) {
    const rest = `${inner}${line.slice(at + 3)}`;
    return [`${line.slice(0, at)} =`, ...(rest.length < line.length ? wrapCode(rest, width) : [rest])];
  }
  return [line];
}

function wrapComment(line: string, width: number): string[] {
  if (line.length <= width) return [line];
  // A one-line doc comment that is too long becomes a block.
  const single = /^(\s*)\/\*\* (.*) \*\/$/.exec(line);
  if (single !== null) return [`${single[1]}/**`, ...wrapComment(`${single[1]} * ${single[2]}`, width), `${single[1]} */`];
  const m = /^(\s*(?:\*|\/\/) ?)(.*)$/.exec(line);
  if (m === null) return [line];
  const [, lead, text] = m;
  const out: string[] = [];
  let current = "";
  for (const word of text.split(" ")) {
    if (current !== "" && lead.length + current.length + 1 + word.length > width) {
      out.push(`${lead}${current}`);
      current = word;
    } else {
      current = current === "" ? word : `${current} ${word}`;
    }
  }
  out.push(`${lead}${current}`);
  return out;
}

/** `text` with every line over `width` broken as the file comment says. */
export function wrapLines(text: string, width = LINE_WIDTH): string {
  return text
    .split("\n")
    .flatMap((line) => (/^\s*(\*|\/\/|\/\*)/.test(line) ? wrapComment(line, width) : wrapCode(line, width)))
    .join("\n");
}
