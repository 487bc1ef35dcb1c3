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

/** Where a compiled record writer writes: a byte buffer with room made on request (cli/io.ts BatchedWriter). */
export interface ByteOutput {
  pos: number;
  reserve(bytes: number): Uint8Array;
  done(): void;
}

/** Writes the decimal digits of integer `n` (|n| < 2^53) at `p`; returns the position after them. */
export function writeInteger(b: Uint8Array, p: number, n: number): number {
  if (n < 0) {
    b[p++] = 0x2d;
    n = -n;
  }
  if (n < 10) {
    b[p] = 0x30 + n;
    return p + 1;
  }
  let digits = 1;
  for (let t = n; t >= 10; t = Math.floor(t / 10)) digits++;
  const end = p + digits;
  for (let i = end - 1; i >= p; i--) {
    const q = Math.floor(n / 10);
    b[i] = 0x30 + (n - q * 10);
    n = q;
  }
  return end;
}

/** Writes ASCII text (numbers, hex) at `p`; returns the position after it. */
export function writeAscii(b: Uint8Array, p: number, s: string): number {
  for (let i = 0; i < s.length; i++) b[p++] = s.charCodeAt(i);
  return p;
}

/** Writes a 64-bit integer (a bigint from the accessor) at `p`. */
export function writeBigInteger(b: Uint8Array, p: number, v: bigint): number {
  // Number() rounds a value past 2^53 to one that is not a safe integer either, so the check is exact.
  const n = Number(v);
  return Number.isSafeInteger(n) ? writeInteger(b, p, n) : writeAscii(b, p, v.toString());
}

const TEXT_ENCODER = new TextEncoder();
/** Decodes as the field accessors do (runtime/utf8.ts): invalid bytes become U+FFFD. */
const TEXT_DECODER = new TextDecoder("utf-8");

/**
 * Writes stored string bytes `s[0, length)` as a JSON string at `p`: copied
 * as they are when they are printable ASCII without a quote or backslash (the
 * common case), else decoded and escaped as `jsonString` does (which also
 * turns invalid UTF-8 into U+FFFD, as every other output does). The caller
 * reserved 6 bytes per stored byte plus 2.
 */
export function writeStoredString(b: Uint8Array, p: number, s: Uint8Array, length: number): number {
  const start = p;
  b[p++] = 0x22;
  for (let i = 0; i < length; i++) {
    const c = s[i];
    if (c < 0x20 || c === 0x22 || c === 0x5c || c >= 0x80) {
      const text = jsonString(TEXT_DECODER.decode(s.subarray(0, length)));
      return start + TEXT_ENCODER.encodeInto(text, b.subarray(start)).written;
    }
    b[p++] = c;
  }
  b[p++] = 0x22;
  return p;
}

/** Writes bytes as IG prints Bytes: a lowercase hex string. The caller reserved 2 bytes per byte plus 2. */
export function writeHexString(b: Uint8Array, p: number, s: Uint8Array): number {
  b[p++] = 0x22;
  for (let i = 0; i < s.length; i++) {
    b[p++] = HEX_CODES[s[i] >> 4];
    b[p++] = HEX_CODES[s[i] & 15];
  }
  b[p++] = 0x22;
  return p;
}

const HEX_CODES = Uint8Array.from(HEX, (c) => c.charCodeAt(0));

/** Bytes a fixed-size value of `kind` takes at most in JSON (floats: 24, `-1.2345678901234567e-308`). */
const MAX_SCALAR_BYTES = 24;

/**
 * A record writer: the compact JSON of a record (what `jsonFormatter(accessors,
 * false)` gives), between `before` and `after`, written straight into the
 * output's bytes. Strings are copied from the record's stored bytes and
 * integers written as digits, so that nothing is decoded, concatenated or
 * encoded again per event (bench/README.md, "The CLI suite").
 *
 * Generated per data source like the string formatter, one read per field:
 * constants become literal byte stores and every accessor call site stays
 * monomorphic.
 */
export function jsonRecordWriter(accessors: readonly FieldAccessor[], before: string, after: string): (r: RecordRef, out: ByteOutput) => void {
  const sorted = [...accessors].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const constant = (text: string): string[] => Array.from(TEXT_ENCODER.encode(text), (byte) => `b[p++] = ${byte};`);
  const isVariable = (kind: FieldKind): boolean => kind === FieldKind.String || kind === FieldKind.CString || kind === FieldKind.Bytes;
  let fixed = TEXT_ENCODER.encode(before + after).length + 2;
  const sizes: string[] = [];
  const body: string[] = [...constant(before + "{")];
  sorted.forEach((a, i) => {
    const name = `${i > 0 ? "," : ""}${jsonString(a.name)}:`;
    fixed += TEXT_ENCODER.encode(name).length;
    body.push(...constant(name));
    const v = `a[${i}]`;
    switch (a.kind) {
      case FieldKind.Bool:
        fixed += 5;
        body.push(`p = writeAscii(b, p, ${v}.get(r) ? "true" : "false");`);
        break;
      case FieldKind.Int64:
      case FieldKind.Uint64:
        fixed += MAX_SCALAR_BYTES;
        body.push(`p = writeBigInteger(b, p, ${v}.get(r));`);
        break;
      case FieldKind.Float32:
      case FieldKind.Float64:
        fixed += MAX_SCALAR_BYTES;
        body.push(`p = writeAscii(b, p, jsonFloat(${v}.get(r), ${a.kind}));`);
        break;
      case FieldKind.String:
        sizes.push(`const s${i} = ${v}.storedBytes(r);`);
        body.push(`p = writeStoredString(b, p, s${i}, s${i}.length);`);
        break;
      case FieldKind.CString:
        // Up to the first NUL, as the accessor reads it.
        sizes.push(`const s${i} = ${v}.storedBytes(r); let n${i} = s${i}.indexOf(0); if (n${i} === -1) n${i} = s${i}.length;`);
        body.push(`p = writeStoredString(b, p, s${i}, n${i});`);
        break;
      case FieldKind.Bytes:
        sizes.push(`const s${i} = ${v}.storedBytes(r);`);
        body.push(`p = writeHexString(b, p, s${i});`);
        break;
      default:
        fixed += MAX_SCALAR_BYTES;
        body.push(`p = writeInteger(b, p, ${v}.get(r));`);
    }
  });
  body.push(...constant("}" + after));
  const variable = sorted.flatMap((a, i) => (isVariable(a.kind) ? [`s${i}.length * 6`] : []));
  const source = [
    `"use strict";`,
    `return function writeRecord(r, out) {`,
    ...sizes,
    `  const b = out.reserve(${[String(fixed), ...variable].join(" + ")});`,
    `  let p = out.pos;`,
    ...body.map((line) => `  ${line}`),
    `  out.pos = p;`,
    `  out.done();`,
    `};`,
  ].join("\n");
  const make = new Function("a", "writeAscii", "writeInteger", "writeBigInteger", "writeStoredString", "writeHexString", "jsonFloat", source);
  return make(sorted, writeAscii, writeInteger, writeBigInteger, writeStoredString, writeHexString, jsonFloat) as (r: RecordRef, out: ByteOutput) => void;
}
