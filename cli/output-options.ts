/**
 * `-o/--output` and `--fields`, per data source, with IG's syntax
 * (pkg/operators/cli/clioperator.go and GetStringValuesPerDataSource in
 * pkg/gadget-service/api-helpers/apihelpers.go, at aeac857):
 *
 *   -o json                      every data source
 *   -o ds1:json,ds2:columns      per data source; the others get the default
 *   --fields pid,comm            every data source: exactly these, in this order
 *   --fields +ppid,-comm         the default fields plus ppid, without comm
 *   --fields 'ds1:pid;ds2:+x'    per data source (`;` between data sources)
 */
import { UsageError } from "./args.js";
import { findField } from "./ig-filter.js";
import type { FieldAccessor } from "../runtime/index.js";

export const OUTPUT_MODES = ["columns", "json", "jsonpretty", "yaml", "none", "envelope"] as const;
export type OutputMode = (typeof OUTPUT_MODES)[number];

/** Per data source values ("" = every data source), as IG's GetStringValuesPerDataSource splits them. */
export function valuesPerDataSource(spec: string, option: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of spec.split(",")) {
    if (part === "") continue;
    const colon = part.indexOf(":");
    out.set(colon >= 0 ? part.slice(0, colon) : "", colon >= 0 ? part.slice(colon + 1) : part);
  }
  if (out.has("") && out.size > 1) throw new UsageError(`${option} mixes values with and without a data source name: "${spec}"`);
  return out;
}

/** `-o` parsed; `table` is accepted as the name igwasm used before for columns. */
export function parseOutputModes(spec: string): Map<string, OutputMode> {
  const modes = new Map<string, OutputMode>();
  for (const [ds, raw] of valuesPerDataSource(spec, "--output")) {
    const mode = raw === "table" ? "columns" : raw;
    if (!(OUTPUT_MODES as readonly string[]).includes(mode)) {
      throw new UsageError(`--output: unknown mode "${raw}"${ds ? ` for ${ds}` : ""} (modes: ${OUTPUT_MODES.join(", ")})`);
    }
    modes.set(ds, mode as OutputMode);
  }
  return modes;
}

export function modeFor(modes: ReadonlyMap<string, OutputMode>, ds: string, fallback: OutputMode): OutputMode {
  return modes.get(ds) ?? modes.get("") ?? fallback;
}

/** `--fields` split by data source ("" = every data source). */
export function parseFieldsSpec(spec: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of spec.split(";")) {
    const colon = part.indexOf(":");
    out.set(colon >= 0 ? part.slice(0, colon) : "", colon >= 0 ? part.slice(colon + 1) : part);
  }
  return out;
}

/**
 * The fields to print, as IG's parseFields computes them: names without a
 * sign replace the defaults (duplicates dropped), `+f` appends, `-f` removes.
 * Every name must be a field of the data source (case-insensitive).
 */
export function selectFields(list: string, all: readonly FieldAccessor[], dsName: string): FieldAccessor[] {
  const explicit: string[] = [];
  const added: string[] = [];
  const removed: string[] = [];
  for (const raw of list.split(",")) {
    const f = raw.trim();
    if (f === "") continue;
    if (f[0] === "+") added.push(f.slice(1));
    else if (f[0] === "-") removed.push(f.slice(1));
    else if (!explicit.includes(f)) explicit.push(f);
  }
  let names = explicit.length > 0 ? explicit : all.map((a) => a.name);
  for (const f of added) if (!names.includes(f)) names = [...names, f];
  names = names.filter((n) => !removed.includes(n));
  return names.map((n) => {
    const a = findField(all, n);
    if (a === undefined) throw new UsageError(`--fields: data source ${dsName} has no field "${n}" (it has ${all.map((x) => x.name).join(", ")})`);
    return a;
  });
}
