/**
 * The field fast path (runtime/fast-path), in both its forms, against the JS
 * shims it stands in for: the wasm form (field-fast-path.wat) and the JS form
 * (js-field-fast-path.ts, behind the generated trampolines, as the loader
 * links it).
 *
 * Every call is made twice on the same state: through the generated JS shims
 * (createV0_43FieldImports over FieldOps) and through the fast path whose
 * fallback is those same shims. Results, record bytes, error words and log
 * lines must be identical; on top of that, the successful cases must not
 * reach the fallback at all (that is the point of the fast path), and both
 * forms take exactly the same cases (but where a step says otherwise).
 */
import { readFileSync } from "node:fs";
import { beforeEach, describe, expect, it } from "vitest";
import { DataSourceType, FieldKind, LogLevel, Profiles } from "../generated/constants.js";
import { jsFieldFunctions, wasmFastPathFits } from "../runtime/fast-path/field-paths.js";
import { createV0_43FieldImports } from "../generated/host/v0.43/field.js";
import { V0_43Trampolines } from "../generated/host/v0.43/trampolines.js";
import { bindTrampolines } from "../runtime/abi/index.js";
import type { DataArrayHandle, DataHandle, DataSourceHandle, FieldHandle } from "../generated/types.js";
import { GuestAbortError } from "../runtime/errors.js";
import { HandleType } from "../runtime/handles.js";
import { Logger } from "../runtime/logger.js";
import { Runtime } from "../runtime/runtime.js";
import { RuntimeShimContext } from "../runtime/runtime-shim-context.js";
import { buildFastPathSource, FAST_PATH_MODULES, fastPathFile } from "../runtime/fast-path/build.js";
import { createFieldFastPath, type FieldFastPathImports, type FieldGetBufferImport, type FieldGetScalarImport, type FieldSetImport } from "../runtime/fast-path/field-fast-path.js";
import { createJsFieldFastPath, type FieldWireImports } from "../runtime/fast-path/js-field-fast-path.js";
import { hostDriver, loadHostGuest } from "./helpers/host-guest.js";

const ERR_PTR = 64;
const SENTINEL = 0xa5a5a5a5;
const FIXED_KINDS = [
  FieldKind.Bool, FieldKind.Int8, FieldKind.Int16, FieldKind.Int32, FieldKind.Int64, FieldKind.Uint8,
  FieldKind.Uint16, FieldKind.Uint32, FieldKind.Uint64, FieldKind.Float32, FieldKind.Float64,
] as const;
const U64 = (v: bigint): bigint => BigInt.asUintN(64, v);
const f32Bits = (x: number): bigint => BigInt(new Uint32Array(new Float32Array([x]).buffer)[0]);
const f64Bits = (x: number): bigint => new BigUint64Array(new Float64Array([x]).buffer)[0];

/** The two forms of the fast path. */
const FORMS = ["wasm", "js"] as const;
type Form = (typeof FORMS)[number];

/** The runtime pieces the fast path sits on, wired as the loader wires them, plus a guest memory. */
class Rig {
  readonly log: string[] = [];
  readonly rt = new Runtime({
    logger: new Logger((level, message) => this.log.push(`${level}: ${message}`), LogLevel.Trace),
    params: new Map(),
    kallsyms: new Set(),
    mntnsFilter: null,
    syscallArch: "x86_64",
  });
  readonly host = this.rt.hostMemory;
  readonly handles = this.rt.handles;
  readonly sources = this.rt.dataSources;
  readonly dsOps = this.rt.dataSource;
  readonly arrayOps = this.rt.dataArray;
  readonly fieldOps = this.rt.field;
  readonly guestMemory = new WebAssembly.Memory({ initial: 1 });
  /** The generated shims over the runtime behind their trampolines: the JS path, and the fast path's fallback. */
  readonly js: FieldFastPathImports;
  readonly fast: FieldFastPathImports;
  fallbackCalls = 0;
  /** Gives the fast path the guest memory (the loader does it right after instantiating the guest). */
  readonly attachGuestMemory: () => boolean;

  constructor(attach = true, form: Form = "wasm") {
    // The JS form reads the guest's memory through the runtime: `attach` false leaves it unattached there.
    if (attach || form === "wasm") this.rt.guestMemory.attach(this.guestMemory);
    const ctx = new RuntimeShimContext(this.rt);
    const wire = createV0_43FieldImports(this.rt.field, ctx);
    const linked = bindTrampolines(V0_43Trampolines, wire, ctx.wide);
    this.js = {
      fieldGetScalar: linked.fieldGetScalar as FieldGetScalarImport,
      fieldSet: linked.fieldSet as FieldSetImport,
      fieldGetBuffer: linked.fieldGetBuffer as FieldGetBufferImport,
    };
    if (form === "js") {
      // The JS form falls back to the shims themselves (numbers in and out), behind one set of trampolines.
      const counted: FieldWireImports = {
        getScalar: (f: number, d: number, k: number, e: number) => {
          this.fallbackCalls++;
          return wire.fieldGetScalar(f, d, k, e);
        },
        set: (f, d, k, lo, hi) => {
          this.fallbackCalls++;
          return wire.fieldSet(f, d, k, lo, hi);
        },
        getBuffer: (f, d, k, ptr, len) => {
          this.fallbackCalls++;
          return wire.fieldGetBuffer(f, d, k, ptr, len);
        },
      };
      const js = createJsFieldFastPath({ host: this.host, sources: this.sources, guest: ctx.memory, wide: ctx.wide }, counted);
      const fast = bindTrampolines(V0_43Trampolines, { fieldGetScalar: js.getScalar, fieldSet: js.set, fieldGetBuffer: js.getBuffer! }, ctx.wide);
      this.fast = {
        fieldGetScalar: fast.fieldGetScalar as FieldGetScalarImport,
        fieldSet: fast.fieldSet as FieldSetImport,
        fieldGetBuffer: fast.fieldGetBuffer as FieldGetBufferImport,
      };
      this.attachGuestMemory = () => {
        this.rt.guestMemory.attach(this.guestMemory);
        return true;
      };
      return;
    }
    const fast = createFieldFastPath(
      this.host,
      this.sources,
      {
        fieldGetScalar: (f, d, k, e) => {
          this.fallbackCalls++;
          return this.js.fieldGetScalar(f, d, k, e);
        },
        fieldSet: (f, d, k, v) => {
          this.fallbackCalls++;
          return this.js.fieldSet(f, d, k, v);
        },
        fieldGetBuffer: (f, d, k, dst) => {
          this.fallbackCalls++;
          return this.js.fieldGetBuffer(f, d, k, dst);
        },
      },
    );
    this.attachGuestMemory = () => fast.attachGuestMemory(this.guestMemory);
    if (attach) this.attachGuestMemory();
    this.fast = fast.imports;
  }

