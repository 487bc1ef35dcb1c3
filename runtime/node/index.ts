/**
 * The Node entry point: loadGadget with node:wasi for modules that import
 * `wasi_snapshot_preview1`, and the kernel's symbols from /proc/kallsyms.
 */
import { readFileSync } from "node:fs";
import { bytesOf, loadGadget, type Gadget, type GadgetOptions, type WasiProvider } from "../gadget.js";
import { WASI_MODULE } from "../release-detect.js";
import { readWasmSignatures } from "../wasm-signatures.js";
import { LogLevel } from "../../generated/constants.js";

export * from "../index.js";

/**
 * WASI for a gadget: no files, no args or env. node:wasi is imported only
 * when a module needs it, and without the ExperimentalWarning Node prints
 * when it is loaded: that warning is about Node, not about the gadget, and
 * would land in the embedder's (and `igwasm run`'s) output.
 */
export async function nodeWasi(): Promise<WasiProvider> {
  const { WASI } = await withoutWasiWarning(() => import("node:wasi"));
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

/** Runs `f` with Node's "WASI is an experimental feature" warning dropped (every other warning passes). */
async function withoutWasiWarning<T>(f: () => Promise<T>): Promise<T> {
  const original = process.emitWarning;
  process.emitWarning = function (this: NodeJS.Process, warning: string | Error, ...rest: unknown[]): void {
    if (/WASI is an experimental feature/.test(typeof warning === "string" ? warning : warning.message)) return;
    (original as (...args: unknown[]) => void).call(this, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    return await f();
  } finally {
    process.emitWarning = original;
  }
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
  try {
    const imports = wasm instanceof WebAssembly.Module ? WebAssembly.Module.imports(wasm) : readWasmSignatures(bytesOf(wasm)).imports;
    return imports.some((i) => i.module === WASI_MODULE);
  } catch {
    return false; // loadGadget reports malformed modules with its own message.
  }
}

/**
 * loadGadget with Node defaults: node:wasi when needed, /proc/kallsyms. The
 * bytes go to loadGadget as they are: release detection reads the import
 * signatures from them (a compiled Module only tells names).
 */
export async function loadGadgetNode(wasm: BufferSource | WebAssembly.Module, options: GadgetOptions = {}): Promise<Gadget> {
  const wasi = options.wasi ?? (importsWasi(wasm) ? await nodeWasi() : undefined);
  return loadGadget(wasm, { ...options, wasi, kallsyms: options.kallsyms ?? readKallsyms(), logLevel: options.logLevel ?? LogLevel.Info });
}
