/**
 * The wasm fast path for `fieldGetScalar`, `fieldSet` and `fieldGetBuffer` (ig-v1).
 *
 * `createFieldFastPath` instantiates field-fast-path.wat over the host memory
 * and returns its two exports. Given to a guest as its `ig.fieldGetScalar` /
 * `ig.fieldSet` imports, they turn the guest's hottest host calls into
 * wasm->wasm calls: the handle table and the records live in the host memory,
 * so resolving a handle and loading the value need no JS. String and Bytes
 * values are resolved there too and copied by JS (value-copy.ts): guest
 * memory is out of the module's reach. Every case the fast path does not
 * handle itself (any error, element handles, a fixed-size field read as
 * bytes) calls the JS `fallback` with the same arguments, so results, error
 * values and log lines are exactly those of the JS path.
 *
 * The exports have exactly the guest's import types, (i32, i32, i32, i32) ->
 * i64 and (i32, i32, i32, i64) -> i32, as a wasm function passed as an import
 * must. Called from JS they take and return BigInt for the i64s, like the
 * generated shims. Anything that must see each call (a trace decorator, call
 * counting) needs the JS path: the fast path does not call out on success.
 */
import { fieldFastPathWasm } from "./field-fast-path.wasm.js";
import type { ValueCopy } from "./value-copy.js";

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

let compiled: WebAssembly.Module | null = null;

/** The compiled module, shared by every instance (compiling it takes longer than instantiating). */
function fastPathModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(fieldFastPathWasm);
  return compiled;
}

/**
 * Instantiates the fast path over `hostMemory` (HostMemory.memory: the handle
 * table at 0, records after it). `fallback` is the JS implementation of the
 * three functions, normally the generated shims behind their trampolines,
 * which produce the error value, the log line and the guest's error word;
 * `values` copies String and Bytes values (createValueCopy).
 * Synchronous: `new
 * WebAssembly.Module` of a module this small is allowed on every engine's
 * main thread.
 */
export function createFieldFastPath(hostMemory: WebAssembly.Memory, fallback: FieldFastPathImports, values: ValueCopy): FieldFastPathImports {
  const instance = new WebAssembly.Instance(fastPathModule(), {
    host: { memory: hostMemory },
    fallback: { fieldGetScalar: fallback.fieldGetScalar, fieldSet: fallback.fieldSet, fieldGetBuffer: fallback.fieldGetBuffer },
    values: { copyOut: values.copyOut, copyIn: values.copyIn },
  });
  // The wasm fieldSet answers 0 on success: runtime/link.ts hands it only to releases whose
  // fieldSet does (v0.39.0 and later), and older guests get the JS shim.
  return {
    fieldGetScalar: wasmFunction<FieldGetScalarImport>(instance, "fieldGetScalar", 4),
    fieldSet: wasmFunction<FieldSetImport>(instance, "fieldSet", 4),
    fieldGetBuffer: wasmFunction<FieldGetBufferImport>(instance, "fieldGetBuffer", 4),
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