  /** Guest memory as bytes. */
  guestBytes(): Uint8Array {
    return new Uint8Array(this.guestMemory.buffer);
  }

  /** Calls `fn` through one path; what the guest could see of it. */
  on<T>(path: "js" | "fast", fn: (imports: FieldFastPathImports) => T): { result: T; log: string[]; fallback: boolean } {
    this.log.length = 0;
    const before = this.fallbackCalls;
    const result = fn(this[path]);
    return { result, log: [...this.log], fallback: this.fallbackCalls !== before };
  }

  errorWord(): number {
    return new DataView(this.guestMemory.buffer).getUint32(ERR_PTR, true);
  }

  resetErrorWord(): void {
    new DataView(this.guestMemory.buffer).setUint32(ERR_PTR, SENTINEL, true);
  }

  /** Calls fieldGetScalar through both paths; checks they agree; returns the common outcome. */
  get(field: number, data: number, kind: number, errPtr = ERR_PTR): { value: bigint; err: number; log: string[]; fallback: boolean } {
    const outcomes = (["js", "fast"] as const).map((path) => {
      this.resetErrorWord();
      this.log.length = 0;
      const before = this.fallbackCalls;
      // As the guest sees it: the i64's bits (a BigInt out of wasm is signed, FieldOps' may not be).
      const value = U64(this[path].fieldGetScalar(field, data, kind, errPtr));
      return { value, err: this.errorWord(), log: [...this.log], fallback: this.fallbackCalls !== before };
    });
    const [js, fast] = outcomes;
    expect({ ...fast, fallback: undefined }, `fieldGetScalar(${field}, ${data}, ${kind})`).toEqual({ ...js, fallback: undefined });
    return fast;
  }

  /** Calls fieldSet through both paths from the same record bytes; checks they agree. */
  set(field: number, data: number, kind: number, value: bigint, record: { addr: number; size: number }): { status: number; bytes: number[]; log: string[]; fallback: boolean } {
    const start = Array.from(this.host.u8.subarray(record.addr, record.addr + record.size));
    const outcomes = (["js", "fast"] as const).map((path) => {
      this.host.u8.set(start, record.addr);
      this.log.length = 0;
      const before = this.fallbackCalls;
      const status = this[path].fieldSet(field, data, kind, value);
      return { status, bytes: Array.from(this.host.u8.subarray(record.addr, record.addr + record.size)), log: [...this.log], fallback: this.fallbackCalls !== before };
    });
    const [js, fast] = outcomes;
    expect({ ...fast, fallback: undefined }, `fieldSet(${field}, ${data}, ${kind}, ${value})`).toEqual({ ...js, fallback: undefined });
    return fast;
  }
}

/** A Single data source with one field of every kind, and a packet. */
function setup(attach = true, form: Form = "wasm") {
  const rig = new Rig(attach, form);
  const dsHandle = rig.dsOps.newDataSource("events", DataSourceType.Single);
  const fields = new Map<number, number>();
  for (const kind of [...FIXED_KINDS, FieldKind.String, FieldKind.CString, FieldKind.Bytes]) {
    fields.set(kind, rig.dsOps.dataSourceAddField(dsHandle, `f${kind}`, kind));
  }
  const packet = rig.dsOps.dataSourceNewPacketSingle(dsHandle);
  const entry = rig.handles.entry(packet, HandleType.PacketSingle, "test");
  const source = rig.sources.sources[rig.handles.dataSourceIndex(rig.handles.entry(dsHandle, HandleType.DataSource, "test"))];
  const record = { addr: rig.handles.recordAddress(entry), size: source.slab.recordSize };
  const field = (kind: number): number => fields.get(kind)!;
  return { rig, dsHandle, packet, record, field, source };
}

describe("field fast path: build", () => {
  it.each(FAST_PATH_MODULES.map((m) => [m.out, m] as const))("%s is what build.ts makes of the WAT", async (_, m) => {
    expect(readFileSync(fastPathFile(m.out), "utf8")).toBe(await buildFastPathSource(m));
  });

  it("exports exactly the guest import types", async () => {
    const { fieldFastPathWasm } = await import("../runtime/fast-path/field-fast-path.wasm.js");
    const mod = new WebAssembly.Module(fieldFastPathWasm);
    expect(WebAssembly.Module.exports(mod)).toEqual([
      { name: "guestCopy", kind: "table" },
      { name: "fieldGetScalar", kind: "function" },
      { name: "fieldSet", kind: "function" },
      { name: "fieldGetBuffer", kind: "function" },
    ]);
    expect(WebAssembly.Module.imports(mod)).toEqual([
      { module: "host", name: "memory", kind: "memory" },
      { module: "fallback", name: "fieldGetScalar", kind: "function" },
      { module: "fallback", name: "fieldSet", kind: "function" },
      { module: "fallback", name: "fieldGetBuffer", kind: "function" },
    ]);
    // A guest importing both with the ig-v1 types links against the exports (a wasm
    // function import must match its type exactly, so this is the signature check).
    const guest = new WebAssembly.Module(guestImportingFieldFunctions());
    const rig = new Rig();
    expect(() => new WebAssembly.Instance(guest, { ig: { ...rig.fast } })).not.toThrow();
    const { guestCopyWasm } = await import("../runtime/fast-path/guest-copy.wasm.js");
    const copier = new WebAssembly.Module(guestCopyWasm);
    expect(WebAssembly.Module.imports(copier)).toEqual([
      { module: "guest", name: "memory", kind: "memory" },
      { module: "js", name: "copyOut", kind: "function" },
      { module: "js", name: "copyIn", kind: "function" },
    ]);
    expect(WebAssembly.Module.exports(copier)).toEqual([
      { name: "copyOut", kind: "function" },
      { name: "readIn", kind: "function" },
    ]);
  });
});

