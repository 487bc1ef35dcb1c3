/**
 * Packets as text for the playground and `igwasm test` (browser-safe): JSON
 * lines and aligned tables. (`igwasm run` prints with IG's output modes:
 * cli/output.ts.)
 *
 * JSON: one line per packet. A Single data source's packet is
 * `{"ds":"<name>","<field>":<value>,...}` in field order; an Array data
 * source's packet is `{"ds":"<name>","records":[{...},...]}`.
 * 64-bit integers are JSON numbers when they are safe integers
 * (|n| <= 2^53-1), decimal strings otherwise; NaN and infinities are strings;
 * Bytes are base64 strings (or hex with `--bytes hex`).
 *
 * Table: one table per data source, in order of first output, printed when the
 * run ends (the columns are aligned over all rows); array records are rows.
 */
import type { FieldValue } from "../runtime/index.js";
import { bytesToBase64, bytesToHex } from "./bytes-text.js";

export type BytesFormat = "base64" | "hex";

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export function jsonValue(value: FieldValue, bytes: BytesFormat): JsonValue {
  if (typeof value === "bigint") return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (value instanceof Uint8Array) return bytes === "hex" ? bytesToHex(value) : bytesToBase64(value);
  return value;
}

export function jsonRecord(record: Readonly<Record<string, FieldValue>>, bytes: BytesFormat): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(record)) out[k] = jsonValue(v, bytes);
  return out;
}

/** One JSON line for a packet of data source `ds`. */
export function jsonLine(ds: string, packet: Readonly<Record<string, FieldValue>> | readonly Readonly<Record<string, FieldValue>>[], bytes: BytesFormat): string {
  if (Array.isArray(packet)) return JSON.stringify({ ds, records: packet.map((r) => jsonRecord(r, bytes)) });
  return JSON.stringify({ ds, ...jsonRecord(packet as Readonly<Record<string, FieldValue>>, bytes) });
}

/** A value as a table cell shows it. */
export function cellText(value: FieldValue, bytes: BytesFormat): string {
  const v = jsonValue(value, bytes);
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** Collects rows per data source and renders aligned tables. */
export class TableCollector {
  private readonly tables = new Map<string, { columns: string[]; rows: FieldValue[][] }>();

  add(ds: string, columns: readonly string[], record: Readonly<Record<string, FieldValue>>): void {
    let t = this.tables.get(ds);
    if (t === undefined) {
      t = { columns: [...columns], rows: [] };
      this.tables.set(ds, t);
    }
    for (const c of columns) if (!t.columns.includes(c)) t.columns.push(c);
    t.rows.push(t.columns.map((c) => record[c] ?? ""));
  }

  render(bytes: BytesFormat): string {
    const blocks: string[] = [];
    for (const [ds, t] of this.tables) {
      const numeric = t.columns.map((_, i) => t.rows.every((r) => r[i] === "" || typeof r[i] === "number" || typeof r[i] === "bigint"));
      const cells = t.rows.map((r) => t.columns.map((_, i) => (r[i] === "" ? "" : cellText(r[i], bytes))));
      const header = t.columns.map((c) => c.toUpperCase());
      const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? "").length)));
      const line = (r: readonly string[], isHeader: boolean): string =>
        r
          .map((v, i) => (numeric[i] && !isHeader ? v.padStart(widths[i]) : v.padEnd(widths[i])))
          .join("  ")
          .trimEnd();
      blocks.push([`${ds}:`, line(header, true), ...cells.map((r) => line(r, false))].join("\n"));
    }
    return blocks.length === 0 ? "" : blocks.join("\n\n") + "\n";
  }
}
