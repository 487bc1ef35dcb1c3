/**
 * The input events of `igwasm run`: host data sources to declare, then the
 * events to emit into them after the gadget started.
 *
 * YAML (or JSON):
 *   dataSources:
 *     - name: events
 *       type: single            # or array; default single
 *       fields: { pid: uint32, comm: string, ppid: uint32 }
 *   events:
 *     - ds: events              # may be omitted when there is one data source
 *       values: { pid: 1, comm: bash, ppid: 0 }
 *     - ds: batch               # an Array data source: a list of records
 *       values: [ { n: 1 }, { n: 2 } ]
 *
 * JSON lines (.jsonl / .ndjson, or any file that is not YAML): one object a
 * line; `{"dataSource": {"name": ..., "type": ..., "fields": {...}}}` declares,
 * `{"ds": ..., "values": ...}` is an event. Declarations come first.
 *
 * Values by field kind: numbers for integer and float kinds (64-bit ones also
 * as decimal strings, to keep precision), true/false for bool, strings for
 * string/cstring, and for bytes a base64 string or a list of byte values.
 */
import { isNode, LineCounter, parseDocument } from "yaml";
import { fieldKindFromName, type FieldKindName, type FieldValue } from "../runtime/index.js";
import type { EbpfObject } from "../runtime/image/ebpf-object.js";
import { bytesFromBase64 } from "./bytes-text.js";
import { KERNEL_KEYS, NO_KERNEL_STATE, parseKernelState, type KernelState } from "./kernel-state.js";

export interface DataSourceDecl {
  readonly name: string;
  readonly type: "single" | "array";
  readonly fields: Readonly<Record<string, FieldKindName>>;
}

export interface InputEvent {
  readonly ds: string;
  /** One record (single) or a list of records (array). */
  readonly values: Readonly<Record<string, FieldValue>> | readonly Readonly<Record<string, FieldValue>>[];
}

export interface EventsFile {
  readonly dataSources: readonly DataSourceDecl[];
  readonly events: readonly InputEvent[];
  /** Map contents, perf records, kallsyms, ... (cli/kernel-state.ts); optional in the file. */
  readonly kernel?: KernelState;
}

export class EventsError extends Error {
  override readonly name = "EventsError";
}

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function parseDecl(raw: unknown, where: string): DataSourceDecl {
  if (!isObject(raw)) throw new EventsError(`${where}: a data source must be a mapping with name, type and fields`);
  const { name, type = "single", fields } = raw;
  if (typeof name !== "string" || name === "") throw new EventsError(`${where}: name must be a non-empty string`);
  if (type !== "single" && type !== "array") throw new EventsError(`${where} (${name}): type must be single or array, got ${JSON.stringify(type)}`);
  if (!isObject(fields) || Object.keys(fields).length === 0) throw new EventsError(`${where} (${name}): fields must map field names to kinds, e.g. { pid: uint32 }`);
  const out: Record<string, FieldKindName> = {};
  for (const [field, kind] of Object.entries(fields)) {
    try {
      fieldKindFromName(String(kind));
    } catch (e) {
      throw new EventsError(`${where} (${name}): field ${field}: ${(e as Error).message}`);
    }
    out[field] = String(kind).toLowerCase() as FieldKindName;
  }
  return { name, type, fields: out };
}

/** A value that does not fit its field's kind: what was expected. */
class Mismatch {
  constructor(readonly expected: string) {}
}

const SMALL_INT_RANGES: Partial<Record<FieldKindName, readonly [number, number]>> = {
  int8: [-(2 ** 7), 2 ** 7 - 1],
  int16: [-(2 ** 15), 2 ** 15 - 1],
  int32: [-(2 ** 31), 2 ** 31 - 1],
  uint8: [0, 2 ** 8 - 1],
  uint16: [0, 2 ** 16 - 1],
  uint32: [0, 2 ** 32 - 1],
};
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const DECIMAL = /^-?\d+$/;

