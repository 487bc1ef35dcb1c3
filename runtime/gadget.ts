/**
 * Loading a gadget module and driving its lifecycle.
 *
 * loadGadget compiles the module, detects its profile, checks its imports
 * against the spec, instantiates it with the profile's generated import shims
 * (under the profile's module name and, for ig-v1, also `env`), attaches its
 * memory, runs its WASI/reactor initialiser and checks gadgetAPIVersion.
 * The phases then run on request; a failing phase throws a GadgetError that
 * names the phase, the export and the return code or trap.
 */
import { ApiVersion, GuestExport, type ProfileId, GuestMemoryMaxPages, LogLevel, MemoryExport } from "../generated/constants.js";
import { exportOfRole } from "./guest-exports.js";
import { behaviourOfRelease, type HostBehaviour, type IgRelease } from "../generated/releases.js";
import { DataSourceApi } from "./data-source-api.js";
import { parseIgRelease, resolveRelease, type ReleaseResolution } from "./release-detect.js";
import { capMemoryPages } from "./memory-cap.js";
import { readWasmSignatures, type FuncType, type WasmSignatures } from "./wasm-signatures.js";
import { errorText, GadgetError } from "./errors.js";
import { type Limits, resolveLimits } from "./budgets.js";
import { HandleCreations, type OpenHandle } from "./leaks.js";
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
  /**
   * The IG release the module was built for (`v0.37.0`, `v0.37`, `pre-release`):
   * its ABI and host behaviours are used, and every import is checked against
   * it. Detected from the module's imports and exports when omitted.
   */
  readonly igVersion?: string;
  /** Kernel symbols for kallsymsSymbolExists (default: none). */
  readonly kallsyms?: Iterable<string>;
  /** Mount namespaces to keep; events of others are discarded (default: no filter). */
  readonly mntnsFilter?: Iterable<bigint> | null;
  readonly syscallArch?: SyscallArch;
  /** Host behaviours of the IG release the module was built for (default: CURRENT_BEHAVIOUR, the newest). */
  readonly behaviour?: HostBehaviour;
  /** Per-gadget budgets (docs/limits.md); each omitted one keeps its default (DEFAULT_LIMITS). */
  readonly limits?: Partial<Limits>;
  /**
   * Called when the guest's data-source callback traps. The host logs it and
   * goes on (as IG does); a caller that must not go on (igwasm run, igwasm
   * test) records it and fails the run.
   */
  readonly onCallbackFailure?: (failure: CallbackFailure) => void;
  /** Called as each phase begins (and "running" once start returned): for a watchdog that must say where a guest hung. */
  readonly onPhase?: (phase: Phase | "running" | "load") => void;
  /**
   * Called once gadgetStop returned (or failed), before the host invalidates
   * every handle: the handles the guest still holds that a host call gave it,
   * each with that call (decoded) and its phase, in creation order. Turning
   * it on wraps the handle-creating host functions (runtime/leaks.ts).
   */
  readonly onLeaks?: (open: readonly OpenHandle[]) => void;
}

/** A trap in the guest's data-source callback: when, where and the guest's message. */
export interface CallbackFailure {
  /** The lifecycle phase during which the callback ran ("running": between start and stop). */
  readonly phase: Phase | "running" | "load";
  readonly dataSource: string;
  readonly subscriber: bigint;
  readonly message: string;
}

/** A lifecycle phase; each is the role of a guest export (spec/exports.yaml says which, per release). */
export type Phase = "init" | "preStart" | "start" | "stop" | "postStop";

export class Gadget {
  readonly dataSources: DataSourceApi;
  /** The phase running now, for CallbackFailure.phase. */
  #phase: Phase | "running" | "load" = "load";

  /** The ABI profile the module was linked with. */
  readonly profile: ProfileId;
  /** The IG release whose ABI and behaviours the host uses. */
  readonly release: IgRelease;

