/**
 * The env-v1 era (June 2024 - Feb 2025): module `env`, gadgetAPIVersion,
 * `dataSourceCallback`, subscription types 1 Data / 2 Array / 3 Packet,
 * `fieldGet` (scalars, or strings through the guest's malloc),
 * `fieldGetToBuffer` (-1, nothing written when dst is too small), fieldSet,
 * fieldAddTag, Unreference/IsReferenced, releaseHandle.
 */
import { describe, expect, it } from "vitest";
import { GadgetError, loadGadget } from "../runtime/gadget.js";
import { guestModule, packed } from "./helpers/guest.js";
import {
  callbackCount, callbackLog, FAMILIES, functionsOf, HEAP, i64, loadEraFixture, logsDuring, signature, traceOf, u64, type EraFixture, type HostGuestOptions,
} from "./helpers/host-guest.js";
import { runIntegration } from "./helpers/integration.js";
import { wat } from "./helpers/wat.js";

const DST = 0x2000;
const READ = 0xc00;
const FIELD = 0xbe0;
const KIND = 0xbe4;

const CALLBACK = `
    (if (i32.load (i32.const ${FIELD})) (then
      (i64.store (i32.add (i32.const ${READ}) (i32.shl (local.get $i) (i32.const 3)))
        (call $fieldGet (i32.load (i32.const ${FIELD})) (local.get $data) (i32.load (i32.const ${KIND}))))))`;

interface Fixture extends EraFixture {
  /** A packet of "events". */
  p: number;
}

async function fixture(opts: HostGuestOptions = {}): Promise<Fixture> {
  const f = await loadEraFixture("env-v1", CALLBACK, { pid: "uint32", i8: "int8", comm: "string", cs: "cstring", raw: "bytes", f32: "float32" }, opts);
  return { ...f, p: f.call("dataSourceNewPacketSingle", f.ev) };
}

