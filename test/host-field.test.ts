/**
 * The ig-v1 field family: fieldGetScalar (errPtr convention), fieldGetBuffer
 * (-1, nothing written when dst is too small), fieldSet (1), fieldAddTag (1).
 * Every kind round-trips through the guest (guest set -> guest get, host emit
 * -> guest get, guest set -> host read) with exact bits; every error is a
 * table row that checks the error word / return value, the bytes around it
 * (sentinel) and the log line naming the function.
 */
import { describe, expect, it } from "vitest";
import { SENTINEL } from "./helpers/guest.js";
import { put } from "./helpers/proxy.js";
import {
  bitsToF32, f32bits, f64bits, hostDriver, i64, KIND_NAMES, loadHostGuest, logsDuring, packed, traceOf, u64, type HostDriver,
} from "./helpers/host-guest.js";
import type { EventView, HostDataSource } from "../runtime/data-source-api.js";

const MODE = 0xc00;
const FT = 0xc40; // field handle of kind k at FT + 4k
const ERRS = 0xc80; // error word of kind k at ERRS + 4k
const VALS = 0xd00; // u64 of kind k at VALS + 8k
const CNTS = 0xd80; // fieldGetBuffer result of kind k at CNTS + 4k
const BUFS = 0x1000; // kind k (12..14) read into BUFS + 64(k-12), capacity 32
const ERR = 0xf00;
const DST = 0x2000;

const K = { Bool: 1, Int8: 2, Int16: 3, Int32: 4, Int64: 5, Uint8: 6, Uint16: 7, Uint32: 8, Uint64: 9, Float32: 10, Float64: 11, String: 12, CString: 13, Bytes: 14 } as const;

/** When MODE is 1, the callback reads every field of the record into VALS / BUFS. */
function readAllCallback(): string {
  const lines: string[] = [`(if (i32.eq (i32.load (i32.const ${MODE})) (i32.const 1)) (then`];
  for (let k = 1; k <= 11; k++) {
    lines.push(`  (i64.store (i32.const ${VALS + 8 * k}) (call $fieldGetScalar (i32.load (i32.const ${FT + 4 * k})) (local.get $data) (i32.const ${k}) (i32.const ${ERRS + 4 * k})))`);
  }
  // The CString field is read with kind String: CString is not an access kind of fieldGetBuffer in IG.
  for (let k = 12; k <= 14; k++) {
    lines.push(`  (i32.store (i32.const ${CNTS + 4 * k}) (call $fieldGetBuffer (i32.load (i32.const ${FT + 4 * k})) (local.get $data) (i32.const ${k === 13 ? 12 : k}) (i64.const ${packed(BUFS + 64 * (k - 12), 32)})))`);
  }
  lines.push("))");
  return lines.join("\n");
}

interface Fixture extends HostDriver {
  ev: HostDataSource;
  evh: number;
  /** Field handle per kind (index = kind; the field of kind k is named KIND_NAMES[k-1]). */
  F: number[];
  /** A field of another data source ("other", uint32 x). */
  otherX: number;
  otherPacket: number;
  packet(): number;
  /** fieldGetScalar with ERR as errPtr (sentinel-filled first): [value as u64, error word or null when untouched]. */
  get(field: number, data: number, kind: number): [bigint, number | null];
}

async function fixture(): Promise<Fixture> {
  const g = await loadHostGuest("v0.43", "", { callback: readAllCallback() });
  const fields = Object.fromEntries(KIND_NAMES.map((n) => [n, n])) as Record<string, (typeof KIND_NAMES)[number]>;
  const ev = g.gadget.dataSources.declare("ev", { fields });
  g.gadget.dataSources.declare("other", { fields: { x: "uint32" } });
  const { s, call } = hostDriver(g);
  const evh = call("getDataSource", s("ev"));
  const F = [0];
  for (let k = 1; k <= 14; k++) {
    F[k] = call("dataSourceGetField", evh, s(KIND_NAMES[k - 1]));
    expect(F[k]).toBeGreaterThan(0);
    g.view().setUint32(FT + 4 * k, F[k], true);
  }
  const oh = call("getDataSource", s("other"));
  const otherX = call("dataSourceGetField", oh, s("x"));
  const otherPacket = call("dataSourceNewPacketSingle", oh);
  const get = (field: number, data: number, kind: number): [bigint, number | null] => {
    g.fillSentinel(ERR, ERR + 8);
    const v = u64(call<bigint>("fieldGetScalar", field, data, kind, ERR));
    const touched = g.touched(ERR, ERR + 8);
    if (touched.length === 0) return [v, null];
    expect(touched).toEqual([ERR, ERR + 1, ERR + 2, ERR + 3]);
    return [v, g.view().getUint32(ERR, true)];
  };
  return { g, s, call, ev, evh, F, otherX, otherPacket, packet: () => call("dataSourceNewPacketSingle", evh), get };
}

