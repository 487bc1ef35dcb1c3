/**
 * spec/*.yaml -> validated, readonly AbiSpec.
 *
 * A spec is one or more YAML files. Each may hold any of the top-level
 * sections (`abi`, `apiVersion`, `doc`, `releases`, `modules`, `behaviours`, `handleTypes`, `constants`,
 * `names`, `enums`, `exports`, a `family` with its `functions`, or a `families` list of
 * those); lists from several files are concatenated in file order. Nothing is
 * emitted from raw YAML: everything an emitter needs is checked and resolved
 * here, and every problem is reported as `file:line:col: message`, all of them
 * in one run.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { isMap, isScalar, type Node, type YAMLMap } from "yaml";
import { defaultParamWire, resultWire } from "./lowering.js";
import type {
  AbiSpec, Behaviour, ConstantDesc, EnumDesc, EnumValue, Profile, ErrorConv, ModuleRange, Release, ReleaseRange, ExportParam, ExportParamType, Family,
  ExportRole, GuestExport, HandleTypeDesc, HostFn, HostResult, NameDesc, Param, ParamType, ResultType, SourceLoc, WireType,
} from "./model.js";
import { EXPORT_ROLES } from "./model.js";
import { pascalCase } from "./names.js";
import { YamlReader } from "./yaml-reader.js";

export class SpecError extends Error {
  override readonly name = "SpecError";
  constructor(readonly problems: readonly string[]) {
    super(`the ABI spec has ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n${problems.join("\n")}`);
  }
}

export interface SpecSource {
  /** Path shown in messages. */
  readonly file: string;
  readonly text: string;
  /** Path relative to the spec directory, for generated output (default: `file`'s base name). */
  readonly specFile?: string;
}

/** Loads a spec directory (every *.yaml below it, sorted) or a single YAML file. */
export function loadSpec(specPath: string): AbiSpec {
  const files = statSync(specPath).isDirectory() ? listYaml(specPath) : [specPath];
  const root = statSync(specPath).isDirectory() ? specPath : dirname(specPath);
  return parseSpec(
    files.map((file) => ({ file: toPosix(relative(process.cwd(), file)) || file, specFile: toPosix(relative(root, file)), text: readFileSync(file, "utf8") })),
    specPath,
  );
}

function listYaml(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listYaml(path));
    else if (name.endsWith(".yaml") || name.endsWith(".yml")) out.push(path);
  }
  return out;
}

function toPosix(path: string): string {
  return path.split("\\").join("/");
}

const TOP_KEYS = ["abi", "apiVersion", "doc", "familyOrder", "releases", "modules", "behaviours", "handleTypes", "constants", "names", "enums", "exports", "family", "functions", "families"];
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SCALAR_PARAM_TYPES = ["u32", "i32", "u64", "i64", "bool", "str", "buf", "dst", "errPtr", "outPtr", "kindValue"] as const;
const SCALAR_RESULT_TYPES = ["none", "status", "u32", "i32", "u64", "bool", "bytesToDst", "bytesToMalloc", "scalarOrMalloc"] as const;

interface RawFn {
  readonly reader: YamlReader;
  readonly node: YAMLMap<unknown, unknown>;
  readonly family: string;
}

interface RawExport {
  readonly reader: YamlReader;
  readonly node: YAMLMap<unknown, unknown>;
}

