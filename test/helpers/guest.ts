/**
 * Test harness for guests: load a WAT or wasm guest on the real loader with
 * captured logs and an exact call trace, address guest memory, and pre-fill
 * it with a sentinel so that stray writes are caught.
 */
import { LogLevel } from "../../generated/constants.js";
import { loadGadgetSync, type Gadget, type GadgetOptions } from "../../runtime/gadget.js";
import { logLevelName } from "../../runtime/logger.js";
import { wat } from "./wat.js";

export const SENTINEL = 0xa5;

export interface LoadedGuest {
  readonly gadget: Gadget;
  /** `level: message` lines, in order. */
  readonly logs: string[];
  /** `==> ig.fn(a=1,...)` / `<== r` lines, when traced. */
  readonly trace: string[];
  /** Guest memory bytes (fresh view each call). */
  mem(): Uint8Array;
  view(): DataView;
  /** Calls an exported guest function. */
  call<T = unknown>(name: string, ...args: unknown[]): T;
  /** Fills [from, to) of guest memory with the sentinel byte. */
  fillSentinel(from: number, to: number): void;
  /** Asserts-friendly: the offsets in [from, to) that no longer hold the sentinel. */
  touched(from: number, to: number): number[];
  /** Writes UTF-8 text at ptr and returns its packed (len << 32 | ptr) value. */
  putString(ptr: number, text: string): bigint;
  /** Reads `len` bytes at ptr as UTF-8. */
  getString(ptr: number, len: number): string;
}

export interface LoadOptions extends GadgetOptions {
  /** Record a call trace (default true). */
  readonly traced?: boolean;
}

/** Packs a pointer and length as the ABI does: (len << 32) | ptr. */
export function packed(ptr: number, len: number): bigint {
  return (BigInt(len) << 32n) | BigInt(ptr);
}

/** The same, as WAT source for an i64.const. */
export function packedConst(ptr: number, len: number): string {
  return `(i64.const ${packed(ptr, len)})`;
}

/**
 * Which implementation of fieldGetScalar/fieldSet/fieldGetBuffer guests get
 * (loadGadget's `fastPath`): the wasm fast path (default), its JS form
 * (IGWASM_FAST_PATH=js) or the JS shims alone (IGWASM_FAST_PATH=off).
 * vitest.config.ts runs the host tests once per value, so every host test
 * covers the three.
 */
export const FAST_PATH: boolean | "js" = fastPathOf((globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env.IGWASM_FAST_PATH);

function fastPathOf(value: string | undefined): boolean | "js" {
  return value === "off" ? false : value === "js" ? "js" : true;
}

export function loadGuest(bytes: Uint8Array, options: LoadOptions = {}): LoadedGuest {
  const logs: string[] = [];
  const trace: string[] = [];
  const gadget = loadGadgetSync(bytes, {
    fastPath: FAST_PATH,
    logLevel: LogLevel.Trace,
    logSink: (level, message) => logs.push(`${logLevelName(level)}: ${message}`),
    ...(options.traced === false ? {} : { trace: (line: string) => trace.push(line) }),
    ...options,
  });
  const memory = gadget.exports.memory as WebAssembly.Memory;
  const mem = (): Uint8Array => new Uint8Array(memory.buffer);
  return {
    gadget,
    logs,
    trace,
    mem,
    view: () => new DataView(memory.buffer),
    call<T>(name: string, ...args: unknown[]): T {
      const fn = gadget.exports[name];
      if (typeof fn !== "function") throw new Error(`guest exports no function ${name}`);
      return (fn as (...a: unknown[]) => T)(...args);
    },
    fillSentinel(from: number, to: number): void {
      mem().fill(SENTINEL, from, to);
    },
    touched(from: number, to: number): number[] {
      const m = mem();
      const out: number[] = [];
      for (let i = from; i < to; i++) if (m[i] !== SENTINEL) out.push(i);
      return out;
    },
    putString(ptr: number, text: string): bigint {
      const bytes = new TextEncoder().encode(text);
      mem().set(bytes, ptr);
      return packed(ptr, bytes.length);
    },
    getString(ptr: number, len: number): string {
      return new TextDecoder().decode(mem().subarray(ptr, ptr + len));
    },
  };
}

export async function loadWat(text: string, options: LoadOptions = {}): Promise<LoadedGuest> {
  return loadGuest(await wat(text), options);
}

/**
 * A WAT module that imports `fns` (name -> "(param ...) (result ...)") from
 * `module`, exports memory (1 page) and the given body. Imported functions are
 * callable as `$name`. Exports `gadgetAPIVersion` unless `seed` is set.
 */
export function guestModule(module: string, fns: Record<string, string>, body: string, opts: { seed?: boolean; pages?: number } = {}): string {
  const imports = Object.entries(fns)
    .map(([name, sig]) => `  (import "${module}" "${name}" (func $${name} ${sig}))`)
    .join("\n");
  const version = opts.seed ? "" : `  (func (export "gadgetAPIVersion") (result i64) (i64.const 1))`;
  return `(module\n${imports}\n  (memory (export "memory") ${opts.pages ?? 1})\n${version}\n${body}\n)`;
}