/** `value` as a value of `kind`, or a Mismatch; no message is built unless the value is bad. */
function tryConvert(kind: FieldKindName, value: unknown): FieldValue | Mismatch {
  const range = SMALL_INT_RANGES[kind];
  if (range !== undefined) {
    const n = typeof value === "number" ? value : typeof value === "bigint" ? Number(value) : typeof value === "string" && DECIMAL.test(value.trim()) ? Number(value) : NaN;
    if (!Number.isInteger(n)) return new Mismatch("an integer");
    if (n < range[0] || n > range[1]) return new Mismatch(`an integer in the ${kind} range ${range[0]}..${range[1]}`);
    return n;
  }
  switch (kind) {
    case "bool":
      return typeof value === "boolean" ? value : new Mismatch("true or false");
    case "string":
    case "cstring":
      return typeof value === "string" ? value : new Mismatch("a string (quote it)");
    case "bytes":
      if (typeof value === "string") {
        if (!BASE64.test(value) || value.length % 4 === 1) return new Mismatch("base64 text or a list of byte values");
        return bytesFromBase64(value);
      }
      if (Array.isArray(value) && value.every((b) => (typeof b === "number" || typeof b === "bigint") && Number(b) >= 0 && Number(b) <= 255 && Number.isInteger(Number(b)))) {
        return Uint8Array.from(value.map(Number));
      }
      return new Mismatch("base64 text or a list of byte values");
    case "float32":
    case "float64": {
      const n = typeof value === "number" ? value : typeof value === "bigint" ? Number(value) : typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
      if (Number.isNaN(n) && !(typeof value === "string" && value.trim() === "NaN")) return new Mismatch("a number");
      if (kind === "float32" && Number.isFinite(n) && !Number.isFinite(Math.fround(n))) return new Mismatch("a number in the float32 range");
      return n;
    }
    default: {
      // int64, uint64
      let n: bigint;
      if (typeof value === "bigint") n = value;
      else if (typeof value === "number" && Number.isSafeInteger(value)) n = BigInt(value);
      else if (typeof value === "string" && DECIMAL.test(value.trim())) n = BigInt(value.trim());
      else return new Mismatch("an integer (a decimal string keeps 64-bit precision)");
      const [min, max] = kind === "int64" ? [-(2n ** 63n), 2n ** 63n - 1n] : [0n, 2n ** 64n - 1n];
      if (n < min || n > max) return new Mismatch(`an integer in the ${kind} range`);
      return n;
    }
  }
}

const shown = (value: unknown): string => (typeof value === "bigint" ? value.toString() : JSON.stringify(value));

/** `value` as a value of `kind`; throws EventsError naming `where` when it does not fit. */
export function convertValue(kind: FieldKindName, value: unknown, where: string): FieldValue {
  const v = tryConvert(kind, value);
  if (v instanceof Mismatch) throw new EventsError(`${where}: expected ${v.expected}, got ${shown(value)}`);
  return v;
}

/**
 * What an events file is read against besides its own declarations: data
 * sources that exist without one (a gadget image's tracers; events may name
 * them, and they are not returned as declarations) and the eBPF object whose
 * maps kernel state may fill.
 */
export interface EventsContext {
  readonly predeclared?: readonly DataSourceDecl[];
  readonly object?: EbpfObject | null;
}

/** Checks and converts a parsed record in place (it is ours: fresh from the parser), saving a copy per event. */
function convertRecord(decl: DataSourceDecl, raw: unknown, where: () => string): Record<string, FieldValue> {
  if (!isObject(raw)) throw new EventsError(`${where()}: a record must be a mapping of field values`);
  const out = raw as Record<string, unknown>;
  for (const field in raw) {
    const kind = Object.hasOwn(decl.fields, field) ? decl.fields[field] : undefined;
    if (kind === undefined) throw new EventsError(`${where()}: data source ${decl.name} has no field ${field} (it has ${Object.keys(decl.fields).join(", ")})`);
    const value = raw[field];
    const v = tryConvert(kind, value);
    if (v instanceof Mismatch) throw new EventsError(`${where()}: field ${field}: expected ${v.expected}, got ${shown(value)}`);
    out[field] = v;
  }
  return out as Record<string, FieldValue>;
}

function parseEvent(raw: unknown, decls: ReadonlyMap<string, DataSourceDecl>, where: () => string): InputEvent {
  if (!isObject(raw)) throw new EventsError(`${where()}: an event must be a mapping with ds and values`);
  let ds = raw.ds;
  if (ds === undefined) {
    if (decls.size !== 1) throw new EventsError(`${where()}: ds is required when more than one data source is declared`);
    ds = decls.keys().next().value;
  }
  if (typeof ds !== "string") throw new EventsError(`${where()}: ds must be a data source name`);
  const decl = decls.get(ds);
  if (decl === undefined) throw new EventsError(`${where()}: data source ${ds} is not declared (declared: ${[...decls.keys()].join(", ") || "none"})`);
  const values = raw.values;
  if (decl.type === "array") {
    if (!Array.isArray(values)) throw new EventsError(`${where()}: ${ds} is an array data source: values must be a list of records`);
    return { ds, values: values.map((r, i) => convertRecord(decl, r, () => `${where()}: record ${i + 1}`)) };
  }
  return { ds, values: convertRecord(decl, values, where) };
}

