/**
 * Compiled fills: writing the values of an emitted event into its record
 * without a per-event name lookup.
 *
 * `HostDataSource.emit(values)` takes a plain object, field name -> value.
 * Looking each name up and dispatching on the field's kind costs ~20 ns per
 * field and event. Producers emit the same set of fields again and again, so
 * for each set the data source compiles (once, with `new Function`) a fill
 * that reads every property by its literal name and writes it at its
 * literal offset: V8 then sees monomorphic property loads and DataView
 * stores at constant offsets, and nothing per event allocates.
 *
 * A fill handles only the common case and says so by returning false,
 * before it writes anything, when the object is not one it was compiled for
 * (another number of properties, a property missing) or a value is of a type
 * it does not convert itself (a bigint or boolean for a number field, a
 * wrong type that must fail with the accessor's error). The caller then uses
 * the generic path (`FieldAccessor.write` per property), which converts or
 * throws exactly as before.
 */
import { FieldKind } from "../generated/constants.js";
import type { DataSource } from "./data-source.js";
import type { FieldAccessor, FieldValue } from "./field-accessor.js";
import type { HostMemory } from "./host-memory.js";

export type EventValues = Readonly<Record<string, FieldValue>>;

/** Writes `values` into the record at `slot`; false (nothing written) when `values` is not for this fill. */
export type Fill = (slot: number, values: EventValues) => boolean;

/** The check that value `v` (a JS identifier) can be written by the fill's own code, per kind. */
function accepts(kind: FieldKind, v: string): string {
  switch (kind) {
    case FieldKind.Bool:
      return "true";
    case FieldKind.Float32:
    case FieldKind.Float64:
      return `(typeof ${v} === "number")`;
    case FieldKind.Int64:
    case FieldKind.Uint64:
      return `(typeof ${v} === "bigint" || (typeof ${v} === "number" && Number.isInteger(${v})))`;
    case FieldKind.String:
    case FieldKind.CString:
    case FieldKind.Bytes:
      return `(typeof ${v} === "string" || ${v} instanceof Uint8Array)`;
    default:
      return `(typeof ${v} === "number" && Number.isInteger(${v}))`;
  }
}

/**
 * The statement writing `v` at `a + offset`, with FieldAccessor.write's
 * conversions: integers keep the low bytes of their two's complement,
 * 64-bit numbers are written as two 32-bit halves (no BigInt made).
 */
function store(kind: FieldKind, offset: number, v: string, accessor: string): string {
  const at = `a + ${offset}`;
  switch (kind) {
    case FieldKind.Bool:
      return `view.setUint8(${at}, ${v} ? 1 : 0);`;
    case FieldKind.Int8:
    case FieldKind.Uint8:
      return `view.setUint8(${at}, ${v} & 0xff);`;
    case FieldKind.Int16:
    case FieldKind.Uint16:
      return `view.setUint16(${at}, ${v} & 0xffff, true);`;
    case FieldKind.Float32:
      return `view.setFloat32(${at}, ${v}, true);`;
    case FieldKind.Float64:
      return `view.setFloat64(${at}, ${v}, true);`;
    case FieldKind.Int64:
    case FieldKind.Uint64:
      return (
        `if (typeof ${v} === "bigint") view.setBigUint64(${at}, ${v}, true); ` +
        `else { view.setUint32(${at}, ${v} >>> 0, true); view.setUint32(${at} + 4, Math.floor(${v} / 4294967296) >>> 0, true); }`
      );
    case FieldKind.String:
    case FieldKind.CString:
    case FieldKind.Bytes:
      return `${accessor}.write(slot, ${v});`;
    default:
      return `view.setUint32(${at}, ${v} >>> 0, true);`;
  }
}

/**
 * Compiles the fill of `ds` for events that set exactly the fields `names`
 * (every one a field of `ds`). `accessor(name)` gives the field's accessor,
 * used for variable-length fields, whose bytes the record does not hold.
 */
export function compileFill(ds: DataSource, mem: HostMemory, names: readonly string[], accessor: (name: string) => FieldAccessor): Fill {
  const fields = names.map((name) => {
    const f = ds.field(name);
    if (f === undefined) throw new RangeError(`data source "${ds.name}" has no field "${name}"`);
    return f;
  });
  const reads = fields.map((f, i) => `const v${i} = values[${JSON.stringify(f.name)}];`);
  const checks = fields.map((f, i) => `if (v${i} === undefined || !${accepts(f.kind, `v${i}`)}) return false;`);
  const writes = fields.map((f, i) => store(f.kind, f.offset, `v${i}`, `acc${i}`));
  const body = [
    `"use strict";`,
    ...fields.map((_, i) => `const acc${i} = accessors[${i}];`),
    `return function fill(slot, values) {`,
    // Exactly these names: as many enumerable properties, and each one present.
    `  let n = 0;`,
    `  for (const _ in values) n++;`,
    `  if (n !== ${fields.length}) return false;`,
    ...reads.map((s) => `  ${s}`),
    ...checks.map((s) => `  ${s}`),
    `  const view = mem.view;`,
    `  const a = ds.slab.addr[slot];`,
    ...writes.map((s) => `  ${s}`),
    `  return true;`,
    `};`,
  ].join("\n");
  const make = new Function("mem", "ds", "accessors", body) as (mem: HostMemory, ds: DataSource, accessors: FieldAccessor[]) => Fill;
  return make(mem, ds, names.map(accessor));
}
