/**
 * The wasm fast path for `fieldGetScalar`, `fieldSet` and `fieldGetBuffer` (ig-v1).
 *
 * `createFieldFastPath` instantiates field-fast-path.wat over the host memory
 * and returns its three exports. Given to a guest as its `ig.fieldGetScalar` /
 * `ig.fieldSet` / `ig.fieldGetBuffer` imports, they turn the guest's hottest
 * host calls into wasm->wasm calls: the handle table, the records and the
 * values' descriptors live in the host memory, so resolving a handle and
 * loading a value need no JS. String and Bytes values are copied to and from
 * the guest's memory by a second module over that memory, guest-copy.wat,
 * instantiated by `attachGuestMemory` once the guest exists (values longer
 * than 32 bytes through JS, value-copy.ts). Every case the fast path does not
 * handle itself (any error, element handles, a fixed-size field read as
 * bytes, a value that needs a new block, values before the guest's memory is
 * attached) calls the JS `fallback` with the same arguments, so results,
 * error values and log lines are exactly those of the JS path.
 *
 * The exports have exactly the guest's import types, (i32, i32, i32, i32) ->
 * i64, (i32, i32, i32, i64) -> i32 and (i32, i32, i32, i64) -> i32, as a wasm
 * function passed as an import must. Called from JS they take and return
 * BigInt for the i64s, like the generated shims. Anything that must see each
 * call (a trace decorator, call counting) needs the JS path: the fast path
 * does not call out on success. js-field-fast-path.ts is the same fast path
 * in JS, for guests this form cannot serve.
 */
import type { DataSources } from "../data-sources.js";
import { GuestMemory } from "../guest-memory.js";
import type { HostMemory } from "../host-memory.js";
import { fieldFastPathWasm } from "./field-fast-path.wasm.js";
import { guestCopyWasm } from "./guest-copy.wasm.js";
import { createValueCopy } from "./value-copy.js";

/** `ig.fieldGetScalar` as the guest imports it. */
export type FieldGetScalarImport = (field: number, data: number, kind: number, err: number) => bigint;
/** `ig.fieldSet` as the guest imports it. */
export type FieldSetImport = (field: number, data: number, kind: number, value: bigint) => number;
/** `ig.fieldGetBuffer` as the guest imports it. */
export type FieldGetBufferImport = (field: number, data: number, kind: number, dst: bigint) => number;

export interface FieldFastPathImports {
  fieldGetScalar: FieldGetScalarImport;
  fieldSet: FieldSetImport;
  fieldGetBuffer: FieldGetBufferImport;
}

export interface FieldFastPath {
  readonly imports: FieldFastPathImports;
  /**
   * Lets the value paths reach `memory`, the guest's (call it once the guest
   * is instantiated). Until then String and Bytes values take the fallback.
   * Answers false, changing nothing, when the memory cannot be imported by a
   * plain wasm module (a shared or 64-bit memory): values then keep taking
   * the fallback.
   */
  attachGuestMemory(memory: WebAssembly.Memory): boolean;
}

let compiled: { fields: WebAssembly.Module; guestCopy: WebAssembly.Module } | null = null;

/** The compiled modules, shared by every instance (compiling takes longer than instantiating). */
function fastPathModules(): { fields: WebAssembly.Module; guestCopy: WebAssembly.Module } {
  compiled ??= { fields: new WebAssembly.Module(fieldFastPathWasm), guestCopy: new WebAssembly.Module(guestCopyWasm) };
  return compiled;
}

/** Slots of field-fast-path.wat's `guestCopy` table. */
const COPY_OUT_SLOT = 0;
const READ_IN_SLOT = 1;

/**
 * Instantiates the fast path over `hostMemory` (the handle table at 0,
 * records and values after it), whose data sources are `sources`. `fallback` is the JS implementation of the
 * three functions, normally the generated shims behind their trampolines,
 * which produce the error value, the log line and the guest's error word.
 * Synchronous: `new WebAssembly.Module` of modules this small is allowed on
 * every engine's main thread.
 */
export function createFieldFastPath(hostMemory: HostMemory, sources: DataSources, fallback: FieldFastPathImports): FieldFastPath {
  const modules = fastPathModules();
  const instance = new WebAssembly.Instance(modules.fields, {
    host: { memory: hostMemory.memory },
    fallback: { fieldGetScalar: fallback.fieldGetScalar, fieldSet: fallback.fieldSet, fieldGetBuffer: fallback.fieldGetBuffer },
  });
  const table = instance.exports.guestCopy as WebAssembly.Table;
  // The wasm fieldSet answers 0 on success: runtime/link.ts hands it only to releases whose
  // fieldSet does (v0.39.0 and later); older guests get the JS form (js-field-fast-path.ts), which answers per release.
  const imports: FieldFastPathImports = {
    fieldGetScalar: wasmFunction<FieldGetScalarImport>(instance, "fieldGetScalar", 4),
    fieldSet: wasmFunction<FieldSetImport>(instance, "fieldSet", 4),
    fieldGetBuffer: wasmFunction<FieldGetBufferImport>(instance, "fieldGetBuffer", 4),
  };
  return {
    imports,
    attachGuestMemory(memory) {
      const guest = new GuestMemory();
      guest.attach(memory);
      let copier: WebAssembly.Instance;
      try {
        copier = new WebAssembly.Instance(modules.guestCopy, { guest: { memory }, js: { ...createValueCopy(sources, hostMemory, guest) } });
      } catch (e) {
        if (e instanceof WebAssembly.LinkError) return false;
        throw e;
      }
      table.set(COPY_OUT_SLOT, copier.exports.copyOut as (...args: never[]) => unknown);
      table.set(READ_IN_SLOT, copier.exports.readIn as (...args: never[]) => unknown);
      return true;
    },
  };
}

/**
 * The export `name` of the fast-path instance, checked to be a function of
 * `arity` parameters (an exported wasm function's length is its parameter
 * count). The module is ours and fixed, so a failure means a broken build.
 */
function wasmFunction<F extends FieldGetScalarImport | FieldSetImport | FieldGetBufferImport>(instance: WebAssembly.Instance, name: string, arity: number): F {
  const value = instance.exports[name];
  if (typeof value !== "function" || value.length !== arity) {
    throw new Error(`field fast path: export "${name}" is not a function of ${arity} parameters`);
  }
  return value as F;
}
