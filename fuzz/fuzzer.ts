/**
 * The spec-driven fuzzer: for every host function of every profile, a fresh
 * gadget (fuzz/guest.ts) gets seeded random calls (fuzz/values.ts), the
 * function under test most of the time and any other function of the profile
 * in between (to make and release state), plus the embedder's own emits, a
 * re-entrant callback chain, memory growth in callbacks and phases with the
 * handle table full. Every call is checked (fuzz/oracle.ts, fuzz/model.ts):
 *
 * - no exception escapes, but the documented abort of an errPtr function
 *   whose error word lies outside memory;
 * - the call reports an error exactly when it logged one: the error value
 *   (or the error word), nothing else; a success is in the documented domain;
 * - a call with a zero, stale or wrong-type handle, or one that creates a
 *   handle while the table is full, fails;
 * - no guest byte changes outside what the call may write (guest memory is
 *   sentinel-filled and compared with a shadow copy after every call);
 * - the host's live-handle count moves exactly as the model says;
 * - nothing is logged as a host error.
 */
import type { HostDataSource } from "../runtime/data-source-api.js";
import { type ProfileId, Profiles, LogLevel, MapType, MaxHandles } from "../generated/constants.js";
import { igReleases } from "../generated/releases.js";
import { hostFunctionsOfProfile, type HostFnDescriptor } from "../generated/host/descriptors.js";
import type { Gadget, GadgetOptions } from "../runtime/gadget.js";
import { loadGadgetSync } from "../runtime/gadget.js";
import { GuestAbortError } from "../runtime/errors.js";
import type { Runtime } from "../runtime/runtime.js";
import { ACTION, CALLBACKS, CallbackAction, CONTROL_END, DATA, DEPTH, fuzzGuestWat, HEAP, HEAP_END, STRINGS } from "./guest.js";
import { createdKind, HandleModel, releasedParam } from "./model.js";
import { allowedWrites, domainProblem, errorValue, successMayEqualError, unsigned } from "./oracle.js";
import { packed, rng, ValueSource } from "./values.js";
import { wat as compileWat } from "../test/helpers/wat.js";

/** The profiles the fuzzer covers: every one the generated constants list. */
export const PROFILES: readonly ProfileId[] = Profiles;

/** The newest IG release of a profile: the release a guest written to its signatures runs as. */
function newestRelease(profile: ProfileId): string {
  return igReleases.filter((r) => r.profile === profile).at(-1)!.tag;
}

const SENTINEL = 0xa5;
/** Guest ranges every call may change: the callback's control words and the malloc heap. */
const ALWAYS_WRITABLE: readonly [number, number][] = [[0, CONTROL_END], [HEAP, HEAP_END]];
/** Names the fuzz gadget knows (data sources, fields, maps, params, syscalls, symbols) and some it does not. */
const NAMES = ["events", "batch", "pid", "comm", "ts", "raw", "n", "s", "m", "arr", "perf", "p", "openat", "k", "", "nope", "ÿ\u0000x"];

export interface FuzzOptions {
  readonly callsPerFunction: number;
  readonly seed: number;
  readonly profiles?: readonly ProfileId[];
  /** Only these functions (default: all). */
  readonly functions?: readonly string[];
  /** Replacement families for the gadget (the runtime is reachable once loaded): how a test injects a bug. */
  readonly families?: (profile: ProfileId, runtime: () => Runtime) => GadgetOptions["families"];
  /** loadGadget's `fastPath` for the field functions: the wasm fast path (true, default), its JS form ("js"), the JS shims alone (false). */
  readonly fastPath?: boolean | "js";
  /** Called after each function's session. */
  readonly progress?: (line: string) => void;
}

export interface Finding {
  readonly profile: ProfileId;
  readonly fn: string;
  /** The call's index in its session (replay: same seed, profile and function). */
  readonly call: number;
  readonly called: string;
  readonly args: string;
  readonly problem: string;
}

export interface FuzzReport {
  readonly calls: number;
  readonly findings: number;
  readonly sessions: { readonly profile: ProfileId; readonly fn: string; readonly calls: number; readonly targetCalls: number; readonly findings: number }[];
  /** The first findings (at most 50). */
  readonly examples: Finding[];
}

interface LogLine {
  readonly level: number;
  readonly text: string;
  /** Guest callbacks in progress when it was written (0: the call under test itself). */
  readonly depth: number;
}

const wasmCache = new Map<ProfileId, Uint8Array>();

/** The compiled fuzz guest of `profile` (cached). */
export async function guestBytes(profile: ProfileId): Promise<Uint8Array> {
  let bytes = wasmCache.get(profile);
  if (bytes === undefined) {
    bytes = await compileWat(fuzzGuestWat(profile));
    wasmCache.set(profile, bytes);
  }
  return bytes;
}

