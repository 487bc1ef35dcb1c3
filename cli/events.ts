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

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

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

function convertValue(kind: FieldKindName, value: unknown, where: string): FieldValue {
  const bad = (expected: string): never => {
    throw new EventsError(`${where}: expected ${expected}, got ${typeof value === "bigint" ? value.toString() : JSON.stringify(value)}`);
  };
  switch (kind) {
    case "bool":
      return typeof value === "boolean" ? value : bad("true or false");
    case "string":
    case "cstring":
      return typeof value === "string" ? value : typeof value === "number" || typeof value === "bigint" ? String(value) : bad("a string");
    case "bytes":
      if (typeof value === "string") {
        if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 === 1) bad("base64 text or a list of byte values");
        return bytesFromBase64(value);
      }
      if (Array.isArray(value) && value.every((b) => (typeof b === "number" || typeof b === "bigint") && Number(b) >= 0 && Number(b) <= 255 && Number.isInteger(Number(b)))) {
        return Uint8Array.from(value.map(Number));
      }
      return bad("base64 text or a list of byte values");
    case "float32":
    case "float64":
      if (typeof value === "number") return value;
      if (typeof value === "bigint") return Number(value);
      if (typeof value === "string" && value.trim() !== "" && !Number.isNaN(Number(value))) return Number(value);
      return bad("a number");
    case "int64":
    case "uint64": {
      let n: bigint;
      if (typeof value === "bigint") n = value;
      else if (typeof value === "number" && Number.isSafeInteger(value)) n = BigInt(value);
      else if (typeof value === "string" && /^-?\d+$/.test(value.trim())) n = BigInt(value.trim());
      else return bad("an integer (a decimal string keeps 64-bit precision)");
      const [min, max] = kind === "int64" ? [-(2n ** 63n), 2n ** 63n - 1n] : [0n, 2n ** 64n - 1n];
      if (n < min || n > max) bad(`an integer in the ${kind} range`);
      return n;
    }
    default: {
      // 8 to 32-bit integers
      const n = typeof value === "bigint" ? Number(value) : typeof value === "string" && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
      if (typeof n !== "number" || !Number.isInteger(n)) return bad("an integer");
      const bits = Number(kind.replace(/\D/g, ""));
      const signed = kind.startsWith("int");
      const [min, max] = signed ? [-(2 ** (bits - 1)), 2 ** (bits - 1) - 1] : [0, 2 ** bits - 1];
      if (n < min || n > max) bad(`an integer in the ${kind} range ${min}..${max}`);
      return n;
    }
  }
}

function convertRecord(decl: DataSourceDecl, raw: unknown, where: string): Record<string, FieldValue> {
  if (!isObject(raw)) throw new EventsError(`${where}: a record must be a mapping of field values`);
  const out: Record<string, FieldValue> = {};
  for (const [field, value] of Object.entries(raw)) {
    const kind = decl.fields[field];
    if (kind === undefined) throw new EventsError(`${where}: data source ${decl.name} has no field ${field} (it has ${Object.keys(decl.fields).join(", ")})`);
    out[field] = convertValue(kind, value, `${where}: field ${field}`);
  }
  return out;
}

function parseEvent(raw: unknown, decls: ReadonlyMap<string, DataSourceDecl>, where: string): InputEvent {
  if (!isObject(raw)) throw new EventsError(`${where}: an event must be a mapping with ds and values`);
  let ds = raw.ds;
  if (ds === undefined) {
    if (decls.size !== 1) throw new EventsError(`${where}: ds is required when more than one data source is declared`);
    ds = [...decls.keys()][0];
  }
  if (typeof ds !== "string") throw new EventsError(`${where}: ds must be a data source name`);
  const decl = decls.get(ds);
  if (decl === undefined) throw new EventsError(`${where}: data source ${ds} is not declared (declared: ${[...decls.keys()].join(", ") || "none"})`);
  const values = raw.values;
  if (decl.type === "array") {
    if (!Array.isArray(values)) throw new EventsError(`${where}: ${ds} is an array data source: values must be a list of records`);
    return { ds, values: values.map((r, i) => convertRecord(decl, r, `${where}: record ${i + 1}`)) };
  }
  return { ds, values: convertRecord(decl, values, where) };
}