// [field kind, value set (u64 bits), kind read as, expected u64]
const SCALAR_ROUND_TRIPS: [keyof typeof K, bigint, keyof typeof K, bigint][] = [
  ["Bool", 1n, "Bool", 1n],
  ["Bool", 0n, "Bool", 0n],
  ["Int8", 0xffffffffffffffffn, "Int8", 0xffffffffffffffffn],
  ["Int8", 0x7fn, "Int8", 0x7fn],
  ["Int8", 0x80n, "Int8", 0xffffffffffffff80n],
  ["Int8", 0xffffffffffffffffn, "Uint8", 0xffn],
  ["Int16", 0xfffffffffffffffen, "Int16", 0xfffffffffffffffen],
  ["Int16", 0x8000n, "Int16", 0xffffffffffff8000n],
  ["Int16", 0xfffffffffffffffen, "Uint16", 0xfffen],
  ["Int32", 0xffffffffffffffffn, "Int32", 0xffffffffffffffffn],
  ["Int32", 0x80000000n, "Int32", 0xffffffff80000000n],
  ["Int32", 0x80000000n, "Uint32", 0x80000000n],
  ["Int32", 0x80000000n, "Float32", 0x80000000n],
  ["Int64", 0x8000000000000000n, "Int64", 0x8000000000000000n],
  ["Int64", 0xfffffffffffffffen, "Uint64", 0xfffffffffffffffen],
  ["Int64", 0x8000000000000000n, "Float64", 0x8000000000000000n],
  ["Uint8", 0xffn, "Uint8", 0xffn],
  ["Uint8", 0xffn, "Int8", 0xffffffffffffffffn],
  ["Uint8", 0x1abn, "Uint8", 0xabn], // the low byte is stored
  ["Uint16", 0xffffn, "Uint16", 0xffffn],
  ["Uint16", 0xffffn, "Int16", 0xffffffffffffffffn],
  ["Uint32", 0xffffffffn, "Uint32", 0xffffffffn],
  ["Uint32", 0xffffffffn, "Int32", 0xffffffffffffffffn], // same-size reinterpretation
  ["Uint32", 0x3fc00000n, "Float32", 0x3fc00000n],
  ["Uint32", 0x1234567890n, "Uint32", 0x34567890n],
  ["Uint64", 0xffffffffffffffffn, "Uint64", 0xffffffffffffffffn],
  ["Uint64", 0xffffffffffffffffn, "Int64", 0xffffffffffffffffn],
  ["Float32", f32bits(1.5), "Float32", 0x3fc00000n],
  ["Float32", 0x7fc00001n, "Float32", 0x7fc00001n], // NaN payload
  ["Float32", 0x7f800001n, "Float32", 0x7f800001n], // signalling NaN
  ["Float32", 0x80000000n, "Float32", 0x80000000n], // -0
  ["Float32", 0xdeadbeef3fc00000n, "Float32", 0x3fc00000n], // only the low 32 bits count
  ["Float32", 0xbf800000n, "Uint32", 0xbf800000n],
  ["Float32", 0xbf800000n, "Int32", 0xffffffffbf800000n],
  ["Float64", f64bits(Math.PI), "Float64", 0x400921fb54442d18n],
  ["Float64", 0x7ff8000000000001n, "Float64", 0x7ff8000000000001n], // NaN payload
  ["Float64", 0x7ff0000000000001n, "Float64", 0x7ff0000000000001n], // signalling NaN
  ["Float64", 0x8000000000000000n, "Float64", 0x8000000000000000n], // -0
  ["Float64", 0xfff0000000000000n, "Uint64", 0xfff0000000000000n], // -Inf bits
];

describe("scalar round trips through the guest (fieldSet -> fieldGetScalar)", () => {
  it.each(SCALAR_ROUND_TRIPS)("%s field: set %s, read as %s -> %s", async (fieldKind, value, readKind, expected) => {
    const f = await fixture();
    const p = f.packet();
    expect(f.call("fieldSet", f.F[K[fieldKind]], p, K[fieldKind], i64(value))).toBe(0);
    expect(f.get(f.F[K[fieldKind]], p, K[readKind])).toEqual([expected, null]);
  });

  it.each([
    ["Int32 write to a Uint32 field", K.Uint32, K.Int32, 0xffffffffffffffffn, K.Uint32, 0xffffffffn],
    ["Float32 write to a Uint32 field", K.Uint32, K.Float32, 0x3fc00000n, K.Uint32, 0x3fc00000n],
    ["Int8 write to a Uint8 field", K.Uint8, K.Int8, 0xffffffffffffff80n, K.Uint8, 0x80n],
    ["Uint64 write to a Float64 field", K.Float64, K.Uint64, 0x7ff8000000000001n, K.Float64, 0x7ff8000000000001n],
    ["Int16 write to a Uint16 field", K.Uint16, K.Int16, 0xfffffffffffffffen, K.Uint16, 0xfffen],
  ])("same-size reinterpretation on write: %s", async (_w, fieldKind, setKind, value, readKind, expected) => {
    const f = await fixture();
    const p = f.packet();
    expect(f.call("fieldSet", f.F[fieldKind], p, setKind, i64(value))).toBe(0);
    expect(f.get(f.F[fieldKind], p, readKind)).toEqual([expected, null]);
  });

  it("sets only the field's bytes: neighbours keep their values", async () => {
    const f = await fixture();
    const p = f.packet();
    for (let k = 1; k <= 11; k++) expect(f.call("fieldSet", f.F[k], p, k, -1n)).toBe(0);
    expect(f.call("fieldSet", f.F[K.Uint16], p, K.Uint16, 0n)).toBe(0);
    expect(f.get(f.F[K.Uint8], p, K.Uint8)[0]).toBe(0xffn);
    expect(f.get(f.F[K.Uint16], p, K.Uint16)[0]).toBe(0n);
    expect(f.get(f.F[K.Uint32], p, K.Uint32)[0]).toBe(0xffffffffn);
    expect(f.get(f.F[K.Int16], p, K.Int16)[0]).toBe(0xffffffffffffffffn);
  });

  it("exact trace of fieldSet and fieldGetScalar", async () => {
    const f = await fixture();
    const p = f.packet();
    const u32f = f.F[K.Uint32];
    expect(traceOf(f.g, () => f.call("fieldSet", u32f, p, 8, 42n))).toEqual([`==> ig.fieldSet(field=${u32f},data=${p},kind=8,value=42)`, "<== 0"]);
    expect(traceOf(f.g, () => f.call("fieldGetScalar", u32f, p, 8, 0))).toEqual([`==> ig.fieldGetScalar(field=${u32f},data=${p},kind=8,err=0)`, "<== 42"]);
    const i8f = f.F[K.Int8];
    f.call("fieldSet", i8f, p, 2, -1n);
    // The result is the wire i64 of meaning u64: -1 sign-extended, read unsigned.
    expect(traceOf(f.g, () => f.call("fieldGetScalar", i8f, p, 2, ERR))).toEqual([`==> ig.fieldGetScalar(field=${i8f},data=${p},kind=2,err=${ERR})`, "<== 18446744073709551615"]);
    expect(traceOf(f.g, () => f.call("fieldGetScalar", i8f, p, 8, ERR))).toEqual([`==> ig.fieldGetScalar(field=${i8f},data=${p},kind=8,err=${ERR})`, "<== 0"]);
  });
});