describe.each(FORMS)("field fast path (%s form): reads and writes", (form) => {
  let s: ReturnType<typeof setup>;
  beforeEach(() => {
    s = setup(true, form);
  });

  const cases: Array<{ kind: FieldKind; write: bigint; read: bigint }> = [
    { kind: FieldKind.Bool, write: 1n, read: 1n },
    { kind: FieldKind.Int8, write: U64(-5n), read: U64(-5n) },
    { kind: FieldKind.Int16, write: U64(-300n), read: U64(-300n) },
    { kind: FieldKind.Int32, write: U64(-70000n), read: U64(-70000n) },
    { kind: FieldKind.Int64, write: U64(-(2n ** 40n)), read: U64(-(2n ** 40n)) },
    { kind: FieldKind.Uint8, write: 250n, read: 250n },
    { kind: FieldKind.Uint16, write: 65000n, read: 65000n },
    { kind: FieldKind.Uint32, write: 0xfffffff0n, read: 0xfffffff0n },
    { kind: FieldKind.Uint64, write: 0xfedcba9876543210n, read: 0xfedcba9876543210n },
    { kind: FieldKind.Float32, write: f32Bits(-1.5), read: f32Bits(-1.5) },
    { kind: FieldKind.Float64, write: f64Bits(Math.PI), read: f64Bits(Math.PI) },
  ];

  it.each(cases)("kind $kind: set then get without the fallback", ({ kind, write, read }) => {
    const { rig, packet, record, field } = s;
    const set = rig.set(field(kind), packet, kind, write, record);
    expect(set).toMatchObject({ status: 0, fallback: false, log: [] });
    rig.fast.fieldSet(field(kind), packet, kind, write); // leave the value in place
    const got = rig.get(field(kind), packet, kind);
    expect(got).toEqual({ value: read, err: SENTINEL, log: [], fallback: false });
  });

  it("writes little-endian, only the field's bytes", () => {
    const { rig, packet, record, field } = s;
    rig.host.u8.fill(0xee, record.addr, record.addr + record.size);
    rig.fast.fieldSet(field(FieldKind.Uint32), packet, FieldKind.Uint32, 0x11223344n);
    const offset = s.source.field(`f${FieldKind.Uint32}`)!.offset;
    const bytes = Array.from(rig.host.u8.subarray(record.addr, record.addr + record.size));
    expect(bytes.slice(offset, offset + 4)).toEqual([0x44, 0x33, 0x22, 0x11]);
    expect(bytes.filter((b) => b === 0xee)).toHaveLength(record.size - 4);
  });

  it("sign-extends signed kinds and zero-extends unsigned ones of the same size", () => {
    const { rig, packet, field } = s;
    const pairs: Array<[FieldKind, FieldKind, bigint, bigint, bigint]> = [
      // field kind, other kind of its size, stored bits, read as the signed kind, read as the unsigned kind
      [FieldKind.Int8, FieldKind.Uint8, 0x80n, U64(-128n), 0x80n],
      [FieldKind.Int16, FieldKind.Uint16, 0x8001n, U64(-32767n), 0x8001n],
      [FieldKind.Int32, FieldKind.Uint32, 0x80000000n, U64(-(2n ** 31n)), 0x80000000n],
      [FieldKind.Int64, FieldKind.Uint64, 2n ** 63n, 2n ** 63n, 2n ** 63n],
    ];
    for (const [signed, unsigned, bits, asSigned, asUnsigned] of pairs) {
      for (const f of [field(signed), field(unsigned)]) {
        expect(rig.set(f, packet, unsigned, bits, s.record).status).toBe(0);
        rig.fast.fieldSet(f, packet, unsigned, bits);
        expect(rig.get(f, packet, signed)).toMatchObject({ value: asSigned, fallback: false });
        expect(rig.get(f, packet, unsigned)).toMatchObject({ value: asUnsigned, fallback: false });
      }
    }
  });

  it("reads floats as their bits, through any kind of the same size", () => {
    const { rig, packet, field } = s;
    rig.fast.fieldSet(field(FieldKind.Float32), packet, FieldKind.Float32, f32Bits(3.25));
    expect(rig.get(field(FieldKind.Float32), packet, FieldKind.Uint32).value).toBe(f32Bits(3.25));
    expect(rig.get(field(FieldKind.Float32), packet, FieldKind.Int32).value).toBe(f32Bits(3.25)); // positive: no sign bits
    rig.fast.fieldSet(field(FieldKind.Float32), packet, FieldKind.Float32, f32Bits(-3.25));
    expect(rig.get(field(FieldKind.Float32), packet, FieldKind.Int32).value).toBe(U64(BigInt.asIntN(32, f32Bits(-3.25))));
    rig.fast.fieldSet(field(FieldKind.Float64), packet, FieldKind.Int64, f64Bits(-0));
    expect(rig.get(field(FieldKind.Float64), packet, FieldKind.Float64).value).toBe(2n ** 63n);
    // A Float32 write keeps only the low 32 bits of the value.
    rig.fast.fieldSet(field(FieldKind.Float32), packet, FieldKind.Float32, (0xdeadn << 32n) | f32Bits(1));
    expect(rig.get(field(FieldKind.Float32), packet, FieldKind.Float32).value).toBe(f32Bits(1));
  });

  // Reads: IG's pkg/datasource/accessors.go Bool is `val[0] == 1` (aeac857).
  it("Bool: writes 1 for any non-zero value (high bits too), reads 1 only for the byte 1", () => {
    const { rig, packet, record, field } = s;
    for (const v of [0n, 1n, 2n, 0x100n, 1n << 32n, U64(-1n)]) {
      const r = rig.set(field(FieldKind.Bool), packet, FieldKind.Bool, v, record);
      expect(r).toMatchObject({ status: 0, fallback: false });
      rig.fast.fieldSet(field(FieldKind.Bool), packet, FieldKind.Bool, v);
      expect(rig.get(field(FieldKind.Bool), packet, FieldKind.Bool).value).toBe(v === 0n ? 0n : 1n);
    }
    rig.fast.fieldSet(field(FieldKind.Bool), packet, FieldKind.Uint8, 7n);
    expect(rig.get(field(FieldKind.Bool), packet, FieldKind.Bool)).toMatchObject({ value: 0n, fallback: false });
    expect(rig.get(field(FieldKind.Bool), packet, FieldKind.Int8).value).toBe(7n);
    rig.fast.fieldSet(field(FieldKind.Bool), packet, FieldKind.Uint8, 0x101n);
    expect(rig.get(field(FieldKind.Bool), packet, FieldKind.Bool)).toMatchObject({ value: 1n, fallback: false });
  });

  it("integer writes truncate to the field's size", () => {
    const { rig, packet, record, field } = s;
    expect(rig.set(field(FieldKind.Uint8), packet, FieldKind.Uint8, 0x1234n, record).fallback).toBe(false);
    rig.fast.fieldSet(field(FieldKind.Uint16), packet, FieldKind.Int16, 0x12345678n);
    expect(rig.get(field(FieldKind.Uint16), packet, FieldKind.Uint16).value).toBe(0x5678n);
  });

  it("sees records placed after the host memory grew", () => {
    const { rig } = s;
    const before = rig.host.memory.buffer.byteLength;
    rig.host.allocChunk(before); // forces memory.grow
    const ds = rig.dsOps.newDataSource("late", DataSourceType.Single);
    const f = rig.dsOps.dataSourceAddField(ds, "x", FieldKind.Int64);
    const packet = rig.dsOps.dataSourceNewPacketSingle(ds);
    const addr = rig.handles.recordAddress(rig.handles.entry(packet, HandleType.PacketSingle, "test"));
    expect(addr).toBeGreaterThan(before);
    expect(rig.set(f, packet, FieldKind.Int64, U64(-2n), { addr, size: 8 })).toMatchObject({ status: 0, fallback: false });
    rig.fast.fieldSet(f, packet, FieldKind.Int64, U64(-2n));
    expect(rig.get(f, packet, FieldKind.Int64)).toMatchObject({ value: U64(-2n), fallback: false });
  });

  it("works on callback data (Data handles) and on records from dataArrayNew", () => {
    const { rig, record, field, source } = s;
    const slot = source.slab.alloc();
    const data = rig.handles.alloc({ type: HandleType.Data, dataSource: source.index, recordAddress: source.slab.addr[slot], recordSlot: slot });
    const rec = { addr: source.slab.addr[slot], size: record.size };
    expect(rig.set(field(FieldKind.Int32), data, FieldKind.Int32, U64(-9n), rec)).toMatchObject({ status: 0, fallback: false });
    rig.fast.fieldSet(field(FieldKind.Int32), data, FieldKind.Int32, U64(-9n));
    expect(rig.get(field(FieldKind.Int32), data, FieldKind.Int32)).toMatchObject({ value: U64(-9n), fallback: false });

    const arrDs = rig.dsOps.newDataSource("arr", DataSourceType.Array);
    const f = rig.dsOps.dataSourceAddField(arrDs, "x", FieldKind.Uint64);
    const arr = rig.dsOps.dataSourceNewPacketArray(arrDs) as unknown as DataArrayHandle;
    const elem = rig.arrayOps.dataArrayNew(arr);
    rig.fast.fieldSet(f, elem, FieldKind.Uint64, 77n);
    expect(rig.get(f, elem, FieldKind.Uint64)).toMatchObject({ value: 77n, fallback: false });
  });
});

