/**
 * Replaying what `ig run -o json` printed, a line at a time (browser-safe;
 * cli/events-file.ts opens the file). What IG prints, read in IG's source at
 * aeac857: pkg/operators/cli/clioperator.go prints one line per packet of a
 * data source (no data source name on it): a JSON object for a single data
 * source, a JSON array of objects for an array one. The formatter
 * (pkg/datasource/formatters/json/json.go) writes every field, hidden ones
 * too (WithShowAll), sorted by name; a field with sub-fields as a nested
 * object under its short name (its own bytes are not printed); integers,
 * 64-bit ones included, as plain decimal numbers; floats as numbers; strings
 * as strings; bytes (and other raw kinds) as hex text; arrays of integers or
 * floats as JSON arrays.
 *
 * Each line becomes an input event of one data source: nested objects are
 * flattened to `parent.member`, hex text is decoded for bytes fields, integers
 * longer than a double keeps stay exact, and a field the data source lacks
 * (such as what IG's enrichers add) is reported once and ignored.
 */
import { convertValue, EventsError, isObject, skippable, type DataSourceDecl, type InputEvent } from "./events.js";
import type { FieldValue } from "../runtime/index.js";
import { parseJsonExact } from "./exact-json.js";

/** Called once per field of the capture that the data source does not have, at the line it was first seen. */
export type UnknownFieldSink = (field: string, where: string) => void;

function flatten(obj: Readonly<Record<string, unknown>>, prefix: string, out: Map<string, unknown>): void {
  for (const [k, v] of Object.entries(obj)) {
    if (isObject(v)) flatten(v, `${prefix}${k}.`, out);
    else out.set(prefix + k, v);
  }
}

const HEX = /^(?:[0-9a-fA-F]{2})*$/;

function hexBytes(text: string, where: string): Uint8Array {
  if (!HEX.test(text)) throw new EventsError(`${where}: expected hex text, as ig run -o json prints bytes, got ${JSON.stringify(text)}`);
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** One record of the capture as values of `decl`'s fields. */
function captureRecord(obj: Readonly<Record<string, unknown>>, decl: DataSourceDecl, where: string, seen: Set<string>, onUnknown: UnknownFieldSink): Record<string, FieldValue> {
  const fields = new Map<string, unknown>();
  flatten(obj, "", fields);
  const values: Record<string, FieldValue> = {};
  for (const [name, raw] of fields) {
    const kind = Object.hasOwn(decl.fields, name) ? decl.fields[name] : undefined;
    if (kind === undefined) {
      if (!seen.has(name)) {
        seen.add(name);
        onUnknown(name, where);
      }
      continue;
    }
    values[name] = kind === "bytes" && typeof raw === "string" ? hexBytes(raw, `${where}: field ${name}`) : convertValue(kind, raw, `${where}: field ${name}`);
  }
  return values;
}

/** Parses one line of a capture into an event of `decl`; `seen` holds the unknown fields reported so far. */
export function captureEvent(line: string, where: string, decl: DataSourceDecl, seen: Set<string>, onUnknown: UnknownFieldSink): InputEvent {
  let parsed: unknown;
  try {
    parsed = parseJsonExact(line);
  } catch (e) {
    throw new EventsError(`${where}: not valid JSON: ${(e as Error).message}`);
  }
  if (decl.type === "array") {
    if (!Array.isArray(parsed) || !parsed.every(isObject)) throw new EventsError(`${where}: ${decl.name} is an array data source: expected a JSON array of objects a line, as ig run -o json prints one`);
    return { ds: decl.name, values: parsed.map((r, i) => captureRecord(r, decl, `${where}: record ${i + 1}`, seen, onUnknown)) };
  }
  if (!isObject(parsed)) throw new EventsError(`${where}: expected one JSON object a line, as ig run -o json prints for a single data source`);
  return { ds: decl.name, values: captureRecord(parsed, decl, where, seen, onUnknown) };
}

/** Calls `each` for the event of every line `next` gives (blank and `#` lines skipped), parsing each when reached. */
export function forEachCaptureLine(
  next: () => string | null,
  lineNo: () => number,
  source: string,
  decl: DataSourceDecl,
  onUnknown: UnknownFieldSink,
  each: (ev: InputEvent) => void,
): void {
  const seen = new Set<string>();
  for (let line = next(); line !== null; line = next()) {
    if (skippable(line)) continue;
    each(captureEvent(line, `${source}:${lineNo()}`, decl, seen, onUnknown));
  }
}

/**
 * The data source a capture is replayed into: `wanted` (--replay-ds) among
 * those input events may name, or the only one. Throws a message for the
 * user otherwise (the caller wraps it as a usage error).
 */
export function captureTarget(decls: readonly DataSourceDecl[], wanted: string | undefined): DataSourceDecl | string {
  const names = decls.map((d) => d.name).join(", ") || "none";
  if (wanted === undefined) {
    if (decls.length === 1) return decls[0];
    return `--replay needs --replay-ds: ig run -o json lines do not name their data source, and the gadget has ${decls.length} input data sources (${names})`;
  }
  return decls.find((d) => d.name === wanted) ?? `--replay-ds ${wanted}: no such input data source (${names}: the image's tracers and those the events file declares)`;
}
