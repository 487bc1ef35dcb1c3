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
import { jsFieldFunctions, wasmFastPathFits, withJsFieldFastPath } from "./fast-path/field-paths.js";
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
   * How the guest's fieldGetScalar, fieldSet and fieldGetBuffer calls (or
   * their older releases' names) are served (runtime/fast-path). `true`
   * (default): by wasm implementations, so scalar reads and writes never
   * cross into JS and String and Bytes values cross once, for the copy; a
   * guest that cannot link to them (one of a release before v0.39.0, or
   * declaring them with other types) gets the JS form. `"js"`: the JS form,
   * which answers the same cases in one step at the wire level. `false`:
   * the generated shims alone. Every form
   * gives the shims' results, error values and logs (it calls them for
   * anything but the plain success cases). A trace sees every call, so a
   * traced gadget gets the JS form where it would get the wasm one.
   */
  readonly fastPath?: boolean | "js";
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
 * Instantiates the guest with fieldGetScalar, fieldSet and fieldGetBuffer
 * replaced by the wasm fast path, which falls back to the functions it
 * replaces (the trampolines of the JS form, which falls back to the shims)
 * for anything but the plain success case; then gives the fast path the
 * guest's memory for values.
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
 * profile's i64 trampolines so that no call makes a BigInt, and for
 * fieldGetScalar, fieldSet and fieldGetBuffer (or the release's names for
 * them) the fast path the options name: its wasm form (default; its JS form
 * for a release before v0.39.0, whose variants the wasm form does not have,
 * and when the guest declared those functions with another type, a
 * LinkError), its JS form, or none. None either when the field family is
 * replaced.
 * With a trace or an open-handle report, every call goes through JS with the
 * module's own signature (BigInt for i64), so they see each call and its wire
 * values: the field functions through the fast path's JS form, unless
 * `fastPath` is false.
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
    const fastPath = options.fastPath ?? true;
    // Both forms read the runtime's own records: a replaced field family has neither.
    const jsFields = fastPath === false || families[profile]?.field !== undefined ? null : jsFieldFunctions(profile);
    const served = jsFields === null ? shims : withJsFieldFastPath(shims, jsFields, { host: rt.hostMemory, sources: rt.dataSources, guest: ctx.memory, wide: ctx.wide });
    if (options.trace || creations) {
      // Every call through JS with the module's signature (the JS form of the fast path, which
      // answers as the shims do, unless fastPath is false): handle creations are recorded (for the
      // open-handle report) under the trace, so the trace shows each call once.
      const wire = wireAdapters(served, descriptors, ctx.wide);
      const observed = creations ? creations.wrap(wire, name, descriptors) : wire;
      const traced = options.trace ? traceImports(observed, name, descriptors, options.trace, options.traceDecoded ? traceDecodingOf(rt) : undefined) : observed;
      return instantiate(traced);
    }
    const linked = bindTrampolines(trampolineSets[profile], served, ctx.wide);
    if (jsFields === null || fastPath === "js" || !wasmFastPathFits(profile)) return instantiate(linked);
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
