/**
 * Issue 4, "Done when": a test guest that uses every remaining host function
 * of profile v0.43 (module `ig`; IG v0.43.0 - v0.55.1) runs on the host and
 * checks each result itself.
 *
 * The guest is AssemblyScript over the generated raw declarations
 * (generated/guest/assemblyscript/v0.43/), compiled here with asc. Each phase
 * checks every result (values, bytes written, sentinel bytes left alone),
 * logs `FAIL <what>` at Error level for each mismatch, and returns its number
 * of failures (non-zero fails the phase). The embedding code declares the
 * maps the guest looks up and writes perf records between start and stop.
 *
 * Also here: every function of ABI.md's `ig` list (profile v0.43) has a
 * descriptor, an import shim in createV0_43Imports(...) and a section in
 * generated/docs/v0.43.md.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { LogLevel, MapType } from "../generated/constants.js";
import { hostFunctionsOfProfile } from "../generated/host/descriptors.js";
import { createV0_43Imports, linkV0_43Imports } from "../generated/host/v0.43/index.js";
import { createProfileHost } from "../runtime/profiles.js";
import { GadgetError } from "../runtime/gadget.js";
import { Logger } from "../runtime/logger.js";
import { PerfBuffer } from "../runtime/perf/perf-reader.js";
import { Runtime } from "../runtime/runtime.js";
import { RuntimeShimContext } from "../runtime/runtime-shim-context.js";
import { loadGuest, type LoadedGuest } from "./helpers/guest.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const BUILD = join(ROOT, "test/.build/host-v1-all");
const ASC = join(ROOT, "node_modules/.bin/asc");

/** The functions issue 4 asks for, each of which the guest below calls and checks. */
const ISSUE_4 = [
  "gadgetShouldLog", "releaseHandle", "getParamValue", "setConfig",
  "newMap", "getMap", "mapLookup", "mapUpdate", "mapDelete", "mapRelease",
  "newPerfReader", "perfReaderPause", "perfReaderResume", "perfReaderRead", "perfReaderClose",
  "getSyscallName", "getSyscallID", "getSyscallDeclaration", "kallsymsSymbolExists", "shouldDiscardMntnsID",
] as const;

/** ABI.md's `ig` list: every host function a module of profile v0.43 may import from `ig`. */
const ABI_V0_43 = [
  "gadgetLog", "gadgetShouldLog",
  "newDataSource", "getDataSource", "dataSourceSubscribe", "dataSourceGetField", "dataSourceAddField",
  "dataSourceNewPacketSingle", "dataSourceNewPacketArray", "dataSourceEmitAndRelease", "dataSourceRelease",
  "dataSourceUnreference", "dataSourceIsReferenced",
  "dataArrayNew", "dataArrayAppend", "dataArrayRelease", "dataArrayLen", "dataArrayGet",
  "fieldGetScalar", "fieldGetBuffer", "fieldSet", "fieldAddTag",
  "getParamValue", "setConfig",
  "newMap", "getMap", "mapLookup", "mapUpdate", "mapDelete", "mapRelease",
  "newPerfReader", "perfReaderPause", "perfReaderResume", "perfReaderClose", "perfReaderRead",
  "releaseHandle",
  "getSyscallName", "getSyscallID", "getSyscallDeclaration",
  "kallsymsSymbolExists", "shouldDiscardMntnsID",
] as const;

// ---- The guest -----------------------------------------------------------------

