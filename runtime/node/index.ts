/**
 * The Node entry point: loadGadget with node:wasi for modules that import
 * `wasi_snapshot_preview1`, and the kernel's symbols from /proc/kallsyms.
 */
import { readFileSync } from "node:fs";
import { loadGadget, type Gadget, type GadgetOptions, type WasiProvider } from "../gadget.js";
import { LogLevel } from "../../generated/constants.js";

export * from "../index.js";

/**
 * WASI for a gadget: no files, no args or env. node:wasi is imported only
 * when a module needs it, because loading it prints an ExperimentalWarning.
 */
export async function nodeWasi(): Promise<WasiProvider> {
  const { WASI } = await import("node:wasi");
  const wasi = new WASI({ version: "preview1", args: [], env: {}, returnOnExit: true });
  return {
    imports: wasi.wasiImport as WebAssembly.ModuleImports,
    start(instance) {
      const code = wasi.start(instance);
      if (code !== 0) throw new Error(`the module exited with code ${code}`);
    },
    initialize(instance) {
      wasi.initialize(instance);
    },
  };
}

/** Kernel symbol names from /proc/kallsyms, or none when it cannot be read. */
export function readKallsyms(path = "/proc/kallsyms"): Set<string> {
  try {
    const symbols = new Set<string>();
    for (const line of readFileSync(path, "utf8").split("\n")) {
      const name = line.split(/\s+/)[2];
      if (name) symbols.add(name);
    }
    return symbols;
  } catch {
    return new Set();
  }
}

function importsWasi(wasm: BufferSource | WebAssembly.Module): boolean {
  const module = wasm instanceof WebAssembly.Module ? wasm : new WebAssembly.Module(wasm);
  return WebAssembly.Module.imports(module).some((i) => i.module === "wasi_snapshot_preview1");
}

/** loadGadget with Node defaults: node:wasi when needed, /proc/kallsyms. */
export async function loadGadgetNode(wasm: BufferSource | WebAssembly.Module, options: GadgetOptions = {}): Promise<Gadget> {
  let module: WebAssembly.Module | BufferSource = wasm;
  let wasi = options.wasi;
  try {
    module = wasm instanceof WebAssembly.Module ? wasm : new WebAssembly.Module(wasm);
    if (wasi === undefined && importsWasi(module)) wasi = await nodeWasi();
  } catch {
    // loadGadget reports malformed modules with its own message.
  }
  return loadGadget(module, { ...options, wasi, kallsyms: options.kallsyms ?? readKallsyms(), logLevel: options.logLevel ?? LogLevel.Info });
}