// CString fields are written and read with kind String or Bytes: IG's fieldSet and fieldGetBuffer
// refuse the access kind CString (pkg/operators/wasm/fields.go, aeac857), and IG's Go wrapper uses
// String to write and Bytes to read (wasmapi/go/fields.go).
describe("buffer round trips (fieldSet -> fieldGetBuffer)", () => {
  it.each([
    ["String", "String", "hello"],
    ["String", "String", "héllo → 世界 😀"],
    ["CString", "String", "plain"],
    ["CString", "Bytes", "plain"],
    ["Bytes", "Bytes", "\u0000\u00ff"],
  ] as const)("%s field, kind %s: %j", async (fieldKind, kind, text) => {
    const f = await fixture();
    const p = f.packet();
    const bytes = fieldKind === "Bytes" ? Uint8Array.from([0, 255, 1, 0]) : new TextEncoder().encode(text);
    f.g.mem().set(bytes, 0x300);
    expect(f.call("fieldSet", f.F[K[fieldKind]], p, K[kind], packed(0x300, bytes.length))).toBe(0);
    f.g.fillSentinel(DST, DST + 64);
    expect(f.call("fieldGetBuffer", f.F[K[fieldKind]], p, K[kind], packed(DST, 64))).toBe(bytes.length);
    expect([...f.g.mem().subarray(DST, DST + bytes.length)]).toEqual([...bytes]);
    expect(f.g.touched(DST + bytes.length, DST + 64)).toEqual([]);
  });

  it.each([["String", "String"], ["CString", "String"], ["Bytes", "Bytes"]] as const)("empty %s (value 0, or length 0): 0 bytes, nothing written", async (fieldKind, kind) => {
    const f = await fixture();
    const p = f.packet();
    for (const value of [0n, packed(0x300, 0)]) {
      expect(f.call("fieldSet", f.F[K[fieldKind]], p, K[kind], value)).toBe(0);
      f.g.fillSentinel(DST, DST + 16);
      expect(f.call("fieldGetBuffer", f.F[K[fieldKind]], p, K[kind], packed(DST, 16))).toBe(0);
      expect(f.call("fieldGetBuffer", f.F[K[fieldKind]], p, K[kind], packed(DST, 0))).toBe(0);
      expect(f.call("fieldGetBuffer", f.F[K[fieldKind]], p, K[kind], 0n)).toBe(0);
      expect(f.g.touched(DST, DST + 16)).toEqual([]);
    }
  });

  it("a new record's buffers are empty", async () => {
    const f = await fixture();
    const p = f.packet();
    for (const k of [12, 13, 14]) expect(f.call("fieldGetBuffer", f.F[k], p, K.Bytes, packed(DST, 8))).toBe(0);
  });

  // IG: fieldGetBuffer copies field.Get(data), the raw bytes (pkg/operators/wasm/fields.go, aeac857);
  // only the getters of older releases cut a CString field at its NUL (see host-env-v1 / host-seed).
  it("fieldGetBuffer of a CString field returns every byte, the NUL too; the host reads up to the NUL", async () => {
    const f = await fixture();
    const p = f.packet();
    const bytes = Uint8Array.from([0x61, 0x62, 0, 0x63, 0x64]);
    f.g.mem().set(bytes, 0x300);
    expect(f.call("fieldSet", f.F[K.CString], p, K.String, packed(0x300, 5))).toBe(0);
    for (const kind of [K.String, K.Bytes]) {
      f.g.fillSentinel(DST, DST + 16);
      expect(f.call("fieldGetBuffer", f.F[K.CString], p, kind, packed(DST, 16))).toBe(5);
      expect([...f.g.mem().subarray(DST, DST + 5)]).toEqual([...bytes]);
      expect(f.g.touched(DST + 5, DST + 16)).toEqual([]);
    }
    // The host reads a CString field up to its NUL.
    f.ev.subscribe((e) => expect((e as EventView).get("cstring")).toBe("ab"));
    expect(f.call("dataSourceEmitAndRelease", f.evh, p)).toBe(0);
  });

  it("a destination of exactly the value's size is enough; one byte less writes nothing (-1)", async () => {
    const f = await fixture();
    const p = f.packet();
    expect(f.call("fieldSet", f.F[K.String], p, K.String, f.s("abcdef"))).toBe(0);
    f.g.fillSentinel(DST, DST + 16);
    const lines = logsDuring(f.g, () => expect(f.call("fieldGetBuffer", f.F[K.String], p, K.String, packed(DST, 5))).toBe(-1));
    expect(f.g.touched(DST, DST + 16)).toEqual([]);
    expect(lines).toEqual([expect.stringMatching(/^debug: fieldGetBuffer: .*6 bytes do not fit in a buffer of 5/)]);
    expect(f.call("fieldGetBuffer", f.F[K.String], p, K.String, packed(DST, 6))).toBe(6);
    expect(f.g.getString(DST, 6)).toBe("abcdef");
    expect(f.g.touched(DST + 6, DST + 16)).toEqual([]);
  });

  it("a value ending at the last byte of memory is written", async () => {
    const f = await fixture();
    const p = f.packet();
    expect(f.call("fieldSet", f.F[K.Bytes], p, K.Bytes, f.s("xyz"))).toBe(0);
    expect(f.call("fieldGetBuffer", f.F[K.Bytes], p, K.Bytes, packed(65533, 3))).toBe(3);
    expect(f.g.getString(65533, 3)).toBe("xyz");
  });

  it("fieldSet copies the value: later changes to guest memory do not reach the field", async () => {
    const f = await fixture();
    const p = f.packet();
    const v = f.g.putString(0x300, "first");
    expect(f.call("fieldSet", f.F[K.String], p, K.String, v)).toBe(0);
    f.g.putString(0x300, "XXXXX");
    expect(f.call("fieldGetBuffer", f.F[K.String], p, K.String, packed(DST, 16))).toBe(5);
    expect(f.g.getString(DST, 5)).toBe("first");
  });

  it("a shorter value replaces a longer one", async () => {
    const f = await fixture();
    const p = f.packet();
    expect(f.call("fieldSet", f.F[K.String], p, K.String, f.s("longer value"))).toBe(0);
    expect(f.call("fieldSet", f.F[K.String], p, K.String, f.s("ab"))).toBe(0);
    expect(f.call("fieldGetBuffer", f.F[K.String], p, K.String, packed(DST, 16))).toBe(2);
  });

  it("exact trace of fieldGetBuffer", async () => {
    const f = await fixture();
    const p = f.packet();
    f.call("fieldSet", f.F[K.String], p, K.String, f.s("abc"));
    const sf = f.F[K.String];
    expect(traceOf(f.g, () => f.call("fieldGetBuffer", sf, p, 12, packed(DST, 2)))).toEqual([
      `==> ig.fieldGetBuffer(field=${sf},data=${p},kind=12,dst=${packed(DST, 2)})`,
      "<== -1",
    ]);
    expect(traceOf(f.g, () => f.call("fieldGetBuffer", sf, p, 12, packed(DST, 3)))).toEqual([
      `==> ig.fieldGetBuffer(field=${sf},data=${p},kind=12,dst=${packed(DST, 3)})`,
      "<== 3",
    ]);
  });
});