/** `where(kind, i)` names a declaration or event, with its position: `events.yaml:4:5: events[0]`. */
function build(rawDecls: readonly unknown[], rawEvents: readonly unknown[], where: (kind: "dataSource" | "event", i: number) => string, predeclared: readonly DataSourceDecl[]): EventsFile {
  const decls = new Map<string, DataSourceDecl>(predeclared.map((d) => [d.name, d]));
  rawDecls.forEach((raw, i) => {
    const d = parseDecl(raw, where("dataSource", i));
    if (decls.has(d.name)) throw new EventsError(`${where("dataSource", i)}: data source ${d.name} is declared twice${predeclared.some((p) => p.name === d.name) ? " (the gadget's eBPF object declares it)" : ""}`);
    decls.set(d.name, d);
  });
  const events = rawEvents.map((raw, i) => parseEvent(raw, decls, where("event", i)));
  return { dataSources: [...decls.values()].filter((d) => !predeclared.includes(d)), events };
}

/**
 * Parses an events file's text; `source` names it in error messages.
 * `predeclared`: data sources that exist without a declaration (a gadget
 * image's tracers); events may name them, and they are not returned.
 */
export function parseEventsFile(text: string, source: string, predeclared: readonly DataSourceDecl[] = [], object: EbpfObject | null = null): EventsFile {
  const jsonLines = /\.(jsonl|ndjson)$/i.test(source);
  if (!jsonLines) {
    const lines = new LineCounter();
    const parsed = parseDocument(text, { intAsBigInt: true, lineCounter: lines, prettyErrors: false });
    const yamlError = parsed.errors[0] ?? null;
    if (yamlError === null) {
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
      const kernel = parseKernelState(doc, at, object);
      const rawDecls = doc.dataSources ?? [];
      const rawEvents = doc.events ?? [];
      if (!Array.isArray(rawDecls)) throw new EventsError(`${source}: dataSources must be a list`);
      if (!Array.isArray(rawEvents)) throw new EventsError(`${source}: events must be a list`);
      const file = build(rawDecls, rawEvents, (kind, i) =>
        kind === "dataSource" ? `${at(["dataSources", i])}: dataSources[${i}]` : `${at(["events", i])}: events[${i}]`,
        predeclared,
      );
      return { ...file, kernel };
    }
    // Not YAML: maybe JSON lines.
    if (!/^\s*\{/.test(text)) {
      const pos = yamlError.linePos?.[0] ?? lines.linePos(yamlError.pos[0]);
      throw new EventsError(`${source}:${pos.line}:${pos.col}: not valid YAML: ${yamlError.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "")}`);
    }
  }
  const rawDecls: unknown[] = [];
  const rawEvents: unknown[] = [];
  let kernel: KernelState = NO_KERNEL_STATE;
  const declLines: number[] = [];
  const eventLines: number[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === "" || line.trim().startsWith("#")) return;
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch (e) {
      throw new EventsError(`${source}:${i + 1}: not valid JSON: ${(e as Error).message}`);
    }
    if (isObject(obj) && "kernel" in obj) {
      if (!isObject(obj.kernel)) throw new EventsError(`${source}:${i + 1}: kernel must be a mapping`);
      kernel = parseKernelState(obj.kernel, (p) => `${source}:${i + 1}: kernel.${p.join(".")}`, object);
    } else if (isObject(obj) && "dataSource" in obj) {
      if (rawEvents.length > 0) throw new EventsError(`${source}:${i + 1}: data sources must be declared before the first event`);
      rawDecls.push(obj.dataSource);
      declLines.push(i + 1);
    } else {
      rawEvents.push(obj);
      eventLines.push(i + 1);
    }
  });
  return { ...build(rawDecls, rawEvents, (kind, i) => `${source}:${kind === "dataSource" ? declLines[i] : eventLines[i]}`, predeclared), kernel };
}