describe("env-v1: loading", () => {
  it("offers every function of the covered families", async () => {
    const f = await fixture();
    expect(functionsOf("env-v1", FAMILIES)).toEqual(expect.arrayContaining(["fieldGet", "fieldGetToBuffer", "fieldSet", "fieldAddTag", "releaseHandle", "dataSourceUnreference", "dataSourceIsReferenced"]));
    expect(functionsOf("env-v1", FAMILIES)).not.toContain("fieldGetScalar");
    expect(f.g.gadget.era).toBe("env-v1");
  });

  it("does not offer gadgetShouldLog (an era forced to env-v1 cannot link it)", async () => {
    const text = guestModule("env", { gadgetShouldLog: "(param i32) (result i32)" }, "");
    const err = await loadGadget(await wat(text), { logSink: () => {}, era: "env-v1" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GadgetError);
    expect((err as Error).message).toMatch(/env\.gadgetShouldLog, which the env-v1 era does not have/);
  });
});

describe("env-v1: subscriptions", () => {
  it.each([
    [1, "events", 2],
    [3, "events", 2],
    [1, "batch", 3],
    [2, "batch", 1],
    [3, "batch", 1],
  ])("type %i on %s: %i calls for two single events / one array of three", async (type, name, calls) => {
    const f = await fixture();
    const ds = name === "events" ? f.ev : f.bt;
    expect(f.call("dataSourceSubscribe", ds, type, 0, 8n)).toBe(0);
    if (name === "events") {
      f.g.gadget.dataSources.get("events")!.emit({ pid: 1 });
      f.g.gadget.dataSources.get("events")!.emit({ pid: 2 });
    } else {
      f.g.gadget.dataSources.get("batch")!.emitArray([{ n: 1 }, { n: 2 }, { n: 3 }]);
    }
    expect(callbackLog(f.g).map((e) => [e.cbID, e.ds])).toEqual(Array.from({ length: calls }, () => [8n, ds]));
  });

  it.each([
    [0, "events"],
    [4, "events"],
    [2, "events"],
  ])("type %i on %s -> 1", async (type) => {
    const f = await fixture();
    const lines = logsDuring(f.g, () => expect(f.call("dataSourceSubscribe", f.ev, type, 0, 1n)).toBe(1));
    expect(lines).toEqual([expect.stringMatching(/^warn: dataSourceSubscribe: /)]);
    f.g.gadget.dataSources.get("events")!.emit({ pid: 1 });
    expect(callbackCount(f.g)).toBe(0);
  });
});

describe("env-v1: fieldGet", () => {
  it.each([
    ["pid", 8, 4000000000n, 8, 4000000000n],
    ["pid", 8, 0xffffffffn, 4, 0xffffffffffffffffn],
    ["i8", 2, -1n, 2, 0xffffffffffffffffn],
    ["i8", 2, -1n, 6, 0xffn],
    ["f32", 10, 0x7fc00001n, 10, 0x7fc00001n],
  ])("%s: set kind %i %s, fieldGet kind %i -> %s", async (name, setKind, value, getKind, expected) => {
    const f = await fixture();
    expect(f.call("fieldSet", f.f[name], f.p, setKind, value)).toBe(0);
    expect(u64(f.call<bigint>("fieldGet", f.f[name], f.p, getKind))).toBe(expected);
  });

  it("returns a String through malloc as packed (len << 32 | ptr)", async () => {
    const f = await fixture();
    const text = "ünïcode ✓";
    const bytes = new TextEncoder().encode(text);
    expect(f.call("fieldSet", f.f.comm, f.p, 12, f.s(text))).toBe(0);
    f.g.fillSentinel(HEAP, HEAP + 64);
    const t = traceOf(f.g, () => expect(u64(f.call<bigint>("fieldGet", f.f.comm, f.p, 12))).toBe(packed(HEAP, bytes.length)));
    expect(t).toEqual([`==> env.fieldGet(field=${f.f.comm},data=${f.p},kind=12)`, `<== ${packed(HEAP, bytes.length)}`]);
    expect([...f.g.mem().subarray(HEAP, HEAP + bytes.length)]).toEqual([...bytes]);
    expect(f.g.touched(HEAP + bytes.length, HEAP + 64)).toEqual([]);
    expect(f.mallocCalls()).toBe(1);
  });

  // IG v0.37.0:pkg/operators/wasm/helpers.go writeToGuestMemory calls malloc(len(buf)) for every
  // value, 0 bytes too, and returns len << 32 | ptr: an empty value is the pointer malloc(0) gave.
  it("an empty String or Bytes value calls malloc(0) and returns 0 << 32 | its pointer", async () => {
    const f = await fixture();
    for (const [name, k] of [["comm", 12], ["cs", 12], ["raw", 14]] as const) expect(u64(f.call<bigint>("fieldGet", f.f[name], f.p, k))).toBe(BigInt(HEAP));
    expect(f.mallocCalls()).toBe(3);
  });

  // IG v0.37.0:pkg/operators/wasm/fields.go fieldGet reads kind String through field.String, which
  // cuts a CString field at its first NUL (pkg/datasource/accessors.go String); Bytes are raw.
  it("kind String on a CString field stops at the NUL; kind Bytes returns every byte", async () => {
    const f = await fixture();
    f.g.mem().set([0x78, 0, 0x79], 0x300);
    expect(f.call("fieldSet", f.f.cs, f.p, 12, packed(0x300, 3))).toBe(0);
    expect(u64(f.call<bigint>("fieldGet", f.f.cs, f.p, 12))).toBe(packed(HEAP, 1));
    expect(u64(f.call<bigint>("fieldGet", f.f.cs, f.p, 14))).toBe(packed(HEAP + 8, 3));
    expect([...f.g.mem().subarray(HEAP + 8, HEAP + 11)]).toEqual([0x78, 0, 0x79]);
  });

  // IG v0.37.0:pkg/operators/wasm/fields.go fieldGet: String and Bytes read any field's bytes
  // (a Uint32 field gives its 4); kind CString is "unknown field kind" -> 0; fieldSet CString -> 1.
  it("String/Bytes on a scalar field return its bytes; kind CString -> 0 (get) and 1 (set)", async () => {
    const f = await fixture();
    expect(f.call("fieldSet", f.f.pid, f.p, 8, 0x04030201n)).toBe(0);
    expect(u64(f.call<bigint>("fieldGet", f.f.pid, f.p, 14))).toBe(packed(HEAP, 4));
    expect([...f.g.mem().subarray(HEAP, HEAP + 4)]).toEqual([1, 2, 3, 4]);
    const lines = logsDuring(f.g, () => {
      expect(f.call<bigint>("fieldGet", f.f.cs, f.p, 13)).toBe(0n);
      expect(f.call("fieldSet", f.f.cs, f.p, 13, f.s("x"))).toBe(1);
    });
    expect(lines).toEqual([expect.stringMatching(/^warn: fieldGet: kind CString/), expect.stringMatching(/^warn: fieldSet: kind CString/)]);
  });

  it("host emit -> guest fieldGet in the callback", async () => {
    const f = await fixture();
    f.g.view().setUint32(FIELD, f.f.i8, true);
    f.g.view().setUint32(KIND, 2, true);
    expect(f.call("dataSourceSubscribe", f.ev, 1, 0, 1n)).toBe(0);
    f.g.gadget.dataSources.get("events")!.emit({ i8: -5 });
    expect(f.g.view().getBigUint64(READ, true)).toBe(0xfffffffffffffffbn);
  });

  it("no malloc export: a string read -> 0, logged", async () => {
    const f = await fixture({ malloc: false });
    expect(f.call("fieldSet", f.f.comm, f.p, 12, f.s("abc"))).toBe(0);
    const lines = logsDuring(f.g, () => expect(f.call<bigint>("fieldGet", f.f.comm, f.p, 12)).toBe(0n));
    expect(lines).toEqual([expect.stringMatching(/fieldGet: .*malloc/)]);
  });

  it.each([
    ["an unknown field", 4001, 0, 8],
    ["an unknown data handle", 0, 4002, 8],
    ["kind 0", 0, 0, 0],
    ["kind 15", 0, 0, 15],
    ["a kind of another size", 0, 0, 9],
  ])("%s -> 0, logged naming fieldGet", async (_w, field, data, kind) => {
    const f = await fixture();
    f.call("fieldSet", f.f.pid, f.p, 8, 5n);
    const lines = logsDuring(f.g, () => expect(f.call<bigint>("fieldGet", field || f.f.pid, data || f.p, kind)).toBe(0n));
    expect(lines).toEqual([expect.stringMatching(/^warn: fieldGet: /)]);
  });
});

describe("env-v1: fieldGetToBuffer", () => {
  it("copies the value, writes nothing past it, returns its length", async () => {
    const f = await fixture();
    expect(f.call("fieldSet", f.f.comm, f.p, 12, f.s("bash"))).toBe(0);
    f.g.fillSentinel(DST, DST + 32);
    const t = traceOf(f.g, () => expect(f.call("fieldGetToBuffer", f.f.comm, f.p, 12, packed(DST, 32))).toBe(4));
    expect(t).toEqual([`==> env.fieldGetToBuffer(field=${f.f.comm},data=${f.p},kind=12,dst=${packed(DST, 32)})`, "<== 4"]);
    expect(f.g.getString(DST, 4)).toBe("bash");
    expect(f.g.touched(DST, DST + 32)).toEqual([DST, DST + 1, DST + 2, DST + 3]);
    expect(f.mallocCalls()).toBe(0);
  });

  it("an empty value -> 0, nothing written", async () => {
    const f = await fixture();
    f.g.fillSentinel(DST, DST + 32);
    expect(f.call("fieldGetToBuffer", f.f.raw, f.p, 14, packed(DST, 32))).toBe(0);
    expect(f.g.touched(DST, DST + 32)).toEqual([]);
  });

  it.each([
    ["dst too small", "comm", 12, packed(DST, 3)],
    ["dst 0", "comm", 12, 0n],
    ["dst past the end of memory", "comm", 12, packed(65534, 8)],
    ["dst pointer outside memory", "comm", 12, packed(65536, 8)],
    ["a scalar kind", "comm", 8, packed(DST, 32)],
    ["kind CString", "cs", 13, packed(DST, 32)],
    ["kind 0", "comm", 0, packed(DST, 32)],
    ["kind 15", "comm", 15, packed(DST, 32)],
    ["an unknown field", "", 12, packed(DST, 32)],
  ] as const)("%s -> -1, nothing written, logged", async (what, name, kind, dst) => {
    const f = await fixture();
    expect(f.call("fieldSet", f.f.comm, f.p, 12, f.s("bash"))).toBe(0);
    f.g.fillSentinel(DST, DST + 32);
    f.g.fillSentinel(65520, 65536);
    const lines = logsDuring(f.g, () => expect(f.call("fieldGetToBuffer", name ? f.f[name] : 4001, f.p, kind, dst)).toBe(-1));
    expect(f.g.touched(DST, DST + 32)).toEqual([]);
    expect(f.g.touched(65520, 65536)).toEqual([]);
    // A destination too small is an outcome guests retry on (debug); the rest is bad input (warn).
    const level = what === "dst too small" || what === "dst 0" ? "debug" : "warn";
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^${level}: fieldGetToBuffer: `))]);
  });
});

describe("env-v1: fieldSet, fieldAddTag, Unreference, IsReferenced, releaseHandle", () => {
  it("fieldSet errors -> 1", async () => {
    const f = await fixture();
    const stale = f.call("dataSourceNewPacketSingle", f.ev);
    f.call("dataSourceRelease", f.ev, stale);
    for (const [field, data, kind, value] of [
      [4001, f.p, 8, 1n],
      [f.f.pid, stale, 8, 1n],
      [f.f.pid, f.p, 9, 1n],
      [f.f.pid, f.p, 0, 1n],
      [f.f.comm, f.p, 12, packed(65535, 2)],
    ] as const) {
      const lines = logsDuring(f.g, () => expect(f.call("fieldSet", field, data, kind, i64(value))).toBe(1));
      expect(lines).toEqual([expect.stringMatching(/^warn: fieldSet: /)]);
    }
  });

  it("fieldAddTag: 0 on success, 1 on a bad field or tag", async () => {
    const f = await fixture();
    expect(f.call("fieldAddTag", f.f.pid, f.s("t1"))).toBe(0);
    expect(f.g.gadget.dataSources.get("events")!.field("pid").tags).toEqual(["t1"]);
    expect(f.call("fieldAddTag", 4001, f.s("t2"))).toBe(1);
    expect(f.call("fieldAddTag", f.ev, f.s("t2"))).toBe(1);
    expect(f.call("fieldAddTag", f.f.pid, packed(65535, 3))).toBe(1);
  });

  it("Unreference / IsReferenced: 0/1, 1/2 on bad handles", async () => {
    const f = await fixture();
    expect(f.call("dataSourceIsReferenced", f.ev)).toBe(1);
    expect(f.call("dataSourceUnreference", f.ev)).toBe(0);
    expect(f.call("dataSourceIsReferenced", f.ev)).toBe(0);
    expect(f.g.gadget.dataSources.get("events")!.referenced).toBe(false);
    expect(f.call("dataSourceIsReferenced", 4001)).toBe(2);
    expect(f.call("dataSourceIsReferenced", f.f.pid)).toBe(2);
    expect(f.call("dataSourceUnreference", 4001)).toBe(1);
    expect(f.call("dataSourceUnreference", f.p)).toBe(1);
  });

  it("releaseHandle: 0, then 1 (stale); 1 for unknown", async () => {
    const f = await fixture();
    const h = f.call("getDataSource", f.s("events"));
    expect(f.call("releaseHandle", h)).toBe(0);
    expect(f.call("releaseHandle", h)).toBe(1);
    expect(f.call("releaseHandle", 0)).toBe(1);
    expect(traceOf(f.g, () => f.call("releaseHandle", 4001))).toEqual(["==> env.releaseHandle(handle=4001)", "<== 1"]);
  });

  it("signatures come from the spec", () => {
    expect(signature("env-v1", "fieldGet")).toBe("(param i32 i32 i32) (result i64)");
    expect(signature("env-v1", "fieldGetToBuffer")).toBe("(param i32 i32 i32 i64) (result i32)");
  });
});

describe("integration: an env-v1 gadget using every log / data-source / data-array / field / handle function", () => {
  it("runs and round-trips every kind exactly", async () => {
    await runIntegration("env-v1");
  });
});