/** A string hash, so each session has its own stream from one seed. */
function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

function showArg(v: unknown): string {
  return typeof v === "bigint" ? `0x${BigInt.asUintN(64, v).toString(16)}n` : `0x${((v as number) >>> 0).toString(16)}`;
}

/** One gadget fuzzing one function of one profile. */
class Session {
  readonly findings: Finding[] = [];
  calls = 0;
  private readonly logs: LogLine[] = [];
  private readonly gadget: Gadget;
  private readonly rt: Runtime;
  private readonly memory: WebAssembly.Memory;
  private shadow: Uint8Array;
  private shadowBuffer: Buffer;
  private readonly model = new HandleModel();
  private readonly values: ValueSource;
  private readonly rand: () => number;
  private readonly fns: readonly HostFnDescriptor[];
  private readonly strings: Map<string, bigint> = new Map();
  /**
   * The embedder's own data sources, held from their declaration: a guest's
   * newDataSource with the same name replaces the registry entry (as in IG),
   * and the embedder keeps emitting into what it declared.
   */
  private embedderSources: { events: HostDataSource; batch: HostDataSource } | null = null;

  constructor(
    readonly profile: ProfileId,
    readonly target: HostFnDescriptor,
    bytes: Uint8Array,
    seed: number,
    options: FuzzOptions,
  ) {
    this.fns = hostFunctionsOfProfile(profile);
    this.rand = rng(seed ^ hash(`${profile}/${target.name}/${target.params.map((p) => p.type).join(",")}`));
    let memory: WebAssembly.Memory | undefined;
    let rt: Runtime | undefined;
    this.gadget = loadGadgetSync(bytes, {
      igVersion: newestRelease(profile),
      logLevel: LogLevel.Debug,
      logSink: (level, text) => this.logs.push({ level, text, depth: memory ? new DataView(memory.buffer).getUint32(DEPTH, true) : 0 }),
      params: { p: "v" },
      kallsyms: ["k"],
      mntnsFilter: [1n],
      syscallArch: "x86_64",
      fastPath: options.fastPath ?? true,
      families: options.families?.(profile, () => rt!),
    });
    this.rt = rt = this.gadget.runtime;
    this.memory = memory = this.gadget.exports.memory as WebAssembly.Memory;
    const u8 = this.u8();
    u8.fill(0, 0, DATA);
    u8.fill(SENTINEL, DATA);
    let at = STRINGS;
    for (const name of NAMES) {
      const bytes = new TextEncoder().encode(name);
      u8.set(bytes, at);
      this.strings.set(name, packed(at, bytes.length));
      at += bytes.length + 1;
    }
    this.shadow = u8.slice();
    this.shadowBuffer = Buffer.from(this.shadow.buffer);
    this.values = new ValueSource(this.rand, this.model, [...this.strings.values()], () => this.memory.buffer.byteLength);
    this.declare();
  }

  private u8(): Uint8Array {
    return new Uint8Array(this.memory.buffer);
  }

  private fn(name: string): HostFnDescriptor | undefined {
    return this.fns.find((f) => f.name === name);
  }

  /** The embedder's data sources and maps, and the guest's subscriptions to both data sources. */
  private declare(): void {
    const ds = this.gadget.dataSources;
    this.embedderSources = {
      events: ds.declare("events", { fields: { pid: "uint32", comm: "string", ts: "int64", raw: "bytes" } }),
      batch: ds.declare("batch", { type: "array", fields: { n: "uint16", s: "string" } }),
    };
    this.gadget.maps.declare({ name: "m", type: MapType.Hash, keySize: 4, valueSize: 8, maxEntries: 16 });
    this.gadget.maps.declare({ name: "arr", type: MapType.Array, keySize: 4, valueSize: 4, maxEntries: 8 });
    this.gadget.maps.declare({ name: "perf", type: MapType.PerfEventArray, keySize: 4, valueSize: 4, maxEntries: 1 });
    const getDs = this.fn("getDataSource")!;
    const subscribe = this.fn("dataSourceSubscribe")!;
    const seedTypes = subscribe.params[1].type === "enum<SubscriptionTypeSeed>";
    for (const [name, type] of [["events", seedTypes ? 0 : 1], ["batch", seedTypes ? 1 : 2]] as const) {
      const h = this.invoke(getDs, [this.strings.get(name)!]);
      this.invoke(subscribe, [h, type, 0, BigInt(this.calls)]);
    }
  }

