/**
 * igwasm's AssemblyScript library (assemblyscript/): a guest that uses every
 * part of it (test/fixtures/aslib/kitchen-sink.as.ts) is built with asc and
 * run on igwasm's host. It reports what it saw through setConfig and its own
 * data sources; the host's log shows the library's error paths and abort.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { buildGadget } from "../cli/build.js";
import { readWasmSignatures } from "../cli/wasm-imports.js";
import { loadGadget, LogLevel, MapType, PerfBuffer, type FieldValue, type Gadget } from "../runtime/index.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const BUILD = join(ROOT, "test/.build/aslib");
const WASM = join(BUILD, "kitchen-sink.wasm");
const WAT = join(BUILD, "kitchen-sink.wat");

const LONG = "héllo " + "x".repeat(5000);
const VALUES = {
  b: true,
  i8: -5,
  i16: -300,
  i32: -70000,
  i64: -(2n ** 40n),
  u8: 200,
  u16: 60000,
  u32: 4000000000,
  u64: 2n ** 63n + 5n,
  f32: 1.5,
  f64: -2.25,
  s: LONG,
  cs: "cstr",
  by: Uint8Array.of(1, 2, 3, 255),
};

interface Run {
  gadget: Gadget;
  logs: [number, string][];
  packets: [string, unknown][];
  config: Record<string, string>;
  boom: unknown;
}

let run: Run;
/** Every host call the guest made, as the trace decorator prints it (`==> ig.name(a=1,b=2)`). */
const calls: string[] = [];

beforeAll(async () => {
  mkdirSync(BUILD, { recursive: true });
  const built = await buildGadget({ entry: join(ROOT, "test/fixtures/aslib/kitchen-sink.as.ts"), outFile: WASM, textFile: WAT, baseDir: ROOT });
  if (!built.ok) throw new Error(`asc failed:\n${built.output}`);

  const logs: [number, string][] = [];
  const gadget = await loadGadget(readFileSync(WASM), {
    trace: (line) => void (line.startsWith("==> ") && calls.push(line)),
    logSink: (level, message) => logs.push([level, message]),
    logLevel: LogLevel.Trace,
    params: { p1: "hello" },
    kallsyms: ["my_sym"],
    mntnsFilter: [5n],
  });
  const all = gadget.dataSources.declare("all", {
    fields: { b: "bool", i8: "int8", i16: "int16", i32: "int32", i64: "int64", u8: "uint8", u16: "uint16", u32: "uint32", u64: "uint64", f32: "float32", f64: "float64", s: "string", cs: "cstring", by: "bytes" },
  });
  const arr = gadget.dataSources.declare("arr", { type: "array", fields: { n: "uint32" } });
  gadget.maps.declare({ name: "hm", type: MapType.Hash, keySize: 4, valueSize: 4, maxEntries: 4 });
  const perf = gadget.maps.declare({ name: "perf", type: MapType.PerfEventArray, keySize: 4, valueSize: 4, maxEntries: 1 });
  const packets: [string, unknown][] = [];
  gadget.dataSources.subscribeAll((ev, ds) => packets.push([ds.name, ev.toJSON()]), { type: "packet", priority: 2 ** 32 });

  gadget.init();
  PerfBuffer.of(perf).write(Uint8Array.of(9, 0, 0, 0, 0, 0, 0, 8));
  gadget.preStart();
  gadget.start();
  all.emit(VALUES);
  arr.emitArray([{ n: 1 }, { n: 2 }, { n: 3 }]);
  (gadget.exports.maxValueSize as (n: number) => void)(16);
  all.emit({ s: "a string longer than sixteen bytes" });
  (gadget.exports.maxValueSize as (n: number) => void)(64 * 1024);
  let boom: unknown = null;
  try {
    (gadget.exports.boom as (i: number) => number)(5);
  } catch (e) {
    boom = e;
  }
  gadget.stop();
  gadget.postStop();
  run = { gadget, logs, packets, config: Object.fromEntries(gadget.config), boom };
});

function packetsOf(ds: string): Record<string, FieldValue>[] {
  return run.packets.filter(([name]) => name === ds).map(([, v]) => v as Record<string, FieldValue>);
}

