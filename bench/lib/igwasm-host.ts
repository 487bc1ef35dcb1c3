/**
 * Loads a bench guest on igwasm's host, with or without the wasm field fast
 * path, through the public loader.
 *
 * `loadGadgetSync(wasm, { fastPath })` is the contract (docs/runtime-api.md):
 * the loader gives the guest the fast path's exports as its
 * `ig.fieldGetScalar` / `ig.fieldSet` unless `fastPath: false`. Until the
 * loader has that option, this module wires the same thing itself from the
 * runtime's public pieces (Runtime, RuntimeShimContext, createIgV1Host), the
 * way the loader does for ig-v1 modules.
 */
import { createIgV1Imports } from "../../generated/host/ig-v1/index.js";
import { LogLevel } from "../../generated/constants.js";
import { createIgV1Host } from "../../runtime/eras.js";
import { Gadget, type GadgetOptions, loadGadgetSync } from "../../runtime/gadget.js";
import { Logger } from "../../runtime/logger.js";
import { Runtime } from "../../runtime/runtime.js";
import { RuntimeShimContext } from "../../runtime/runtime-shim-context.js";
import { hostArch } from "../../runtime/syscalls/syscall-table.js";
import { createFieldFastPath } from "../../runtime/fast-path/field-fast-path.js";

export interface BenchLoadOptions {
  readonly fastPath: boolean;
  /** Receives log lines (default: kept in `lines`, so a failing guest can be diagnosed). */
  readonly lines?: string[];
}

/** Whether the loader takes `fastPath` itself (then it is used as is). */
export const LOADER_HAS_FAST_PATH_OPTION: boolean = (() => {
  // The loader documents its options in GadgetOptions; a loader with the option
  // mentions `fastPath` in its source. Cheap, and exact enough for a bench switch.
  return loadGadgetSync.toString().includes("fastPath");
})();

export function loadBenchGadget(wasm: Uint8Array<ArrayBuffer>, options: BenchLoadOptions): Gadget {
  const lines = options.lines ?? [];
  const logSink = (level: LogLevel, message: string): void => void lines.push(`${level}: ${message}`);
  if (LOADER_HAS_FAST_PATH_OPTION || !options.fastPath) {
    const gadgetOptions = { logSink, logLevel: LogLevel.Warn, era: "ig-v1", fastPath: options.fastPath } as GadgetOptions;
    return loadGadgetSync(wasm, gadgetOptions);
  }
  // The loader's ig-v1 path, with the fast path in place of the two JS shims.
  const rt = new Runtime({
    logger: new Logger(logSink, LogLevel.Warn),
    params: new Map(),
    kallsyms: new Set(),
    mntnsFilter: null,
    syscallArch: hostArch(),
  });
  const fns = createIgV1Imports(createIgV1Host(rt), new RuntimeShimContext(rt));
  const fast = createFieldFastPath(rt.hostMemory.memory, fns);
  const ig = { ...fns, fieldGetScalar: fast.fieldGetScalar, fieldSet: fast.fieldSet } as unknown as WebAssembly.ModuleImports;
  const instance = new WebAssembly.Instance(new WebAssembly.Module(wasm), { ig, env: ig });
  const exp = instance.exports;
  rt.guestMemory.attach(exp.memory as WebAssembly.Memory);
  rt.guest.callback = typeof exp.dataSourceCallback === "function" ? (exp.dataSourceCallback as (cbID: bigint, ds: number, data: number) => void) : null;
  return new Gadget("ig-v1", "bench", rt, instance);
}
