/**
 * IG's JSON output of a record, written in our own code from the behaviour of
 * IG's formatter (pkg/datasource/formatters/json/json.go at aeac857):
 *
 * - fields in lexicographic order of their names (IG sorts the accessors);
 * - integers of every width, 64-bit included, as exact decimal digits;
 * - floats as ES6 number-to-string does it (Go's `'f'` below 1e21 and from
 *   1e-6, `'e'` outside), float32 with the shortest digits that round-trip
 *   as a float32;
 * - strings escaped like Go's encoding/json without HTML escaping: `"` and
 *   `\`, `\n` `\r` `\t`, other control bytes as `\u00XX`, U+2028/U+2029;
 * - Bytes (and every kind without a case of its own) as lowercase hex;
 * - a Single packet is one object, an Array packet a JSON array of objects;
 * - pretty mode indents by two spaces, `": "` after names (WithPretty(.., "  ")).
 *
 * IG writes nothing for a NaN or infinite float (its output is then not
 * valid JSON); we write `null` there instead.
 *
 * Nested objects: IG nests a field under its parent; a wasm guest cannot make
 * a field with a parent (IG's wasm host has no sub-field call), so every
 * field igwasm sees is top-level and a dotted name stays one key.
 */
import { FieldKind, type FieldAccessor } from "../runtime/index.js";
import type { RecordRef } from "../runtime/field-accessor.js";

const NEEDS_ESCAPE = /["\\\u0000-\u001f\u2028\u2029]/;
const HEX = "0123456789abcdef";

/** A JSON string literal as Go's encoder writes it (no HTML escaping). */
export function jsonString(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return `"${s}"`;
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += "\\\\";
    else if (c === 0x0a) out += "\\n";
    else if (c === 0x0d) out += "\\r";
    else if (c === 0x09) out += "\\t";
    else if (c < 0x20) out += `\\u00${HEX[c >> 4]}${HEX[c & 15]}`;
    else if (c === 0x2028 || c === 0x2029) out += `\\u202${HEX[c & 15]}`;
    else out += s[i];
  }
  return out + '"';
}

/** The shortest decimal digits that read back as the same float32. */
export function float32Text(v: number): string {
  for (let p = 1; p < 9; p++) {
    const candidate = Number(v.toPrecision(p));
    if (Math.fround(candidate) === v) return String(candidate);
  }
  return String(Number(v.toPrecision(9)));
}

export function jsonFloat(v: number, kind: FieldKind): string {
  if (!Number.isFinite(v)) return "null";
  return kind === FieldKind.Float32 ? float32Text(v) : String(v);
}

export function hexBytes(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");
}

/** The expression that writes accessor `a` of record `r` as JSON, for the generated formatter. */
function valueExpression(kind: FieldKind, a: string): string {
  switch (kind) {
    case FieldKind.Bool:
    case FieldKind.Int8:
    case FieldKind.Int16:
    case FieldKind.Int32:
    case FieldKind.Int64:
    case FieldKind.Uint8:
    case FieldKind.Uint16:
    case FieldKind.Uint32:
    case FieldKind.Uint64:
      return `("" + ${a}.get(r))`;
    case FieldKind.Float32:
    case FieldKind.Float64:
      return `jsonFloat(${a}.get(r), ${kind})`;
    case FieldKind.String:
    case FieldKind.CString:
      return `jsonString(${a}.get(r))`;
    default:
      return `('"' + hexBytes(${a}.get(r)) + '"')`;
  }
}

/** Formats records of one data source; made once per data source and field selection. */
export interface RecordFormatter {
  record(r: RecordRef): string;
}

/**
 * The JSON formatter for the given accessors (already selected): compact, or
 * pretty with two-space indentation; `inArray` indents the object as an
 * element of an array packet, as IG does in pretty mode.
 *
 * The formatter is one generated function with one read per field (an
 * unrolled loop): each read site then sees one accessor class and V8 inlines
 * it; a loop over the fields would make every site megamorphic.
 */
export function jsonFormatter(accessors: readonly FieldAccessor[], pretty: boolean, inArray = false): RecordFormatter {
  const sorted = [...accessors].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const pad = pretty ? (inArray ? "    " : "  ") : "";
  const open = pretty ? (inArray ? "  {\n" : "{\n") : "{";
  const close = pretty ? (inArray ? "\n  }" : "\n}") : "}";
  const terms = sorted.map((a, i) => {
    const prefix = (i > 0 ? (pretty ? ",\n" : ",") : "") + pad + jsonString(a.name) + (pretty ? ": " : ":");
    return `${JSON.stringify(prefix)} + ${valueExpression(a.kind, `a[${i}]`)}`;
  });
  const body = `return function record(r) { return ${[JSON.stringify(open), ...terms, JSON.stringify(close)].join(" + ")}; };`;
  const make = new Function("a", "jsonString", "jsonFloat", "hexBytes", body) as (
    a: readonly FieldAccessor[],
    js: typeof jsonString,
    jf: typeof jsonFloat,
    hb: typeof hexBytes,
  ) => (r: RecordRef) => string;
  return { record: make(sorted, jsonString, jsonFloat, hexBytes) };
}

/** An array packet as IG prints it: `[]` when empty, else the records joined. */
export function jsonArray(records: readonly string[], pretty: boolean): string {
  if (records.length === 0) return "[]";
  return pretty ? `[\n${records.join(",\n")}\n]` : `[${records.join(",")}]`;
}