describe.each(FORMS)("field fast path (%s form): everything else falls back, with the JS path's outcome", (form) => {
  let s: ReturnType<typeof setup>;
  beforeEach(() => {
    s = setup(true, form);
    s.rig.fast.fieldSet(s.field(FieldKind.Uint32), s.packet, FieldKind.Uint32, 42n);
  });

  /** Both calls, through both paths: falls back, fails, logs, writes the error word, changes nothing. */
  function expectFailure(field: number, data: number, kind: number): string[] {
    const { rig, record } = s;
    const got = rig.get(field, data, kind);
    expect(got.fallback).toBe(true);
    expect(got.err).toBe(1);
    expect(got.log).toHaveLength(1);
    const set = rig.set(field, data, kind, 5n, record);
    expect(set.fallback).toBe(true);
    expect(set.status).toBe(1);
    expect(set.log).toHaveLength(1);
    return [...got.log, ...set.log];
  }

  it("invalid handles: 0, index 0, index past 4096, bit 31 on a field handle", () => {
    const { packet, field } = s;
    const u32 = field(FieldKind.Uint32);
    expectFailure(0, packet, FieldKind.Uint32);
    expectFailure(u32, 0, FieldKind.Uint32);
    expectFailure(u32 & ~0x1fff, packet, FieldKind.Uint32);
    expectFailure((u32 & ~0x1fff) | 4097, packet, FieldKind.Uint32);
    expectFailure(u32, (packet & ~0x1fff) | 8191, FieldKind.Uint32);
    expectFailure((u32 | 0x80000000) >>> 0, packet, FieldKind.Uint32);
    expectFailure(0xffffffff, 0xffffffff, FieldKind.Uint32);
  });

  it("stale handles: a released packet, a released field, a slot reused by a newer handle", () => {
    const { rig, dsHandle, packet, field } = s;
    const u32 = field(FieldKind.Uint32);
    rig.dsOps.dataSourceRelease(dsHandle, packet);
    expect(expectFailure(u32, packet, FieldKind.Uint32)[0]).toMatch(/stale/);
    const fresh = rig.dsOps.dataSourceNewPacketSingle(dsHandle);
    rig.handles.release(u32, HandleType.Field, "test");
    expectFailure(u32, fresh, FieldKind.Uint32);
    // Free slots are reused first-in first-out: cycle field handles until one
    // lands in the released packet's slot, with a newer generation.
    let reused = 0;
    for (let i = 0; i < 2 * 4096 && reused === 0; i++) {
      const h = rig.dsOps.dataSourceGetField(dsHandle, `f${FieldKind.Uint32}`) as number;
      if ((h & 0x1fff) === (packet & 0x1fff)) reused = h;
      else rig.handles.release(h, HandleType.Field, "test");
    }
    expect(reused).not.toBe(0);
    expect(reused >>> 13).not.toBe(packet >>> 13);
    expectFailure(u32, packet, FieldKind.Uint32);
    expectFailure(reused, packet, FieldKind.Uint32);
    expect(rig.get(reused, fresh, FieldKind.Uint32)).toMatchObject({ value: 0n, fallback: false });
  });

  it("wrong handle types", () => {
    const { rig, dsHandle, packet, field } = s;
    const u32 = field(FieldKind.Uint32);
    expect(expectFailure(packet, packet, FieldKind.Uint32)[0]).toMatch(/bad handle type/);
    expectFailure(u32, u32, FieldKind.Uint32);
    expectFailure(dsHandle, packet, FieldKind.Uint32);
    expectFailure(u32, dsHandle, FieldKind.Uint32);
    const arrDs = rig.dsOps.newDataSource("arr", DataSourceType.Array);
    const arrField = rig.dsOps.dataSourceAddField(arrDs, "x", FieldKind.Uint32);
    const arr = rig.dsOps.dataSourceNewPacketArray(arrDs);
    expectFailure(arrField, arr, FieldKind.Uint32); // an array packet is not a record
  });

  it("a field of another data source", () => {
    const { rig, packet } = s;
    const other = rig.dsOps.newDataSource("other", DataSourceType.Single);
    const f = rig.dsOps.dataSourceAddField(other, "x", FieldKind.Uint32);
    expect(expectFailure(f, packet, FieldKind.Uint32)[0]).toMatch(/belongs to data source "other"/);
    const otherPacket = rig.dsOps.dataSourceNewPacketSingle(other);
    expectFailure(s.field(FieldKind.Uint32), otherPacket, FieldKind.Uint32);
  });

  it("a kind of another size, an invalid kind, a variable-length kind or field", () => {
    const { field, packet } = s;
    for (const kind of [FieldKind.Uint64, FieldKind.Int8, FieldKind.Uint16, FieldKind.Float64, FieldKind.Bool]) {
      expectFailure(field(FieldKind.Uint32), packet, kind);
    }
    for (const kind of [0, 12, 13, 14, 15, 255, 0x10008, 0xffffffff]) expectFailure(field(FieldKind.Uint32), packet, kind | 0);
    for (const fk of [FieldKind.String, FieldKind.CString, FieldKind.Bytes]) {
      for (const kind of FIXED_KINDS) expect(s.rig.get(field(fk), packet, kind)).toMatchObject({ err: 1, fallback: true });
    }
  });

  it("fieldGetScalar with err 0 writes no error word; a bad err address aborts on both paths", () => {
    const { rig, packet, field } = s;
    expect(rig.get(0, packet, FieldKind.Uint32, 0)).toMatchObject({ err: SENTINEL, fallback: true });
    for (const path of ["js", "fast"] as const) {
      expect(() => rig[path].fieldGetScalar(0, packet, FieldKind.Uint32, 0xfffffff0)).toThrow(GuestAbortError);
    }
    expect(rig.get(field(FieldKind.Uint32), packet, FieldKind.Uint32, 0xfffffff0)).toMatchObject({ value: 42n, fallback: false });
  });

  it("data-array element handles go to the JS path, which resolves them", () => {
    const { rig } = s;
    const arrDs = rig.dsOps.newDataSource("arr", DataSourceType.Array) as DataSourceHandle;
    const f = rig.dsOps.dataSourceAddField(arrDs, "x", FieldKind.Int16);
    const arr = rig.dsOps.dataSourceNewPacketArray(arrDs) as unknown as DataArrayHandle;
    for (let i = 0; i < 3; i++) {
      const d = rig.arrayOps.dataArrayNew(arr);
      rig.fast.fieldSet(f, d, FieldKind.Int16, U64(BigInt(-i - 1)));
      rig.arrayOps.dataArrayAppend(arr, d);
    }
    const e2 = rig.arrayOps.dataArrayGet(arr, 2);
    expect(e2 >>> 31).toBe(1);
    expect(rig.get(f, e2, FieldKind.Int16)).toEqual({ value: U64(-3n), err: SENTINEL, log: [], fallback: true });
    const slotAddr = (() => {
      const a = rig.handles.object<{ slots: number[]; ds: { slab: { addr: Uint32Array; recordSize: number } } }>(rig.handles.entry(arr, HandleType.PacketArray, "t"));
      return { addr: a.ds.slab.addr[a.slots[2]], size: a.ds.slab.recordSize };
    })();
    expect(rig.set(f, e2, FieldKind.Int16, 9n, slotAddr)).toMatchObject({ status: 0, fallback: true, log: [] });
    // Past the end, and a stale array: both fail the same way on both paths.
    expectFailure(f, (0x80000000 | (7 << 16) | (arr & 0xffff)) >>> 0, FieldKind.Int16);
    expectFailure(f, (e2 ^ (1 << 13)) >>> 0, FieldKind.Int16);
  });
});

