/**
 * Generates the syscall name/number tables and the syscall declarations from
 * the data files kept in `data/syscalls/`:
 *
 * - `x86_64.tsv`, `arm64.tsv`: `number<TAB>name`, one syscall a line;
 * - `declarations.tsv`: `name<TAB>type name; type name; ...` (an empty second
 *   column for a syscall without parameters).
 *
 * Each file may start with `#` comment lines (they may appear anywhere and
 * blank lines are ignored), then has a header line, then data lines. The data
 * is validated as a whole: every problem is reported as
 * `file:line:col: what is wrong` (1-based line and column) and all of them are
 * thrown together in one `SyscallDataError`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { GeneratedFile } from "../generated-file.js";

/** The architectures that have a table, in output order. */
export const SYSCALL_TABLE_ARCHES = ["x86_64", "arm64"] as const;

/** A syscall has at most 6 parameters (include/linux/syscalls.h). */
export const MAX_SYSCALL_PARAMS = 6;

/** Upper bound for a syscall number, to keep a typo from making a huge table. */
export const MAX_SYSCALL_NUMBER = 2047;

const TABLE_HEADER = "number\tname";
const DECLARATIONS_HEADER = "name\tparams";
const DECLARATIONS_FILE = "declarations.tsv";
const NAMES_PER_LINE = 8;

const SYSCALL_NAME_RE = /^[a-z_][a-z0-9_]*$/;
const NUMBER_RE = /^(?:0|[1-9][0-9]*)$/;
/** A parameter is `<C type> <identifier>`; the type ends with a blank or `*`. */
const PARAM_RE = /^(.*[\s*])([A-Za-z_][A-Za-z0-9_]*)$/;

/** Thrown when the data files are invalid; the message lists every problem, one a line. */
export class SyscallDataError extends Error {
  override readonly name = "SyscallDataError";
  constructor(readonly problems: readonly string[]) {
    super(problems.join("\n"));
  }
}

interface SourceLine {
  readonly line: number; // 1-based
  readonly text: string;
}

interface TableEntry {
  readonly number: number;
  readonly name: string;
  readonly line: number;
}

interface Param {
  readonly type: string;
  readonly name: string;
}

interface Declaration {
  readonly name: string;
  readonly params: readonly Param[];
}

interface ParsedFile {
  readonly comments: readonly string[];
  readonly data: readonly SourceLine[];
}

class Problems {
  readonly list: string[] = [];
  add(file: string, line: number, col: number, what: string): void {
    this.list.push(`${file}:${line}:${col}: ${what}`);
  }
}

/**
 * Reads, validates and turns the data files in `dataDir` into
 * `syscalls/x86_64.ts`, `syscalls/arm64.ts` and `syscalls/declarations.ts`
 * (paths relative to the generator's output directory). Throws a
 * `SyscallDataError` listing every problem found.
 */
export function emitSyscallTables(dataDir: string): GeneratedFile[] {
  const problems = new Problems();

  const tables = SYSCALL_TABLE_ARCHES.map((arch) => {
    const fileName = `${arch}.tsv`;
    const file = join(dataDir, fileName);
    const parsed = readDataFile(file, TABLE_HEADER, problems);
    return { arch, fileName, comments: parsed?.comments ?? [], entries: parseTable(file, parsed, problems) };
  });

  const knownNames = new Set<string>();
  for (const table of tables) for (const entry of table.entries) knownNames.add(entry.name);

  const declFile = join(dataDir, DECLARATIONS_FILE);
  const declParsed = readDataFile(declFile, DECLARATIONS_HEADER, problems);
  const declarations = parseDeclarations(declFile, declParsed, knownNames, problems);

  if (problems.list.length > 0) throw new SyscallDataError(problems.list);

  const files: GeneratedFile[] = tables.map((table) => ({
    path: `syscalls/${table.arch}.ts`,
    content: renderTable(table.arch, table.fileName, table.comments, table.entries),
  }));
  files.push({
    path: "syscalls/declarations.ts",
    content: renderDeclarations(declParsed?.comments ?? [], declarations),
  });
  return files;
}

// ---------------------------------------------------------------------------
// Reading and validation

