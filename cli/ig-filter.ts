/**
 * `--filter`: IG's filter rules, in our own code from IG's filter operator
 * (pkg/operators/filter/filter.go and api.SplitStringWithEscape in
 * pkg/gadget-service/api/helpers.go, at aeac857):
 *
 *   field==value  field=value  field!=value  field>value  field>=value
 *   field<value   field<=value field~regex   field!~regex
 *
 * Rules joined by `,` must all match (a `\,` is a literal comma). The value is
 * parsed as the field's kind: integers in decimal and within the kind's range,
 * floats, bool as true/1/false/0 (bool fields: == and != only); regular
 * expressions only on string fields (matched anywhere in the value).
 * The field is looked up by its exact name, then case-insensitively.
 */
import { FieldKind, type FieldAccessor } from "../runtime/index.js";
import type { RecordRef } from "../runtime/field-accessor.js";

export class FilterError extends Error {
  override readonly name = "FilterError";
}

type Op = "==" | "<" | "<=" | ">" | ">=" | "~";

export interface FilterRule {
  readonly field: string;
  readonly op: Op;
  readonly negate: boolean;
  readonly value: string;
}

export type RecordPredicate = (r: RecordRef) => boolean;

const OP_CHARS = "!~<>=";
const OPS: Record<string, { op: Op; negate: boolean }> = {
  "=": { op: "==", negate: false },
  "==": { op: "==", negate: false },
  "!=": { op: "==", negate: true },
  "<": { op: "<", negate: false },
  "<=": { op: "<=", negate: false },
  ">": { op: ">", negate: false },
  ">=": { op: ">=", negate: false },
  "~": { op: "~", negate: false },
  "!~": { op: "~", negate: true },
};

/** Splits at `sep`, where `\sep` and `\\` are literal and other escapes are kept as written. */
export function splitWithEscape(s: string, sep: string): string[] {
  const parts: string[] = [];
  let cur = "";
  let escape = false;
  for (const c of s) {
    if (escape) {
      escape = false;
      if (c !== sep && c !== "\\") cur += "\\";
      cur += c;
    } else if (c === "\\") escape = true;
    else if (c === sep) {
      parts.push(cur);
      cur = "";
    } else cur += c;
  }
  if (cur !== "") parts.push(cur);
  return parts;
}

/** One rule: the field name up to the first operator character, the operator, the rest is the value. */
export function parseRule(rule: string): FilterRule {
  let i = 0;
  while (i < rule.length && !OP_CHARS.includes(rule[i])) i++;
  let j = i;
  while (j < rule.length && OP_CHARS.includes(rule[j])) j++;
  if (i === rule.length || j === rule.length) throw new FilterError(`incomplete filter rule: "${rule}"`);
  const opText = rule.slice(i, j);
  const op = OPS[opText];
  if (op === undefined) throw new FilterError(`invalid operation "${opText}" in filter rule "${rule}"`);
  return { field: rule.slice(0, i), ...op, value: rule.slice(j) };
}

export function parseRules(text: string): FilterRule[] {
  return splitWithEscape(text, ",")
    .filter((r) => r !== "")
    .map(parseRule);
}

const INT_RANGES: Partial<Record<FieldKind, readonly [bigint, bigint]>> = {
  [FieldKind.Int8]: [-(2n ** 7n), 2n ** 7n - 1n],
  [FieldKind.Int16]: [-(2n ** 15n), 2n ** 15n - 1n],
  [FieldKind.Int32]: [-(2n ** 31n), 2n ** 31n - 1n],
  [FieldKind.Int64]: [-(2n ** 63n), 2n ** 63n - 1n],
  [FieldKind.Uint8]: [0n, 2n ** 8n - 1n],
  [FieldKind.Uint16]: [0n, 2n ** 16n - 1n],
  [FieldKind.Uint32]: [0n, 2n ** 32n - 1n],
  [FieldKind.Uint64]: [0n, 2n ** 64n - 1n],
};

function compare<T extends number | bigint | string>(op: Op, a: T, b: T): boolean {
  switch (op) {
    case "==":
      return a === b;
    case "<":
      return a < b;
    case "<=":
      return a <= b;
    case ">":
      return a > b;
    case ">=":
      return a >= b;
    default:
      return false;
  }
}

/** Finds `name` in `fields`: exactly, then ignoring case (as IG's GetField does). */
export function findField(fields: readonly FieldAccessor[], name: string): FieldAccessor | undefined {
  return fields.find((f) => f.name === name) ?? fields.find((f) => f.name.toLowerCase() === name.toLowerCase());
}

function rulePredicate(rule: FilterRule, field: FieldAccessor, dsName: string): RecordPredicate {
  const { op, negate, value } = rule;
  const kind = field.kind;
  const bad = (why: string): never => {
    throw new FilterError(`filter rule on ${dsName}.${field.name}: ${why}`);
  };
  if (kind === FieldKind.String || kind === FieldKind.CString) {
    if (op === "~") {
      let re: RegExp;
      try {
        re = new RegExp(value, "u");
      } catch {
        return bad(`invalid regular expression: "${value}"`);
      }
      return (r) => re.test(field.get(r) as string) !== negate;
    }
    return (r) => compare(op, field.get(r) as string, value) !== negate;
  }
  if (op === "~") return bad("regex based filtering can only be used on strings");
  if (kind === FieldKind.Bool) {
    if (op !== "==") return bad("boolean values can only be filtered by exact match");
    const want = value === "true" || value === "1" ? true : value === "false" || value === "0" ? false : bad(`"${value}" is not a bool (true, false, 1 or 0)`);
    return (r) => (field.get(r) === want) !== negate;
  }
  if (kind === FieldKind.Float32 || kind === FieldKind.Float64) {
    let want = Number(value);
    if (value.trim() === "" || Number.isNaN(want)) return bad(`"${value}" is not a number`);
    if (kind === FieldKind.Float32) want = Math.fround(want);
    return (r) => compare(op, field.get(r) as number, want) !== negate;
  }
  const range = INT_RANGES[kind];
  if (range === undefined) return bad(`a ${FieldKind[kind]} field cannot be compared`);
  if (!/^[+-]?\d+$/.test(value)) return bad(`"${value}" is not a decimal integer`);
  const n = BigInt(value);
  if (n < range[0] || n > range[1]) return bad(`${value} is outside the ${FieldKind[kind]} range ${range[0]}..${range[1]}`);
  if (kind === FieldKind.Int64 || kind === FieldKind.Uint64) return (r) => compare(op, field.get(r) as bigint, n) !== negate;
  const want = Number(n);
  return (r) => compare(op, field.get(r) as number, want) !== negate;
}

/** The predicate of all `rules` on a data source's fields; null when there are none. */
export function compileFilter(rules: readonly FilterRule[], fields: readonly FieldAccessor[], dsName: string): RecordPredicate | null {
  if (rules.length === 0) return null;
  const preds = rules.map((rule) => {
    const field = findField(fields, rule.field);
    if (field === undefined) throw new FilterError(`field "${rule.field}" not found in data source ${dsName} (it has ${fields.map((f) => f.name).join(", ")})`);
    return rulePredicate(rule, field, dsName);
  });
  if (preds.length === 1) return preds[0];
  return (r) => {
    for (const p of preds) if (!p(r)) return false;
    return true;
  };
}