/** Parses and validates spec sources; throws SpecError listing every problem. */
export function parseSpec(sources: readonly SpecSource[], specRoot = ""): AbiSpec {
  const problems: string[] = [];
  const readers = sources.map((s) => new YamlReader(s.file, s.text, problems, s.specFile ?? basename(s.file)));

  // Pass 1: collect sections, with the reader that owns each node.
  const single = new Map<string, { reader: YamlReader; node: Node }>();
  const lists = { releases: [] as Item[], modules: [] as Item[], behaviours: [] as Item[], handleTypes: [] as Item[], constants: [] as Item[], names: [] as Item[], enums: [] as Item[], exports: [] as Item[] };
  const families: { family: Family; fns: RawFn[] }[] = [];

  for (const reader of readers) {
    if (reader.root === null) continue;
    const top = reader.map(reader.root, "a spec file");
    if (!top) continue;
    reader.keys(top, TOP_KEYS, "a spec file");
    for (const key of ["abi", "apiVersion", "doc"]) {
      const node = reader.get(top, key);
      if (node === undefined) continue;
      const prev = single.get(key);
      if (prev) reader.error(node, `"${key}" is given twice (first at ${fmt(prev.reader.loc(prev.node))})`);
      else single.set(key, { reader, node });
    }
    for (const key of Object.keys(lists) as (keyof typeof lists)[]) {
      for (const node of reader.items(reader.get(top, key), `"${key}"`)) lists[key].push({ reader, node });
    }
    const famNode = reader.get(top, "family");
    const fnsNode = reader.get(top, "functions");
    if (famNode !== undefined || fnsNode !== undefined) {
      if (famNode === undefined) reader.error(fnsNode, `"functions" needs a "family" in the same file`);
      else families.push(readFamily(reader, famNode, fnsNode));
    }
    for (const entry of reader.items(reader.get(top, "families"), `"families"`)) {
      const m = reader.map(entry, "a families entry");
      if (!m) continue;
      reader.keys(m, ["family", "functions"], "a families entry");
      const fam = reader.get(m, "family");
      if (fam === undefined) reader.error(m, `a families entry: missing "family"`);
      else families.push(readFamily(reader, fam, reader.get(m, "functions")));
    }
  }

  // Sections missing from a file that did not parse are not news: stop here.
  if (readers.some((r) => r.syntaxErrors > 0)) throw new SpecError(problems);

  const firstReader = readers[0];
  const need = (key: string): { reader: YamlReader; node: Node } | null => {
    const got = single.get(key);
    if (!got && firstReader) problems.push(`${firstReader.file}:1:1: the spec has no "${key}"`);
    return got ?? null;
  };
  const abiNode = need("abi");
  const versionNode = need("apiVersion");
  const docNode = single.get("doc");
  const abi = abiNode ? scalarText(abiNode.reader, abiNode.node, `"abi"`) : "";
  orderFamilies(families, readers);
  const apiVersion = versionNode ? versionNode.reader.intNode(versionNode.node, `"apiVersion"`) : 0;
  const doc = docNode ? scalarText(docNode.reader, docNode.node, `"doc"`) : "";

  // Pass 2: named things other nodes refer to.
  const releases = uniqueByName(lists.releases, "release", readRelease, (r) => r.tag);
  const handleTypes = uniqueByName(lists.handleTypes, "handle type", readHandleType, (h) => h.name);
  const constants = uniqueByName(lists.constants, "constant", readConstant, (c) => c.name);
  const names = uniqueByName(lists.names, "name", readName, (n) => n.name);
  if (lists.releases.length === 0 && firstReader) problems.push(`${firstReader.file}:1:1: the spec declares no releases`);
  const releaseTags = releases.map((r) => r.tag);
  const enums = uniqueByName(lists.enums, "enum", (item) => readEnum(item, { releaseTags, handleTypes: new Set(), enums: new Map() }), (e) => e.name);

  const ctx: Ctx = {
    releaseTags,
    handleTypes: new Set(handleTypes.map((h) => h.name)),
    enums: new Map(enums.map((e) => [e.name, e])),
  };

  // Pass 3: functions and exports, checked against the names above.
  const familyNames = new Set<string>();
  const functions: HostFn[] = [];
  for (const { family, fns } of families) {
    if (familyNames.has(family.name)) problems.push(`${family.file}: family "${family.name}" is declared twice`);
    familyNames.add(family.name);
    for (const raw of fns) {
      const fn = readHostFn(raw, ctx);
      if (fn) functions.push(fn);
    }
  }
  const modules = lists.modules.flatMap((item) => {
    const m = readModuleRange(item, ctx);
    return m ? [m] : [];
  });
  const behaviours = uniqueByName(lists.behaviours, "behaviour", (item) => readBehaviour(item, ctx), (b) => b.id);
  checkNoOverlap(functions, "function", problems);
  const exports = lists.exports.flatMap((item) => {
    const m = item.reader.map(item.node, "an export");
    const e = m ? readExport({ reader: item.reader, node: m }, ctx) : null;
    return e ? [e] : [];
  });
  checkNoOverlap(exports, "export", problems);
  checkNoOverlap(exports.flatMap((e) => (e.role === null ? [] : [{ ...e, name: e.role }])), "export role", problems);
  checkLinks(functions, problems);
  checkLinks(exports, problems);

  if (problems.length > 0) throw new SpecError(problems);
  const profiles = deriveProfiles(releaseTags, modules, functions, exports, problems);
  if (problems.length > 0) throw new SpecError(problems);
  const inProfiles = <T extends { releases: ReleaseRange }>(item: T): T & { profiles: string[] } => ({
    ...item,
    profiles: profiles.filter((p) => p.releases.every((tag) => item.releases.tags.includes(tag))).map((p) => p.id),
  });
  return deepFreeze({
    kind: "spec",
    abi,
    apiVersion,
    doc,
    releases,
    modules,
    profiles,
    behaviours,
    handleTypes,
    constants,
    names,
    enums,
    families: families.map((f) => f.family),
    functions: functions.map(inProfiles),
    exports: exports.map(inProfiles),
  });
}

/**
 * Sorts families by the `familyOrder` list (in any file); families it does not
 * name keep file order after the listed ones.
 */
function orderFamilies(families: { family: Family }[], readers: readonly YamlReader[]): void {
  for (const reader of readers) {
    if (reader.root === null || !isMap(reader.root)) continue;
    const { values, node } = reader.strList(reader.root, "familyOrder", "familyOrder");
    if (node === undefined) continue;
    for (const name of values) {
      if (!families.some((f) => f.family.name === name)) reader.error(node, `familyOrder names "${name}", which no spec file declares`);
    }
    const rank = (name: string): number => {
      const i = values.indexOf(name);
      return i === -1 ? values.length : i;
    };
    const original = [...families];
    families.sort((a, b) => rank(a.family.name) - rank(b.family.name) || original.indexOf(a) - original.indexOf(b));
    return;
  }
}