function readDataFile(file: string, header: string, problems: Problems): ParsedFile | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    problems.add(file, 1, 1, `cannot read the file (${code})`);
    return undefined;
  }
  const lines = text.split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();

  const comments: string[] = [];
  const data: SourceLine[] = [];
  let sawHeader = false;
  lines.forEach((raw, index) => {
    const line = index + 1;
    const cr = raw.indexOf("\r");
    if (cr >= 0) {
      problems.add(file, line, cr + 1, "carriage return in line (use LF line endings)");
      return;
    }
    if (raw.startsWith("#")) {
      if (!sawHeader) comments.push(raw.slice(1).trim());
      return;
    }
    if (raw === "") return;
    if (!sawHeader) {
      sawHeader = true;
      if (raw !== header) {
        problems.add(file, line, 1, `expected the header line ${JSON.stringify(header)}, found ${JSON.stringify(raw)}`);
      }
      return;
    }
    data.push({ line, text: raw });
  });
  if (!sawHeader) {
    problems.add(file, lines.length + 1, 1, `missing the header line ${JSON.stringify(header)}`);
  }
  return { comments, data };
}

/** Splits a data line into exactly two tab-separated fields, or reports why not. */
function splitTwoFields(
  file: string,
  src: SourceLine,
  what: string,
  problems: Problems,
): [string, string] | undefined {
  const fields = src.text.split("\t");
  if (fields.length === 2) return [fields[0], fields[1]];
  if (fields.length < 2) {
    problems.add(file, src.line, src.text.length + 1, `expected 2 tab-separated fields (${what}), found 1`);
  } else {
    const secondTab = fields[0].length + 1 + fields[1].length;
    problems.add(
      file,
      src.line,
      secondTab + 1,
      `expected 2 tab-separated fields (${what}), found ${fields.length}`,
    );
  }
  return undefined;
}

function checkSyscallName(file: string, line: number, col: number, name: string, problems: Problems): boolean {
  if (!SYSCALL_NAME_RE.test(name)) {
    problems.add(file, line, col, `malformed syscall name ${JSON.stringify(name)} (expected [a-z_][a-z0-9_]*)`);
    return false;
  }
  if (name === "__proto__") {
    problems.add(file, line, col, `reserved syscall name ${JSON.stringify(name)}`);
    return false;
  }
  return true;
}

function parseTable(file: string, parsed: ParsedFile | undefined, problems: Problems): TableEntry[] {
  if (parsed === undefined) return [];
  const entries: TableEntry[] = [];
  const byNumber = new Map<number, TableEntry>();
  const byName = new Map<string, TableEntry>();
  for (const src of parsed.data) {
    const fields = splitTwoFields(file, src, "number, name", problems);
    if (fields === undefined) continue;
    const [numberText, name] = fields;
    const nameCol = numberText.length + 2;

    let number: number | undefined;
    if (!NUMBER_RE.test(numberText)) {
      problems.add(file, src.line, 1, `malformed syscall number ${JSON.stringify(numberText)} (expected a decimal number)`);
    } else if (Number(numberText) > MAX_SYSCALL_NUMBER) {
      problems.add(file, src.line, 1, `syscall number ${numberText} out of range 0..${MAX_SYSCALL_NUMBER}`);
    } else {
      number = Number(numberText);
      const first = byNumber.get(number);
      if (first !== undefined) {
        problems.add(
          file,
          src.line,
          1,
          `duplicate syscall number ${number} (already used by ${JSON.stringify(first.name)} at line ${first.line})`,
        );
        number = undefined;
      }
    }

    let nameOk = checkSyscallName(file, src.line, nameCol, name, problems);
    if (nameOk) {
      const first = byName.get(name);
      if (first !== undefined) {
        problems.add(
          file,
          src.line,
          nameCol,
          `duplicate syscall name ${JSON.stringify(name)} (already numbered ${first.number} at line ${first.line})`,
        );
        nameOk = false;
      }
    }

    if (number !== undefined && nameOk) {
      const entry: TableEntry = { number, name, line: src.line };
      entries.push(entry);
      byNumber.set(number, entry);
      byName.set(name, entry);
    }
  }
  return entries;
}

function parseDeclarations(
  file: string,
  parsed: ParsedFile | undefined,
  knownNames: ReadonlySet<string>,
  problems: Problems,
): Declaration[] {
  if (parsed === undefined) return [];
  const declarations: Declaration[] = [];
  const seen = new Map<string, number>();
  for (const src of parsed.data) {
    const fields = splitTwoFields(file, src, "name, params", problems);
    if (fields === undefined) continue;
    const [name, paramsText] = fields;

    let ok = checkSyscallName(file, src.line, 1, name, problems);
    if (ok) {
      const firstLine = seen.get(name);
      if (firstLine !== undefined) {
        problems.add(file, src.line, 1, `duplicate declaration of ${JSON.stringify(name)} (first at line ${firstLine})`);
        ok = false;
      } else {
        seen.set(name, src.line);
        if (!knownNames.has(name)) {
          problems.add(
            file,
            src.line,
            1,
            `declaration for unknown syscall ${JSON.stringify(name)} (in no syscall table: ${SYSCALL_TABLE_ARCHES.map((a) => `${a}.tsv`).join(", ")})`,
          );
          ok = false;
        }
      }
    }

    const params = parseParams(file, src.line, name.length + 2, paramsText, problems);
    if (ok && params !== undefined) declarations.push({ name, params });
  }
  return declarations;
}

