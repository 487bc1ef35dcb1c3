/**
 * IG's `columns` output, in our own code from IG's text-columns formatter
 * (pkg/columns/formatter/textcolumns/{output,scaler}.go, pkg/columns/ellipsis,
 * and the column attributes pkg/datasource/columns.go gives a data source's
 * fields, at aeac857):
 *
 * - every field gets width 16 (IG's default `columns.width` annotation),
 *   left alignment and an ellipsis at the end (its default annotations);
 *   integer and bool fields get a maximum width from their type (uint32: 10);
 * - stdout not a terminal: every column is exactly its width (no scaling);
 *   on a terminal the widths are scaled to its width (RecalculateWidths);
 * - a cell is the value quoted like Go's strconv.Quote without the outer
 *   quotes, cut to the width with `…` and padded with spaces; cells are
 *   joined by one space (trailing padding included, as IG prints it);
 * - the header is the names upper-cased, cut and padded the same way;
 * - values: integers in decimal, bool true/false, floats with 0 decimals
 *   (IG gives dynamic fields precision 0), Bytes as `<N bytes>`.
 */
import { FieldKind, type FieldAccessor } from "../runtime/index.js";
import type { RecordRef } from "../runtime/field-accessor.js";

const DEFAULT_WIDTH = 16;
const ELLIPSIS = "…";

/** IG's maximum widths by type (pkg/columns/columninfo.go MaxChars*), used as the scaling cap. */
const TYPE_MAX_WIDTH: Partial<Record<FieldKind, number>> = {
  [FieldKind.Uint8]: 3,
  [FieldKind.Int8]: 4,
  [FieldKind.Uint16]: 5,
  [FieldKind.Int16]: 6,
  [FieldKind.Uint32]: 10,
  [FieldKind.Int32]: 11,
  [FieldKind.Uint64]: 20,
  [FieldKind.Int64]: 20,
  [FieldKind.Bool]: 5,
};

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** `s` as strconv.Quote writes it, without the surrounding quotes. */
export function goQuoteInner(s: string): string {
  if (/^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/.test(s)) return s;
  let out = "";
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (c >= 0x20 && c < 0x7f) out += ch;
    else if (c >= 0x80 && PRINTABLE.test(ch)) out += ch;
    else if (c === 0x07) out += "\\a";
    else if (c === 0x08) out += "\\b";
    else if (c === 0x0c) out += "\\f";
    else if (c === 0x0a) out += "\\n";
    else if (c === 0x0d) out += "\\r";
    else if (c === 0x09) out += "\\t";
    else if (c === 0x0b) out += "\\v";
    else if (c < 0x80) out += `\\x${c.toString(16).padStart(2, "0")}`;
    else if (c < 0x10000) out += `\\u${c.toString(16).padStart(4, "0")}`;
    else out += `\\U${c.toString(16).padStart(8, "0")}`;
  }
  return out;
}

/** strconv.FormatFloat(v, 'f', 0, 64): halves round to even, as Go does. */
export function goFloatNoDecimals(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "+Inf" : "-Inf";
  const frac = Math.abs(v % 1);
  if (frac === 0.5) {
    const down = Math.trunc(v);
    const up = down + Math.sign(v);
    const r = down % 2 === 0 ? down : up;
    return (r === 0 && v < 0 ? "-" : "") + String(r);
  }
  return v.toFixed(0);
}

export function columnText(kind: FieldKind, value: unknown): string {
  switch (kind) {
    case FieldKind.Float32:
    case FieldKind.Float64:
      return goFloatNoDecimals(value as number);
    case FieldKind.Bytes:
      return `<${(value as Uint8Array).length} bytes>`;
    default:
      return String(value);
  }
}

/** Cuts to `width` characters with an ellipsis at the end (IG's ellipsis.End), then pads to `width`. */
export function fixedCell(text: string, width: number, alignRight = false): string {
  if (width <= 0) return "";
  const chars = Array.from(goQuoteInner(text));
  let cut = chars;
  if (chars.length > width) cut = width <= 1 ? [ELLIPSIS] : [...chars.slice(0, width - 1), ELLIPSIS];
  const s = cut.join("");
  if (cut.length >= width) return s;
  return alignRight ? " ".repeat(width - cut.length) + s : s + " ".repeat(width - cut.length);
}

export interface Column {
  readonly accessor: FieldAccessor;
  /** Weight and unscaled width (IG's Width). */
  readonly width: number;
  /** Cap when scaling to a terminal (IG's MaxWidth); 0 for none. */
  readonly maxWidth: number;
}

export function columnFor(accessor: FieldAccessor): Column {
  return { accessor, width: DEFAULT_WIDTH, maxWidth: TYPE_MAX_WIDTH[accessor.kind] ?? 0 };
}

/**
 * Widths scaled to a terminal of `maxWidth` characters, as IG's
 * RecalculateWidths does for columns that are neither fixed nor have a
 * minimum width (the only kind a data source's fields get by default): each
 * gets its share of the room by weight, capped at its maximum width (then
 * fixed, and the rest shared again), and the leftover characters are handed
 * out one by one from the left.
 */
export function scaleWidths(columns: readonly Column[], terminalWidth: number): number[] {
  const n = columns.length;
  if (n === 0) return [];
  const dividers = n - 1;
  const maxWidth = Math.max(terminalWidth, dividers + n);
  const widths = columns.map((c) => c.width);
  const fixed = new Array<boolean>(n).fill(false);
  let totalFixed = dividers;
  let totalNotFixed = columns.reduce((sum, c) => sum + c.width, 0);
  let adjusted = 0;
  for (;;) {
    let satisfied = true;
    let addToFixed = 0;
    let removeFromNotFixed = 0;
    adjusted = 0;
    for (let i = 0; i < n; i++) {
      if (fixed[i]) continue;
      const c = columns[i];
      widths[i] = Math.floor((c.width / totalNotFixed) * (maxWidth - totalFixed));
      if (c.maxWidth > 0 && widths[i] > c.maxWidth) {
        widths[i] = c.maxWidth;
        fixed[i] = true;
        satisfied = false;
        addToFixed += widths[i];
        removeFromNotFixed += c.width;
        continue;
      }
      adjusted += widths[i];
    }
    if (satisfied) break;
    totalFixed += addToFixed;
    totalNotFixed -= removeFromNotFixed;
  }
  let leftover = maxWidth - (adjusted + totalFixed);
  while (leftover > 0) {
    let spent = false;
    for (let i = 0; i < n && leftover > 0; i++) {
      if (fixed[i]) continue;
      widths[i]++;
      leftover--;
      spent = true;
    }
    if (!spent) break;
  }
  return widths;
}

/** Header and rows of one data source's columns. */
export class ColumnsFormatter {
  private readonly widths: number[];

  constructor(
    private readonly columns: readonly Column[],
    /** The terminal's width, or 0 when stdout is not a terminal (no scaling). */
    terminalWidth: number,
  ) {
    this.widths = terminalWidth > 0 ? scaleWidths(columns, terminalWidth) : columns.map((c) => c.width);
  }

  header(): string {
    return this.columns.map((c, i) => fixedCell(c.accessor.name.toUpperCase(), this.widths[i])).join(" ");
  }

  row(r: RecordRef): string {
    let s = "";
    for (let i = 0; i < this.columns.length; i++) {
      const a = this.columns[i].accessor;
      if (i > 0) s += " ";
      s += fixedCell(columnText(a.kind, a.get(r)), this.widths[i]);
    }
    return s;
  }
}
