/**
 * Loading a gadget module and driving its lifecycle.
 *
 * loadGadget compiles the module, detects its era, checks its imports
 * against the spec, instantiates it with the era's generated import shims
 * (under the era's module name and, for ig-v1, also `env`), attaches its
 * memory, runs its WASI/reactor initialiser and checks gadgetAPIVersion.
 * The phases then run on request; a failing phase throws a GadgetError that
 * names the phase, the export and the return code or trap.
 */
import { ApiVersion, type EraId, GuestMemoryMaxPages, LogLevel } from "../generated/constants.js";
import { createEnvV1Imports, type EnvV1HostImpl } from "../generated/host/env-v1/index.js";
import { createIgV1Imports, type IgV1HostImpl } from "../generated/host/ig-v1/index.js";
import { createSeedImports, type SeedHostImpl } from "../generated/host/seed/index.js";
import { eraModules, hostFunctionsOfEra, type HostFnDescriptor } from "../generated/host/descriptors.js";
import { DataSourceApi } from "./data-source-api.js";
import { detectEra } from "./era-detect.js";
import { createEnvV1Host, createIgV1Host, createSeedHost } from "./eras.js";
import { errorText } from "./data-sources.js";
import { consoleSink, Logger, type LogSink } from "./logger.js";
import type { MapRegistry } from "./maps/bpf-map.js";
import { Runtime } from "./runtime.js";
import { RuntimeShimContext } from "./runtime-shim-context.js";
import { hostArch, type SyscallArch } from "./syscalls/syscall-table.js";
import { traceImports } from "./trace.js";
import { createFieldFastPath, type FieldGetScalarImport, type FieldSetImport } from "./fast-path/field-fast-path.js";

export class GadgetError extends Error {
  override readonly name = "GadgetError";
}

/** A WASI implementation for modules that import `wasi_snapshot_preview1` (the Node entry passes node:wasi). */
export interface WasiProvider {
  /** The functions of `wasi_snapshot_preview1`. */
  readonly imports: WebAssembly.ModuleImports;
  /** Runs a command module's `_start` (an exit with code 0 is not an error). */
  start(instance: WebAssembly.Instance): void;
  /** Runs a reactor module's `_initialize`. */
  initialize(instance: WebAssembly.Instance): void;
}

export interface ParamSpec {
  readonly key: string;
  readonly defaultValue?: string;
  readonly mandatory?: boolean;
  readonly description?: string;
}

export interface GadgetOptions {
  /** Where log lines go (default: stderr as `level: message`). */
  readonly logSink?: LogSink;
  /** Most verbose level written (default Info). */
  readonly logLevel?: LogLevel;
  /** Param values by key (getParamValue). */
  readonly params?: Readonly<Record<string, string>>;
  /** Declared params (gadget metadata `params.wasm`): defaults applied, missing mandatory ones rejected. */
  readonly paramSpecs?: readonly ParamSpec[];
  /** The era; detected from the module's imports and exports when omitted. */
  readonly era?: EraId;
  readonly wasi?: WasiProvider;
  /** Kernel symbols for kallsymsSymbolExists (default: none). */
  readonly kallsyms?: Iterable<string>;
  /** Mount namespaces to keep; events of others are discarded (default: no filter). */
  readonly mntnsFilter?: Iterable<bigint> | null;
  readonly syscallArch?: SyscallArch;
  /** Receives a line per host call and result. */
  readonly trace?: (line: string) => void;
  /**
   * Give the guest the wasm implementations of fieldGetScalar and fieldSet
   * (runtime/fast-path), so its hottest host calls never cross into JS.
   * Results, error values and logs are the JS path's. Default true.
   */
  readonly fastPath?: boolean;
  /**
   * Replacements for the runtime's host-function families, per era: e.g.
   * `{ "ig-v1": { map: myBpfBackend, kernel: myKernelFacts } }`. Each family is
   * the generated interface of that era (`IgV1MapHost`, ...). Replacing the
   * field family turns the fast path off (it reads the runtime's records).
   */
  readonly families?: FamilyOverrides;
}

export interface FamilyOverrides {
  readonly seed?: Partial<SeedHostImpl>;
  readonly "env-v1"?: Partial<EnvV1HostImpl>;
  readonly "ig-v1"?: Partial<IgV1HostImpl>;
}

type Phase = "init" | "preStart" | "start" | "stop" | "postStop";

const PHASE_EXPORTS: Record<"seed" | "v1", Record<Phase, string | null>> = {
  seed: { init: "init", preStart: null, start: "start", stop: "stop", postStop: null },
  v1: { init: "gadgetInit", preStart: "gadgetPreStart", start: "gadgetStart", stop: "gadgetStop", postStop: "gadgetPostStop" },
};

const WASI_MODULE = "wasi_snapshot_preview1";

export class Gadget {
  readonly dataSources: DataSourceApi;

  constructor(
    readonly era: EraId,
    readonly eraReason: string,
    readonly runtime: Runtime,
    readonly instance: WebAssembly.Instance,
  ) {
    this.dataSources = new DataSourceApi(runtime.dataSources);
  }

  get maps(): MapRegistry {
    return this.runtime.maps;
  }

  /** Configuration the gadget set with setConfig. */
  get config(): ReadonlyMap<string, string> {
    return this.runtime.config;
  }

  get exports(): WebAssembly.Exports {
    return this.instance.exports;
  }

  init(): void {
    this.phase("init");
  }

  preStart(): void {
    this.phase("preStart");
  }

  start(): void {
    this.phase("start");
  }

  stop(): void {
    this.phase("stop");
  }

  postStop(): void {
    this.phase("postStop");
  }