/**
 * String and Bytes values: the same steps on two fresh rigs, one through the
 * JS path and one through the fast path. Each step's answer, log lines and
 * the guest's bytes must agree, and so must the stored value after it; `fast`
 * says whether the fast path must handle the step itself (no fallback).
 */
describe.each(FORMS)("field fast path (%s form): String and Bytes values", (form) => {
  const SRC = 0x100;
  const DST = 0x800;
  const enc = (text: string): Uint8Array => new TextEncoder().encode(text);
  const packed = (ptr: number, len: number): bigint => (BigInt(len) << 32n) | BigInt(ptr);

  type Step =
    | { set: string | null; fieldKind: FieldKind; kind?: FieldKind; range?: [number, number]; fast: boolean }
    | { get: FieldKind; kind?: FieldKind; cap: number; ptr?: number; fast: boolean };

  function run(steps: readonly Step[]): void {
    const twins = { js: setup(true, form), fast: setup(true, form) };
    for (const [i, step] of steps.entries()) {
      const seen = (["js", "fast"] as const).map((path) => {
        const { rig, packet, field } = twins[path];
        rig.guestBytes().fill(0xee, DST, DST + 300);
        let call: { result: number; log: string[]; fallback: boolean };
        let fieldKind: FieldKind;
        if ("set" in step) {
          fieldKind = step.fieldKind;
          const bytes = step.set === null ? new Uint8Array(0) : enc(step.set);
          rig.guestBytes().set(bytes, SRC);
          const value = step.range ? packed(...step.range) : packed(SRC, bytes.length);
          call = rig.on(path, (f) => f.fieldSet(field(fieldKind), packet, step.kind ?? FieldKind.String, value));
        } else {
          fieldKind = step.get;
          call = rig.on(path, (f) => f.fieldGetBuffer(field(fieldKind), packet, step.kind ?? FieldKind.Bytes, packed(step.ptr ?? DST, step.cap)));
        }
        const stored = Array.from(rig.fieldOps.fieldGetBuffer(field(fieldKind) as FieldHandle, packet as unknown as DataHandle, FieldKind.Bytes));
        return { ...call, dst: Array.from(rig.guestBytes().subarray(DST, DST + 300)), stored };
      });
      const [js, fast] = seen;
      expect({ ...fast, fallback: undefined }, `step ${i}: ${JSON.stringify(step)}`).toEqual({ ...js, fallback: undefined });
      expect(fast.fallback, `step ${i}: ${JSON.stringify(step)} taken by the ${step.fast ? "fast path" : "fallback"}`).toBe(!step.fast);
    }
  }

  it("a value is stored by the JS path when it needs a block, then in place by the fast path; reads copy it out", () => {
    run([
      { get: FieldKind.String, cap: 16, fast: true }, // empty: 0 bytes
      { set: "hello", fieldKind: FieldKind.String, fast: false }, // a new 16-byte block
      { set: "world", fieldKind: FieldKind.String, fast: true },
      { get: FieldKind.String, cap: 16, fast: true },
      { get: FieldKind.String, kind: FieldKind.String, cap: 5, fast: true },
      { set: "0123456789abcdef", fieldKind: FieldKind.String, fast: true }, // fills the block
      { get: FieldKind.String, cap: 64, fast: true },
      { set: "0123456789abcdefg", fieldKind: FieldKind.String, fast: false }, // 17 bytes: a 32-byte block
      { set: "abc", fieldKind: FieldKind.String, fast: true }, // 3 bytes stay in a block of 32
      { set: null, fieldKind: FieldKind.String, fast: true },
      { get: FieldKind.String, cap: 0, fast: true },
      { set: "x".repeat(60), fieldKind: FieldKind.Bytes, kind: FieldKind.Bytes, fast: false },
      { get: FieldKind.Bytes, cap: 64, fast: true },
      { set: "y".repeat(3), fieldKind: FieldKind.Bytes, kind: FieldKind.Bytes, fast: true }, // a block of 64 keeps short values
      { set: "z".repeat(20), fieldKind: FieldKind.CString, fast: false },
      { get: FieldKind.CString, cap: 64, fast: true }, // raw bytes of a CString field: the value as stored
    ]);
  });

  it("a long value moves to a smaller block when a much shorter one replaces it (the JS path decides)", () => {
    run([
      { set: "a".repeat(200), fieldKind: FieldKind.String, fast: false }, // block of 256
      { get: FieldKind.String, cap: 256, fast: true }, // past 128 bytes: the builtin copy
      { set: "e".repeat(150), fieldKind: FieldKind.String, fast: true },
      { get: FieldKind.String, cap: 256, fast: true },
      { get: FieldKind.String, cap: 149, fast: false },
      { set: "b".repeat(100), fieldKind: FieldKind.String, fast: true },
      { set: "c".repeat(64), fieldKind: FieldKind.String, fast: false }, // a quarter of 256: moves to 64
      { set: "d".repeat(33), fieldKind: FieldKind.String, fast: true },
      { set: "f".repeat(100), fieldKind: FieldKind.String, fast: false }, // 128
      { set: "g".repeat(33), fieldKind: FieldKind.String, fast: true }, // more than a quarter: stays
      { set: "h".repeat(32), fieldKind: FieldKind.String, fast: false }, // a quarter of 128: moves to 32
    ]);
  });

  it("failures and everything else go to the shim, with its answer, log and bytes", () => {
    const outside = 65536 - 2;
    run([
      { set: "hello", fieldKind: FieldKind.String, fast: false },
      { get: FieldKind.String, cap: 4, fast: false }, // too small: -1, logged, nothing written
      { get: FieldKind.String, cap: 16, ptr: outside, fast: false }, // outside guest memory
      { set: "hello", fieldKind: FieldKind.String, range: [outside, 5], fast: false },
      { set: "hello", fieldKind: FieldKind.String, kind: FieldKind.CString, fast: false }, // CString is no access kind
      { get: FieldKind.String, kind: FieldKind.CString, cap: 16, fast: false },
      { get: FieldKind.String, kind: FieldKind.Uint32, cap: 16, fast: false },
      { get: FieldKind.Uint32, cap: 16, fast: false }, // a fixed-size field read as bytes: the shim's case
      { set: "abcd", fieldKind: FieldKind.Uint32, kind: FieldKind.Bytes, fast: false },
      { get: FieldKind.Uint32, cap: 16, fast: false },
    ]);
  });

  it("bad and stale handles and element handles go to the shim", () => {
    const { rig, dsHandle, packet, field } = setup(true, form);
    const str = field(FieldKind.String);
    const bytes = enc("hello");
    rig.guestBytes().set(bytes, SRC);
    expect(rig.on("fast", (f) => f.fieldSet(str, packet, FieldKind.String, packed(SRC, 5)))).toMatchObject({ result: 0, fallback: true });
    for (const [f, d] of [[0, packet], [str, 0], [str | 0x80000000, packet], [packet, packet], [str, str]]) {
      const js = rig.on("js", (i) => i.fieldGetBuffer(f >>> 0, d >>> 0, FieldKind.String, packed(DST, 16)));
      const fast = rig.on("fast", (i) => i.fieldGetBuffer(f >>> 0, d >>> 0, FieldKind.String, packed(DST, 16)));
      expect(fast).toEqual({ ...js, fallback: true });
      expect(js.result).toBe(-1);
    }
    rig.dsOps.dataSourceRelease(dsHandle, packet);
    expect(rig.on("fast", (i) => i.fieldSet(str, packet, FieldKind.String, packed(SRC, 5)))).toMatchObject({ result: 1, fallback: true });
    const arrDs = rig.dsOps.newDataSource("arr", DataSourceType.Array) as DataSourceHandle;
    const f = rig.dsOps.dataSourceAddField(arrDs, "s", FieldKind.String);
    const arr = rig.dsOps.dataSourceNewPacketArray(arrDs) as unknown as DataArrayHandle;
    // dataArrayNew gives a Data handle (the fast path's case), dataArrayGet an element handle (the shim's).
    const fresh = rig.arrayOps.dataArrayNew(arr);
    expect(rig.on("fast", (i) => i.fieldSet(f, fresh, FieldKind.String, packed(SRC, 5)))).toMatchObject({ result: 0, fallback: true });
    expect(rig.on("fast", (i) => i.fieldGetBuffer(f, fresh, FieldKind.String, packed(DST, 16)))).toMatchObject({ result: 5, fallback: false });
    rig.arrayOps.dataArrayAppend(arr, fresh);
    const elem = rig.arrayOps.dataArrayGet(arr, 0);
    expect(elem >>> 31).toBe(1);
    expect(rig.on("fast", (i) => i.fieldSet(f, elem, FieldKind.String, packed(SRC, 4)))).toMatchObject({ result: 0, fallback: true });
    expect(rig.on("fast", (i) => i.fieldGetBuffer(f, elem, FieldKind.String, packed(DST, 16)))).toMatchObject({ result: 4, fallback: true });
  });

  it("every length from 0 to 40 is written exactly: whole words, then 4, 2 and 1 bytes; past 32 bytes through JS", () => {
    // Distinct bytes, so a shifted or repeated word shows. A new block (lengths 1, 17, 33: 16, 32 and
    // 64 bytes) is the shim's; every other set and every read is the fast path's.
    const text = (n: number): string => Array.from({ length: n }, (_, i) => String.fromCharCode(0x41 + (i % 26) + (i >= 26 ? 6 : 0))).join("");
    const steps: Step[] = [];
    for (let n = 0; n <= 40; n++) {
      steps.push({ set: n === 0 ? null : text(n), fieldKind: FieldKind.String, fast: n !== 1 && n !== 17 && n !== 33 });
      steps.push({ get: FieldKind.String, cap: n, fast: true });
      if (n > 0) steps.push({ get: FieldKind.String, cap: n - 1, fast: false }); // one byte short: the shim fails it
    }
    run(steps);
  });

  it("guest ranges at the end of guest memory: reads fast when inside, sets near the end to the shim", () => {
    const end = 65536;
    run([
      { set: "0123456789", fieldKind: FieldKind.Bytes, kind: FieldKind.Bytes, fast: false },
      { get: FieldKind.Bytes, cap: 10, ptr: end - 10, fast: true }, // ends exactly at the end
      { get: FieldKind.Bytes, cap: 10, ptr: end - 9, fast: false }, // one byte past it
      // Inside, but fewer than 32 bytes before the end: the wasm form's readIn does not load whole
      // words there; the JS form copies the bytes themselves.
      { set: "", fieldKind: FieldKind.Bytes, kind: FieldKind.Bytes, range: [end - 10, 10], fast: form === "js" },
      { set: "", fieldKind: FieldKind.Bytes, kind: FieldKind.Bytes, range: [end - 32, 10], fast: true },
      { set: "", fieldKind: FieldKind.Bytes, kind: FieldKind.Bytes, range: [end - 40, 40], fast: false }, // 40 bytes: a block of 64
      { set: "", fieldKind: FieldKind.Bytes, kind: FieldKind.Bytes, range: [end - 39, 39], fast: true }, // long: JS copies it
      { set: "", fieldKind: FieldKind.Bytes, kind: FieldKind.Bytes, range: [end - 38, 39], fast: false }, // one byte outside
      { set: "", fieldKind: FieldKind.Bytes, kind: FieldKind.Bytes, range: [0xffffffff, 2], fast: false }, // wraps in 32 bits
      { get: FieldKind.Bytes, cap: 64, ptr: 0xfffffff0, fast: false },
    ]);
  });

  it("reads and writes values placed after host memory grew", () => {
    const { rig, packet, field } = setup(true, form);
    const str = field(FieldKind.String);
    rig.guestBytes().set(enc("0123456789"), SRC);
    expect(rig.on("fast", (f) => f.fieldSet(str, packet, FieldKind.String, packed(SRC, 10)))).toMatchObject({ result: 0, fallback: true });
    rig.host.allocChunk(rig.host.memory.buffer.byteLength); // grows host memory: its views are new
    rig.guestBytes().set(enc("abcdefghij"), SRC);
    expect(rig.on("fast", (f) => f.fieldSet(str, packet, FieldKind.String, packed(SRC, 10)))).toMatchObject({ result: 0, fallback: false });
    expect(rig.on("fast", (f) => f.fieldGetBuffer(str, packet, FieldKind.String, packed(DST, 16)))).toMatchObject({ result: 10, fallback: false });
    expect(new TextDecoder().decode(rig.guestBytes().subarray(DST, DST + 10))).toBe("abcdefghij");
  });
});