  run(targetCalls: number): number {
    const release = this.fn("releaseHandle") ?? this.fn("dataSourceRelease")!;
    let done = 0;
    let exhausted = false;
    while (done < targetCalls) {
      const roll = this.rand();
      // Once per session at least (at its middle), the table is filled and the calls after it meet a full table.
      if (roll < 0.00002 || (!exhausted && done >= targetCalls / 2)) {
        this.exhaust();
        exhausted = true;
      } else if (roll < 0.02) this.embedderEmit();
      let d: HostFnDescriptor;
      if (this.rt.handles.size > MaxHandles - 600 && this.values.chance(0.5)) d = release;
      else d = this.values.chance(0.6) ? this.target : this.values.pick(this.fns);
      this.invoke(d, this.values.args(d));
      if (d === this.target) done++;
    }
    return done;
  }

  /** Takes every free handle (getDataSource), so the calls after it run with the table full. */
  private exhaust(): void {
    const getDs = this.fn("getDataSource")!;
    while (this.rt.handles.size < MaxHandles) {
      if (unsigned(this.invoke(getDs, [this.strings.get("events")!])) === 0) break;
    }
  }

  private embedderEmit(): void {
    this.calls++;
    const before = this.rt.handles.size;
    this.prepareCallback();
    try {
      if (this.values.chance(0.5)) this.embedderSources!.events.emit({ pid: this.values.int(100), comm: "c", raw: new Uint8Array(3) });
      else this.embedderSources!.batch.emitArray(Array.from({ length: this.values.int(4) }, (_, n) => ({ n, s: "x" })));
    } catch (e) {
      this.finding("<embedder emit>", [], `the embedder's emit threw: ${String(e)}`);
    }
    if (this.rt.handles.size !== before) this.finding("<embedder emit>", [], `live handles ${before} -> ${this.rt.handles.size}`);
    this.checkMemory("<embedder emit>", [], []);
    this.checkHostErrors("<embedder emit>", []);
  }

  private prepareCallback(): void {
    const v = new DataView(this.memory.buffer);
    v.setUint32(ACTION, this.values.chance(0.8) ? CallbackAction.None : 1 + this.values.int(5), true);
    v.setUint32(DEPTH, 0, true);
    v.setUint32(CALLBACKS, 0, true);
    this.logs.length = 0;
  }

  private finding(called: string, args: readonly unknown[], problem: string): void {
    this.findings.push({ profile: this.profile, fn: this.target.name, call: this.calls, called, args: args.map(showArg).join(", "), problem });
  }

  /** Calls `d` through its forwarder with `args` and checks everything; returns the result. */
  invoke(d: HostFnDescriptor, args: unknown[]): unknown {
    this.calls++;
    this.prepareCallback();
    const before = this.rt.handles.size;
    const mustFail = this.model.mustFail(d, args) ?? (before >= MaxHandles && createdKind(d, args) !== undefined ? "the handle table is full" : null);
    const emitGivesUp = d.name === "dataSourceEmitAndRelease" && this.model.emitGivesUpPacket(args);
    const mapOfMaps = d.name === "mapLookup" && this.model.live.get((args[0] as number) >>> 0) === "MapOfMaps";
    let result: unknown;
    let thrown: unknown;
    let threw = false;
    try {
      result = (this.gadget.exports[`f_${d.name}`] as (...a: unknown[]) => unknown)(...args);
    } catch (e) {
      thrown = e;
      threw = true;
    }
    const errored = this.logs.some((l) => l.depth === 0 && l.text.startsWith(`${d.name}: `));
    this.checkOutcome(d, args, result, errored, threw, thrown, mustFail);
    this.checkMemory(d.name, args, threw ? [] : allowedWrites(d, args, result, errored));
    this.checkHostErrors(d.name, args);
    const delta = this.updateModel(d, args, result, errored || threw, emitGivesUp, mapOfMaps);
    if (this.rt.handles.size !== before + delta) {
      this.finding(d.name, args, `live handles ${before} -> ${this.rt.handles.size}, expected ${before + delta}`);
    }
    return result;
  }

  private checkOutcome(d: HostFnDescriptor, args: unknown[], result: unknown, errored: boolean, threw: boolean, thrown: unknown, mustFail: string | null): void {
    if (threw) {
      // The one documented escape: an errPtr function that cannot write its error word aborts the guest's call.
      const errPtr = d.error.kind === "errPtr" ? (args[d.params.findIndex((p) => p.name === (d.error as { param: string }).param)] as number) >>> 0 : 0;
      const unwritable = errPtr !== 0 && errPtr + 4 > this.memory.buffer.byteLength;
      if (!(thrown instanceof GuestAbortError && errored && unwritable)) this.finding(d.name, args, `exception escaped: ${String(thrown)}`);
      return;
    }
    if (mustFail !== null && !errored && d.error.kind !== "none") this.finding(d.name, args, `succeeded although ${mustFail}`);
    const ev = errorValue(d);
    if (ev !== undefined) {
      const r = unsigned(result);
      if (errored && r !== ev) this.finding(d.name, args, `logged an error but returned ${String(r)}, not the error value ${String(ev)}`);
      if (!errored && r === ev && !successMayEqualError(d)) this.finding(d.name, args, `returned the error value ${String(ev)} without logging an error`);
    }
    if (d.error.kind === "errPtr" && errored) {
      const p = (args[d.params.findIndex((x) => x.name === (d.error as { param: string }).param)] as number) >>> 0;
      if (p !== 0 && p + 4 <= this.memory.buffer.byteLength && new DataView(this.memory.buffer).getUint32(p, true) !== 1) {
        this.finding(d.name, args, `logged an error but left the error word at ${p} unset`);
      }
    }
    if (!errored && d.error.kind !== "none") {
      const problem = domainProblem(d, result, args);
      if (problem !== null) this.finding(d.name, args, problem);
    }
  }