/** `where(kind, i)` names a declaration or event, with its position: `events.yaml:4:5: events[0]`. */
function build(rawDecls: readonly unknown[], rawEvents: readonly unknown[], where: (kind: "dataSource" | "event", i: number) => string, predeclared: readonly DataSourceDecl[]): EventsFile {
  const decls = new Map<string, DataSourceDecl>(predeclared.map((d) => [d.name, d]));
  rawDecls.forEach((raw, i) => addDecl(decls, parseDecl(raw, where("dataSource", i)), where("dataSource", i), predeclared));
  const events = rawEvents.map((raw, i) => parseEvent(raw, decls, () => where("event", i)));
  return { dataSources: [...decls.values()].filter((d) => !predeclared.includes(d)), events };
}

function addDecl(decls: Map<string, DataSourceDecl>, d: DataSourceDecl, where: string, predeclared: readonly DataSourceDecl[]): void {
  if (decls.has(d.name)) throw new EventsError(`${where}: data source ${d.name} is declared twice${predeclared.some((p) => p.name === d.name) ? " (the gadget's eBPF object declares it)" : ""}`);
  decls.set(d.name, d);
}

/** YAML events files are parsed whole; above this size they are refused (JSON lines are streamed). */
export const YAML_MAX_BYTES = 8 << 20;

/** A JSON line that declares a data source. */
const isDeclLine = (obj: unknown): obj is { dataSource: unknown } => isObject(obj) && "dataSource" in obj;

function parseJsonLine(line: string, where: () => string): unknown {
  try {
    return JSON.parse(line);
  } catch (e) {
    throw new EventsError(`${where()}: not valid JSON: ${(e as Error).message}`);
  }
}

export const skippable = (line: string): boolean => {
  const t = line.trim();
  return t === "" || t.startsWith("#");
};

