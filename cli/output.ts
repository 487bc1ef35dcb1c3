/**
 * Printing what a gadget emits, per data source, the way `ig run` does:
 * filter (`--filter`), sort array packets (`--sort`), select fields
 * (`--fields`), then format in the data source's output mode (`-o`):
 *
 *   columns     IG's text columns, header first, streamed (cli/ig-columns.ts)
 *   json        IG's JSON: the record, an array packet as a JSON array (cli/ig-json.ts)
 *   jsonpretty  the same, indented
 *   yaml        one YAML document per record (cli/ig-yaml.ts)
 *   none        nothing
 *   envelope    igwasm's own: {"ds":"<name>","data":<json>} a line, so that
 *               several data sources can share one stream; the record sits
 *               under "data", so no field name can collide with "ds"
 *
 * Each data source gets a plan (its formatter, predicate and sorter) when it
 * is first seen; `prepare` makes the plans of the data sources that exist
 * after the gadget's init (and prints the column headers then, as IG does at
 * PreStart), so that a bad `--fields`, `--filter` or `--sort` is reported
 * before any event.
 */
import type { ArrayView, EventView, FieldAccessor, HostDataSource } from "../runtime/index.js";
import type { RecordRef } from "../runtime/field-accessor.js";
import { UsageError } from "./args.js";
import { ColumnsFormatter, columnFor } from "./ig-columns.js";
import { compileFilter, FilterError, type FilterRule, type RecordPredicate } from "./ig-filter.js";
import { jsonArray, jsonFormatter, jsonRecordWriter, jsonString } from "./ig-json.js";
import { compileSorter, SortError, type RecordSorter, type SortKey } from "./ig-sort.js";
import { modeFor, selectFields, type OutputMode } from "./output-options.js";
import type { BatchedWriter } from "./io.js";

export interface PrintOptions {
  readonly modes: ReadonlyMap<string, OutputMode>;
  /** The mode of data sources `modes` does not name. */
  readonly defaultMode: OutputMode;
  /** `--fields` by data source ("" = every data source). */
  readonly fields: ReadonlyMap<string, string>;
  /** `--filter` rules for every data source, and per data source (`--filter.<ds>`). */
  readonly filter: readonly FilterRule[];
  readonly filterByDs: ReadonlyMap<string, readonly FilterRule[]>;
  /** `--sort` keys by data source ("" = every data source). */
  readonly sort: ReadonlyMap<string, readonly SortKey[]>;
  /** Also print data sources the gadget unreferenced. */
  readonly showAll: boolean;
  /** Terminal width for columns (0: not a terminal, no scaling). */
  readonly terminalWidth: number;
  /** The YAML formatter, loaded only when a data source prints YAML. */
  readonly yaml: ((accessors: readonly FieldAccessor[]) => { record(r: RecordRef): string }) | null;
}

interface Plan {
  single(ev: EventView): void;
  array(view: ArrayView): void;
}

const SKIP: Plan = { single() {}, array() {} };

/** Wraps filter, sort and field errors as usage errors (they come from the command line). */
function asUsage<T>(make: () => T): T {
  try {
    return make();
  } catch (e) {
    if (e instanceof FilterError) throw new UsageError(`--filter: ${e.message}`);
    if (e instanceof SortError) throw new UsageError(e.message);
    throw e;
  }
}

export class Printer {
  private readonly plans = new Map<HostDataSource, Plan>();

  constructor(
    private readonly options: PrintOptions,
    private readonly out: BatchedWriter,
  ) {}

  /** Makes the plans of the given data sources now (after init); prints single data sources' column headers. */
  prepare(sources: readonly HostDataSource[]): void {
    for (const ds of sources) this.plan(ds);
  }

  /** The subscriber: one packet of `ds`. */
  packet(ev: EventView | ArrayView, ds: HostDataSource): void {
    const plan = this.plans.get(ds) ?? this.plan(ds);
    if (ds.type === "array") plan.array(ev as ArrayView);
    else plan.single(ev as EventView);
  }

  /** Names given to -o, --fields, --filter.<ds> or --sort that match no data source the gadget made. */
  unusedNames(existing: readonly string[]): string[] {
    const o = this.options;
    const named = new Set([...o.modes.keys(), ...o.fields.keys(), ...o.filterByDs.keys(), ...o.sort.keys()]);
    named.delete("");
    return [...named].filter((n) => !existing.includes(n));
  }

  private plan(ds: HostDataSource): Plan {
    let plan = this.plans.get(ds);
    if (plan !== undefined) return plan;
    const o = this.options;
    const mode = modeFor(o.modes, ds.name, o.defaultMode);
    plan = !o.showAll && !ds.referenced ? SKIP : mode === "none" ? SKIP : asUsage(() => this.makePlan(ds, mode));
    this.plans.set(ds, plan);
    return plan;
  }

  private makePlan(ds: HostDataSource, mode: OutputMode): Plan {
    const o = this.options;
    const all = ds.accessors();
    const fieldList = o.fields.get(ds.name) ?? o.fields.get("");
    const shown = fieldList === undefined ? all : selectFields(fieldList, all, ds.name);
    const rules = [...o.filter, ...(o.filterByDs.get(ds.name) ?? [])];
    const keep = compileFilter(rules, all, ds.name);
    const sortKeys = o.sort.get(ds.name) ?? o.sort.get("") ?? [];
    const sorter = compileSorter(sortKeys, all, ds.name, ds.type === "array");
    const out = this.out;

    if (mode === "columns") {
      const columns = new ColumnsFormatter(shown.map(columnFor), o.terminalWidth);
      const header = columns.header() + "\n";
      if (ds.type === "single") {
        out.write(header);
        return {
          single(ev) {
            if (keep === null || keep(ev)) out.write(columns.row(ev) + "\n");
          },
          array() {},
        };
      }
      return {
        single() {},
        array(view) {
          // IG prints the header before every array packet.
          let text = header;
          for (const r of selectRecords(view, keep, sorter)) text += columns.row(r) + "\n";
          out.write(text);
        },
      };
    }

    if (mode === "yaml") {
      const yaml = o.yaml!(shown);
      return {
        single(ev) {
          if (keep === null || keep(ev)) out.write(yaml.record(ev));
        },
        array(view) {
          for (const r of selectRecords(view, keep, sorter)) out.write(yaml.record(r));
        },
      };
    }

    const pretty = mode === "jsonpretty";
    const record = jsonFormatter(shown, pretty);
    const element = pretty ? jsonFormatter(shown, true, true) : record;
    const [before, after] = mode === "envelope" ? [`{"ds":${jsonString(ds.name)},"data":`, "}\n"] : ["", "\n"];
    // Compact records, the bulk of most runs, are written as bytes (the same text).
    const writeRecord = pretty ? null : jsonRecordWriter(shown, before, after);
    return {
      single(ev) {
        if (keep !== null && !keep(ev)) return;
        if (writeRecord !== null) writeRecord(ev, out);
        else out.write(before + record.record(ev) + after);
      },
      array(view) {
        const texts = selectRecords(view, keep, sorter).map((r) => element.record(r));
        out.write(before + jsonArray(texts, pretty) + after);
      },
    };
  }
}

/** The records of an array packet that pass the filter, in sort order. */
function selectRecords(view: ArrayView, keep: RecordPredicate | null, sorter: RecordSorter | null): RecordRef[] {
  const records: RecordRef[] = [];
  for (let i = 0; i < view.length; i++) {
    const e = view.at(i);
    if (keep === null || keep(e)) records.push({ slot: e.slot, addr: e.addr });
  }
  if (sorter === null) return records;
  return sorter(records).map((i) => records[i]);
}
