/**
 * `--sort`: orders the records of each array packet before they are printed,
 * as IG's sort operator does (pkg/operators/sort/sort.go at aeac857):
 * `f1,-f2` sorts by f1 ascending, then by f2 descending (`-`); with several
 * data sources `ds1:f1,f2;ds2:f3`, and mixing both forms is an error. Only
 * Array data sources can be sorted; bool and Bytes fields cannot be keys.
 * The sort is stable; records equal on every key keep their order.
 */
import { FieldKind, type FieldAccessor } from "../runtime/index.js";
import type { RecordRef } from "../runtime/field-accessor.js";
import { findField } from "./ig-filter.js";

export class SortError extends Error {
  override readonly name = "SortError";
}

export interface SortKey {
  readonly field: string;
  readonly descending: boolean;
}

/** Sort keys by data source name ("" for every data source). */
export function parseSortSpec(spec: string): Map<string, SortKey[]> {
  const byDs = new Map<string, SortKey[]>();
  for (const part of spec.split(";")) {
    const colon = part.indexOf(":");
    const ds = colon >= 0 ? part.slice(0, colon) : "";
    const list = (colon >= 0 ? part.slice(colon + 1) : part).split(",").map((f) => f.trim()).filter((f) => f !== "");
    if (list.length === 0) continue;
    const keys = byDs.get(ds) ?? [];
    for (const f of list) keys.push(f.startsWith("-") ? { field: f.slice(1), descending: true } : { field: f, descending: false });
    byDs.set(ds, keys);
  }
  if (byDs.has("") && byDs.size > 1) throw new SortError("--sort mixes rules with and without a data source name");
  return byDs;
}

const UNSORTABLE = new Set([FieldKind.Bool, FieldKind.Bytes]);

/** Orders record indices; made once per data source. */
export type RecordSorter = (records: readonly RecordRef[]) => number[];

export function compileSorter(keys: readonly SortKey[], fields: readonly FieldAccessor[], dsName: string, isArray: boolean): RecordSorter | null {
  if (keys.length === 0) return null;
  if (!isArray) throw new SortError(`--sort can only be used on array data sources; ${dsName} is a single data source`);
  const resolved = keys.map((k) => {
    const accessor = findField(fields, k.field);
    if (accessor === undefined) throw new SortError(`--sort: field "${k.field}" not found in data source ${dsName}`);
    if (UNSORTABLE.has(accessor.kind)) throw new SortError(`--sort: field ${k.field} (${FieldKind[accessor.kind]}) cannot be used for sorting`);
    return { accessor, sign: k.descending ? -1 : 1 };
  });
  return (records) => {
    const values = records.map((r) => resolved.map((k) => k.accessor.get(r) as number | bigint | string));
    const order = records.map((_, i) => i);
    order.sort((a, b) => {
      for (let k = 0; k < resolved.length; k++) {
        const x = values[a][k];
        const y = values[b][k];
        if (x < y) return -resolved[k].sign;
        if (x > y) return resolved[k].sign;
      }
      return a - b;
    });
    return order;
  };
}