describe("host emit -> guest read, every kind", () => {
  it("reads exactly what the host wrote: sign/zero extension, Bool 0/1, float bits, UTF-8, bytes", async () => {
    const f = await fixture();
    f.g.view().setUint32(MODE, 1, true);
    f.g.fillSentinel(ERRS, ERRS + 64);
    f.g.fillSentinel(BUFS, BUFS + 3 * 64);
    expect(f.call("dataSourceSubscribe", f.evh, 1, 0, 1n)).toBe(0);
    f.ev.emit({
      bool: true, int8: -1, int16: -2, int32: -3, int64: -4n, uint8: 255, uint16: 65535, uint32: 4294967295, uint64: 2n ** 64n - 1n,
      float32: 1.5, float64: -0, string: "héllo 😀", cstring: "c str", bytes: Uint8Array.from([0, 255, 1]),
    });
    const v = f.g.view();
    const vals = Array.from({ length: 11 }, (_, i) => v.getBigUint64(VALS + 8 * (i + 1), true));
    expect(vals).toEqual([
      1n, 0xffffffffffffffffn, 0xfffffffffffffffen, 0xfffffffffffffffdn, 0xfffffffffffffffcn,
      0xffn, 0xffffn, 0xffffffffn, 0xffffffffffffffffn, 0x3fc00000n, 0x8000000000000000n,
    ]);
    expect(f.g.touched(ERRS, ERRS + 64)).toEqual([]);
    const s = new TextEncoder().encode("héllo 😀");
    expect([v.getInt32(CNTS + 48, true), v.getInt32(CNTS + 52, true), v.getInt32(CNTS + 56, true)]).toEqual([s.length, 5, 3]);
    expect([...f.g.mem().subarray(BUFS, BUFS + s.length)]).toEqual([...s]);
    expect(f.g.getString(BUFS + 64, 5)).toBe("c str");
    expect([...f.g.mem().subarray(BUFS + 128, BUFS + 131)]).toEqual([0, 255, 1]);
    expect(f.g.touched(BUFS + s.length, BUFS + 64)).toEqual([]);
    expect(f.g.touched(BUFS + 64 + 5, BUFS + 128)).toEqual([]);
    expect(f.g.touched(BUFS + 128 + 3, BUFS + 192)).toEqual([]);
  });

  it("false, zeros, empty strings and a CString with a NUL", async () => {
    const f = await fixture();
    f.g.view().setUint32(MODE, 1, true);
    f.g.fillSentinel(BUFS, BUFS + 3 * 64);
    f.g.fillSentinel(VALS, VALS + 12 * 8);
    expect(f.call("dataSourceSubscribe", f.evh, 1, 0, 1n)).toBe(0);
    f.ev.emit({ bool: false, int8: 0x7f, float32: -0, float64: Number.NaN, string: "", cstring: "ab\u0000cd", bytes: new Uint8Array(0) });
    const v = f.g.view();
    expect(v.getBigUint64(VALS + 8, true)).toBe(0n);
    expect(v.getBigUint64(VALS + 16, true)).toBe(0x7fn);
    expect(v.getBigUint64(VALS + 24, true)).toBe(0n); // not set: zero
    expect(v.getBigUint64(VALS + 80, true)).toBe(0x80000000n);
    expect(bitsToF32(v.getBigUint64(VALS + 80, true))).toBe(-0);
    expect(Number.isNaN(v.getFloat64(VALS + 88, true))).toBe(true);
    // The guest's String read of the CString field gets every byte, the NUL too (IG: raw bytes).
    expect([v.getInt32(CNTS + 48, true), v.getInt32(CNTS + 52, true), v.getInt32(CNTS + 56, true)]).toEqual([0, 5, 0]);
    expect(f.g.touched(BUFS, BUFS + 64)).toEqual([]);
    expect([...f.g.mem().subarray(BUFS + 64, BUFS + 69)]).toEqual([0x61, 0x62, 0, 0x63, 0x64]);
    expect(f.g.mem()[BUFS + 69]).toBe(SENTINEL);
    expect(f.g.touched(BUFS + 128, BUFS + 192)).toEqual([]);
  });
});