/** Parses `type name; type name; ...` starting at column `startCol`; undefined when invalid. */
function parseParams(
  file: string,
  line: number,
  startCol: number,
  text: string,
  problems: Problems,
): Param[] | undefined {
  if (text === "") return [];
  const params: Param[] = [];
  const names = new Set<string>();
  let ok = true;
  let offset = 0;
  text.split(";").forEach((piece, index) => {
    const lead = piece.length - piece.trimStart().length;
    const col = startCol + offset + lead;
    offset += piece.length + 1;
    const trimmed = piece.trim();
    if (index === MAX_SYSCALL_PARAMS) {
      const count = text.split(";").length;
      problems.add(file, line, col, `too many parameters: ${count} (a syscall has at most ${MAX_SYSCALL_PARAMS})`);
      ok = false;
    }
    if (trimmed === "") {
      problems.add(file, line, col, `empty parameter ${index + 1} (parameters are "<C type> <name>" separated by ";")`);
      ok = false;
      return;
    }
    const m = PARAM_RE.exec(trimmed);
    const type = m?.[1].trim() ?? "";
    if (m === null || type === "") {
      problems.add(file, line, col, `malformed parameter ${JSON.stringify(trimmed)} (expected "<C type> <name>")`);
      ok = false;
      return;
    }
    const name = m[2];
    if (names.has(name)) {
      problems.add(file, line, col + trimmed.length - name.length, `duplicate parameter name ${JSON.stringify(name)}`);
      ok = false;
      return;
    }
    names.add(name);
    params.push({ type: type.replace(/\s+/g, " "), name });
  });
  return ok ? params : undefined;
}

// ---------------------------------------------------------------------------
// Rendering

function header(fileName: string): string {
  return `// @generated by igwasm-gen from data/syscalls/${fileName}. DO NOT EDIT.\n/* eslint-disable */\n`;
}

function docComment(lines: readonly string[]): string {
  const body = lines.map((l) => ` *${l === "" ? "" : ` ${l.replace(/\*\//g, "* /")}`}`).join("\n");
  return `/**\n${body}\n */\n`;
}

function renderTable(arch: string, fileName: string, comments: readonly string[], entries: readonly TableEntry[]): string {
  const max = entries.reduce((m, e) => Math.max(m, e.number), -1);
  const names: string[] = new Array<string>(max + 1).fill("");
  for (const e of entries) names[e.number] = e.name;

  let out = header(fileName);
  out += "\n";
  out += docComment([
    `${arch} syscall names indexed by syscall number; "" marks an unassigned number.`,
    `${entries.length} syscalls, numbers 0..${max}.`,
    ...(comments.length > 0 ? ["", "Source data:", ...comments] : []),
  ]);
  out += "export const SYSCALL_NAMES: readonly string[] = [\n";
  for (let i = 0; i < names.length; i += NAMES_PER_LINE) {
    const chunk = names.slice(i, i + NAMES_PER_LINE).map((n) => JSON.stringify(n));
    out += `  /* ${i} */ ${chunk.join(", ")},\n`;
  }
  out += "];\n";
  return out;
}

function renderDeclarations(comments: readonly string[], declarations: readonly Declaration[]): string {
  const sorted = [...declarations].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  let out = header(DECLARATIONS_FILE);
  out += "\n";
  out += docComment([
    "Syscall parameters by syscall name: [parameter name, is a pointer (its C type contains \"*\")].",
    `${sorted.length} declarations.`,
    ...(comments.length > 0 ? ["", "Source data:", ...comments] : []),
  ]);
  out +=
    "export const SYSCALL_DECLARATIONS: {\n" +
    "  readonly [syscall: string]: readonly (readonly [name: string, isPointer: boolean])[];\n" +
    "} = {\n";
  for (const d of sorted) {
    const params = d.params.map((p) => `[${JSON.stringify(p.name)}, ${p.type.includes("*")}]`);
    out += `  ${d.name}: [${params.join(", ")}],\n`;
  }
  out += "};\n";
  return out;
}
