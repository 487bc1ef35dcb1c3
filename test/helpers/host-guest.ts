/**
 * Building blocks for the host-function suites: WAT guests that import a
 * chosen set of an profile's host functions (signatures from the generated
 * descriptors, so they follow the spec) and export a `t_<name>` forwarder per
 * import, so each ABI edge case is one direct call from the test; a callback
 * that records every delivery into guest memory; a bump `malloc`; and small
 * conversions for i32/i64 results.
 *
 * Guest memory layout used by these guests (one 64 KiB page unless told):
 *
 *   0x0000  scratch strings written by the test (see `strings`)
 *   0x0800  callback log: u32 count, then 16-byte entries {cbID u64, ds u32, data u32}
 *   0x0c00  per-test tables (field handles, ...)
 *   0x1000  per-test buffers (dst areas, sentinel-filled)
 *   0x8000  bump-malloc heap (seed / env-v1 guests)
 */
import { expect } from "vitest";
import type { ProfileId } from "../../generated/constants.js";
import { guestExportsOfProfile, profileModules, hostFunctionsOfProfile } from "../../generated/host/descriptors.js";
import { igReleases } from "../../generated/releases.js";
import type { FieldKindName } from "../../runtime/data-source-api.js";
import { guestModule, loadWat, packed, type LoadedGuest, type LoadOptions } from "./guest.js";

export const CB_LOG = 0x800;
export const CB_LOG_MAX = 63;
export const TABLE = 0xc00;
export const BUF = 0x1000;
export const HEAP = 0x8000;

/** `(param ...) (result ...)` of a host function of an profile, from the descriptors. */
export function signature(profile: ProfileId, name: string): string {
  const d = hostFunctionsOfProfile(profile).find((f) => f.name === name);
  if (!d) throw new Error(`profile ${profile} has no host function ${name}`);
  const params = d.params.length > 0 ? `(param ${d.params.map((p) => p.wire).join(" ")})` : "";
  const result = d.result.wire ? ` (result ${d.result.wire})` : "";
  return `${params}${result}`;
}

/** Names of an profile's host functions, optionally only those of some families. */
export function functionsOf(profile: ProfileId, families?: readonly string[]): string[] {
  return hostFunctionsOfProfile(profile)
    .filter((f) => !families || families.includes(f.family))
    .map((f) => f.name);
}

/** The families this suite covers. */
export const FAMILIES = ["log", "dataSource", "dataArray", "field", "handle"] as const;

/** A function exported as `<prefix><name>` that passes its arguments to the imported `$name` and returns its result. */
function forwarder(profile: ProfileId, name: string, prefix: string): string {
  const d = hostFunctionsOfProfile(profile).find((f) => f.name === name)!;
  const gets = d.params.map((_, i) => `(local.get ${i})`).join(" ");
  return `  (func (export "${prefix}${name}") ${signature(profile, name)} (call $${name} ${gets}))`;
}

export interface HostGuestOptions {
  /** Host functions to import (default: every function of the profile's covered families). */
  readonly names?: readonly string[];
  /** Callback body appended after recording (see recordingCallback); false: export no callback. */
  readonly callback?: string | false;
  /** Export a bump malloc (default: when the profile requires one); false: none, e.g. when the body brings its own. */
  readonly malloc?: boolean;
  readonly pages?: number;
  /** Override the import module (e.g. `env` for an early ig-v1 build). */
  readonly module?: string;
  /** Export gadgetAPIVersion (default: not for seed). */
  readonly version?: boolean;
  /** Export name of the forwarder of host function `f`: prefix + f (default `t_`; "" re-exports each under its own name). */
  readonly prefix?: string;
}

/** The data-source callback export name of an profile. */
export function callbackName(profile: ProfileId): string {
  return profile === "pre-release" ? "dsCallback" : "dataSourceCallback";
}

/**
 * A callback that appends {cbID, ds, data} to the log at CB_LOG, then runs
 * `extra`, where `$i` is the index of this delivery and `$j`, `$k` (i32) and
 * `$t` (i64) are free locals.
 */