interface Item {
  readonly reader: YamlReader;
  readonly node: Node;
}

interface Ctx {
  readonly releaseTags: readonly string[];
  readonly handleTypes: ReadonlySet<string>;
  readonly enums: ReadonlyMap<string, EnumDesc>;
}

function fmt(loc: SourceLoc): string {
  return `${loc.file}:${loc.line}:${loc.col}`;
}

function scalarText(reader: YamlReader, node: Node, what: string): string {
  if (isScalar(node) && (typeof node.value === "string" || typeof node.value === "number")) return String(node.value).trimEnd();
  reader.error(node, `${what} must be a string`);
  return "";
}

function uniqueByName<T>(items: readonly Item[], what: string, read: (item: Item) => T | null, name: (t: T) => string): T[] {
  const seen = new Map<string, SourceLoc>();
  const out: T[] = [];
  for (const item of items) {
    const value = read(item);
    if (value === null) continue;
    const key = name(value);
    const prev = seen.get(key);
    if (prev) {
      item.reader.error(item.node, `duplicate ${what} "${key}" (first at ${fmt(prev)})`);
      continue;
    }
    seen.set(key, item.reader.loc(item.node));
    out.push(value);
  }
  return out;
}

function readFamily(reader: YamlReader, famNode: Node, fnsNode: Node | undefined): { family: Family; fns: RawFn[] } {
  const m = reader.map(famNode, "a family");
  const name = m ? reader.str(m, "name", "a family") : "";
  if (m) {
    reader.keys(m, ["name", "title", "doc"], `family "${name}"`);
    if (name && !IDENT.test(name)) reader.error(reader.get(m, "name"), `family name "${name}" is not an identifier`);
  }
  const file = reader.specFile;
  const family: Family = {
    kind: "family",
    name,
    title: m ? reader.str(m, "title", `family "${name}"`, name) : name,
    doc: m ? reader.str(m, "doc", `family "${name}"`, "") : "",
    file,
  };
  const fns: RawFn[] = [];
  for (const node of reader.items(fnsNode, `"functions"`)) {
    const fm = reader.map(node, "a function");
    if (fm) fns.push({ reader, node: fm, family: name });
  }
  return { family, fns };
}


function readRelease({ reader, node }: Item): Release | null {
  const m = reader.map(node, "a release");
  if (!m) return null;
  const tag = reader.str(m, "tag", "a release");
  reader.keys(m, ["tag", "date", "commit", "doc"], `release "${tag}"`);
  if (tag && !/^(pre-release|v\d+\.\d+\.\d+)$/.test(tag)) reader.error(reader.get(m, "tag"), `release "${tag}": a tag is vMAJOR.MINOR.PATCH or pre-release`);
  const date = reader.str(m, "date", `release "${tag}"`);
  if (date && !/^\d{4}-\d{2}-\d{2}$/.test(date)) reader.error(reader.get(m, "date"), `release "${tag}": date must be YYYY-MM-DD`);
  const commit = reader.str(m, "commit", `release "${tag}"`);
  if (commit && !/^[0-9a-f]{7,40}$/.test(commit)) reader.error(reader.get(m, "commit"), `release "${tag}": commit must be 7 to 40 hex digits`);
  return { kind: "release", tag, date, commit, doc: reader.str(m, "doc", `release "${tag}"`, "") };
}

/** `v0.33.0 - v0.37.0`, `v0.39.0 -` (still current), or one tag. */
function readReleaseRange(reader: YamlReader, m: YAMLMap<unknown, unknown>, what: string, ctx: Ctx): ReleaseRange {
  const node = reader.get(m, "releases");
  const empty: ReleaseRange = { first: "", last: null, tags: [] };
  if (node === undefined) return void reader.error(m, `${what}: missing "releases" (a tag, "FIRST - LAST" or "FIRST -")`), empty;
  const text = scalarText(reader, node, `${what}: "releases"`);
  const match = /^\s*(\S+)\s*(?:(-)\s*(\S+)?)?\s*$/.exec(text);
  if (!match) return void reader.error(node, `${what}: "releases" must be a tag, "FIRST - LAST" or "FIRST -", not "${text}"`), empty;
  const [, first, dash, lastText] = match;
  const index = (tag: string): number => {
    const i = ctx.releaseTags.indexOf(tag);
    if (i === -1) reader.error(node, `${what}: unknown release "${tag}" (releases are listed in abi.yaml)`);
    return i;
  };
  const from = index(first);
  const to = dash === undefined ? from : lastText === undefined ? ctx.releaseTags.length - 1 : index(lastText);
  if (from === -1 || to === -1) return empty;
  if (to < from) return void reader.error(node, `${what}: release range "${text}" ends before it starts`), empty;
  const last = dash !== undefined && lastText === undefined ? null : ctx.releaseTags[to];
  return { first, last, tags: ctx.releaseTags.slice(from, to + 1) };
}

