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
import { errorText } from "./data-sources.js";
import { detectEra } from "./era-detect.js";
import { GadgetError } from "./errors.js";
import { link, type LinkOptions } from "./link.js";
import { consoleSink, Logger, type LogSink } from "./logger.js";
import type { MapRegistry } from "./maps/bpf-map.js";
import { Runtime } from "./runtime.js";
import { RuntimeShimContext } from "./runtime-shim-context.js";
import { hostArch, type SyscallArch } from "./syscalls/syscall-table.js";

export { GadgetError } from "./errors.js";
export type { FamilyOverrides, WasiProvider } from "./link.js";

/**
 * A declared param with IG's metadata, under IG's key names (api.Param in IG
 * pkg/gadget-service/api/api.proto, aeac857; gadget.yaml `params.wasm` is
 * read into it by IG's wasm operator, pkg/operators/wasm/wasm.go).
 */
export interface ParamSpec {
  readonly key: string;
  readonly description?: string;
  readonly defaultValue?: string;
  /** IG's type hint: string, bool, int32, uint64, duration, ip, ... */
  readonly typeHint?: string;
  readonly title?: string;
  /** Short (one-letter) name for command lines. */
  readonly alias?: string;
  readonly tags?: readonly string[];
  readonly valueHint?: string;
  readonly possibleValues?: readonly string[];
  readonly isMandatory?: boolean;
  readonly prefix?: string;
  readonly alternativeKey?: string;
  /** @deprecated igwasm's earlier name of isMandatory; still honoured. */
  readonly mandatory?: boolean;
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
  /**
   * Called when the guest's data-source callback traps. The host logs it and
   * goes on (as IG does); a caller that must not go on (igwasm run, igwasm
   * test) records it and fails the run.
   */
  readonly onCallbackFailure?: (failure: CallbackFailure) => void;
  /** Called as each phase begins (and "running" once start returned): for a watchdog that must say where a guest hung. */
  readonly onPhase?: (phase: Phase | "running" | "load") => void;
}

/** A trap in the guest's data-source callback: when, where and the guest's message. */
export interface CallbackFailure {
  /** The lifecycle phase during which the callback ran ("running": between start and stop). */
  readonly phase: Phase | "running" | "load";
  readonly dataSource: string;
  readonly subscriber: bigint;
  readonly message: string;
}

export type Phase = "init" | "preStart" | "start" | "stop" | "postStop";

const PHASE_EXPORTS: Record<"seed" | "v1", Record<Phase, string | null>> = {
  seed: { init: "init", preStart: null, start: "start", stop: "stop", postStop: null },
  v1: { init: "gadgetInit", preStart: "gadgetPreStart", start: "gadgetStart", stop: "gadgetStop", postStop: "gadgetPostStop" },
};

export class Gadget {
  readonly dataSources: DataSourceApi;
  /** The phase running now, for CallbackFailure.phase. */
  #phase: Phase | "running" | "load" = "load";

  constructor(
    readonly era: EraId,
    readonly eraReason: string,
    readonly runtime: Runtime,
    readonly instance: WebAssembly.Instance,
    /** The params the gadget declares (GadgetOptions.paramSpecs), with IG's metadata, as given. */
    readonly declaredParams: readonly ParamSpec[] = [],
    private readonly onPhase: (phase: Phase | "running" | "load") => void = () => {},
  ) {
    this.dataSources = new DataSourceApi(runtime.dataSources);
  }

  /** Reports guest callback traps to `report`, with the phase they happened in. */
  reportCallbackFailures(report: (failure: CallbackFailure) => void): void {
    this.runtime.dataSources.onGuestFailure = (ds, cbID, e) =>
      report({ phase: this.#phase, dataSource: ds.name, subscriber: cbID, message: errorText(e) });
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
    this.#phase = phase;
    this.onPhase(phase);
    try {
      code = (fn as () => unknown)();
    } catch (e) {
      throw new GadgetError(`${phase} failed: ${name} trapped: ${errorText(e)}`, { cause: e });
    } finally {
      // Events emitted between start and stop happen while "running".
      if (phase === "start") {
        this.#phase = "running";
        this.onPhase("running");
      }
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
    else if (spec.isMandatory || spec.mandatory) missing.push(spec.key);
  }
  if (missing.length > 0) throw new GadgetError(`missing mandatory param${missing.length > 1 ? "s" : ""}: ${missing.join(", ")}`);
  return params;
}

export async function loadGadget(wasm: BufferSource | WebAssembly.Module, options: GadgetOptions = {}): Promise<Gadget> {
  return loadGadgetSync(wasm, options);
}

/** loadGadget without the promise (wasm compilation is synchronous here; fine for modules of gadget size). */
export function loadGadgetSync(wasm: BufferSource | WebAssembly.Module, options: GadgetOptions = {}): Gadget {
  options.onPhase?.("load");
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
  const instance = link(module, era, rt, new RuntimeShimContext(rt), options);
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
  const gadget = new Gadget(era, detected.reason, rt, instance, options.paramSpecs ?? [], options.onPhase);
  if (options.onCallbackFailure) gadget.reportCallbackFailures(options.onCallbackFailure);
  return gadget;
}
