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
import { DataSourceApi } from "./data-source-api.js";
import { detectEra } from "./era-detect.js";
import { errorText, GadgetError } from "./errors.js";
import { type Limits, resolveLimits } from "./budgets.js";
import { link, type LinkOptions } from "./link.js";
import { consoleSink, Logger, type LogSink } from "./logger.js";
import type { MapRegistry } from "./maps/bpf-map.js";
import { Runtime } from "./runtime.js";
import { RuntimeShimContext } from "./runtime-shim-context.js";
import { hostArch, type SyscallArch } from "./syscalls/syscall-table.js";

export { GadgetError } from "./errors.js";
export type { FamilyOverrides, WasiProvider } from "./link.js";

export interface ParamSpec {
  readonly key: string;
  readonly defaultValue?: string;
  readonly mandatory?: boolean;
  readonly description?: string;
}

export interface GadgetOptions extends LinkOptions {
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
  /** Kernel symbols for kallsymsSymbolExists (default: none). */
  readonly kallsyms?: Iterable<string>;
  /** Mount namespaces to keep; events of others are discarded (default: no filter). */
  readonly mntnsFilter?: Iterable<bigint> | null;
  readonly syscallArch?: SyscallArch;
  /** Per-gadget budgets (docs/limits.md); each omitted one keeps its default (DEFAULT_LIMITS). */
  readonly limits?: Partial<Limits>;
}

type Phase = "init" | "preStart" | "start" | "stop" | "postStop";

const PHASE_EXPORTS: Record<"seed" | "v1", Record<Phase, string | null>> = {
  seed: { init: "init", preStart: null, start: "start", stop: "stop", postStop: null },
  v1: { init: "gadgetInit", preStart: "gadgetPreStart", start: "gadgetStart", stop: "gadgetStop", postStop: "gadgetPostStop" },
};

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

  /**
   * Runs init, preStart and start, then `whileRunning`, then stop and postStop.
   * As in IG at aeac857: its wasm operator calls gadgetStop and gadgetPostStop
   * from two independent methods (pkg/operators/wasm/wasm.go, Stop and
   * PostStop), and the gadget context calls them in turn and joins their
   * errors (pkg/gadget-context/run.go; a failing start returns at once). So a
   * failing init, preStart or start ends run() there; once start succeeded,
   * stop and postStop both run whatever fails.
   * run() throws the first failure (the callback's, stop's, postStop's) and
   * logs the later ones at error level.
   */
  run(whileRunning?: () => void): void {
    this.init();
    this.preStart();
    this.start();
    const failures: unknown[] = [];
    for (const step of [() => whileRunning?.(), () => this.stop(), () => this.postStop()]) {
      try {
        step();
      } catch (e) {
        failures.push(e);
      }
    }
    for (const later of failures.slice(1)) this.runtime.logger.error(errorText(later));
    if (failures.length > 0) throw failures[0];
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

/**
 * gadgetAPIVersion returns one i64 (a bigint in JS). IG (wasm.go at aeac857)
 * compares the raw 64 bits of its single result with 1; here any other result
 * type is refused (an f64 1.0 cannot be told from an i32 1 in JS, and IG
 * refuses the f64), with a GadgetError that says what came back.
 */
function checkApiVersion(v: unknown): void {
  if (typeof v !== "bigint") {
    const shown = typeof v === "function" ? "a function" : Array.isArray(v) ? `${v.length} values` : `${typeof v} ${errorText(v)}`;
    throw new GadgetError(`gadgetAPIVersion returned ${shown}; its result must be one i64`);
  }
  if (v !== BigInt(ApiVersion)) throw new GadgetError(`gadget API version ${v} is not supported (this host implements ${ApiVersion})`);
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

export async function loadGadget(wasm: BufferSource | WebAssembly.Module, options: GadgetOptions = {}): Promise<Gadget> {
  return loadGadgetSync(wasm, options);
}

/**
 * loadGadget without the promise (wasm compilation is synchronous here; fine
 * for modules of gadget size). Every failure is a GadgetError, whatever the
 * module or the embedder's options (a WASI provider, families) threw.
 */
export function loadGadgetSync(wasm: BufferSource | WebAssembly.Module, options: GadgetOptions = {}): Gadget {
  try {
    return load(wasm, options);
  } catch (e) {
    if (e instanceof GadgetError) throw e;
    throw new GadgetError(`cannot load the module: ${errorText(e)}`, { cause: e });
  }
}

function load(wasm: BufferSource | WebAssembly.Module, options: GadgetOptions): Gadget {
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
    limits: resolveLimits(options.limits),
  });
  const instance = link(module, era, rt, new RuntimeShimContext(rt), options);
  const exp = instance.exports;
  if (!(exp.memory instanceof WebAssembly.Memory)) throw new GadgetError("the module exports no memory named \"memory\"");
  // IG gives a module at most 256 pages. A module-defined memory cannot be capped from JS once it
  // exists, so we refuse modules that start above the limit (as IG's engine does) and no more.
  // A shared memory's buffer is a SharedArrayBuffer that growth does not detach, so the host's cached
  // views would keep the old bounds; IG's guests (TinyGo, Rust, C without threads) never declare one.
  if (!(exp.memory.buffer instanceof ArrayBuffer)) {
    throw new GadgetError("the module's memory is shared; IG's gadgets use an unshared memory, and the host supports no other");
  }
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
    checkApiVersion(v);
  }
  return new Gadget(era, detected.reason, rt, instance);
}