describe("guest set -> host read, every kind", () => {
  it("the host's EventView sees the guest's values", async () => {
    const f = await fixture();
    const seen: Record<string, unknown>[] = [];
    f.ev.subscribe((e) => seen.push((e as EventView).toJSON()));
    const p = f.packet();
    const sets: [number, bigint][] = [
      [1, 1n], [2, -128n], [3, -32768n], [4, -2147483648n], [5, -(2n ** 63n)], [6, 200n], [7, 60000n], [8, 4000000000n],
      [9, -1n], [10, f32bits(-2.5)], [11, i64(f64bits(1e300))],
    ];
    for (const [k, v] of sets) expect(f.call("fieldSet", f.F[k], p, k, v)).toBe(0);
    expect(f.call("fieldSet", f.F[12], p, 12, f.s("ünï"))).toBe(0);
    expect(f.call("fieldSet", f.F[13], p, K.String, f.s("cs"))).toBe(0);
    f.g.mem().set([9, 0, 8], 0x300);
    expect(f.call("fieldSet", f.F[14], p, 14, packed(0x300, 3))).toBe(0);
    expect(f.call("dataSourceEmitAndRelease", f.evh, p)).toBe(0);
    expect(seen).toEqual([{
      bool: true, int8: -128, int16: -32768, int32: -2147483648, int64: -(2n ** 63n), uint8: 200, uint16: 60000, uint32: 4000000000,
      uint64: 2n ** 64n - 1n, float32: -2.5, float64: 1e300, string: "ünï", cstring: "cs", bytes: Uint8Array.from([9, 0, 8]),
    }]);
  });
});

type Make = (f: Fixture) => number;
/** Makes the field handle of a row; `k` is the kind of the field the function would use when the field is fine. */
type FieldMake = (f: Fixture, k: number) => number;
const freshPacket: Make = (f) => f.packet();
const field = (k: number): FieldMake => (f) => f.F[k];
const good: FieldMake = (f, k) => f.F[k];

/** [description, field, data] rows that are errors of fieldGetScalar, fieldGetBuffer and fieldSet alike. */
const BAD_HANDLES: [string, FieldMake, Make][] = [
  ["field 0", () => 0, freshPacket],
  ["an unknown field handle", () => 4001, freshPacket],
  ["a stale field handle", (f, k) => {
    const h = f.call("dataSourceGetField", f.evh, f.s(KIND_NAMES[k - 1]));
    expect(f.call("releaseHandle", h)).toBe(0);
    return h;
  }, freshPacket],
  ["a DataSource handle as the field", (f) => f.evh, freshPacket],
  ["a Packet handle as the field", (f) => f.packet(), freshPacket],
  ["an element handle as the field", (f, k) => (0x80000000 | f.F[k]) | 0, freshPacket],
  ["data 0", good, () => 0],
  ["an unknown data handle", good, () => 4002],
  ["a released packet as the data", good, (f) => {
    const p = f.packet();
    f.call("dataSourceRelease", f.evh, p);
    return p;
  }],
  ["a Field handle as the data", good, (f) => f.F[8]],
  ["an array packet as the data", good, (f) => f.call("dataSourceNewPacketArray", f.call("newDataSource", f.s("arrds"), 2))],
  ["a DataSource handle as the data", good, (f) => f.evh],
  ["a field of another data source", (f) => f.otherX, freshPacket],
  ["a record of another data source", good, (f) => f.otherPacket],
];

describe("fieldGetScalar errors: writes the u32 1 at errPtr, logs naming fieldGetScalar", () => {
  const rows: [string, FieldMake, Make, number][] = [
    ...BAD_HANDLES.map(([d, fm, dm]): [string, FieldMake, Make, number] => [d, fm, dm, K.Uint32]),
    ["kind 0", field(8), freshPacket, 0],
    ["kind 15", field(8), freshPacket, 15],
    ["kind 255", field(8), freshPacket, 255],
    ["kind String on a Uint32 field", field(8), freshPacket, K.String],
    ["kind CString on a Uint32 field", field(8), freshPacket, K.CString],
    ["kind Bytes on a Uint32 field", field(8), freshPacket, K.Bytes],
    ["Uint32 read of a Uint64 field", field(9), freshPacket, K.Uint32],
    ["Uint64 read of a Uint32 field", field(8), freshPacket, K.Uint64],
    ["Int16 read of an Int8 field", field(2), freshPacket, K.Int16],
    ["Bool read of a Uint16 field", field(7), freshPacket, K.Bool],
    ["Float64 read of a Float32 field", field(10), freshPacket, K.Float64],
    ["Float32 read of a Float64 field", field(11), freshPacket, K.Float32],
    ["Uint32 read of a String field", field(12), freshPacket, K.Uint32],
    ["String read of a String field (buffers are not scalars)", field(12), freshPacket, K.String],
    ["Uint8 read of a Bytes field", field(14), freshPacket, K.Uint8],
  ];
  it.each(rows)("%s", async (_w, fm, dm, kind) => {
    const f = await fixture();
    const fieldH = fm(f, K.Uint32);
    const data = dm(f);
    f.g.fillSentinel(0xe00, 0x1000);
    let result: [bigint, number | null] = [0n, null];
    const lines = logsDuring(f.g, () => {
      result = f.get(fieldH, data, kind);
    });
    expect(result[1]).toBe(1);
    expect(f.g.touched(0xe00, 0x1000)).toEqual([ERR, ERR + 1, ERR + 2, ERR + 3]);
    expect([...f.g.mem().subarray(ERR, ERR + 4)]).toEqual([1, 0, 0, 0]);
    expect(lines).toEqual([expect.stringMatching(/^warn: fieldGetScalar: /)]);
  });

  it("a handle of the wrong type is reported as 'bad handle type'", async () => {
    const f = await fixture();
    const p = f.packet();
    for (const [field, data] of [[f.evh, p], [p, p], [f.F[8], f.F[8]], [f.F[8], f.evh]]) {
      const lines = logsDuring(f.g, () => f.call("fieldGetScalar", field, data, 8, 0));
      expect(lines).toEqual([expect.stringMatching(/^warn: fieldGetScalar: bad handle type/)]);
    }
  });

  it("errPtr 0: nothing is written, the call returns", async () => {
    const f = await fixture();
    f.g.fillSentinel(0, 0x800);
    f.g.fillSentinel(0xe00, 0x10000);
    const lines = logsDuring(f.g, () => expect(f.call<bigint>("fieldGetScalar", f.F[8], f.packet(), K.Uint64, 0)).toBe(0n));
    expect(f.g.touched(0, 0x800)).toEqual([]);
    expect(f.g.touched(0xe00, 0x10000)).toEqual([]);
    expect(lines).toEqual([expect.stringMatching(/^warn: fieldGetScalar: /)]);
  });

  it("errPtr is left untouched on success (the guest clears it itself)", async () => {
    const f = await fixture();
    const p = f.packet();
    f.call("fieldSet", f.F[8], p, 8, 5n);
    f.g.view().setUint32(ERR, 0, true);
    expect(f.call<bigint>("fieldGetScalar", f.F[8], p, 8, ERR)).toBe(5n);
    expect(f.g.view().getUint32(ERR, true)).toBe(0);
    f.g.fillSentinel(ERR, ERR + 4);
    expect(f.call<bigint>("fieldGetScalar", f.F[8], p, 8, ERR)).toBe(5n);
    expect(f.g.touched(ERR, ERR + 4)).toEqual([]);
  });

  it("an unaligned errPtr gets the little-endian u32 1", async () => {
    const f = await fixture();
    f.g.fillSentinel(ERR, ERR + 8);
    f.call("fieldGetScalar", f.F[8], f.packet(), 0, ERR + 1);
    expect([...f.g.mem().subarray(ERR, ERR + 6)]).toEqual([SENTINEL, 1, 0, 0, 0, SENTINEL]);
  });

  it("an errPtr at the last 4 bytes of memory is written", async () => {
    const f = await fixture();
    f.call("fieldGetScalar", f.F[8], f.packet(), 0, 65532);
    expect(f.g.view().getUint32(65532, true)).toBe(1);
  });

  it("an errPtr outside memory is not needed on success", async () => {
    const f = await fixture();
    const p = f.packet();
    f.call("fieldSet", f.F[8], p, 8, 9n);
    expect(f.call<bigint>("fieldGetScalar", f.F[8], p, 8, 65533)).toBe(9n);
    expect(f.call<bigint>("fieldGetScalar", f.F[8], p, 8, -1)).toBe(9n);
  });

  it.each([65533, 65536, -1])("an error with errPtr %i outside memory aborts the guest's call (IG closes the module)", async (errPtr) => {
    const f = await fixture();
    const p = f.packet();
    expect(() => f.call("fieldGetScalar", f.F[8], p, 0, errPtr)).toThrow(/error word/);
    // The host stays usable.
    f.call("fieldSet", f.F[8], p, 8, 3n);
    expect(f.call<bigint>("fieldGetScalar", f.F[8], p, 8, 0)).toBe(3n);
  });
});