const GUEST = `// Issue 4 test guest: calls every remaining host function of profile v0.43 and checks each result.
import {
  gadgetLog, gadgetShouldLog, releaseHandle, getParamValue, setConfig,
  newMap, getMap, mapLookup, mapUpdate, mapDelete, mapRelease,
  newPerfReader, perfReaderPause, perfReaderResume, perfReaderRead, perfReaderClose,
  getSyscallName, getSyscallID, getSyscallDeclaration, kallsymsSymbolExists, shouldDiscardMntnsID,
  newDataSource, ApiVersion, DataSourceType, FieldKind, LogLevel, MapType, MapUpdateFlags, PerfReadStatus,
  SyscallDeclarationSize,
} from "../../../generated/guest/assemblyscript/v0.43/index";

const SENTINEL: u8 = 0xa5;
const BUF: usize = memory.data(512);   // destination buffers
const KEY: usize = memory.data(64);
const VAL: usize = memory.data(64);

let checks: i32 = 0;
let failures: i32 = 0;

function pack(ptr: usize, len: i32): u64 {
  return (<u64>len << 32) | <u64>ptr;
}
function str(s: string): u64 {
  const b = String.UTF8.encode(s);
  return pack(changetype<usize>(b), b.byteLength);
}
function dst(len: i32): u64 {
  memory.fill(BUF, SENTINEL, 512);
  return pack(BUF, len);
}
function untouched(from: i32, to: i32): bool {
  for (let i = from; i < to; i++) if (load<u8>(BUF + <usize>i) != SENTINEL) return false;
  return true;
}
function text(ptr: usize, len: i32): string {
  return String.UTF8.decodeUnsafe(ptr, <usize>len);
}
/** The NUL-padded name at ptr (at most 32 bytes). */
function cname(ptr: usize): string {
  let n = 0;
  while (n < 32 && load<u8>(ptr + <usize>n) != 0) n++;
  return text(ptr, n);
}
function u32key(k: u32): u64 {
  store<u32>(KEY, k);
  return pack(KEY, 4);
}
function u32val(v: u32): u64 {
  store<u32>(VAL, v);
  return pack(VAL, 4);
}
function u64val(v: u64): u64 {
  store<u64>(VAL, v);
  return pack(VAL, 8);
}

function check(ok: bool, what: string): void {
  checks++;
  if (!ok) {
    failures++;
    gadgetLog(LogLevel.Error, str("FAIL " + what));
  }
}
function eq(got: i64, want: i64, what: string): void {
  check(got == want, what + ": got " + got.toString() + ", want " + want.toString());
}
function phaseResult(before: i32): i32 {
  return failures - before;
}

export function gadgetAPIVersion(): u64 {
  return ApiVersion;
}

// ---- init: log, params, config, syscalls, kernel, maps, releaseHandle ----------

export function gadgetInit(): i32 {
  const before = failures;
  gadgetLog(LogLevel.Info, str("v1-all: init"));

  // gadgetShouldLog: the host logs at Debug.
  eq(gadgetShouldLog(LogLevel.Error), 1, "gadgetShouldLog(Error)");
  eq(gadgetShouldLog(LogLevel.Debug), 1, "gadgetShouldLog(Debug)");
  eq(gadgetShouldLog(LogLevel.Trace), 0, "gadgetShouldLog(Trace)");
  eq(gadgetShouldLog(9), 0, "gadgetShouldLog(9)");

  // getParamValue
  eq(getParamValue(str("greeting"), dst(32)), 0, "getParamValue(greeting)");
  check(text(BUF, 5) == "hello" && untouched(5, 512), "getParamValue writes exactly hello");
  eq(getParamValue(str("defaulted"), dst(32)), 0, "getParamValue(defaulted)");
  check(text(BUF, 4) == "dflt" && untouched(4, 512), "getParamValue writes the spec default");
  eq(getParamValue(str("nope"), dst(32)), 1, "getParamValue(unknown key)");
  check(untouched(0, 512), "getParamValue(unknown key) writes nothing");
  eq(getParamValue(str("greeting"), dst(4)), 1, "getParamValue(dst too small)");
  check(untouched(0, 512), "getParamValue(dst too small) writes nothing");

  // setConfig
  eq(setConfig(str("answer"), str("forty-two"), FieldKind.String), 0, "setConfig(String)");
  eq(setConfig(str("number"), 42, FieldKind.Uint32), 1, "setConfig(Uint32)");
  eq(setConfig(str("bytes"), str("xx"), FieldKind.Bytes), 1, "setConfig(Bytes)");
  eq(setConfig(pack(0xfffffff0, 8), str("v"), FieldKind.String), 1, "setConfig(bad key pointer)");

  // getSyscallName / getSyscallID / getSyscallDeclaration (the host runs as x86_64)
  eq(getSyscallName(59, dst(32)), 0, "getSyscallName(59)");
  check(text(BUF, 6) == "execve" && untouched(6, 512), "getSyscallName(59) writes exactly execve");
  eq(getSyscallName(1000, dst(32)), 0, "getSyscallName(1000)");
  check(text(BUF, 11) == "syscall_3e8" && untouched(11, 512), "getSyscallName(1000) writes syscall_3e8");
  eq(getSyscallName(59, dst(5)), 1, "getSyscallName(dst too small)");
  check(untouched(0, 512), "getSyscallName(dst too small) writes nothing");
  eq(getSyscallID(str("openat")), 257, "getSyscallID(openat)");
  eq(getSyscallID(str("execve")), 59, "getSyscallID(execve)");
  eq(getSyscallID(str("no_such_call")), -1, "getSyscallID(unknown)");
  // getSyscallDeclaration's destination is packed (len << 32 | ptr) with len >= 252, written by
  // bufToStack (IG pkg/operators/wasm/syscalls.go@bfaf82dd1, helpers.go@bfaf82dd1).
  memory.fill(BUF, SENTINEL, 512);
  eq(getSyscallDeclaration(str("openat"), pack(BUF, <i32>SyscallDeclarationSize)), 0, "getSyscallDeclaration(openat)");
  check(cname(BUF) == "openat", "declaration name");
  eq(load<u8>(BUF + 32), 4, "declaration nrParams");
  eq(load<u8>(BUF + 33) | load<u8>(BUF + 34) | load<u8>(BUF + 35), 0, "declaration padding");
  check(cname(BUF + 36) == "dfd" && cname(BUF + 72) == "filename" && cname(BUF + 108) == "flags" && cname(BUF + 144) == "mode", "declaration param names");
  eq(load<u32>(BUF + 36 + 32), 0, "dfd flags");
  eq(load<u32>(BUF + 72 + 32), 1, "filename flags (pointer)");
  eq(load<u32>(BUF + 180 + 32), 0, "unused slot 4 flags");
  check(cname(BUF + 216) == "", "unused slot 5 name");
  check(untouched(<i32>SyscallDeclarationSize, 512), "getSyscallDeclaration writes exactly 252 bytes");
  eq(getSyscallDeclaration(str("no_such_call"), dst(512)), 1, "getSyscallDeclaration(unknown)");
  check(untouched(0, 512), "getSyscallDeclaration(unknown) writes nothing");
  eq(getSyscallDeclaration(str("openat"), dst(<i32>SyscallDeclarationSize - 1)), 1, "getSyscallDeclaration(dst too small)");
  check(untouched(0, 512), "getSyscallDeclaration(dst too small) writes nothing");
  memory.fill(BUF, SENTINEL, 512);
  eq(getSyscallDeclaration(str("openat"), <u64>BUF), 1, "getSyscallDeclaration(bare address: len 0)");
  check(untouched(0, 512), "getSyscallDeclaration(bare address) writes nothing");

  // kallsymsSymbolExists / shouldDiscardMntnsID
  eq(kallsymsSymbolExists(str("bpf_prog_load")), 1, "kallsymsSymbolExists(bpf_prog_load)");
  eq(kallsymsSymbolExists(str("no_such_symbol")), 0, "kallsymsSymbolExists(unknown)");
  eq(shouldDiscardMntnsID(4026531840), 0, "shouldDiscardMntnsID(in filter)");
  eq(shouldDiscardMntnsID(0xffff_ffff_ffff_fffe), 0, "shouldDiscardMntnsID(2^64-2, in filter)");
  eq(shouldDiscardMntnsID(0x8000_0000_0000_0000), 1, "shouldDiscardMntnsID(2^63, not in filter)");
  eq(shouldDiscardMntnsID(1), 1, "shouldDiscardMntnsID(1)");

  // A Hash map of our own: update flags, maxEntries, lookup bytes, delete, release.
  const h = newMap(str("local"), MapType.Hash, 4, 8, 2);
  check(h != 0, "newMap(Hash)");
  eq(mapUpdate(h, u32key(1), u64val(0x1122334455667788), MapUpdateFlags.NoExist), 0, "mapUpdate(NoExist, new)");
  eq(mapUpdate(h, u32key(1), u64val(1), MapUpdateFlags.NoExist), 1, "mapUpdate(NoExist, existing)");
  eq(mapUpdate(h, u32key(2), u64val(2), MapUpdateFlags.Exist), 1, "mapUpdate(Exist, absent)");
  eq(mapUpdate(h, u32key(2), u64val(2), MapUpdateFlags.Any), 0, "mapUpdate(Any, new)");
  eq(mapUpdate(h, u32key(3), u64val(3), MapUpdateFlags.Any), 1, "mapUpdate past maxEntries");
  eq(mapUpdate(h, u32key(2), u64val(22), MapUpdateFlags.Exist), 0, "mapUpdate(Exist, existing) when full");
  eq(mapLookup(h, u32key(1), dst(16)), 0, "mapLookup(1)");
  eq(load<u64>(BUF), 0x1122334455667788, "mapLookup(1) value");
  check(untouched(8, 512), "mapLookup writes exactly 8 bytes");
  eq(mapLookup(h, u32key(9), dst(16)), 1, "mapLookup(absent)");
  check(untouched(0, 512), "mapLookup(absent) writes nothing");
  eq(mapLookup(h, u32key(1), dst(7)), 1, "mapLookup(dst too small)");
  check(untouched(0, 512), "mapLookup(dst too small) writes nothing");
  eq(mapLookup(h, pack(KEY, 3), dst(16)), 1, "mapLookup(wrong key size)");
  eq(mapDelete(h, u32key(1)), 0, "mapDelete(1)");
  eq(mapDelete(h, u32key(1)), 1, "mapDelete(1) again");
  eq(mapLookup(h, u32key(1), dst(16)), 1, "mapLookup after mapDelete");
  eq(mapRelease(h), 0, "mapRelease");
  eq(mapLookup(h, u32key(2), dst(16)), 1, "mapLookup after mapRelease");
  eq(mapRelease(h), 1, "mapRelease again");

  // An Array map: pre-zeroed, no delete.
  const a = newMap(str("arr"), MapType.Array, 4, 4, 2);
  check(a != 0, "newMap(Array)");
  eq(mapLookup(a, u32key(1), dst(4)), 0, "mapLookup(Array, 1)");
  eq(load<u32>(BUF), 0, "Array maps start zeroed");
  eq(mapDelete(a, u32key(1)), 1, "mapDelete(Array)");

  // A map of maps: lookup writes a NEW handle on the inner map.
  const outer = newMap(str("outer"), MapType.ArrayOfMaps, 4, 4, 2);
  const inner = newMap(str("inner"), MapType.Hash, 4, 4, 4);
  check(outer != 0 && inner != 0, "newMap(ArrayOfMaps, Hash)");
  eq(mapUpdate(inner, u32key(5), u32val(55), MapUpdateFlags.Any), 0, "mapUpdate(inner)");
  eq(mapUpdate(outer, u32key(0), u32val(inner), MapUpdateFlags.Any), 0, "mapUpdate(outer, inner handle)");
  eq(mapLookup(outer, u32key(0), dst(4)), 0, "mapLookup(outer)");
  const got = load<u32>(BUF);
  check(got != 0 && got != inner && got != outer, "mapLookup(outer) writes a new handle");
  eq(mapLookup(got, u32key(5), dst(4)), 0, "mapLookup through the new handle");
  eq(load<u32>(BUF), 55, "value through the new handle");
  eq(releaseHandle(got), 0, "releaseHandle(inner map handle)");
  eq(releaseHandle(got), 1, "releaseHandle(inner map handle) again");
  eq(mapLookup(inner, u32key(5), dst(4)), 0, "inner map lives on");
  const hom = newMap(str("hom"), MapType.HashOfMaps, 4, 4, 2);
  check(hom != 0, "newMap(HashOfMaps)");
  const pea = newMap(str("pea"), MapType.PerfEventArray, 4, 4, 2);
  check(pea != 0, "newMap(PerfEventArray)");
  eq(newMap(str("bad"), 3, 4, 4, 1), 0, "newMap(unknown type)");

  // The embedding code's map.
  const counts = getMap(str("counts"));
  check(counts != 0, "getMap(counts)");
  eq(getMap(str("no_such_map")), 0, "getMap(unknown)");
  eq(mapLookup(counts, u32key(1), dst(8)), 0, "mapLookup(counts, 1)");
  eq(load<u64>(BUF), 42, "counts[1] from the embedding code");
  eq(mapUpdate(counts, u32key(2), u64val(7), MapUpdateFlags.Any), 0, "mapUpdate(counts, 2)");
  eq(releaseHandle(counts), 0, "releaseHandle(counts)");
  eq(mapUpdate(counts, u32key(3), u64val(8), MapUpdateFlags.Any), 1, "mapUpdate after releaseHandle");

  // releaseHandle on other handle types.
  const ds = newDataSource(str("tmp"), DataSourceType.Single);
  check(ds != 0, "newDataSource(tmp)");
  eq(mapLookup(ds, u32key(1), dst(8)), 1, "mapLookup(DataSource handle)");
  check(untouched(0, 512), "mapLookup(DataSource handle) writes nothing");
  eq(releaseHandle(ds), 0, "releaseHandle(data source)");
  eq(releaseHandle(ds), 1, "releaseHandle(data source) again");
  eq(releaseHandle(0), 1, "releaseHandle(0)");
  eq(releaseHandle(0x1234), 1, "releaseHandle(unknown)");

  return phaseResult(before);
}

// ---- start / stop: perf readers on the embedding code's PerfEventArray --------

let events: u32 = 0;
let reader: u32 = 0;
let paused: u32 = 0;
let overwriting: u32 = 0;

export function gadgetStart(): i32 {
  const before = failures;
  events = getMap(str("events"));
  check(events != 0, "getMap(events)");
  reader = newPerfReader(events, 4096, 0);
  check(reader != 0, "newPerfReader");
  paused = newPerfReader(events, 4096, 0);
  check(paused != 0, "newPerfReader(second)");
  overwriting = newPerfReader(events, 48, 1);
  check(overwriting != 0, "newPerfReader(overwritable)");
  eq(perfReaderPause(paused), 0, "perfReaderPause");
  eq(perfReaderRead(reader, dst(64)), PerfReadStatus.NothingToRead, "perfReaderRead before any record");
  check(untouched(0, 512), "perfReaderRead(nothing) writes nothing");

  const counts = getMap(str("counts"));
  eq(newPerfReader(counts, 4096, 0), 0, "newPerfReader(Hash map)");
  eq(newPerfReader(0, 4096, 0), 0, "newPerfReader(0) answers 0 (IG: 1; igwasm deliberately its error value)");
  eq(releaseHandle(counts), 0, "releaseHandle(counts)");
  return phaseResult(before);
}

export function gadgetStop(): i32 {
  const before = failures;
  // The embedding code wrote [1,2,3,4], then 20 bytes 101..120, then four 8-byte records tagged 0x10..0x13.
  eq(perfReaderRead(reader, dst(4)), 0, "perfReaderRead(first)");
  check(load<u32>(BUF) == 0x04030201 && untouched(4, 512), "first record bytes");
  // As IG: the record that does not fit is consumed all the same.
  eq(perfReaderRead(reader, dst(19)), 1, "perfReaderRead(dst too small)");
  check(untouched(0, 512), "perfReaderRead(dst too small) writes nothing");
  for (let t = 0x10; t <= 0x13; t++) {
    eq(perfReaderRead(reader, dst(64)), 0, "perfReaderRead(tag)");
    eq(load<u8>(BUF), t, "tag order");
  }
  eq(perfReaderRead(reader, dst(64)), PerfReadStatus.NothingToRead, "perfReaderRead(drained)");

  // The paused reader dropped everything; resume it.
  eq(perfReaderRead(paused, dst(64)), PerfReadStatus.NothingToRead, "paused reader got nothing");
  eq(perfReaderResume(paused), 0, "perfReaderResume");

  // The overwritable 48-byte reader kept the newest records that fit; it is read once paused (as IG).
  eq(perfReaderRead(overwriting, dst(64)), 1, "overwritable read before pause");
  eq(perfReaderPause(overwriting), 0, "perfReaderPause(overwritable)");
  for (let t = 0x11; t <= 0x13; t++) {
    eq(perfReaderRead(overwriting, dst(64)), 0, "overwritable read");
    eq(load<u8>(BUF), t, "overwritable kept the newest");
  }
  eq(perfReaderRead(overwriting, dst(64)), PerfReadStatus.NothingToRead, "overwritable drained");

  eq(perfReaderClose(reader), 0, "perfReaderClose");
  eq(perfReaderRead(reader, dst(64)), 1, "perfReaderRead after close");
  check(untouched(0, 512), "perfReaderRead after close writes nothing");
  eq(perfReaderClose(reader), 1, "perfReaderClose again");
  eq(perfReaderPause(reader), 1, "perfReaderPause after close");
  eq(releaseHandle(paused), 0, "releaseHandle(perf reader)");
  eq(perfReaderResume(paused), 1, "perfReaderResume after releaseHandle");
  eq(perfReaderClose(overwriting), 0, "perfReaderClose(overwritable)");
  eq(releaseHandle(events), 0, "releaseHandle(events)");
  return phaseResult(before);
}

export function gadgetPostStop(): i32 {
  gadgetLog(LogLevel.Info, str("v1-all: " + checks.toString() + " checks, " + failures.toString() + " failures"));
  return failures;
}
`;