  /** Runs init, preStart and start, then `whileRunning`, then stop and postStop (stop runs even if `whileRunning` throws). */
  run(whileRunning?: () => void): void {
    this.init();
    this.preStart();
    this.start();
    try {
      whileRunning?.();
    } finally {
      this.stop();
      this.postStop();
    }
  }

  private phase(phase: Phase): void {
    const name = PHASE_EXPORTS[this.era === "seed" ? "seed" : "v1"][phase];
    if (name === null) return;
    const fn = this.instance.exports[name];
    if (fn === undefined) return;
    if (typeof fn !== "function") throw new GadgetError(`${phase} failed: export ${name} is not a function`);
    let code: unknown;
    try {
      code = (fn as () => unknown)();
    } catch (e) {
      throw new GadgetError(`${phase} failed: ${name} trapped: ${errorText(e)}`, { cause: e });
    }
    if (typeof code === "number" && code !== 0) throw new GadgetError(`${phase} failed: ${name} returned ${code}`);
  }
}

function compile(wasm: BufferSource | WebAssembly.Module): WebAssembly.Module {
  if (wasm instanceof WebAssembly.Module) return wasm;
  try {
    return new WebAssembly.Module(wasm);
  } catch (e) {
    throw new GadgetError(`not a valid wasm module: ${errorText(e)}`, { cause: e });
  }
}

function resolveParams(options: GadgetOptions): Map<string, string> {
  const params = new Map(Object.entries(options.params ?? {}));
  const missing: string[] = [];
  for (const spec of options.paramSpecs ?? []) {
    if (params.has(spec.key)) continue;
    if (spec.defaultValue !== undefined) params.set(spec.key, spec.defaultValue);
    else if (spec.mandatory) missing.push(spec.key);
  }
  if (missing.length > 0) throw new GadgetError(`missing mandatory param${missing.length > 1 ? "s" : ""}: ${missing.join(", ")}`);
  return params;
}

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

export async function loadGadget(wasm: BufferSource | WebAssembly.Module, options: GadgetOptions = {}): Promise<Gadget> {
  return loadGadgetSync(wasm, options);
}

/** loadGadget without the promise (wasm compilation is synchronous here; fine for modules of gadget size). */
export function loadGadgetSync(wasm: BufferSource | WebAssembly.Module, options: GadgetOptions = {}): Gadget {
  const module = compile(wasm);
  const detected = options.era ? { era: options.era, reason: "given by the caller" } : detectEra(module);
  const era = detected.era;
  const logger = new Logger(options.logSink ?? consoleSink, options.logLevel ?? LogLevel.Info);
  const rt = new Runtime({
    logger,
    params: resolveParams(options),
    kallsyms: new Set(options.kallsyms ?? []),
    mntnsFilter: options.mntnsFilter ? new Set(Array.from(options.mntnsFilter, (id) => BigInt.asUintN(64, id))) : null,
    syscallArch: options.syscallArch ?? hostArch(),
  });
  const ctx = new RuntimeShimContext(rt);
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

  let instance: WebAssembly.Instance;
  try {
    try {
      instance = instantiate(fastPath ? withFastPath(era, rt, jsFns) : jsFns);
    } catch (e) {
      // A wasm function passed as an import must match the guest's import type exactly; a guest that
      // declares fieldGetScalar or fieldSet with another type gets the JS shims, which accept any.
      if (!(e instanceof WebAssembly.LinkError) || !fastPath) throw e;
      instance = instantiate(jsFns);
    }
  } catch (e) {
    throw new GadgetError(`cannot instantiate the module: ${errorText(e)}`, { cause: e });
  }
  const exp = instance.exports;
  if (!(exp.memory instanceof WebAssembly.Memory)) throw new GadgetError("the module exports no memory named \"memory\"");
  // IG gives a module at most 256 pages. A module-defined memory cannot be capped from JS once it
  // exists, so we refuse modules that start above the limit (as IG's engine does) and no more.
  const pages = exp.memory.buffer.byteLength / 65536;
  if (pages > GuestMemoryMaxPages) throw new GadgetError(`the module's memory starts at ${pages} pages; IG allows at most ${GuestMemoryMaxPages}`);
  rt.guestMemory.attach(exp.memory);
  const callbackName = era === "seed" ? "dsCallback" : "dataSourceCallback";
  const callback = exp[callbackName];
  rt.guest.callback = typeof callback === "function" ? (callback as (cbID: bigint, ds: number, data: number) => void) : null;
  rt.guest.malloc = typeof exp.malloc === "function" ? (exp.malloc as (size: number) => number) : null;

  try {
    if (options.wasi) {
      if (typeof exp._start === "function") options.wasi.start(instance);
      else if (typeof exp._initialize === "function") options.wasi.initialize(instance);
    } else {
      if (typeof exp._initialize === "function") (exp._initialize as () => void)();
      if (typeof exp._start === "function") (exp._start as () => void)();
    }
  } catch (e) {
    throw new GadgetError(`the module's initialiser failed: ${errorText(e)}`, { cause: e });
  }

  if (era !== "seed") {
    const version = exp.gadgetAPIVersion;
    if (typeof version !== "function") throw new GadgetError(`the module exports no gadgetAPIVersion (required in era ${era})`);
    let v: unknown;
    try {
      v = (version as () => unknown)();
    } catch (e) {
      throw new GadgetError(`gadgetAPIVersion trapped: ${errorText(e)}`, { cause: e });
    }
    if (BigInt(v as bigint) !== BigInt(ApiVersion)) throw new GadgetError(`gadget API version ${String(v)} is not supported (this host implements ${ApiVersion})`);
  }
  return new Gadget(era, detected.reason, rt, instance);
}