describe("fieldGetBuffer errors: -1, nothing written, logged naming fieldGetBuffer", () => {
  const rows: [string, FieldMake, Make, number, bigint][] = [
    ...BAD_HANDLES.map(([d, fm, dm]): [string, FieldMake, Make, number, bigint] => [d, fm, dm, K.String, packed(DST, 64)]),
    ["kind 0", field(12), freshPacket, 0, packed(DST, 64)],
    ["kind 15", field(12), freshPacket, 15, packed(DST, 64)],
    ["a scalar kind on a String field", field(12), freshPacket, K.Uint32, packed(DST, 64)],
    ["a scalar kind (Uint64) on a Bytes field", field(14), freshPacket, K.Uint64, packed(DST, 64)],
    // IG refuses the access kind CString (pkg/operators/wasm/fields.go fieldGetBuffer, aeac857).
    ["kind CString on a CString field", field(13), freshPacket, K.CString, packed(DST, 64)],
    ["kind CString on a String field", field(12), freshPacket, K.CString, packed(DST, 64)],
    // Only the bytes written are checked, as IG (wazero Memory.Write): the value "value" has 5 bytes.
    ["dst pointer past the end of memory", field(12), freshPacket, K.String, packed(65537, 8)],
    ["dst length past the end of memory", field(12), freshPacket, K.String, packed(65532, 10)],
    ["dst far outside memory", field(12), freshPacket, K.String, packed(0xfffffff0, 8)],
    ["dst too small", field(12), freshPacket, K.String, packed(DST, 3)],
    ["dst of length 0", field(12), freshPacket, K.String, packed(DST, 0)],
    ["dst 0", field(12), freshPacket, K.String, 0n],
  ];
  it.each(rows)("%s", async (what, fm, dm, kind, dst) => {
    const f = await fixture();
    const fieldH = fm(f, K.String);
    const data = dm(f);
    // Give the record's String and Bytes fields a value (when it is a record), so only the row's defect can fail the call.
    f.call("fieldSet", f.F[12], data, 12, f.s("value"));
    f.call("fieldSet", f.F[14], data, 14, f.s("value"));
    f.g.fillSentinel(DST, DST + 128);
    f.g.fillSentinel(0xff00, 0x10000);
    const lines = logsDuring(f.g, () => expect(f.call("fieldGetBuffer", fieldH, data, kind, dst)).toBe(-1));
    expect(f.g.touched(DST, DST + 128)).toEqual([]);
    expect(f.g.touched(0xff00, 0x10000)).toEqual([]);
    // A destination too small is an outcome guests retry on (debug); the rest is bad input (warn).
    const level = /^dst (too small|of length 0|0)$/.test(what) ? "debug" : "warn";
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^${level}: fieldGetBuffer: `))]);
  });
});

describe("fieldSet errors: 1, the field keeps its value, logged naming fieldSet", () => {
  const rows: [string, FieldMake, Make, number, bigint][] = [
    ...BAD_HANDLES.map(([d, fm, dm]): [string, FieldMake, Make, number, bigint] => [d, fm, dm, K.Uint32, 7n]),
    ["kind 0", field(8), freshPacket, 0, 7n],
    ["kind 15", field(8), freshPacket, 15, 7n],
    ["Uint32 write to a Uint64 field", field(9), freshPacket, K.Uint32, 7n],
    ["Uint64 write to a Uint32 field", field(8), freshPacket, K.Uint64, 7n],
    ["Int8 write to an Int16 field", field(3), freshPacket, K.Int8, 7n],
    ["Float64 write to a Float32 field", field(10), freshPacket, K.Float64, 7n],
    // The String field holds "keep" (4 bytes): IG checks the value's length, so Uint32 would succeed.
    ["a scalar kind of another size on a String field", field(12), freshPacket, K.Uint64, 7n],
    ["kind String of 2 bytes on a Uint32 field (IG replaces the payload; igwasm keeps records fixed)", field(8), freshPacket, K.String, packed(0x300, 2)],
    // IG: kind CString is "unknown field kind" for fieldSet (pkg/operators/wasm/fields.go, aeac857).
    ["kind CString on a CString field", field(13), freshPacket, K.CString, packed(0x300, 2)],
    ["kind CString on a String field", field(12), freshPacket, K.CString, packed(0x300, 2)],
    ["a String value past the end of memory", field(12), freshPacket, K.String, packed(65530, 10)],
    ["a String value far outside memory", field(12), freshPacket, K.String, packed(0xfffffff0, 4)],
    ["a Bytes value past the end of memory", field(14), freshPacket, K.Bytes, packed(65536, 1)],
    ["a String value past the end of memory on a CString field", field(13), freshPacket, K.String, packed(65535, 2)],
  ];
  it.each(rows)("%s", async (_w, fm, dm, kind, value) => {
    const f = await fixture();
    const fieldH = fm(f, K.Uint32);
    const data = dm(f);
    // Known values in the fields the good rows would reach (when `data` is a record of "ev").
    const isRecord = f.call("fieldSet", f.F[8], data, 8, 1n) === 0;
    for (const k of [3, 9, 10]) f.call("fieldSet", f.F[k], data, k, 1n);
    f.call("fieldSet", f.F[12], data, 12, f.s("keep"));
    const lines = logsDuring(f.g, () => expect(f.call("fieldSet", fieldH, data, kind, i64(value))).toBe(1));
    expect(lines).toEqual([expect.stringMatching(/^warn: fieldSet: /)]);
    if (isRecord) {
      for (const k of [3, 8, 9, 10]) expect(f.get(f.F[k], data, k)).toEqual([1n, null]);
      expect(f.call("fieldGetBuffer", f.F[12], data, 12, packed(DST, 8))).toBe(4);
    }
  });

  it("a failed write to a packet leaves the record's other values alone", async () => {
    const f = await fixture();
    const p = f.packet();
    expect(f.call("fieldSet", f.F[8], p, 8, 11n)).toBe(0);
    expect(f.call("fieldSet", f.F[8], p, 9, 22n)).toBe(1);
    expect(f.get(f.F[8], p, 8)).toEqual([11n, null]);
  });
});

describe("fieldAddTag", () => {
  it("adds tags the host sees, once each; 0 on success", async () => {
    const f = await fixture();
    const tag = f.s("columns.width:10");
    expect(traceOf(f.g, () => expect(f.call("fieldAddTag", f.F[8], tag)).toBe(0))).toEqual([
      `==> ig.fieldAddTag(field=${f.F[8]},tag=${tag})`,
      "<== 0",
    ]);
    expect(f.call("fieldAddTag", f.F[8], f.s("ünicode"))).toBe(0);
    expect(f.call("fieldAddTag", f.F[8], f.s("columns.width:10"))).toBe(0);
    expect(f.ev.field("uint32").tags).toEqual(["columns.width:10", "ünicode"]);
    expect(f.ev.field("uint64").tags).toEqual([]);
  });

  it("the host tags its own fields (IG's AddTags) into the same list, once each", async () => {
    const f = await fixture();
    expect(f.ev.field("uint32").addTags("type:gadget_mntns_id", "columns.hide")).toBe(f.ev.field("uint32"));
    expect(f.call("fieldAddTag", f.F[8], f.s("columns.hide"))).toBe(0);
    f.ev.field("uint32").addTags("type:gadget_mntns_id");
    expect(f.ev.field("uint32").tags).toEqual(["type:gadget_mntns_id", "columns.hide"]);
    expect(() => f.ev.field("uint32").addTags("")).toThrow('field "uint32": empty tag');
  });

  it.each([
    ["field 0", () => 0, (f: Fixture) => f.s("t")],
    ["an unknown field", () => 4003, (f: Fixture) => f.s("t")],
    ["a stale field", (f: Fixture) => {
      const h = f.call("dataSourceGetField", f.evh, f.s("uint32"));
      f.call("releaseHandle", h);
      return h;
    }, (f: Fixture) => f.s("t")],
    ["a DataSource handle", (f: Fixture) => f.evh, (f: Fixture) => f.s("t")],
    ["a Packet handle", (f: Fixture) => f.packet(), (f: Fixture) => f.s("t")],
    ["a tag past the end of memory", (f: Fixture) => f.F[8], () => packed(65534, 4)],
  ])("%s -> 1, logged naming fieldAddTag", async (_w, fm, tm) => {
    const f = await fixture();
    const h = fm(f);
    const tag = tm(f);
    const lines = logsDuring(f.g, () => expect(f.call("fieldAddTag", h, tag)).toBe(1));
    expect(lines).toEqual([expect.stringMatching(/^warn: fieldAddTag: /)]);
    expect(f.ev.field("uint32").tags).toEqual([]);
  });
});

describe("field handles", () => {
  it("several handles to one field are interchangeable; a released one fails, the others keep working", async () => {
    const f = await fixture();
    const a = f.call("dataSourceGetField", f.evh, f.s("uint32"));
    const b = f.call("dataSourceGetField", f.evh, f.s("uint32"));
    const p = f.packet();
    expect(f.call("fieldSet", a, p, 8, 5n)).toBe(0);
    expect(f.get(b, p, 8)).toEqual([5n, null]);
    expect(f.call("releaseHandle", a)).toBe(0);
    expect(f.get(a, p, 8)[1]).toBe(1);
    expect(f.get(b, p, 8)).toEqual([5n, null]);
  });

  it("fields added by the guest work like host-declared ones", async () => {
    const f = await fixture();
    const ds = f.call("newDataSource", f.s("mine"), 1);
    const F: number[] = [0];
    for (let k = 1; k <= 14; k++) F[k] = f.call("dataSourceAddField", ds, f.s(`k${k}`), k);
    const p = f.call("dataSourceNewPacketSingle", ds);
    for (let k = 1; k <= 11; k++) expect(f.call("fieldSet", F[k], p, k, k === 1 ? 1n : -1n)).toBe(0);
    const expected = [1n, ...[1, 2, 4, 8].map((n) => 2n ** 64n - 1n), 0xffn, 0xffffn, 0xffffffffn, 2n ** 64n - 1n, 0xffffffffn, 2n ** 64n - 1n];
    expect(Array.from({ length: 11 }, (_, i) => f.get(F[i + 1], p, i + 1)[0])).toEqual(expected);
  });
});

// IG: helpers.go writeToDstBuffer writes the value with wazero's Memory.Write, which checks only the
// bytes written (aeac857): a destination whose declared capacity runs past memory is fine.
describe("destination bounds", () => {
  it("a dst of capacity 100 ending past memory takes a 4-byte value that fits", async () => {
    const f = await fixture();
    const p = f.packet();
    expect(f.call("fieldSet", f.F[K.Bytes], p, K.Bytes, put(f.g, 0x300, [1, 2, 3, 4]))).toBe(0);
    f.g.fillSentinel(65536 - 16, 65536);
    expect(f.call("fieldGetBuffer", f.F[K.Bytes], p, K.Bytes, packed(65536 - 8, 100))).toBe(4);
    expect([...f.g.mem().subarray(65528, 65532)]).toEqual([1, 2, 3, 4]);
    expect(f.g.touched(65532, 65536)).toEqual([]);
    // Exactly at the end of memory is fine too; one byte past is not.
    expect(f.call("fieldGetBuffer", f.F[K.Bytes], p, K.Bytes, packed(65532, 100))).toBe(4);
    expect(f.call("fieldGetBuffer", f.F[K.Bytes], p, K.Bytes, packed(65533, 100))).toBe(-1);
  });
});

// IG's accessors work on the field's current value as bytes (pkg/datasource/accessors.go, aeac857).
describe("IG's value rules: kinds act on the value's bytes", () => {
  // pkg/operators/wasm/fields.go fieldGetBuffer (aeac857): String and Bytes copy field.Get(data) of any field.
  it("fieldGetBuffer with String or Bytes on fixed-size fields returns their bytes", async () => {
    const f = await fixture();
    const p = f.packet();
    expect(f.call("fieldSet", f.F[K.Uint32], p, K.Uint32, 0x04030201n)).toBe(0);
    expect(f.call("fieldSet", f.F[K.Int64], p, K.Int64, -2n)).toBe(0);
    for (const kind of [K.String, K.Bytes]) {
      f.g.fillSentinel(DST, DST + 16);
      expect(f.call("fieldGetBuffer", f.F[K.Uint32], p, kind, packed(DST, 16))).toBe(4);
      expect([...f.g.mem().subarray(DST, DST + 4)]).toEqual([1, 2, 3, 4]);
      expect(f.g.touched(DST + 4, DST + 16)).toEqual([]);
    }
    expect(f.call("fieldGetBuffer", f.F[K.Int64], p, K.Bytes, packed(DST, 8))).toBe(8);
    expect([...f.g.mem().subarray(DST, DST + 8)]).toEqual([0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    expect(f.call("fieldGetBuffer", f.F[K.Int64], p, K.Bytes, packed(DST, 7))).toBe(-1);
  });

  // pkg/datasource/accessors.go Set: String/Bytes replace the payload of a fixed-size field. igwasm
  // writes them in place when they have the field's size (what the guest then reads is the same).
  it("fieldSet with String or Bytes of the field's size on a fixed-size field writes the bytes", async () => {
    const f = await fixture();
    const p = f.packet();
    expect(f.call("fieldSet", f.F[K.Uint32], p, K.Bytes, put(f.g, 0x300, [0x78, 0x56, 0x34, 0x12]))).toBe(0);
    expect(f.get(f.F[K.Uint32], p, K.Uint32)).toEqual([0x12345678n, null]);
    expect(f.call("fieldSet", f.F[K.Uint16], p, K.String, f.s("AB"))).toBe(0);
    expect(f.get(f.F[K.Uint16], p, K.Uint16)).toEqual([0x4241n, null]);
  });

  // pkg/datasource/accessors.go Uint32/PutUint32 etc. check len(value) == kind size, not the field's kind.
  it("a scalar kind reads and writes a variable-length value whose length is the kind's size", async () => {
    const f = await fixture();
    const p = f.packet();
    expect(f.call("fieldSet", f.F[K.Bytes], p, K.Bytes, put(f.g, 0x300, [1, 0, 0, 0]))).toBe(0);
    expect(f.get(f.F[K.Bytes], p, K.Uint32)).toEqual([1n, null]);
    expect(f.call("fieldSet", f.F[K.Bytes], p, K.Uint32, 0xaabbccddn)).toBe(0);
    expect(f.call("fieldGetBuffer", f.F[K.Bytes], p, K.Bytes, packed(DST, 8))).toBe(4);
    expect([...f.g.mem().subarray(DST, DST + 4)]).toEqual([0xdd, 0xcc, 0xbb, 0xaa]);
    expect(f.get(f.F[K.Bytes], p, K.Uint64)[1]).toBe(1);
    expect(f.get(f.F[K.String], p, K.Uint8)[1]).toBe(1); // empty value: 0 bytes
  });

  // pkg/datasource/accessors.go Bool (aeac857): `val[0] == 1`.
  it.each([[0, 0n], [1, 1n], [2, 0n], [0xff, 0n]])("Bool reads 1 only for the byte 1: byte %i -> %s", async (byte, expected) => {
    const f = await fixture();
    const p = f.packet();
    expect(f.call("fieldSet", f.F[K.Bool], p, K.Uint8, BigInt(byte))).toBe(0);
    expect(f.get(f.F[K.Bool], p, K.Bool)).toEqual([expected, null]);
  });
});