function readSources(reader: YamlReader, m: YAMLMap<unknown, unknown>, what: string, required: boolean): string[] {
  const { values, node } = reader.strList(m, "source", what);
  if (node === undefined && required) reader.error(m, `${what}: missing "source" (IG file@commit where the fact can be read)`);
  for (const v of values) {
    if (!/^[\w./-]+@[0-9a-f]{7,40}$/.test(v)) reader.error(node, `${what}: source "${v}" must be path@commit`);
  }
  return values;
}

function readModuleRange({ reader, node }: Item, ctx: Ctx): ModuleRange | null {
  const m = reader.map(node, "a module");
  if (!m) return null;
  const name = reader.str(m, "name", "a module");
  const what = `module "${name}"`;
  reader.keys(m, ["name", "releases", "source"], what);
  return { kind: "moduleRange", name, releases: readReleaseRange(reader, m, what, ctx), sources: readSources(reader, m, what, true) };
}

function readBehaviour({ reader, node }: Item, ctx: Ctx): Behaviour | null {
  const m = reader.map(node, "a behaviour");
  if (!m) return null;
  const id = reader.str(m, "id", "a behaviour");
  const what = `behaviour "${id}"`;
  reader.keys(m, ["id", "flag", "otherwise", "releases", "breaking", "doc", "source"], what);
  if (id && !IDENT.test(id)) reader.error(reader.get(m, "id"), `${what}: id is not an identifier`);
  const flagValue = (key: string): boolean | number | null => {
    const n = reader.get(m, key);
    if (n === undefined) return null;
    if (isScalar(n) && (typeof n.value === "boolean" || (typeof n.value === "number" && Number.isSafeInteger(n.value)))) return n.value;
    reader.error(n, `${what}: "${key}" must be true, false or an integer`);
    return null;
  };
  const flag = flagValue("flag");
  let otherwise = flagValue("otherwise");
  if (flag !== null && otherwise === null) {
    if (typeof flag === "boolean") otherwise = !flag;
    else reader.error(m, `${what}: a number flag needs "otherwise"`);
  }
  if (flag === null && otherwise !== null) reader.error(reader.get(m, "otherwise"), `${what}: "otherwise" needs "flag"`);
  if (flag !== null && otherwise !== null && typeof flag !== typeof otherwise) reader.error(m, `${what}: "flag" and "otherwise" must have one type`);
  if (!reader.has(m, "doc")) reader.error(m, `${what}: missing "doc"`);
  return {
    kind: "behaviour",
    id,
    flag,
    otherwise,
    releases: readReleaseRange(reader, m, what, ctx),
    breaking: reader.bool(m, "breaking", what, false),
    doc: reader.str(m, "doc", what, ""),
    sources: readSources(reader, m, what, true),
    loc: reader.loc(m),
  };
}

function readHandleType({ reader, node }: Item): HandleTypeDesc | null {
  const m = reader.map(node, "a handle type");
  if (!m) return null;
  const name = reader.str(m, "name", "a handle type");
  reader.keys(m, ["name", "doc"], `handle type "${name}"`);
  if (name && !IDENT.test(name)) reader.error(reader.get(m, "name"), `handle type "${name}" is not an identifier`);
  return { kind: "handleType", name, doc: reader.str(m, "doc", `handle type "${name}"`, "") };
}

function readConstant({ reader, node }: Item): ConstantDesc | null {
  const m = reader.map(node, "a constant");
  if (!m) return null;
  const name = reader.str(m, "name", "a constant");
  reader.keys(m, ["name", "value", "doc"], `constant "${name}"`);
  if (name && !IDENT.test(name)) reader.error(reader.get(m, "name"), `constant "${name}" is not an identifier`);
  return { kind: "constant", name, value: reader.int(m, "value", `constant "${name}"`), doc: reader.str(m, "doc", `constant "${name}"`, "") };
}

function readName({ reader, node }: Item): NameDesc | null {
  const m = reader.map(node, "a name");
  if (!m) return null;
  const name = reader.str(m, "name", "a name");
  const what = `name "${name}"`;
  reader.keys(m, ["name", "value", "source", "doc"], what);
  if (name && !IDENT.test(name)) reader.error(reader.get(m, "name"), `${what} is not an identifier`);
  return { kind: "name", name, value: reader.str(m, "value", what), doc: reader.str(m, "doc", what, ""), sources: readSources(reader, m, what, true) };
}