  constructor(
    readonly resolution: ReleaseResolution,
    readonly behaviour: HostBehaviour,
    readonly runtime: Runtime,
    readonly instance: WebAssembly.Instance,
    /** The params the gadget declares (GadgetOptions.paramSpecs), with IG's metadata, as given. */
    readonly declaredParams: readonly ParamSpec[] = [],
    private readonly onPhase: (phase: Phase | "running" | "load") => void = () => {},
  ) {
    this.profile = resolution.profile;
    this.release = resolution.release;
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

  /**
   * Runs gadgetStop; then, as IG, every handle the guest held is invalid (even when gadgetStop failed).
   * A subscription by a name no data source ever had (a misspelling, most likely) is logged as a warning.
   */
  stop(): void {
    try {
      this.phase("stop");
    } finally {
      try {
        this.#atStop();
      } finally {
        this.runtime.dropHandles();
        this.warnUnattached();
      }
    }
  }

  private warnUnattached(): void {
    const existing = this.dataSources.names();
    for (const name of this.dataSources.unattached()) {
      this.runtime.logger.warn(
        `a subscription to data source "${name}" never attached: no data source of that name was made (there are: ${existing.map((n) => `"${n}"`).join(", ") || "none"})`,
      );
    }
  }

  /** What runs after gadgetStop, before the handles are dropped (the open-handle report). */
  #atStop: () => void = () => {};

  /** Reports, after gadgetStop and before the handles go, the handles `creations` saw made that are still open. */
  reportLeaksAtStop(creations: HandleCreations, report: (open: readonly OpenHandle[]) => void): void {
    this.#atStop = () => report(creations.openNow());
  }

  /** IG calls gadgetPostStop only in some releases (behaviour postStopCalled); elsewhere this does nothing. */
  postStop(): void {
    if (this.behaviour.postStopCalled) this.phase("postStop");
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
    const name = exportOfRole(this.profile, phase);
    if (name === undefined) return;
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
    // IG fails a phase on any non-zero first result, i32 or i64 (wasm.go callGuestFunction); an export
    // with no result makes IG's host panic, so igwasm fails the phase with a clear message instead.
    if (code === undefined) throw new GadgetError(`${phase} failed: ${name} returns nothing; IG expects a status result (0 = success)`);
    if ((typeof code === "number" || typeof code === "bigint") && code != 0) throw new GadgetError(`${phase} failed: ${name} returned ${code}`);
  }
}

/** A BufferSource as bytes, without copying. */
export function bytesOf(wasm: BufferSource): Uint8Array {
  return wasm instanceof Uint8Array ? wasm : ArrayBuffer.isView(wasm) ? new Uint8Array(wasm.buffer, wasm.byteOffset, wasm.byteLength) : new Uint8Array(wasm);
}

/**
 * Compiles the module with its own memory capped at IG's 256 pages (memory-cap.ts), so that
 * `memory.grow` past it fails in the guest as it does on IG. A precompiled Module cannot be
 * capped: its growth is bounded only by its own declared maximum.
 */
function compile(wasm: BufferSource | WebAssembly.Module): WebAssembly.Module {
  if (wasm instanceof WebAssembly.Module) return wasm;
  try {
    return new WebAssembly.Module(capMemoryPages(bytesOf(wasm), GuestMemoryMaxPages).bytes as Uint8Array<ArrayBuffer>);
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
function checkApiVersion(name: string, v: unknown, type: FuncType | undefined): void {
  // IG compares the raw 64 bits of the single result with 1 (wasm.go at aeac857): an i32 or an i64 1
  // passes; an f32/f64 1.0 does not (its bits differ), nor does any other result count.
  if (type !== undefined && (type.results.length !== 1 || (type.results[0] !== "i32" && type.results[0] !== "i64"))) {
    throw new GadgetError(`${name} returns (${type.results.join(", ")}); its result must be one i32 or i64`);
  }
  if (typeof v !== "bigint" && !(typeof v === "number" && Number.isInteger(v))) {
    const shown = typeof v === "function" ? "a function" : Array.isArray(v) ? `${v.length} values` : `${typeof v} ${errorText(v)}`;
    throw new GadgetError(`${name} returned ${shown}; its result must be one i32 or i64`);
  }
  if (BigInt(v) !== BigInt(ApiVersion)) throw new GadgetError(`gadget API version ${v} is not supported (this host implements ${ApiVersion})`);
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
  options.onPhase?.("load");
  const module = compile(wasm);
  const sigs = signaturesOf(wasm, module);
  const resolution = resolveRelease(sigs, {
    ...(options.igVersion !== undefined ? { release: parseIgRelease(options.igVersion) } : {}),
    wasi: options.wasi !== undefined,
  });
  const behaviour = options.behaviour ?? behaviourOfRelease(resolution.release);
  const profile = resolution.profile;
  const logger = new Logger(options.logSink ?? consoleSink, options.logLevel ?? LogLevel.Info);
  const rt = new Runtime({
    logger,
    params: resolveParams(options),
    kallsyms: new Set(options.kallsyms ?? []),
    mntnsFilter: options.mntnsFilter ? new Set(Array.from(options.mntnsFilter, (id) => BigInt.asUintN(64, id))) : null,
    syscallArch: options.syscallArch ?? hostArch(),
    behaviour,
    limits: resolveLimits(options.limits),
  });
  // The phase a handle was made in, for the open-handle report.
  let phaseNow: Phase | "running" | "load" = "load";
  const onPhase = (phase: Phase | "running" | "load"): void => {
    phaseNow = phase;
    options.onPhase?.(phase);
  };
  const creations = options.onLeaks ? new HandleCreations(rt, () => phaseNow) : null;
  const instance = link(module, profile, rt, new RuntimeShimContext(rt), options, creations);
  const exp = instance.exports;
  const memory = exp[MemoryExport];
  if (!(memory instanceof WebAssembly.Memory)) throw new GadgetError(`the module exports no memory named "${MemoryExport}"`);
  // IG gives a module at most 256 pages. A module-defined memory cannot be capped from JS once it
  // exists, so we refuse modules that start above the limit (as IG's engine does) and no more.
  // A shared memory's buffer is a SharedArrayBuffer that growth does not detach, so the host's cached
  // views would keep the old bounds; IG's guests (TinyGo, Rust, C without threads) never declare one.
  if (!(memory.buffer instanceof ArrayBuffer)) {
    throw new GadgetError("the module's memory is shared; IG's gadgets use an unshared memory, and the host supports no other");
  }
  const pages = memory.buffer.byteLength / 65536;
  if (pages > GuestMemoryMaxPages) throw new GadgetError(`the module's memory starts at ${pages} pages; IG allows at most ${GuestMemoryMaxPages}`);
  rt.guestMemory.attach(memory);
  const exportOf = (role: "callback" | "allocator"): unknown => {
    const name = exportOfRole(profile, role);
    return name === undefined ? undefined : exp[name];
  };
  const callback = exportOf("callback");
  rt.guest.callback = typeof callback === "function" ? (callback as (cbID: bigint, ds: number, data: number) => void) : null;
  const malloc = exportOf("allocator");
  rt.guest.malloc = typeof malloc === "function" ? (malloc as (size: number) => number) : null;

  // IG runs exactly one initialiser: _start until v0.37.0, _initialize since v0.38.0 (behaviour initializerIsStart).
  const isStart = behaviour.initializerIsStart;
  const initializer = isStart ? GuestExport._start : GuestExport._initialize;
  try {
    if (typeof exp[initializer] === "function") {
      if (!options.wasi) (exp[initializer] as () => void)();
      else if (isStart) options.wasi.start(instance);
      else options.wasi.initialize(instance);
    }
  } catch (e) {
    throw new GadgetError(`the module's initialiser ${initializer} failed: ${errorText(e)}`, { cause: e });
  }

  const versionName = exportOfRole(profile, "apiVersion");
  if (versionName !== undefined) {
    const version = exp[versionName];
    if (typeof version !== "function") throw new GadgetError(`the module exports no ${versionName} (required by IG ${resolution.release})`);
    let v: unknown;
    try {
      v = (version as () => unknown)();
    } catch (e) {
      throw new GadgetError(`${versionName} trapped: ${errorText(e)}`, { cause: e });
    }
    checkApiVersion(versionName, v, sigs.exports.find((e) => e.name === versionName)?.type);
  }
  const gadget = new Gadget(resolution, behaviour, rt, instance, options.paramSpecs ?? [], onPhase);
  if (options.onCallbackFailure) gadget.reportCallbackFailures(options.onCallbackFailure);
  if (creations && options.onLeaks) gadget.reportLeaksAtStop(creations, options.onLeaks);
  return gadget;
}

/** Import and export signatures: read from the bytes when we have them; from the JS API (names only) for a precompiled module. */
function signaturesOf(wasm: BufferSource | WebAssembly.Module, module: WebAssembly.Module): WasmSignatures {
  if (!(wasm instanceof WebAssembly.Module)) {
    try {
      return readWasmSignatures(bytesOf(wasm));
    } catch {
      // The engine compiled it; fall through to what the JS API says.
    }
  }
  return {
    imports: WebAssembly.Module.imports(module).map((i) => ({ module: i.module, name: i.name, kind: i.kind })),
    exports: WebAssembly.Module.exports(module).map((e) => ({ name: e.name, kind: e.kind })),
    hasStart: false,
  };
}
