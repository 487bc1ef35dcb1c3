/**
 * What the baseline hosts share: declared data sources, a handle map, the
 * warning log, and the set-up calls a guest makes once (getDataSource,
 * dataSourceGetField, dataSourceNewPacketSingle). Each host brings its own
 * handle allocation, string reading, records and field functions: those are
 * what the bench compares.
 */
import type { FieldKind } from "../../generated/constants.js";
import { BaselineDataSource } from "./layout.js";
import type { BaselineHost } from "./load.js";

export abstract class BaselineHostBase implements BaselineHost {
  protected readonly dataSources = new Map<string, BaselineDataSource>();
  protected readonly handles = new Map<number, unknown>();
  protected memory: WebAssembly.Memory | null = null;
  /** Warnings, as IG's logger would print them (the last 100). */
  readonly errors: string[] = [];

  /** Declares a host data source (bench/baselines/layout.ts lays out its records). */
  declare(name: string, fields: Record<string, FieldKind>): void {
    this.dataSources.set(name, new BaselineDataSource(name, fields));
  }

  attach(memory: WebAssembly.Memory): void {
    this.memory = memory;
  }

  protected warn(message: string): void {
    this.errors.push(message);
    if (this.errors.length > 100) this.errors.shift();
  }

  /** A new handle for `obj`; 0 when none is left. */
  protected abstract addHandle(obj: unknown): number;
  /** The packed (len << 32 | ptr) string at `packed`; null when it is outside guest memory. */
  protected abstract readString(packed: bigint): string | null;
  /** A new, zeroed record of `ds`. */
  protected abstract newRecord(ds: BaselineDataSource): unknown;
  /** The `ig` import module. */
  abstract imports(): WebAssembly.ModuleImports;

  /** The set-up calls, the same on every baseline host. */
  protected setUpImports(): WebAssembly.ModuleImports {
    return {
      getDataSource: (name: bigint): number => {
        const n = this.readString(name);
        const ds = n === null ? undefined : this.dataSources.get(n);
        return ds ? this.addHandle(ds) : 0;
      },
      dataSourceGetField: (ds: number, name: bigint): number => {
        const source = this.handles.get(ds);
        const n = this.readString(name);
        if (!(source instanceof BaselineDataSource) || n === null) return 0;
        const f = source.fields.get(n);
        return f ? this.addHandle(f) : 0;
      },
      dataSourceNewPacketSingle: (ds: number): number => {
        const source = this.handles.get(ds);
        return source instanceof BaselineDataSource ? this.addHandle(this.newRecord(source)) : 0;
      },
    };
  }
}