function readEnum({ reader, node }: Item, ctx: Ctx): EnumDesc | null {
  const m = reader.map(node, "an enum");
  if (!m) return null;
  const name = reader.str(m, "name", "an enum");
  const what = `enum "${name}"`;
  reader.keys(m, ["name", "releases", "doc", "wire", "values"], what);
  if (name && !IDENT.test(name)) reader.error(reader.get(m, "name"), `${what}: name is not an identifier`);
  const wire = readWire(reader, m, what, "i32");
  const values: EnumValue[] = [];
  const names = new Set<string>();
  const nums = new Map<number, string>();
  const valuesNode = reader.get(m, "values");
  if (valuesNode === undefined) reader.error(m, `${what}: missing "values"`);
  for (const v of reader.items(valuesNode, `${what}: "values"`)) {
    const vm = reader.map(v, `a value of ${what}`);
    if (!vm) continue;
    const vname = reader.str(vm, "name", `a value of ${what}`);
    const vwhat = `${what} value "${vname}"`;
    reader.keys(vm, ["name", "value", "doc", "size", "signed", "float"], vwhat);
    const value = reader.int(vm, "value", vwhat);
    if (vname && !IDENT.test(vname)) reader.error(reader.get(vm, "name"), `${vwhat}: name is not an identifier`);
    if (names.has(vname)) reader.error(vm, `${what}: duplicate value name "${vname}"`);
    const clash = nums.get(value);
    if (clash !== undefined) reader.error(reader.get(vm, "value"), `${what}: value ${value} of "${vname}" is also "${clash}"`);
    if (value < 0 || (wire === "i32" && value > 0xffffffff)) reader.error(reader.get(vm, "value"), `${vwhat}: value ${value} does not fit an unsigned ${wire}`);
    names.add(vname);
    nums.set(value, vname);
    const size = reader.has(vm, "size") ? reader.int(vm, "size", vwhat) : undefined;
    if (size !== undefined && ![1, 2, 4, 8].includes(size)) reader.error(reader.get(vm, "size"), `${vwhat}: size must be 1, 2, 4 or 8`);
    const entry: EnumValue = {
      kind: "enumValue",
      name: vname,
      value,
      doc: reader.str(vm, "doc", vwhat, ""),
      ...(size !== undefined ? { size } : {}),
      ...(reader.has(vm, "signed") ? { signed: reader.bool(vm, "signed", vwhat, false) } : {}),
      ...(reader.has(vm, "float") ? { float: reader.bool(vm, "float", vwhat, false) } : {}),
    };
    values.push(entry);
  }
  return { kind: "enum", name, doc: reader.str(m, "doc", what, ""), wire, values, releases: readReleaseRange(reader, m, what, ctx) };
}

function readWire(reader: YamlReader, m: YAMLMap<unknown, unknown>, what: string, fallback: WireType): WireType {
  if (!reader.has(m, "wire")) return fallback;
  const wire = reader.str(m, "wire", what);
  if (wire === "i32" || wire === "i64") return wire;
  reader.error(reader.get(m, "wire"), `${what}: wire must be i32 or i64, not "${wire}"`);
  return fallback;
}


/** `handle<Field>` / `enum<FieldKind>` / a plain type word. */
function splitType(text: string): { head: string; arg: string | null } {
  const match = /^(\w+)<(\w+)>$/.exec(text);
  return match ? { head: match[1], arg: match[2] } : { head: text, arg: null };
}

function readParamType(reader: YamlReader, pm: YAMLMap<unknown, unknown>, what: string, ctx: Ctx): ParamType | null {
  const text = reader.str(pm, "type", what);
  const node = reader.get(pm, "type");
  if (!text) return null;
  const { head, arg } = splitType(text);
  if (head === "handle" && arg !== null) {
    if (!ctx.handleTypes.has(arg)) return void reader.error(node, `${what}: unknown handle type "${arg}"`), null;
    return { kind: "handle", handleType: arg };
  }
  if (head === "enum" && arg !== null) {
    if (!ctx.enums.has(arg)) return void reader.error(node, `${what}: unknown enum "${arg}"`), null;
    return { kind: "enum", enumName: arg };
  }
  switch (arg === null ? head : "") {
    case "u32": case "i32": case "u64": case "i64": case "bool": case "str": case "buf": case "dst": case "errPtr":
      return { kind: head } as ParamType;
    case "outPtr": {
      const size = reader.int(pm, "size", what);
      if (size <= 0) reader.error(reader.get(pm, "size") ?? pm, `${what}: outPtr size must be positive`);
      return { kind: "outPtr", size };
    }
    case "kindValue":
      return { kind: "kindValue", kindParam: reader.str(pm, "kindParam", what) };
  }
  reader.error(node, `${what}: unknown type "${text}" (expected one of: ${SCALAR_PARAM_TYPES.join(", ")}, handle<T>, enum<E>)`);
  return null;
}

function readParams(reader: YamlReader, m: YAMLMap<unknown, unknown>, what: string, ctx: Ctx): Param[] {
  const out: Param[] = [];
  const paramsNode = reader.get(m, "params");
  if (paramsNode === undefined) reader.error(m, `${what}: missing "params" (use [] for none)`);
  for (const node of reader.items(paramsNode, `${what}: "params"`)) {
    const pm = reader.map(node, `a parameter of ${what}`);
    if (!pm) continue;
    const name = reader.str(pm, "name", `a parameter of ${what}`);
    const pwhat = `${what} parameter "${name}"`;
    reader.keys(pm, ["name", "type", "doc", "wire", "size", "kindParam"], pwhat);
    if (name && !IDENT.test(name)) reader.error(reader.get(pm, "name"), `${pwhat}: name is not an identifier`);
    if (out.some((p) => p.name === name)) reader.error(pm, `${what}: duplicate parameter "${name}"`);
    if (!reader.has(pm, "doc")) reader.error(pm, `${pwhat}: missing "doc"`);
    const type = readParamType(reader, pm, pwhat, ctx);
    if (!type) continue;
    if (type.kind !== "outPtr" && reader.has(pm, "size")) reader.error(reader.get(pm, "size"), `${pwhat}: "size" is only for outPtr`);
    if (type.kind !== "kindValue" && reader.has(pm, "kindParam")) reader.error(reader.get(pm, "kindParam"), `${pwhat}: "kindParam" is only for kindValue`);
    const enumWire = type.kind === "enum" ? ctx.enums.get(type.enumName)?.wire : undefined;
    out.push({ kind: "param", name, doc: reader.str(pm, "doc", pwhat, ""), type, wire: readWire(reader, pm, pwhat, enumWire ?? defaultParamWire(type)), loc: reader.loc(pm) });
  }
  return out;
}

