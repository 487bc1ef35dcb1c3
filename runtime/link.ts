/**
 * Linking a gadget module to the host: checking its imports against the
 * spec, building the import object of its era (generated shims over the
 * runtime's families or the embedder's replacements, the wasm fast path, the
 * trace decorator, WASI) and instantiating it.
 */
import type { EraId } from "../generated/constants.js";
import { eraModules, hostFunctionsOfEra, type HostFnDescriptor } from "../generated/host/descriptors.js";
import { createEnvV1Imports, type EnvV1HostImpl } from "../generated/host/env-v1/index.js";
import { createIgV1Imports, type IgV1HostImpl } from "../generated/host/ig-v1/index.js";
import { createSeedImports, type SeedHostImpl } from "../generated/host/seed/index.js";
import { errorText } from "./data-sources.js";
import { createEnvV1Host, createIgV1Host, createSeedHost } from "./eras.js";
import { GadgetError } from "./errors.js";
import { createFieldFastPath, type FieldGetScalarImport, type FieldSetImport } from "./fast-path/field-fast-path.js";
import type { Runtime } from "./runtime.js";
import type { RuntimeShimContext } from "./runtime-shim-context.js";
import { traceImports } from "./trace.js";

/** A WASI implementation for modules that import `wasi_snapshot_preview1` (the Node entry passes node:wasi). */
export interface WasiProvider {
  /** The functions of `wasi_snapshot_preview1`. */
  readonly imports: WebAssembly.ModuleImports;
  /** Runs a command module's `_start` (an exit with code 0 is not an error). */
  start(instance: WebAssembly.Instance): void;
  /** Runs a reactor module's `_initialize`. */
  initialize(instance: WebAssembly.Instance): void;
}

/** Replacement host-function families per era, typed by the generated interfaces. */
export interface FamilyOverrides {
  readonly seed?: Partial<SeedHostImpl>;
  readonly "env-v1"?: Partial<EnvV1HostImpl>;
  readonly "ig-v1"?: Partial<IgV1HostImpl>;
}

/** How to link: the loader's options that shape the import object. */
export interface LinkOptions {
  /**
   * Replacements for the runtime's host-function families, per era: e.g.
   * `{ "ig-v1": { map: myBpfBackend, kernel: myKernelFacts } }`. Each family is
   * the generated interface of that era (`IgV1MapHost`, ...). Replacing the
   * field family turns the fast path off (it reads the runtime's records).
   */
  readonly families?: FamilyOverrides;
  /**
   * Give the guest the wasm implementations of fieldGetScalar and fieldSet
   * (runtime/fast-path), so its hottest host calls never cross into JS.
   * Results, error values and logs are the JS path's. Default true.
   */
  readonly fastPath?: boolean;
  /** Receives a line per host call and result. */
  readonly trace?: (line: string) => void;
  /** WASI for modules that import `wasi_snapshot_preview1` (the Node entry passes node:wasi). */
  readonly wasi?: WasiProvider;
}

const WASI_MODULE = "wasi_snapshot_preview1";

/**
 * Replaces the JS shims of fieldGetScalar and fieldSet by the wasm fast path,
 * which falls back to them for anything but the plain success case. env-v1
 * has fieldSet with the same wire type and contract, but no fieldGetScalar.
 */
function withFastPath(era: EraId, rt: Runtime, fns: WebAssembly.ModuleImports): WebAssembly.ModuleImports {
  if (era === "seed") return fns;
  const jsGetScalar = (fns.fieldGetScalar ?? (() => 0n)) as FieldGetScalarImport;
  const fast = createFieldFastPath(rt.hostMemory.memory, { fieldGetScalar: jsGetScalar, fieldSet: fns.fieldSet as FieldSetImport });
  return era === "ig-v1" ? { ...fns, fieldGetScalar: fast.fieldGetScalar, fieldSet: fast.fieldSet } : { ...fns, fieldSet: fast.fieldSet };
}

function createImports(era: EraId, rt: Runtime, ctx: RuntimeShimContext, families: FamilyOverrides): WebAssembly.ModuleImports {
  switch (era) {
    case "seed":
      return createSeedImports({ ...createSeedHost(rt), ...families.seed }, ctx) as unknown as WebAssembly.ModuleImports;
    case "env-v1":
      return createEnvV1Imports({ ...createEnvV1Host(rt), ...families["env-v1"] }, ctx) as unknown as WebAssembly.ModuleImports;
    case "ig-v1":
      return createIgV1Imports({ ...createIgV1Host(rt), ...families["ig-v1"] }, ctx) as unknown as WebAssembly.ModuleImports;
  }
}

/** Every import the module asks for must be a host function of its era, WASI, or nothing else. */
function checkImports(module: WebAssembly.Module, era: EraId, modules: readonly string[], functions: readonly HostFnDescriptor[], wasi: boolean): void {
  const problems: string[] = [];
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.module === WASI_MODULE) {
      if (!wasi) problems.push(`imports ${WASI_MODULE}.${imp.name}, but no WASI implementation was given (the Node entry provides one)`);
      continue;
    }
    if (!modules.includes(imp.module)) {
      problems.push(`imports ${imp.module}.${imp.name} from an unknown module (era ${era} offers ${modules.join(", ")})`);
    } else if (imp.kind !== "function") {
      problems.push(`imports ${imp.module}.${imp.name} as a ${imp.kind}; the host offers only functions`);
    } else if (!functions.some((f) => f.name === imp.name)) {
      problems.push(`imports ${imp.module}.${imp.name}, which the ${era} era does not have`);
    }
  }
  if (problems.length > 0) throw new GadgetError(`cannot link the module:\n  ${problems.join("\n  ")}`);
}

/**
 * Instantiates `module` for `era` over the runtime `rt`. The import object
 * offers the era's functions under its module name(s); the fast path replaces
 * the JS field shims unless turned off, or unless the guest declared them with
 * another type (a LinkError), or the field family is replaced.
 */
export function link(module: WebAssembly.Module, era: EraId, rt: Runtime, ctx: RuntimeShimContext, options: LinkOptions): WebAssembly.Instance {
  const { module: mainModule, extraModules } = eraModules[era];
  const modules = [mainModule, ...extraModules];
  const descriptors = hostFunctionsOfEra(era);
  checkImports(module, era, modules, descriptors, options.wasi !== undefined);

  const families = options.families ?? {};
  const jsFns = createImports(era, rt, ctx, families);
  const fastPath = options.fastPath !== false && families[era]?.field === undefined;
  const instantiate = (fns: WebAssembly.ModuleImports): WebAssembly.Instance => {
    const importObject: WebAssembly.Imports = {};
    for (const name of modules) importObject[name] = options.trace ? traceImports(fns, name, descriptors, options.trace) : fns;
    if (options.wasi) importObject[WASI_MODULE] = options.wasi.imports;
    return new WebAssembly.Instance(module, importObject);
  };
  try {
    try {
      return instantiate(fastPath ? withFastPath(era, rt, jsFns) : jsFns);
    } catch (e) {
      // A wasm function passed as an import must match the guest's import type exactly; a guest that
      // declares fieldGetScalar or fieldSet with another type gets the JS shims, which accept any.
      if (!(e instanceof WebAssembly.LinkError) || !fastPath) throw e;
      return instantiate(jsFns);
    }
  } catch (e) {
    throw new GadgetError(`cannot instantiate the module: ${errorText(e)}`, { cause: e });
  }
}