describe("field fast path (JS form): before the guest's memory is attached", () => {
  it("values go to the shim, which fails them; scalars are served", () => {
    const { rig, packet, field } = setup(false, "js");
    const str = field(FieldKind.String);
    const value = (16n << 32n) | 0x100n;
    const set = rig.on("fast", (f) => f.fieldSet(str, packet, FieldKind.String, value));
    expect(set).toMatchObject({ result: 1, fallback: true });
    expect(set.log.join("\n")).toMatch(/not attached/);
    expect(rig.on("fast", (f) => f.fieldGetBuffer(str, packet, FieldKind.String, value))).toMatchObject({ result: -1, fallback: true });
    expect(rig.on("fast", (f) => f.fieldGetScalar(field(FieldKind.Uint8), packet, FieldKind.Uint8, 0))).toMatchObject({ result: 0n, fallback: false });
    expect(rig.attachGuestMemory()).toBe(true);
    expect(rig.on("fast", (f) => f.fieldGetBuffer(str, packet, FieldKind.String, value))).toMatchObject({ result: 0, fallback: false });
  });
});

/** Only the wasm form imports the guest's memory into a module of its own (guest-copy.wat); the JS form reads it through the runtime. */
describe("field fast path (wasm form): the guest's memory", () => {
  const SRC = 0x100;
  const DST = 0x800;
  const enc = (text: string): Uint8Array => new TextEncoder().encode(text);
  const packed = (ptr: number, len: number): bigint => (BigInt(len) << 32n) | BigInt(ptr);

  it("until the guest's memory is attached, values take the shim; then the fast path", () => {
    const { rig, packet, field } = setup(false);
    const str = field(FieldKind.String);
    rig.guestBytes().set(enc("hello"), SRC);
    expect(rig.on("fast", (f) => f.fieldSet(str, packet, FieldKind.String, packed(SRC, 5)))).toMatchObject({ result: 0, fallback: true });
    expect(rig.on("fast", (f) => f.fieldSet(str, packet, FieldKind.String, packed(SRC, 5)))).toMatchObject({ result: 0, fallback: true });
    expect(rig.on("fast", (f) => f.fieldGetBuffer(str, packet, FieldKind.String, packed(DST, 16)))).toMatchObject({ result: 5, fallback: true });
    // Scalars do not need it.
    expect(rig.on("fast", (f) => f.fieldGetScalar(field(FieldKind.Uint8), packet, FieldKind.Uint8, 0))).toMatchObject({ fallback: false });
    expect(rig.attachGuestMemory()).toBe(true);
    expect(rig.on("fast", (f) => f.fieldSet(str, packet, FieldKind.String, packed(SRC, 5)))).toMatchObject({ result: 0, fallback: false });
    expect(rig.on("fast", (f) => f.fieldGetBuffer(str, packet, FieldKind.String, packed(DST, 16)))).toMatchObject({ result: 5, fallback: false });
  });

  it("a shared guest memory cannot be attached: values keep taking the shim", () => {
    const { rig, packet, field } = setup(false);
    const shared = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    const fast = createFieldFastPath(rig.host, rig.sources, rig.js);
    expect(fast.attachGuestMemory(shared)).toBe(false);
    const str = field(FieldKind.String);
    rig.guestBytes().set(enc("hi"), SRC);
    expect(fast.imports.fieldSet(str, packet, FieldKind.String, packed(SRC, 2))).toBe(0);
    expect(fast.imports.fieldGetBuffer(str, packet, FieldKind.String, packed(DST, 16))).toBe(2);
  });
});