/** Parses a YAML (or JSON) document's text: `{dataSources, events}`. Null when it is not YAML but looks like JSON lines. */
function parseYamlText(text: string, source: string, ctx: EventsContext): EventsFile | null {
  const lines = new LineCounter();
  const parsed = parseDocument(text, { intAsBigInt: true, lineCounter: lines, prettyErrors: false });
  const yamlError = parsed.errors[0] ?? null;
  if (yamlError !== null) {
    if (/^\s*\{/.test(text)) return null;
    const pos = yamlError.linePos?.[0] ?? lines.linePos(yamlError.pos[0]);
    throw new EventsError(`${source}:${pos.line}:${pos.col}: not valid YAML: ${yamlError.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "")}`);
  }
  const doc: unknown = parsed.toJS({ maxAliasCount: 100 });
  const at = (path: readonly (string | number)[]): string => {
    const node = parsed.getIn(path, true);
    const pos = lines.linePos(isNode(node) && node.range ? node.range[0] : 0);
    return `${source}:${pos.line}:${pos.col}`;
  };
  if (doc === null || doc === undefined) return { dataSources: [], events: [] };
  if (!isObject(doc)) throw new EventsError(`${source}: expected a mapping with dataSources and events`);
  const unknown = Object.keys(doc).filter((k) => k !== "dataSources" && k !== "events" && !(KERNEL_KEYS as readonly string[]).includes(k));
  if (unknown.length > 0) throw new EventsError(`${source}: unknown key ${unknown[0]} (expected dataSources, events, ${KERNEL_KEYS.join(", ")})`);
  const kernel = parseKernelState(doc, at, ctx.object ?? null);
  const rawDecls = doc.dataSources ?? [];
  const rawEvents = doc.events ?? [];
  if (!Array.isArray(rawDecls)) throw new EventsError(`${source}: dataSources must be a list`);
  if (!Array.isArray(rawEvents)) throw new EventsError(`${source}: events must be a list`);
  const file = build(rawDecls, rawEvents, (kind, i) => (kind === "dataSource" ? `${at(["dataSources", i])}: dataSources[${i}]` : `${at(["events", i])}: events[${i}]`), ctx.predeclared ?? []);
  return { ...file, kernel };
}

/** Reads the declarations at the head of a JSON-lines stream; returns them and the first event line (if any). */
export interface JsonLinesHead {
  /** Every data source events may name: the predeclared ones first. */
  readonly decls: Map<string, DataSourceDecl>;
  /** The ones the file declares. */
  readonly declared: DataSourceDecl[];
  readonly kernel: KernelState;
  readonly first: { obj: unknown; line: number } | null;
}

/** Reads the declarations (and a `{"kernel": ...}` line) at the head of a JSON-lines stream, up to the first event. */
export function readJsonLinesHead(next: () => string | null, lineNo: () => number, source: string, ctx: EventsContext): JsonLinesHead {
  const predeclared = ctx.predeclared ?? [];
  const decls = new Map<string, DataSourceDecl>(predeclared.map((d) => [d.name, d]));
  const declared: DataSourceDecl[] = [];
  let kernel: KernelState = NO_KERNEL_STATE;
  for (let line = next(); line !== null; line = next()) {
    if (skippable(line)) continue;
    const n = lineNo();
    const obj = parseJsonLine(line, () => `${source}:${n}`);
    if (isObject(obj) && "kernel" in obj) {
      if (!isObject(obj.kernel)) throw new EventsError(`${source}:${n}: kernel must be a mapping`);
      kernel = parseKernelState(obj.kernel, (p) => `${source}:${n}: kernel.${p.join(".")}`, ctx.object ?? null);
      continue;
    }
    if (!isDeclLine(obj)) return { decls, declared, kernel, first: { obj, line: n } };
    const d = parseDecl(obj.dataSource, `${source}:${n}`);
    addDecl(decls, d, `${source}:${n}`, predeclared);
    declared.push(d);
  }
  return { decls, declared, kernel, first: null };
}

/** The event of the line that ended the head, if there was one. */
export function firstJsonLineEvent(head: JsonLinesHead, source: string): InputEvent | null {
  const { decls, first } = head;
  return first === null ? null : parseEvent(first.obj, decls, () => `${source}:${first.line}`);
}

/** The event of a JSON line after the head; null for a blank or comment line. Throws EventsError naming `where()`. */
export function jsonLineEvent(line: string, decls: ReadonlyMap<string, DataSourceDecl>, where: () => string): InputEvent | null {
  if (skippable(line)) return null;
  const obj = parseJsonLine(line, where);
  if (isDeclLine(obj)) throw new EventsError(`${where()}: data sources must be declared before the first event`);
  return parseEvent(obj, decls, where);
}

/** Calls `each` for every event line after the head, reading on demand. */
export function forEachJsonLine(
  head: JsonLinesHead,
  next: () => string | null,
  lineNo: () => number,
  source: string,
  each: (ev: InputEvent) => void,
): void {
  const first = firstJsonLineEvent(head, source);
  if (first === null) return;
  each(first);
  const where = (): string => `${source}:${lineNo()}`;
  for (let line = next(); line !== null; line = next()) {
    const ev = jsonLineEvent(line, head.decls, where);
    if (ev !== null) each(ev);
  }
}

/** Splits a string into lines for the JSON-lines reader. */
function stringLines(text: string): { next: () => string | null; lineNo: () => number } {
  const lines = text.split(/\r?\n/);
  let i = 0;
  return { next: () => (i < lines.length ? lines[i++] : null), lineNo: () => i };
}

/** Parses an events file's text; `source` names it in error messages. */
export function parseEventsFile(text: string, source: string, ctx: EventsContext = {}): EventsFile {
  if (!/\.(jsonl|ndjson)$/i.test(source)) {
    const yaml = parseYamlText(text, source, ctx);
    if (yaml !== null) return yaml;
  }
  const { next, lineNo } = stringLines(text);
  const head = readJsonLinesHead(next, lineNo, source, ctx);
  const events: InputEvent[] = [];
  forEachJsonLine(head, next, lineNo, source, (ev) => events.push(ev));
  return { dataSources: head.declared, events, kernel: head.kernel };
}

/** Events read one at a time: the declarations first, then the events on demand. */
export interface EventsReader {
  readonly dataSources: readonly DataSourceDecl[];
  /** Kernel state the file gives (maps, perf records, kallsyms, ...). */
  readonly kernel: KernelState;
  /**
   * Calls `each` for every event in order (once); throws EventsError at the first bad one. An event
   * (and what its values point into) is valid only during its call: a streaming reader reuses memory.
   */
  forEach(each: (ev: InputEvent) => void): void;
  /** Lets go of the file behind the events, if any; may be called again, and after forEach. */
  close(): void;
}

/** A reader over events already in memory. */
export function eventsReader(file: EventsFile): EventsReader {
  return {
    dataSources: file.dataSources,
    kernel: file.kernel ?? NO_KERNEL_STATE,
    forEach: (each) => file.events.forEach((ev) => each(ev)),
    close: () => {},
  };
}

