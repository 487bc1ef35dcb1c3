/**
 * Linking a gadget module to the host: checking its imports against the
 * spec, building the import object of its profile (generated shims over the
 * runtime's families or the embedder's replacements, the wasm fast path, the
 * trace decorator, WASI) and instantiating it.
 */
import { MemoryExport, type ProfileId } from "../generated/constants.js";
import { FieldGetBufferName, FieldGetScalarName, FieldSetName, hostFunctionsOfProfile, profileModules } from "../generated/host/descriptors.js";
import { errorText } from "./data-sources.js";
import { GadgetError } from "./errors.js";
import { createFieldFastPath, type FieldGetBufferImport, type FieldGetScalarImport, type FieldSetImport } from "./fast-path/field-fast-path.js";
import { bindTrampolines, wireAdapters } from "./abi/index.js";
import { createProfileHost, importFactories, trampolineSets, type HostImplOf } from "./profiles.js";
import { WASI_MODULE } from "./release-detect.js";
import type { Runtime } from "./runtime.js";
import type { RuntimeShimContext } from "./runtime-shim-context.js";
import { traceDecodingOf } from "./handle-query.js";
import type { HandleCreations } from "./leaks.js";
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

/** Replacement host-function families per profile, typed by the generated interfaces. */
export type FamilyOverrides = { readonly [P in ProfileId]?: Partial<HostImplOf[P]> };

/** How to link: the loader's options that shape the import object. */
export interface LinkOptions {
  /**
   * Replacements for the runtime's host-function families, per profile: e.g.
   * `{ "v0.43": { map: myBpfBackend, kernel: myKernelFacts } }`. Each family is
   * the generated interface of that profile (`V0_43MapHost`, ...). Replacing the
   * field family turns the fast path off (it reads the runtime's records).
   */
  readonly families?: FamilyOverrides;
  /**
   * Give the guest the wasm implementations of fieldGetScalar, fieldSet and
   * fieldGetBuffer (runtime/fast-path): scalar reads and writes never cross
   * into JS, String and Bytes values cross once, for the copy. Results,
   * error values and logs are the JS path's. Default true.
   */
  readonly fastPath?: boolean;
  /** Receives a line per host call and result. */
  readonly trace?: (line: string) => void;
  /**
   * Trace lines with decoded arguments (strings, handle names, enum names:
   * `==> ig.getDataSource(name="events")`, `<== 8193<events>`) instead of raw
   * wire values (`name=25769804800`). Default false.
   */
  readonly traceDecoded?: boolean;
  /** WASI for modules that import `wasi_snapshot_preview1` (the Node entry passes node:wasi). */
  readonly wasi?: WasiProvider;
}

/**
 * The wasm fast path implements the current contracts of fieldGetScalar (with
 * its error word) and fieldSet (0 on success): it serves the profiles whose
 * variants are exactly those, and no older ones.
 */
function fastPathFits(profile: ProfileId): boolean {
  const fns = hostFunctionsOfProfile(profile);
  const getScalar = fns.find((f) => f.name === FieldGetScalarName);
  const set = fns.find((f) => f.name === FieldSetName);
  return getScalar?.error.kind === "errPtr" && set?.result.type === "status";
}

/**
 * Instantiates the guest with fieldGetScalar, fieldSet and fieldGetBuffer
 * replaced by the wasm fast path, which falls back to the functions it
 * replaces (the trampolines of the JS shims) for anything but the plain
 * success case; then gives the fast path the guest's memory for values.
 */
function instantiateWithFastPath(rt: Runtime, fns: Record<string, WebAssembly.ImportValue>, instantiate: (fns: WebAssembly.ModuleImports) => WebAssembly.Instance): WebAssembly.Instance {
  const fallback = {
    fieldGetScalar: fns[FieldGetScalarName] as FieldGetScalarImport,
    fieldSet: fns[FieldSetName] as FieldSetImport,
    fieldGetBuffer: fns[FieldGetBufferName] as FieldGetBufferImport,
  };
  const fast = createFieldFastPath(rt.hostMemory, rt.dataSources, fallback);
  const instance = instantiate({ ...fns, [FieldGetScalarName]: fast.imports.fieldGetScalar, [FieldSetName]: fast.imports.fieldSet, [FieldGetBufferName]: fast.imports.fieldGetBuffer });
  // A module without that memory export is refused by the loader right after (gadget.ts).
  const memory = instance.exports[MemoryExport];
  if (memory instanceof WebAssembly.Memory) fast.attachGuestMemory(memory);
  return instance;
}

function createShims<P extends ProfileId>(profile: P, rt: Runtime, ctx: RuntimeShimContext, families: FamilyOverrides) {
  const impl = { ...createProfileHost(profile, rt), ...(families[profile] as Partial<HostImplOf[P]> | undefined) } as HostImplOf[P];
  return importFactories[profile](impl, ctx);
}

/**
 * Instantiates `module` for `profile` over the runtime `rt` (its imports were
 * checked by release-detect.ts). The import object offers the profile's
 * functions under its module name: the generated JS shims, behind the
 * profile's i64 trampolines so that no call makes a BigInt, and the wasm fast
 * path for fieldGetScalar, fieldSet and fieldGetBuffer unless turned off, or the field family
 * is replaced, or the guest declared them with another type (a LinkError).
 * With a trace or an open-handle report, every call goes through JS with the
 * module's own signature (BigInt for i64), so they see each call and its wire
 * values.
 */
export function link(module: WebAssembly.Module, profile: ProfileId, rt: Runtime, ctx: RuntimeShimContext, options: LinkOptions, creations: HandleCreations | null = null): WebAssembly.Instance {
  const name = profileModules[profile].module;
  const descriptors = hostFunctionsOfProfile(profile);
  const families = options.families ?? {};
  const shims = createShims(profile, rt, ctx, families);
  const instantiate = (fns: WebAssembly.ModuleImports): WebAssembly.Instance => {
    const importObject: WebAssembly.Imports = { [name]: fns };
    if (options.wasi) importObject[WASI_MODULE] = options.wasi.imports;
    return new WebAssembly.Instance(module, importObject);
  };
  try {
    if (options.trace || creations) {
      // Every call through JS with the module's signature: handle creations are recorded (for the
      // open-handle report) under the trace, so the trace shows each call once.
      const wire = wireAdapters(shims, descriptors, ctx.wide);
      const observed = creations ? creations.wrap(wire, name, descriptors) : wire;
      const traced = options.trace ? traceImports(observed, name, descriptors, options.trace, options.traceDecoded ? traceDecodingOf(rt) : undefined) : observed;
      return instantiate(traced);
    }
    const linked = bindTrampolines(trampolineSets[profile], shims, ctx.wide);
    const fastPath = options.fastPath !== false && families[profile]?.field === undefined && fastPathFits(profile);
    if (!fastPath) return instantiate(linked);
    try {
      return instantiateWithFastPath(rt, linked, instantiate);
    } catch (e) {
      // A wasm function passed as an import must match the guest's import type exactly.
      if (!(e instanceof WebAssembly.LinkError)) throw e;
      return instantiate(linked);
    }
  } catch (e) {
    throw new GadgetError(`cannot instantiate the module: ${errorText(e)}`, { cause: e });
  }
}