/** A module importing ig.fieldGetScalar, ig.fieldSet and ig.fieldGetBuffer with their ig-v1 wire types. */
function guestImportingFieldFunctions(): Uint8Array<ArrayBuffer> {
  // (module (import "ig" "fieldGetScalar" (func (param i32 i32 i32 i32) (result i64)))
  //         (import "ig" "fieldSet" (func (param i32 i32 i32 i64) (result i32)))
  //         (import "ig" "fieldGetBuffer" (func (param i32 i32 i32 i64) (result i32))))
  const str = (s: string): number[] => [s.length, ...new TextEncoder().encode(s)];
  const types = [0x02, 0x60, 0x04, 0x7f, 0x7f, 0x7f, 0x7f, 0x01, 0x7e, 0x60, 0x04, 0x7f, 0x7f, 0x7f, 0x7e, 0x01, 0x7f];
  const imports = [
    0x03, ...str("ig"), ...str("fieldGetScalar"), 0x00, 0x00, ...str("ig"), ...str("fieldSet"), 0x00, 0x01,
    ...str("ig"), ...str("fieldGetBuffer"), 0x00, 0x01,
  ];
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, types.length, ...types, 0x02, imports.length, ...imports]);
}

/**
 * loadGadget's `fastPath` picks what serves the guest's field calls: whether
 * a plain read or write reaches the runtime's FieldOps (the shims' typed
 * implementation) shows which. A failing call reaches it on every path: the
 * fast paths hand failures to the shims. Releases name the functions
 * differently and answer a set differently; the JS form serves them all.
 */
