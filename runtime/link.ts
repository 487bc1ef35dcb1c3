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
import { bindTrampolines, type ShimFunction, wireAdapters } from "./abi/index.js";
import { createJsFieldFastPath, type FieldWireImports } from "./fast-path/js-field-fast-path.js";
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
   * How the guest's fieldGetScalar, fieldSet and fieldGetBuffer calls are
   * served (runtime/fast-path). `true` (default): by wasm implementations,
   * so scalar reads and writes never cross into JS and String and Bytes
   * values cross once, for the copy; a guest that cannot link to them gets
   * the JS form. `"js"`: the JS form, which answers the same cases in one
   * step at the wire level. `false`: the generated shims alone. Every form
   * gives the shims' results, error values and logs (it calls them for
   * anything but the plain success cases).
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

/** `shims` with fieldGetScalar, fieldSet and fieldGetBuffer served by the JS fast path, which falls back to them. */
function withJsFieldFastPath(shims: Readonly<Record<string, ShimFunction>>, rt: Runtime, ctx: RuntimeShimContext): Record<string, ShimFunction> {
  const fallback = {
    fieldGetScalar: shims[FieldGetScalarName] as FieldWireImports["fieldGetScalar"],
    fieldSet: shims[FieldSetName] as FieldWireImports["fieldSet"],
    fieldGetBuffer: shims[FieldGetBufferName] as FieldWireImports["fieldGetBuffer"],
  };
  const js = createJsFieldFastPath({ host: rt.hostMemory, sources: rt.dataSources, guest: ctx.memory, wide: ctx.wide }, fallback);
  return { ...shims, [FieldGetScalarName]: js.fieldGetScalar, [FieldSetName]: js.fieldSet, [FieldGetBufferName]: js.fieldGetBuffer };
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
 * fieldGetScalar, fieldSet and fieldGetBuffer the fast path the options name:
 * its wasm form (default; its JS form when the guest declared those
 * functions with another type, a LinkError), its JS form, or none. None
 * either when the field family is replaced or the profile's variants are not
 * the fast path's (releases before v0.39.0).
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
    const fastPath = options.fastPath ?? true;
    const runtimeFields = families[profile]?.field === undefined && fastPathFits(profile);
    if (fastPath === false || !runtimeFields) return instantiate(bindTrampolines(trampolineSets[profile], shims, ctx.wide));
    const linked = bindTrampolines(trampolineSets[profile], withJsFieldFastPath(shims, rt, ctx), ctx.wide);
    if (fastPath === "js") return instantiate(linked);
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
