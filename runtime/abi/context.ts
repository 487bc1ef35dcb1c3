/**
 * The contract between the generated shims and whatever host runs them.
 *
 * A shim decodes its wire arguments (numbers only: see wide.ts), calls its
 * typed implementation and encodes the result or the error into the
 * function's convention (codegen/lowering.ts decides how, per function).
 * Everything the shim needs from the host is this context; nothing here
 * belongs to igwasm's runtime, so a host of ~20 lines can provide it
 * (see `createShimContext` and docs/runtime-api.md).
 */
import { GuestAbortError, HostCallError, errorText } from "../errors.js";
import { encodeUtf8 } from "../utf8.js";
import { type GuestMemoryAccess, viewsOf, writeInto, writeU32 } from "./memory.js";
import { createWideSlot, type WideSlot } from "./wide.js";

export interface ShimContext {
  /** The calling module's memory. */
  readonly memory: GuestMemoryAccess;
  /** Where a shim leaves the high half of an i64 result for the trampoline. */
  readonly wide: WideSlot;
  /** Host function `fn` failed with `err` (a HostCallError or any exception): report it. */
  fail(fn: string, err: unknown): void;
  /** Whether `miss` reports anything: shims build a miss's message only when it does. */
  readonly reportsMisses: boolean;
  /** An expected "not found" (the function's error value goes to the module); `message` names the function. */
  miss(message: string): void;
  /** The module's `malloc`: the address of `size` new bytes. Throws when the module has none. */
  malloc(size: number): number;
}

/**
 * Writes the u32 1 at `ptr` when `ptr` is not 0 (the errPtr convention).
 * When the word cannot be written, IG closes the module; the guest's call is
 * aborted instead (GuestAbortError propagates out of the import like a trap).
 */
export function setErrorWord(ctx: ShimContext, ptr: number): void {
  if (ptr === 0) return;
  try {
    writeU32(ctx.memory, ptr, 1, "err");
  } catch (e) {
    throw new GuestAbortError(`cannot write the error word: ${errorText(e)}`);
  }
}

/**
 * The log line of host function `fn` failing with `err`: the error's text,
 * prefixed with the function's name unless it already starts with it. A
 * GuestAbortError is rethrown: it must reach the guest's caller, like a trap.
 */
export function failureMessage(fn: string, err: unknown): string {
  if (err instanceof GuestAbortError) throw err;
  const text = errorText(err);
  return text.startsWith(`${fn}:`) ? text : `${fn}: ${text}`;
}

/** Text as UTF-8 bytes, bytes as they are. */
export function asBytes(value: Uint8Array | string): Uint8Array {
  return typeof value === "string" ? encodeUtf8(value) : value;
}

/**
 * Copies `bytes` into memory from the module's malloc and returns the
 * address. As IG's writeToGuestMemory (v0.37.0:pkg/operators/wasm/helpers.go),
 * no bytes still calls malloc(0) and answers whatever it returns. Stricter
 * than IG: a non-empty value for which malloc returns 0 fails the call (IG
 * writes it at address 0).
 */
export function mallocCopy(ctx: ShimContext, bytes: Uint8Array): number {
  const ptr = ctx.malloc(bytes.length) >>> 0;
  if (bytes.length === 0) return ptr;
  if (ptr === 0) throw new HostCallError(`the allocator returned 0 for ${bytes.length} bytes`);
  // The allocator may have grown memory: writeInto checks bounds on the current view.
  writeInto(ctx.memory, ptr, bytes.length, bytes, "allocated bytes");
  return ptr;
}

/** What `createShimContext` needs: the module's memory and, optionally, its malloc and a logger. */
export interface ShimContextOptions {
  /** The module's exported memory (or views of it). Set it after instantiation: it is read lazily. */
  memory: () => WebAssembly.Memory | GuestMemoryAccess;
  /** The module's malloc export, for the functions that return bytes through it (IG v0.33-v0.37). */
  malloc?: () => ((size: number) => number) | undefined;
  /** Receives each failure and miss; the default ignores misses and prints failures with console.warn. */
  log?: (level: "warn" | "debug", message: string) => void;
}

/**
 * A ShimContext for a host that is not igwasm's runtime: failures and misses
 * go to `log`, memory is read through cached views.
 */
export function createShimContext(options: ShimContextOptions): ShimContext {
  let views: GuestMemoryAccess | null = null;
  const access = (): GuestMemoryAccess => {
    if (views !== null) return views;
    const m = options.memory();
    views = m instanceof WebAssembly.Memory ? viewsOf(m) : m;
    return views;
  };
  const log = options.log ?? ((level, message) => void (level === "warn" ? console.warn(message) : undefined));
  return {
    memory: { u8: () => access().u8(), view: () => access().view() },
    wide: createWideSlot(),
    fail: (fn, err) => log("warn", failureMessage(fn, err)),
    reportsMisses: options.log !== undefined,
    miss: (message) => log("debug", message),
    malloc: (size) => {
      const malloc = options.malloc?.();
      if (malloc === undefined) throw new HostCallError("the module exports no allocator to return the value in");
      return malloc(size);
    },
  };
}