function readResult(reader: YamlReader, m: YAMLMap<unknown, unknown>, what: string, params: readonly Param[], ctx: Ctx): HostResult | null {
  const rnode = reader.get(m, "returns");
  if (rnode === undefined) return void reader.error(m, `${what}: missing "returns"`), null;
  const rm = reader.map(rnode, `${what}: "returns"`);
  if (!rm) return null;
  reader.keys(rm, ["type", "doc", "onError", "onMiss", "dst", "report", "emptyValue", "out", "success"], `${what} result`);
  const text = reader.str(rm, "type", `${what} result`);
  const typeNode = reader.get(rm, "type");
  const { head, arg } = splitType(text);
  let type: ResultType | null = null;
  if (head === "handle" && arg !== null) {
    if (ctx.handleTypes.has(arg)) type = { kind: "handle", handleType: arg };
    else reader.error(typeNode, `${what} result: unknown handle type "${arg}"`);
  } else if (arg === null && head === "bytesToDst") {
    const dst = reader.str(rm, "dst", `${what} result`);
    const report = reader.str(rm, "report", `${what} result`);
    const target = params.find((p) => p.name === dst);
    if (dst && (!target || (target.type.kind !== "dst" && target.type.kind !== "outPtr"))) {
      reader.error(reader.get(rm, "dst"), `${what} result: "dst" must name a dst or outPtr parameter, not "${dst}"`);
    }
    if (report && report !== "count" && report !== "status") reader.error(reader.get(rm, "report"), `${what} result: report must be count or status`);
    const emptyValue = reader.has(rm, "emptyValue") ? reader.int(rm, "emptyValue", `${what} result`) : undefined;
    type = { kind: "bytesToDst", dst, report: report === "count" ? "count" : "status", ...(emptyValue !== undefined ? { emptyValue } : {}) };
  } else if (arg === null && head === "bytesToMalloc") {
    const out = reader.has(rm, "out") ? reader.str(rm, "out", `${what} result`) : undefined;
    const target = params.find((p) => p.name === out);
    if (out !== undefined && !(target?.type.kind === "outPtr" && target.type.size === 8)) {
      reader.error(reader.get(rm, "out"), `${what} result: "out" must name an outPtr parameter of size 8, not "${out}"`);
    }
    const emptyValue = reader.has(rm, "emptyValue") ? reader.int(rm, "emptyValue", `${what} result`) : undefined;
    type = { kind: "bytesToMalloc", ...(out !== undefined ? { out } : {}), ...(emptyValue !== undefined ? { emptyValue } : {}) };
  } else if (arg === null && head === "status" && reader.has(rm, "success")) {
    const success = reader.str(rm, "success", `${what} result`);
    if (!params.some((p) => p.name === success && p.wire === "i32")) reader.error(reader.get(rm, "success"), `${what} result: "success" must name an i32 parameter, not "${success}"`);
    type = { kind: "status", success };
  } else if (arg === null && (SCALAR_RESULT_TYPES as readonly string[]).includes(head)) {
    type = { kind: head } as ResultType;
  } else if (text) {
    reader.error(typeNode, `${what} result: unknown type "${text}" (expected one of: ${SCALAR_RESULT_TYPES.join(", ")}, handle<T>)`);
  }
  if (type === null) return null;
  const allowed: Record<string, readonly string[]> = { bytesToDst: ["dst", "report", "emptyValue"], bytesToMalloc: ["out", "emptyValue"], status: ["success"] };
  for (const key of ["dst", "report", "emptyValue", "out", "success"]) {
    if (reader.has(rm, key) && !(allowed[type.kind] ?? []).includes(key)) reader.error(reader.get(rm, key), `${what} result: "${key}" does not apply to ${type.kind}`);
  }
  const error = readErrorConv(reader, rm, what, params, type);
  const miss = reader.has(rm, "onMiss") ? reader.str(rm, "onMiss", `${what} result`) : null;
  if (miss !== null && error.kind === "none") reader.error(reader.get(rm, "onMiss"), `${what} result: onMiss needs an error convention to answer the miss with`);
  return { kind: "result", type, wire: resultWire(type), doc: reader.str(rm, "doc", `${what} result`, ""), error, miss };
}