describe("loadGadget: fastPath", () => {
  interface Release {
    readonly profile: "v0.43" | "v0.38" | "v0.37";
    readonly get: "fieldGetScalar" | "fieldGet";
    /** Whether the getter takes an error word (its 4th argument). */
    readonly errWord: boolean;
    readonly buffer: boolean;
    /** What a successful fieldSet answers: 0, or the field handle (before v0.39.0). */
    readonly setAnswersField: boolean;
  }
  const RELEASES: readonly Release[] = [
    { profile: "v0.43", get: "fieldGetScalar", errWord: true, buffer: true, setAnswersField: false },
    { profile: "v0.38", get: "fieldGetScalar", errWord: false, buffer: true, setAnswersField: true },
    { profile: "v0.37", get: "fieldGet", errWord: false, buffer: false, setAnswersField: true },
  ];

  /** FieldOps calls made by plain calls (set, get, a value set in place, a value read) and by one failing get. */
  async function fieldOpsCalls(r: Release, fastPath: boolean | "js", traced = false): Promise<{ plain: number; failure: number }> {
    const names = ["newDataSource", "dataSourceAddField", "dataSourceNewPacketSingle", "fieldSet", r.get, ...(r.buffer ? ["fieldGetBuffer"] : [])];
    const g = await loadHostGuest(r.profile, "", { names, callback: false }, { fastPath, traced });
    const { s, call } = hostDriver(g);
    const ds = call("newDataSource", s("ev"), DataSourceType.Single);
    const u32 = call("dataSourceAddField", ds, s("pid"), FieldKind.Uint32);
    const str = call("dataSourceAddField", ds, s("comm"), FieldKind.String);
    const packet = call("dataSourceNewPacketSingle", ds);
    const get = (field: number, kind: FieldKind): bigint => (r.errWord ? call(r.get, field, packet, kind, 0) : call(r.get, field, packet, kind));
    // A value in a block of its own first: a new block is the shims' case on every path.
    expect(call("fieldSet", str, packet, FieldKind.String, s("abc"))).toBe(r.setAnswersField ? str : 0);
    const fields = g.gadget.runtime.field as unknown as Record<string, (...args: unknown[]) => unknown>;
    let count = 0;
    for (const name of ["fieldGetScalar", "fieldGet", "fieldSet", "fieldGetBuffer"]) {
      const original = fields[name].bind(fields);
      fields[name] = (...args: unknown[]) => {
        count++;
        return original(...args);
      };
    }
    expect(call("fieldSet", u32, packet, FieldKind.Uint32, 7n)).toBe(r.setAnswersField ? u32 : 0);
    expect(get(u32, FieldKind.Uint32)).toBe(7n);
    expect(call("fieldSet", str, packet, FieldKind.String, s("xyz"))).toBe(r.setAnswersField ? str : 0);
    if (r.buffer) {
      expect(call("fieldGetBuffer", str, packet, FieldKind.String, (16n << 32n) | 0x900n)).toBe(3);
      expect(g.mem().subarray(0x900, 0x903)).toEqual(new TextEncoder().encode("xyz"));
    }
    const plain = count;
    expect(get(u32, FieldKind.Uint64)).toBe(0n); // a kind of another size
    if (traced) expect(g.trace.filter((l) => l.startsWith(`==> `) && l.includes(`.${r.get}(`))).toHaveLength(2);
    return { plain, failure: count - plain };
  }

  it.each(RELEASES.flatMap((r) => ([true, "js", false] as const).map((fastPath) => [r.profile, fastPath, r] as const)))(
    "%s, fastPath %s: plain calls reach FieldOps only without a fast path",
    async (_profile, fastPath, r) => {
      const plain = 3 + (r.buffer ? 1 : 0);
      expect(await fieldOpsCalls(r, fastPath)).toEqual({ plain: fastPath === false ? plain : 0, failure: 1 });
    },
  );

  it.each(RELEASES.map((r) => [r.profile, r] as const))("%s, traced: the calls are traced, and served by the JS form", async (_profile, r) => {
    expect(await fieldOpsCalls(r, true, true)).toEqual({ plain: 0, failure: 1 });
  });
});

describe("which field functions each form serves, per release (field-paths.ts)", () => {
  it("the wasm form: v0.39.0 and later; the JS form: every release, under its names and with its setter's answer", () => {
    const seen = Profiles.map((profile) => [profile, wasmFastPathFits(profile), jsFieldFunctions(profile)]);
    const v = (getScalar: string, set: string, getBuffer: string | null, setAnswersField: boolean) => ({ getScalar, set, getBuffer, variant: { setAnswersField } });
    expect(seen).toEqual([
      ["pre-release", false, v("fieldAccessorGet", "fieldAccessorSet", null, true)],
      ["v0.30", false, v("fieldGet", "fieldSet", null, true)],
      ["v0.33", false, v("fieldGet", "fieldSet", null, true)],
      ["v0.35", false, v("fieldGet", "fieldSet", null, true)],
      ["v0.37", false, v("fieldGet", "fieldSet", null, true)],
      ["v0.38", false, v("fieldGetScalar", "fieldSet", "fieldGetBuffer", true)],
      ["v0.39", true, v("fieldGetScalar", "fieldSet", "fieldGetBuffer", false)],
      ["v0.40", true, v("fieldGetScalar", "fieldSet", "fieldGetBuffer", false)],
      ["v0.43", true, v("fieldGetScalar", "fieldSet", "fieldGetBuffer", false)],
    ]);
  });
});
