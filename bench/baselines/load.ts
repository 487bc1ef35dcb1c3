/** Instantiates a bench guest on one of the baseline hosts (plain, naive). */
import type { FieldKind } from "../../generated/constants.js";

/** What the baseline hosts have in common: a declared data source, an `ig` import module, the guest's memory. */
export interface BaselineHost {
  declare(name: string, fields: Record<string, FieldKind>): void;
  imports(): WebAssembly.ModuleImports;
  attach(memory: WebAssembly.Memory): void;
  /** Warnings the host logged (a correct bench run logs none). */
  readonly errors: string[];
}

/** Declares data source `dsName` with `fields` on `host`, then instantiates `wasm` against it. */
export function loadOnBaseline<H extends BaselineHost>(host: H, wasm: Uint8Array<ArrayBuffer>, dsName: string, fields: Record<string, FieldKind>): { host: H; exports: WebAssembly.Exports } {
  host.declare(dsName, fields);
  const instance = new WebAssembly.Instance(new WebAssembly.Module(wasm), { ig: host.imports() });
  host.attach(instance.exports.memory as WebAssembly.Memory);
  return { host, exports: instance.exports };
}