  /** Compares guest memory with the shadow outside the control block, the heap and `allowed`; then takes the allowed writes. */
  private checkMemory(called: string, args: readonly unknown[], allowed: [number, number][]): void {
    const u8 = this.u8();
    const old = this.shadow.length;
    const writable = allowed.filter(([s, e]) => e > s).map(([s, e]): [number, number] => [s, Math.min(e, old)]);
    const skip = [...ALWAYS_WRITABLE, ...writable].sort((x, y) => x[0] - y[0]);
    let at = 0;
    const a = Buffer.from(u8.buffer, 0, old);
    const b = this.shadowBuffer;
    for (const [s, e] of [...skip, [old, old] as [number, number]]) {
      const end = Math.min(s, old);
      if (end > at && a.compare(b, at, end, at, end) !== 0) {
        let i = at;
        while (a[i] === b[i]) i++;
        this.finding(called, args, `guest byte ${i} changed (${b[i]} -> ${a[i]}) outside what the call may write`);
        this.shadow.set(u8.subarray(0, old));
        break;
      }
      at = Math.max(at, Math.min(e, old));
    }
    for (const [s, e] of writable) if (s < e) this.shadow.set(u8.subarray(s, e), s);
    if (u8.length > old) {
      u8.fill(SENTINEL, old);
      this.shadow = u8.slice();
      this.shadowBuffer = Buffer.from(this.shadow.buffer);
    }
  }

  private checkHostErrors(called: string, args: readonly unknown[]): void {
    for (const l of this.logs) if (l.text.endsWith("(host error)")) this.finding(called, args, `host error logged: ${l.text}`);
  }

  /** Applies a call's effect on the guest's handles; returns the expected change of the live count. */
  private updateModel(d: HostFnDescriptor, args: unknown[], result: unknown, failed: boolean, emitGivesUp: boolean, mapOfMaps: boolean): number {
    let delta = 0;
    if (d.name === "dataSourceEmitAndRelease") {
      if (emitGivesUp) {
        this.model.release(args[1] as number);
        delta--;
      }
      return delta;
    }
    if (failed) return 0;
    const created = createdKind(d, args);
    if (created !== undefined) {
      this.model.add(result as number, created);
      delta++;
    }
    if (d.name === "dataArrayGet") {
      this.model.elements.push((result as number) >>> 0);
      if (this.model.elements.length > 32) this.model.elements.shift();
    }
    if (mapOfMaps) {
      const ptr = Number(BigInt.asUintN(64, args[2] as bigint) & 0xffffffffn);
      this.model.add(new DataView(this.memory.buffer).getUint32(ptr, true), "Map");
      delta++;
    }
    const released = releasedParam(d);
    if (released !== -1) {
      this.model.release(args[released] as number);
      delta--;
    }
    return delta;
  }
}

/** Fuzzes every function of every profile (or the chosen ones); see the file comment for the checks. */
export async function fuzz(options: FuzzOptions): Promise<FuzzReport> {
  const sessions: FuzzReport["sessions"][number][] = [];
  const examples: Finding[] = [];
  let calls = 0;
  let findings = 0;
  for (const profile of options.profiles ?? PROFILES) {
    const bytes = await guestBytes(profile);
    for (const target of hostFunctionsOfProfile(profile)) {
      if (options.functions && !options.functions.includes(target.name)) continue;
      const session = new Session(profile, target, bytes, options.seed, options);
      const targetCalls = session.run(options.callsPerFunction);
      calls += session.calls;
      findings += session.findings.length;
      for (const f of session.findings) if (examples.length < 50) examples.push(f);
      sessions.push({ profile, fn: target.name, calls: session.calls, targetCalls, findings: session.findings.length });
      options.progress?.(`${profile} ${target.name}: ${session.calls} calls (${targetCalls} of it), ${session.findings.length} findings`);
    }
  }
  return { calls, findings, sessions, examples };
}