describe("AssemblyScript library", () => {
  it("exports what an ig-v1 host calls, and imports only from ig", () => {
    const sigs = readWasmSignatures(readFileSync(WASM));
    expect(sigs.imports.every((i) => i.module === "ig")).toBe(true);
    const exports = new Map(sigs.exports.map((e) => [e.name, e.type]));
    expect(exports.get("gadgetAPIVersion")).toEqual({ params: [], results: ["i64"] });
    expect(exports.get("dataSourceCallback")).toEqual({ params: ["i64", "i32", "i32"], results: [] });
    expect((run.gadget.exports.gadgetAPIVersion as () => bigint)()).toBe(1n);
  });

  it("reads and writes every field kind", () => {
    const [first] = packetsOf("out");
    expect(first).toMatchObject({ ...VALUES, by: VALUES.by });
    expect(first.str_len).toBe(LONG.length);
  });

  it("records a failed scalar read in lastGetFailed, cleared by the next good one", () => {
    const [first] = packetsOf("out");
    expect(first.wrong_kind_failed).toBe(true);
    expect(first.right_kind_ok).toBe(true);
    expect(run.logs).toContainEqual([1, "fieldGetScalar: kind Uint64 has 8 bytes, the value of the field (Uint32) 4"]);
  });

  it("copies Bytes into a caller buffer, and returns -1 when it is too small", () => {
    const [first] = packetsOf("out");
    expect(first.bytes_small).toBe(-1);
    expect(first.bytes_len).toBe(4);
  });

  it("grows its read buffer for long strings, up to setMaxValueSize", () => {
    expect(run.logs.some(([, m]) => /^fieldGetBuffer: dst: 5007 bytes do not fit in a buffer of 4096$/.test(m))).toBe(true);
    const second = packetsOf("out")[1];
    expect(second.s).toBe("");
    expect(second.str_len).toBe(0);
    expect(run.logs).toContainEqual([0, "a getter or setter failed"]);
  });

  it("routes Data, Array and Packet subscriptions through one dataSourceCallback", () => {
    expect(packetsOf("arrout")).toEqual([{ count: 3, sum: 6n, oob_null: true }]);
    expect(run.config.perRecordCalls).toBe("3");
    expect(run.config.packetCalls).toBe("1");
    expect(run.config.arraySubscriptionOnSingleFails).toBe("true");
    // An unknown cbID is ignored.
    expect(() => (run.gadget.exports.dataSourceCallback as (a: bigint, b: number, c: number) => void)(999n, 1, 1)).not.toThrow();
  });

  it("keeps the scalar path free of allocations", () => {
    // onAllScalars reads every fixed-size kind and writes one: its body may
    // call the host and Array#__get, never the allocator.
    const wat = readFileSync(WAT, "utf8");
    const start = wat.indexOf("(func $test/fixtures/aslib/kitchen-sink.as/onAllScalars");
    expect(start).toBeGreaterThan(0);
    const body = wat.slice(start, wat.indexOf("\n (func", start + 1));
    const calls = [...new Set([...body.matchAll(/call \$(\S+)/g)].map((m) => m[1]))].sort();
    expect(calls.filter((c) => !/fieldGetScalar|fieldSet|#__get|\/abort$/.test(c))).toEqual([]);
    const [all] = packetsOf("all");
    const sum = -5 - 300 - 70000 + Number(VALUES.i64) + 200 + 60000 + 4000000000 + Number(VALUES.u64) + 1.5 - 2.25 + 1;
    expect(all.scalar_sum).toBeCloseTo(sum, -6);
  });

  it("returns null or false for failures, never a silent 0", () => {
    expect(run.config).toMatchObject({
      noSuchDsIsNull: "true",
      noSuchFieldIsNull: "true",
      // IG: pkg/gadget-context/gadget-context.go RegisterDataSource replaces a taken name (aeac857).
      duplicateDsReplaced: "true",
      badKindIsNull: "true",
      singlePacketOfArrayDsIsNull: "true",
      noSuchMapIsNull: "true",
      unknownSyscallDeclarationIsNull: "true",
      unknownSyscallID: "-1",
      releaseBadHandle: "false",
    });
  });

  it("creates, fills, releases and emits packets; unreferences data sources", () => {
    expect(run.config).toMatchObject({
      spareReferencedBefore: "true",
      unreference: "true",
      spareReferencedAfter: "false",
      arrayAppend: "true",
      arrayLen: "1",
      arrayReleaseData: "true",
      releasePacket: "true",
      addTag: "true",
    });
    expect(run.gadget.dataSources.get("out")!.field("u32").tags).toEqual(["tag:u32"]);
  });

  it("reads params", () => {
    expect(run.config).toMatchObject({ p1: "hello", missingIsNull: "true", tooLongIsNull: "true", exactFit: "hello" });
  });

  it("uses maps with Uint8Array and ArrayBuffer keys and values", () => {
    expect(run.config).toMatchObject({
      mapUpdate: "true",
      mapUpdateNoExistAgain: "false",
      mapLookup: "true",
      mapValue: "42,1",
      mapGet: "true",
      mapPut: "true",
      mapDelete: "true",
      mapLookupAfterDelete: "false",
      mapRelease: "true",
      mapReleaseOfGetMap: "false",
    });
  });

  it("reads perf records", () => {
    expect(run.config).toMatchObject({ perfReader: "true", perfFirst: "ok:9,8", perfSecond: "2", perfPause: "true", perfResume: "true", perfClose: "true" });
  });

  it("looks up syscalls and decodes a syscall declaration", () => {
    expect(run.config).toMatchObject({ "syscallID>=0": "true", syscallName: "openat", syscallDeclaration: "openat(dfd, filename*, flags, mode)" });
  });

  it("asks the host about kernel symbols and mount namespaces", () => {
    expect(run.config).toMatchObject({ kallsymsYes: "true", kallsymsNo: "false", discard5: "false", discard6: "true" });
  });

  it("logs at every level and tells what the host logs", () => {
    expect(run.logs.slice(0, 6)).toEqual([
      [2, "log at info"],
      [0, "an error"],
      [1, "a warning"],
      [2, "some info"],
      [3, "some debug"],
      [4, "some trace"],
    ]);
    expect(run.config).toMatchObject({ shouldLogTrace: "true", shouldLogError: "true" });
  });

  it("logs aborts through the host at Error level, then traps", () => {
    expect(run.boom).toBeInstanceOf(WebAssembly.RuntimeError);
    expect(run.logs.at(-1)).toEqual([0, "abort: Index out of range at ~lib/array.ts:114:42"]);
  });

  it("rejects emitting something that is not a packet at compile time", async () => {
    const built = await buildGadget({
      entry: join(ROOT, "test/fixtures/aslib/not-a-packet.as.ts"),
      outFile: join(BUILD, "not-a-packet.wasm"),
      baseDir: ROOT,
    });
    expect(built.ok).toBe(false);
    expect(built.output).toContain("emitAndRelease takes a PacketSingle, a PacketArray or a Packet");
  });
});

/**
 * How IG's Go wrapper (wasmapi/go@aeac857bd) passes each argument that is not a
 * plain number: strings and buffers as `len << 32 | ptr` with len the exact
 * length, destinations as packed buffers of the sizes it allocates, error
 * words as bare addresses. A guest built with igwasm's AssemblyScript library
 * must make the same calls, or IG reads them differently (a bare address is
 * a zero-length buffer to IG).
 */
const GO_WRAPPER: Record<string, Record<string, { packed: boolean; minLen?: number; len?: number }>> = {
  gadgetLog: { msg: { packed: true } },
  getSyscallDeclaration: { name: { packed: true }, dst: { packed: true, minLen: 252 } }, // syscall.go: uint64(size)<<32 | ptr
  getSyscallName: { dst: { packed: true, len: 64 } }, // syscall.go: maxSyscallLength = 64
  getSyscallID: { name: { packed: true } },
  getParamValue: { key: { packed: true }, dst: { packed: true } }, // params.go: make([]byte, maxSize)
  fieldGetScalar: { err: { packed: false } }, // fields.go: uintptr(unsafe.Pointer(&err))
  fieldGetBuffer: { dst: { packed: true } },
  dataSourceGetField: { name: { packed: true } },
  newDataSource: { name: { packed: true } },
  getDataSource: { name: { packed: true } },
  mapLookup: { key: { packed: true, len: 4 }, value: { packed: true, minLen: 4 } }, // map.go: anyToBufPtr of the typed key, a value buffer at least valueSize
  perfReaderRead: { dst: { packed: true } },
  kallsymsSymbolExists: { symbol: { packed: true } },
};

function argsOf(line: string): Map<string, bigint> {
  const inner = line.slice(line.indexOf("(") + 1, line.lastIndexOf(")"));
  return new Map(inner.split(",").filter((a) => a.includes("=")).map((a) => {
    const [k, v] = a.split("=");
    return [k, BigInt(v)];
  }));
}

describe("the AssemblyScript library calls every host function as IG's Go wrapper does", () => {
  it.each(Object.keys(GO_WRAPPER))("%s", (name) => {
    const made = calls.filter((c) => c.startsWith(`==> ig.${name}(`));
    expect(made.length, `the kitchen-sink guest calls ${name}`).toBeGreaterThan(0);
    for (const call of made) {
      const args = argsOf(call);
      for (const [param, rule] of Object.entries(GO_WRAPPER[name])) {
        const v = args.get(param);
        expect(v, `${call}: argument ${param}`).toBeDefined();
        const len = Number(v! >> 32n);
        if (!rule.packed) {
          expect(len, `${call}: ${param} is a bare address`).toBe(0);
          continue;
        }
        if (v === 0n) continue; // the empty string
        expect(len, `${call}: ${param} carries its length`).toBeGreaterThan(0);
        if (rule.len !== undefined) expect(len, `${call}: ${param} length`).toBe(rule.len);
        if (rule.minLen !== undefined) expect(len, `${call}: ${param} length`).toBeGreaterThanOrEqual(rule.minLen);
      }
    }
  });
});