function compileGuest(): Uint8Array<ArrayBuffer> {
  mkdirSync(BUILD, { recursive: true });
  writeFileSync(join(BUILD, "v1-all.ts"), GUEST);
  const r = spawnSync(ASC, ["v1-all.ts", "--outFile", "v1-all.wasm", "--runtime", "stub", "--use", "abort="], { cwd: BUILD, encoding: "utf8" });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`asc exited with ${r.status}\n${r.stdout}\n${r.stderr}`);
  return new Uint8Array(readFileSync(join(BUILD, "v1-all.wasm")));
}

describe("a guest that uses every remaining host function of profile v0.43", () => {
  let wasm: Uint8Array<ArrayBuffer>;
  beforeAll(() => {
    wasm = compileGuest();
  });

  /** Loads the guest with the host setup its checks expect, declaring the embedding code's maps. */
  function load(greeting = "hello"): { g: LoadedGuest; events: PerfBuffer; counts: () => Map<string, bigint> } {
    const g = loadGuest(wasm, {
      logLevel: LogLevel.Debug,
      params: { greeting },
      paramSpecs: [{ key: "defaulted", defaultValue: "dflt" }],
      syscallArch: "x86_64",
      kallsyms: ["bpf_prog_load"],
      mntnsFilter: [4026531840n, (1n << 64n) - 2n],
    });
    const countsMap = g.gadget.maps.declare({ name: "counts", type: MapType.Hash, keySize: 4, valueSize: 8, maxEntries: 8 });
    const v = new Uint8Array(8);
    new DataView(v.buffer).setBigUint64(0, 42n, true);
    countsMap.set(Uint8Array.of(1, 0, 0, 0), v);
    const events = PerfBuffer.of(g.gadget.maps.declare({ name: "events", type: MapType.PerfEventArray, keySize: 4, valueSize: 4, maxEntries: 4 }));
    const counts = (): Map<string, bigint> => {
      const out = new Map<string, bigint>();
      for (const [key, value] of countsMap.entries()) out.set(String(key[0]), new DataView(value.buffer).getBigUint64(0, true));
      return out;
    };
    return { g, events, counts };
  }

  /** Runs every phase; between start and stop the embedding code writes the records gadgetStop expects. */
  function run(greeting = "hello"): { g: LoadedGuest; counts: Map<string, bigint> } {
    const { g, events, counts } = load(greeting);
    g.gadget.run(() => {
      events.write(Uint8Array.of(1, 2, 3, 4));
      events.write(Uint8Array.from({ length: 20 }, (_, i) => 101 + i));
      for (let t = 0x10; t <= 0x13; t++) events.write(new Uint8Array(8).fill(t));
    });
    return { g, counts: counts() };
  }

  it("imports every function of issue 4 from ig", () => {
    const imports = WebAssembly.Module.imports(new WebAssembly.Module(wasm));
    const fromIg = imports.filter((i) => i.module === "ig").map((i) => i.name);
    for (const fn of ISSUE_4) expect(fromIg, fn).toContain(fn);
    expect(imports.filter((i) => i.module !== "ig")).toEqual([]);
  });

  it("runs init, start, stop and postStop with every check passing", () => {
    const { g, counts } = run();
    expect(g.gadget.profile).toBe("v0.43");
    expect(g.logs.filter((l) => l.includes("FAIL"))).toEqual([]);
    const summary = g.logs.find((l) => l.startsWith("info: v1-all: ") && l.includes("checks"));
    expect(summary).toMatch(/^info: v1-all: \d+ checks, 0 failures$/);
    expect(Number(/(\d+) checks/.exec(summary!)![1])).toBeGreaterThan(120);
    // What the guest handed back to the embedding code.
    expect(g.gadget.config.get("answer")).toBe("forty-two");
    expect([...g.gadget.config.keys()]).toEqual(["answer"]);
    expect(counts).toEqual(new Map([["1", 42n], ["2", 7n]]));
  });

  it("reports a failed check: a FAIL line naming it, and the phase fails (negative control)", () => {
    expect(() => run("HELLO")).toThrow(GadgetError);
    const { g } = load("HELLO");
    expect(() => g.gadget.init()).toThrow("init failed: gadgetInit returned 1");
    expect(g.logs.filter((l) => l.includes("FAIL"))).toEqual(["error: FAIL getParamValue writes exactly hello"]);
  });

  it("called each function of issue 4 (trace)", () => {
    const { g } = run();
    const called = new Set(g.trace.filter((l) => l.startsWith("==> ")).map((l) => /^==> ig\.(\w+)\(/.exec(l)![1]));
    for (const fn of ISSUE_4) expect(called, fn).toContain(fn);
  });

  it("each error it provoked produced a log line naming the function", () => {
    const { g } = run();
    // Pair each call with its result, and each failing call with the log lines written meanwhile.
    const calls: { fn: string; result: string }[] = [];
    for (let i = 0; i < g.trace.length; i++) {
      const m = /^==> ig\.(\w+)\(/.exec(g.trace[i]);
      if (m && g.trace[i + 1]?.startsWith("<== ")) calls.push({ fn: m[1], result: g.trace[i + 1].slice(4) });
    }
    const errorValue: Record<string, string> = {
      getParamValue: "1", setConfig: "1", mapLookup: "1", mapUpdate: "1", mapDelete: "1", mapRelease: "1",
      releaseHandle: "1", perfReaderPause: "1", perfReaderResume: "1", perfReaderRead: "1", perfReaderClose: "1",
      getSyscallName: "1", getSyscallDeclaration: "1", getSyscallID: "-1", newMap: "0", getMap: "0", newPerfReader: "0",
    };
    // newPerfReader also fails with 1, IG's answer to a bad map handle.
    const failed = calls.filter((c) => errorValue[c.fn] === c.result || (c.fn === "newPerfReader" && c.result === "1"));
    expect(failed.length).toBeGreaterThan(30);
    const errorLogs = g.logs.filter((l) => /^(warn|debug|error): /.test(l) && !l.includes("FAIL"));
    for (const fn of new Set(failed.map((c) => c.fn))) {
      const n = failed.filter((c) => c.fn === fn).length;
      expect(errorLogs.filter((l) => new RegExp(`^(warn|debug): ${fn}: `).test(l)).length, fn).toBe(n);
    }
  });
});

describe("the function list of profile v0.43", () => {
  it("descriptors hold exactly ABI.md's ig list", () => {
    expect(hostFunctionsOfProfile("v0.43").map((f) => f.name).sort()).toEqual([...ABI_V0_43].sort());
  });

  it("createV0_43Imports(...) offers every function, each i64 split in two; linkV0_43Imports(...) with the wire arity", () => {
    const rt = new Runtime({
      logger: new Logger(() => {}),
      params: new Map(),
      kallsyms: new Set(),
      mntnsFilter: null,
      syscallArch: "x86_64",
    });
    const ctx = new RuntimeShimContext(rt);
    const shims: Record<string, (...args: number[]) => unknown> = createV0_43Imports(createProfileHost("v0.43", rt), ctx);
    const missing = hostFunctionsOfProfile("v0.43").filter((f) => typeof shims[f.name] !== "function").map((f) => f.name);
    expect(missing).toEqual([]);
    for (const f of hostFunctionsOfProfile("v0.43")) {
      expect(shims[f.name].length, f.name).toBe(f.params.reduce((n, p) => n + (p.wire === "i64" ? 2 : 1), 0));
    }
    expect(Object.keys(shims).sort()).toEqual([...ABI_V0_43].sort());
    const linked = linkV0_43Imports(createProfileHost("v0.43", rt), ctx);
    for (const f of hostFunctionsOfProfile("v0.43")) expect((linked[f.name] as (...a: unknown[]) => unknown).length, f.name).toBe(f.params.length);
  });

  it("generated/docs/v0.43.md documents each of them", () => {
    const doc = readFileSync(join(ROOT, "generated/docs/v0.43.md"), "utf8");
    const missing = ABI_V0_43.filter((fn) => !new RegExp(`^#### \`${fn}\\(`, "m").test(doc));
    expect(missing).toEqual([]);
  });
});
