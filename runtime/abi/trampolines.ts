/**
 * Linking JS shims to a module through the generated trampolines.
 *
 * The JS shims take every i64 as two numbers; a module imports the exact i64
 * signatures. A profile's trampoline module (generated from the spec, one
 * wasm function per host function with an i64 parameter or result) sits
 * between them: the module calls the trampoline, wasm to wasm, and the
 * trampoline calls the shim with i32 values only, so no BigInt is made on
 * any call. Functions without an i64 need no trampoline: their shim is given
 * to the module as it is.
 */
import type { WideSlot } from "./wide.js";

/** One profile's trampolines, as generated. */
export interface TrampolineSet {
  /** The profile they serve. */
  readonly profile: string;
  /** The functions that have a trampoline (an i64 parameter or result), by wire name. */
  readonly functions: readonly string[];
  /** The module: imports `abi.wide` (the WideSlot page) and `js.<name>` (the shims); exports `<name>`. */
  readonly wasm: Uint8Array<ArrayBuffer>;
}

/** A generated JS shim: numbers in (each i64 split in two), a number out (an i64's low half) or nothing. */
export type ShimFunction = (...args: number[]) => number | void;

const compiled = new WeakMap<TrampolineSet, WebAssembly.Module>();

/** Compiled once per set and process: compiling costs more than instantiating. */
function moduleOf(set: TrampolineSet): WebAssembly.Module {
  let module = compiled.get(set);
  if (module === undefined) {
    module = new WebAssembly.Module(set.wasm);
    compiled.set(set, module);
  }
  return module;
}

/**
 * The functions to give a module as its imports: each shim in `shims`, with
 * the ones that have a trampoline replaced by it. `shims` may hold only some
 * of the profile's functions (one family, say); the others are not offered.
 * `wide` must be the slot of the ShimContext the shims were made with.
 */
export function bindTrampolines(set: TrampolineSet, shims: Readonly<Record<string, ShimFunction>>, wide: WideSlot): Record<string, WebAssembly.ImportValue> {
  const js: Record<string, ShimFunction> = {};
  for (const name of set.functions) {
    js[name] = shims[name] ?? (() => {
      throw new Error(`${name}: this host does not provide it`);
    });
  }
  const instance = new WebAssembly.Instance(moduleOf(set), { abi: { wide: wide.memory }, js });
  const out: Record<string, WebAssembly.ImportValue> = { ...shims };
  for (const name of set.functions) {
    if (name in shims) out[name] = instance.exports[name] as WebAssembly.ImportValue;
  }
  return out;
}