export function recordingCallback(profile: ProfileId, extra = ""): string {
  return `  (func $callback (export "${callbackName(profile)}") (param $cb i64) (param $ds i32) (param $data i32)
    (local $p i32) (local $i i32) (local $j i32) (local $k i32) (local $t i64)
    (local.set $i (i32.load (i32.const ${CB_LOG})))
    (local.set $p (i32.add (i32.const ${CB_LOG + 4}) (i32.shl (i32.load (i32.const ${CB_LOG})) (i32.const 4))))
    (if (i32.lt_u (i32.load (i32.const ${CB_LOG})) (i32.const ${CB_LOG_MAX}))
      (then
        (i64.store (local.get $p) (local.get $cb))
        (i32.store offset=8 (local.get $p) (local.get $ds))
        (i32.store offset=12 (local.get $p) (local.get $data))
        (i32.store (i32.const ${CB_LOG}) (i32.add (i32.load (i32.const ${CB_LOG})) (i32.const 1)))))
${extra}
  )`;
}

/**
 * A bump allocator exported as `malloc(u32) -> u32`, starting at `base`. It
 * counts its calls at `countAt`; when the u32 at `failAt` is non-zero it
 * returns that value minus 1 instead of allocating (1: returns 0), so tests
 * can make it fail or return a bad pointer.
 */
export function bumpMalloc(base = HEAP, countAt = 0xbf0, failAt = 0xbf4): string {
  return `  (global $heap (mut i32) (i32.const ${base}))
  (func (export "malloc") (param $n i32) (result i32) (local $p i32)
    (i32.store (i32.const ${countAt}) (i32.add (i32.load (i32.const ${countAt})) (i32.const 1)))
    (if (i32.load (i32.const ${failAt})) (then (return (i32.sub (i32.load (i32.const ${failAt})) (i32.const 1)))))
    (local.set $p (global.get $heap))
    (global.set $heap (i32.and (i32.add (i32.add (local.get $p) (local.get $n)) (i32.const 7)) (i32.const -8)))
    (local.get $p))`;
}
export const MALLOC_COUNT = 0xbf0;
/** Write p + 1 here to make the bump malloc return p instead of allocating. */
export const MALLOC_FAIL = 0xbf4;

/** WAT text of a guest for `profile` with forwarders for `names` and a recording callback. */
export function hostGuestWat(profile: ProfileId, body = "", opts: HostGuestOptions = {}): string {
  const names = opts.names ?? functionsOf(profile, FAMILIES);
  const fns: Record<string, string> = {};
  for (const n of names) fns[n] = signature(profile, n);
  const prefix = opts.prefix ?? "t_";
  const parts = [names.map((n) => forwarder(profile, n, prefix)).join("\n")];
  if (opts.callback !== false) parts.push(recordingCallback(profile, opts.callback ?? ""));
  if (opts.malloc ?? requiresMalloc(profile)) parts.push(bumpMalloc());
  parts.push(body);
  const module = opts.module ?? profileModules[profile].module;
  const seed = !(opts.version ?? profile !== "pre-release");
  return guestModule(module, fns, parts.join("\n"), { seed, pages: opts.pages });
}

export async function loadHostGuest(profile: ProfileId, body = "", opts: HostGuestOptions = {}, load: LoadOptions = {}): Promise<LoadedGuest> {
  return loadWat(hostGuestWat(profile, body, opts), { igVersion: newestRelease(profile), ...load });
}

/** The newest IG release of a profile: what a guest written to the profile's signatures runs as. */
export function newestRelease(profile: ProfileId): string {
  const releases = igReleases.filter((r) => r.profile === profile);
  return releases[releases.length - 1].tag;
}

/** Whether IG refused modules of this profile that export no malloc. */
export function requiresMalloc(profile: ProfileId): boolean {
  return guestExportsOfProfile(profile).some((e) => e.name === "malloc" && e.required);
}

export interface CallbackEntry {
  readonly cbID: bigint;
  readonly ds: number;
  readonly data: number;
}

/** The deliveries the recording callback saw, in order. */
export function callbackLog(g: LoadedGuest): CallbackEntry[] {
  const v = g.view();
  const n = v.getUint32(CB_LOG, true);
  const out: CallbackEntry[] = [];
  for (let i = 0; i < n; i++) {
    const p = CB_LOG + 4 + i * 16;
    out.push({ cbID: v.getBigUint64(p, true), ds: v.getUint32(p + 8, true), data: v.getUint32(p + 12, true) });
  }
  return out;
}

export function callbackCount(g: LoadedGuest): number {
  return g.view().getUint32(CB_LOG, true);
}

