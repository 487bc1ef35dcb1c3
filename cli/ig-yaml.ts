/**
 * IG's `yaml` output: each record (array packets: each element) as its own
 * YAML document, `---` first, keys in name order. IG converts its JSON output
 * to YAML (pkg/operators/cli/clioperator.go yamlDataFn at aeac857), so the
 * values are the JSON ones: exact integers, hex Bytes, floats as numbers.
 * Scalars are quoted where YAML would otherwise read them as another type
 * (the `yaml` package's rules, which may quote differently from Go's).
 */
import { stringify } from "yaml";
import { FieldKind, type FieldAccessor } from "../runtime/index.js";
import type { RecordRef } from "../runtime/field-accessor.js";
import { float32Text, hexBytes } from "./ig-json.js";

function yamlValue(a: FieldAccessor, r: RecordRef): unknown {
  const v = a.get(r);
  switch (a.kind) {
    case FieldKind.Float32:
      return Number.isFinite(v) ? Number(float32Text(v as number)) : null;
    case FieldKind.Float64:
      return Number.isFinite(v) ? v : null;
    case FieldKind.Bytes:
      return hexBytes(v as Uint8Array);
    default:
      return v;
  }
}

export function yamlFormatter(accessors: readonly FieldAccessor[]): { record(r: RecordRef): string } {
  const sorted = [...accessors].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    record(r: RecordRef): string {
      const obj: Record<string, unknown> = {};
      for (const a of sorted) obj[a.name] = yamlValue(a, r);
      return `---\n${stringify(obj, { lineWidth: 0 })}`;
    },
  };
}