function readErrorConv(reader: YamlReader, rm: YAMLMap<unknown, unknown>, what: string, params: readonly Param[], type: ResultType): ErrorConv {
  const node = reader.get(rm, "onError");
  if (node === undefined) {
    reader.error(rm, `${what} result: missing "onError" (a number, none, or { errPtr: <param> })`);
    return { kind: "none" };
  }
  if (isScalar(node) && node.value === "none") {
    if (type.kind !== "none") reader.error(node, `${what} result: a function with a result must say its error value`);
    return { kind: "none" };
  }
  if (isScalar(node) && typeof node.value === "number" && Number.isSafeInteger(node.value)) {
    if (type.kind === "none") reader.error(node, `${what} result: a function without a result cannot return an error value`);
    return { kind: "value", value: node.value };
  }
  if (isMap(node)) {
    reader.keys(node, ["errPtr"], `${what} onError`);
    const param = reader.str(node, "errPtr", `${what} onError`);
    const target = params.find((p) => p.name === param);
    if (param && target?.type.kind !== "errPtr") reader.error(node, `${what} onError: "${param}" is not an errPtr parameter`);
    return { kind: "errPtr", param };
  }
  reader.error(node, `${what} result: onError must be a number, none, or { errPtr: <param> }`);
  return { kind: "none" };
}

function readHostFn({ reader, node: m, family }: RawFn, ctx: Ctx): HostFn | null {
  const name = reader.str(m, "name", "a function");
  const what = `function "${name}"`;
  reader.keys(m, ["name", "releases", "source", "doc", "params", "returns", "replaces", "replacedBy"], what);
  if (name && !IDENT.test(name)) reader.error(reader.get(m, "name"), `${what}: name is not an identifier`);
  if (!reader.has(m, "doc")) reader.error(m, `${what}: missing "doc"`);
  const releases = readReleaseRange(reader, m, what, ctx);
  const sources = readSources(reader, m, what, true);
  const params = readParams(reader, m, what, ctx);
  const result = readResult(reader, m, what, params, ctx);
  if (!result) return null;
  for (const p of params) {
    const consumed = (result.type.kind === "bytesToDst" && result.type.dst === p.name) || (result.type.kind === "bytesToMalloc" && result.type.out === p.name);
    if ((p.type.kind === "dst" || p.type.kind === "outPtr") && !consumed) {
      reader.error(m, `${what}: parameter "${p.name}" (${p.type.kind}) must be the "dst" of a bytesToDst result or the "out" of a bytesToMalloc result`);
    }
    if (p.type.kind === "errPtr" && !(result.error.kind === "errPtr" && result.error.param === p.name)) {
      reader.error(m, `${what}: parameter "${p.name}" (errPtr) must be named by onError: { errPtr: ${p.name} }`);
    }
    if (p.type.kind === "kindValue") {
      const kindParam = p.type.kindParam;
      const target = params.find((q) => q.name === kindParam);
      if (!target || target.type.kind !== "enum" || target.type.enumName !== "FieldKind") {
        reader.error(m, `${what}: parameter "${p.name}": kindParam "${kindParam}" must name an enum<FieldKind> parameter`);
      }
    }
  }
  return {
    kind: "hostFn",
    name,
    family,
    profiles: [],
    releases,
    sources,
    doc: reader.str(m, "doc", what, ""),
    params,
    result,
    replaces: reader.has(m, "replaces") ? reader.str(m, "replaces", what) : null,
    replacedBy: reader.has(m, "replacedBy") ? reader.str(m, "replacedBy", what) : null,
    loc: reader.loc(m),
  };
}

