/**
 * Proxy guests for the ig-v1 host-function suites (wazero's
 * requireProxyModule): the guest imports each chosen host function from `ig`
 * and re-exports it under its own name, so a test drives the exact wire
 * values, and asserts the exact call trace, the bytes of sentinel-filled
 * guest memory and the log line each error produces.
 */
import { expect } from "vitest";
import { loadWat, packed, type LoadedGuest, type LoadOptions } from "./guest.js";
import { hostGuestWat } from "./host-guest.js";

/** Bytes of guest memory (a proxy guest has one page). */
export const MEM = 65536;

/** A guest that imports `names` (ig-v1 signatures, from the descriptors) from `ig` and exports each under its own name. */
export function proxyWat(names: readonly string[]): string {
  return hostGuestWat("v0.43", "", { names, callback: false, prefix: "" });
}

/** Loads a proxy guest for `names` and fills all of its memory with the sentinel. */
export async function loadProxy(names: readonly string[], options: LoadOptions = {}): Promise<LoadedGuest> {
  const g = await loadWat(proxyWat(names), options);
  g.fillSentinel(0, MEM);
  return g;
}

export interface Call {
  readonly result: number;
  readonly trace: string[];
  readonly logs: string[];
}

/** Calls a proxied host function; returns its result and the trace and log lines it produced. */
export function call(g: LoadedGuest, name: string, ...args: unknown[]): Call {
  const t0 = g.trace.length;
  const l0 = g.logs.length;
  const result = g.call<number>(name, ...args);
  return { result, trace: g.trace.slice(t0), logs: g.logs.slice(l0) };
}

/** One log line, at warn or debug level, that names the failing function. */
export function expectErrorLog(c: Call, fn: string, detail?: RegExp): void {
  expect(c.logs).toHaveLength(1);
  expect(c.logs[0]).toMatch(new RegExp(`^(warn|debug): ${fn}: `));
  if (detail) expect(c.logs[0]).toMatch(detail);
}

/** Writes `bytes` at ptr and returns their packed (len << 32 | ptr) value. */
export function put(g: LoadedGuest, ptr: number, bytes: readonly number[]): bigint {
  g.mem().set(bytes, ptr);
  return packed(ptr, bytes.length);
}