/** A bump allocator of test strings in guest memory from `base`; returns packed values. */
export function strings(g: LoadedGuest, base = 0x10): (text: string) => bigint {
  let at = base;
  return (text: string) => {
    const p = g.putString(at, text);
    at += Math.max(new TextEncoder().encode(text).length, 1);
    at = (at + 7) & ~7;
    if (at > CB_LOG) throw new Error("test strings overflow the scratch area");
    return p;
  };
}

/** Calls the `t_<name>` forwarder of host function `name`. */
export type Forward = <T = number>(name: string, ...args: unknown[]) => T;

/** A loaded host guest with a string allocator (`strings`) and a caller of its forwarders. */
export interface HostDriver {
  g: LoadedGuest;
  s: (text: string) => bigint;
  call: Forward;
}

export function hostDriver(g: LoadedGuest): HostDriver {
  const s = strings(g);
  const call = <T = number>(name: string, ...args: unknown[]): T => g.call<T>(`t_${name}`, ...args);
  return { g, s, call };
}

/** An env-v1 or seed guest with a bump malloc and a data source "events" (Single) and "batch" (Array: n u32). */
export interface ProfileFixture extends HostDriver {
  ev: number;
  bt: number;
  /** Handles of the fields of "events", by name. */
  f: Record<string, number>;
  n: number;
  mallocCalls(): number;
}

/**
 * Loads a guest of `profile` with the recording callback running `callback`, a
 * bump malloc and `opts`; checks the profile was detected; declares "events" with
 * `events` and "batch", and gets the guest's handles on them and their fields.
 */
export async function loadProfileFixture(
  profile: "pre-release" | "v0.37",
  callback: string,
  events: Readonly<Record<string, FieldKindName>>,
  opts: HostGuestOptions = {},
): Promise<ProfileFixture> {
  const g = await loadHostGuest(profile, "", { callback, malloc: true, ...opts });
  expect(g.gadget.profile).toBe(profile);
  const dss = g.gadget.dataSources;
  dss.declare("events", { fields: events });
  dss.declare("batch", { type: "array", fields: { n: "uint32" } });
  const { s, call } = hostDriver(g);
  const ev = call("getDataSource", s("events"));
  const bt = call("getDataSource", s("batch"));
  const f: Record<string, number> = {};
  for (const name of Object.keys(events)) f[name] = call("dataSourceGetField", ev, s(name));
  const n = call("dataSourceGetField", bt, s("n"));
  return { g, s, call, ev, bt, f, n, mallocCalls: () => g.view().getUint32(MALLOC_COUNT, true) };
}

/** An i32 result as the u32 the ABI means. */
export const u32 = (n: number): number => n >>> 0;
/** An i64 result (JS gets it signed) as the u64 the ABI means. */
export const u64 = (n: bigint): bigint => BigInt.asUintN(64, n);
/** A u64 bit pattern as the (signed) BigInt JS must pass for an i64 parameter. */
export const i64 = (n: bigint): bigint => BigInt.asIntN(64, n);

export { packed };

/** Log lines (`level: message`) that mention `fn`. */
export function logsOf(g: LoadedGuest, fn: string): string[] {
  return g.logs.filter((l) => l.includes(`${fn}:`));
}

/** The trace of the calls made while running `f` (the trace array is cleared first). */
export function traceOf(g: LoadedGuest, f: () => void): string[] {
  g.trace.length = 0;
  f();
  return [...g.trace];
}

/** Runs `f` and returns the log lines it produced. */
export function logsDuring(g: LoadedGuest, f: () => void): string[] {
  const start = g.logs.length;
  f();
  return g.logs.slice(start);
}

/** Float bit helpers. */
export function f32bits(x: number): bigint {
  const v = new DataView(new ArrayBuffer(4));
  v.setFloat32(0, x, true);
  return BigInt(v.getUint32(0, true));
}
export function f64bits(x: number): bigint {
  const v = new DataView(new ArrayBuffer(8));
  v.setFloat64(0, x, true);
  return v.getBigUint64(0, true);
}
export function bitsToF32(b: bigint): number {
  const v = new DataView(new ArrayBuffer(4));
  v.setUint32(0, Number(b & 0xffffffffn), true);
  return v.getFloat32(0, true);
}
export function bitsToF64(b: bigint): number {
  const v = new DataView(new ArrayBuffer(8));
  v.setBigUint64(0, BigInt.asUintN(64, b), true);
  return v.getFloat64(0, true);
}

/** Every kind name, in FieldKind order (1..14). */
export const KIND_NAMES = [
  "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float32", "float64", "string", "cstring", "bytes",
] as const;