function readExport({ reader, node: m }: RawExport, ctx: Ctx): GuestExport | null {
  const name = reader.str(m, "name", "an export");
  const what = `export "${name}"`;
  reader.keys(m, ["name", "role", "releases", "source", "required", "doc", "params", "returns", "replaces", "replacedBy"], what);
  const roleText = reader.has(m, "role") ? reader.str(m, "role", what) : null;
  const role = roleText !== null && Object.hasOwn(EXPORT_ROLES, roleText) ? (roleText as ExportRole) : null;
  if (roleText !== null && role === null) {
    reader.error(reader.get(m, "role"), `${what}: unknown role "${roleText}" (expected ${Object.keys(EXPORT_ROLES).join(", ")})`);
  }
  const releases = readReleaseRange(reader, m, what, ctx);
  const sources = readSources(reader, m, what, true);
  const params: ExportParam[] = [];
  for (const node of reader.items(reader.get(m, "params"), `${what}: "params"`)) {
    const pm = reader.map(node, `a parameter of ${what}`);
    if (!pm) continue;
    const pname = reader.str(pm, "name", `a parameter of ${what}`);
    const pwhat = `${what} parameter "${pname}"`;
    reader.keys(pm, ["name", "type", "doc"], pwhat);
    const text = reader.str(pm, "type", pwhat);
    const { head, arg } = splitType(text);
    let type: ExportParamType | null = null;
    if (head === "handle" && arg !== null && ctx.handleTypes.has(arg)) type = { kind: "handle", handleType: arg };
    else if (arg === null && (head === "u32" || head === "i32" || head === "u64")) type = { kind: head };
    else reader.error(reader.get(pm, "type"), `${pwhat}: unknown type "${text}" (expected u32, i32, u64 or handle<T>)`);
    if (type) params.push({ kind: "exportParam", name: pname, doc: reader.str(pm, "doc", pwhat, ""), type, wire: type.kind === "u64" ? "i64" : "i32" });
  }
  const rm = reader.map(reader.get(m, "returns") ?? m, `${what}: "returns"`);
  let wire: WireType | null = null;
  let rtype: GuestExport["result"]["type"] = "none";
  let rdoc = "";
  if (rm && reader.has(m, "returns")) {
    reader.keys(rm, ["type", "doc"], `${what} result`);
    const t = reader.str(rm, "type", `${what} result`);
    if (t === "i32" || t === "u32") [wire, rtype] = ["i32", t];
    else if (t === "u64") [wire, rtype] = ["i64", t];
    else if (t !== "none") reader.error(reader.get(rm, "type"), `${what} result: unknown type "${t}" (expected none, i32, u32 or u64)`);
    rdoc = reader.str(rm, "doc", `${what} result`, "");
  } else if (!reader.has(m, "returns")) {
    reader.error(m, `${what}: missing "returns"`);
  }
  return {
    kind: "guestExport",
    name,
    role,
    profiles: [],
    releases,
    sources,
    required: reader.bool(m, "required", what, false),
    doc: reader.str(m, "doc", what, ""),
    params,
    result: { type: rtype, wire, doc: rdoc },
    replaces: reader.has(m, "replaces") ? reader.str(m, "replaces", what) : null,
    replacedBy: reader.has(m, "replacedBy") ? reader.str(m, "replacedBy", what) : null,
    loc: reader.loc(m),
  };
}

/** Two variants of one name may not share a release. */
function checkNoOverlap(items: readonly { name: string; releases: ReleaseRange; loc: SourceLoc }[], what: string, problems: string[]): void {
  for (let i = 0; i < items.length; i++) {
    for (let j = 0; j < i; j++) {
      const a = items[j];
      const b = items[i];
      if (a.name !== b.name) continue;
      const shared = b.releases.tags.filter((e) => a.releases.tags.includes(e));
      if (shared.length > 0) problems.push(`${fmt(b.loc)}: duplicate ${what} "${b.name}" in release ${shared.join(", ")} (first at ${fmt(a.loc)})`);
    }
  }
}

function checkLinks(items: readonly { name: string; replaces: string | null; replacedBy: string | null; loc: SourceLoc }[], problems: string[]): void {
  const names = new Set(items.map((i) => i.name));
  for (const item of items) {
    for (const [key, target] of [["replaces", item.replaces], ["replacedBy", item.replacedBy]] as const) {
      if (target !== null && !names.has(target)) problems.push(`${fmt(item.loc)}: "${item.name}" ${key} "${target}", which the spec does not declare`);
    }
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * Groups consecutive releases that offer the same module name, the same
 * function variants and the same exports into profiles. Every release must
 * have exactly one module.
 */
function deriveProfiles(
  releaseTags: readonly string[],
  modules: readonly ModuleRange[],
  functions: readonly HostFn[],
  exports: readonly GuestExport[],
  problems: string[],
): Profile[] {
  const profiles: Profile[] = [];
  let current: { module: string; key: string; releases: string[] } | null = null;
  const flush = (): void => {
    if (current === null) return;
    const first = current.releases[0];
    const last = current.releases[current.releases.length - 1];
    const id = first === "pre-release" ? first : first.replace(/^(v\d+\.\d+)\.\d+$/, "$1");
    if (profiles.some((p) => p.id === id)) problems.push(`profiles: two profiles start in ${id}; give one of them a distinct first release`);
    profiles.push({
      kind: "profile",
      id,
      pascal: id === "pre-release" ? "PreRelease" : id.replace(/^v(\d+)\.(\d+)$/, "V$1_$2"),
      module: current.module,
      title: first === last ? `IG ${first}` : `IG ${first} - ${last}`,
      doc: first === "pre-release" ? "The ABI of IG's wasm operator before its first release: it lived only on a pull-request branch." : "",
      releases: current.releases,
    });
  };
  for (const tag of releaseTags) {
    const owners = modules.filter((m) => m.releases.tags.includes(tag));
    if (owners.length !== 1) {
      problems.push(`modules: release ${tag} has ${owners.length === 0 ? "no module" : `${owners.length} modules`}`);
      continue;
    }
    const fnKey = functions.map((f, i) => (f.releases.tags.includes(tag) ? i : -1)).filter((i) => i >= 0).join(",");
    const exportKey = exports.map((e, i) => (e.releases.tags.includes(tag) ? i : -1)).filter((i) => i >= 0).join(",");
    const key = `${owners[0].name}|${fnKey}|${exportKey}`;
    if (current !== null && current.key === key) current.releases.push(tag);
    else {
      flush();
      current = { module: owners[0].name, key, releases: [tag] };
    }
  }
  flush();
  return profiles;
}
