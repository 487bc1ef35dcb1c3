/**
 * The v0.38 profile: IG v0.38.0 - v0.38.1, the last releases with module
 * `env` (pkg/operators/wasm/*.go@v0.38.0). No `malloc` is needed any more
 * (values come back in buffers the module provides); the host runs
 * `_initialize`, never `_start`; `fieldGetScalar` has three parameters and
 * returns 0 on error (v0.39.0 added the error word); `fieldSet` still returns
 * the field handle on success (0 only since v0.39.0).
 */
import { describe, expect, it } from "vitest";
import { GadgetError, loadGadget } from "../runtime/gadget.js";
import { guestModule, loadWat, packed } from "./helpers/guest.js";
import { hostDriver, hostGuestWat, loadHostGuest, logsDuring, requiresMalloc, signature, traceOf, u64, type HostDriver } from "./helpers/host-guest.js";
import { wat } from "./helpers/wat.js";

interface Fixture extends HostDriver {
  /** The "events" data source, a packet of it and its fields by name. */
  ev: number;
  p: number;
  f: Record<string, number>;
}

async function fixture(): Promise<Fixture> {
  const g = await loadHostGuest("v0.38", "", { callback: false });
  g.gadget.dataSources.declare("events", { fields: { pid: "uint32", neg: "int16", f64: "float64", comm: "string", raw: "bytes" } });
  const d = hostDriver(g);
  const ev = d.call("getDataSource", d.s("events"));
  const f: Record<string, number> = {};
  for (const name of ["pid", "neg", "f64", "comm", "raw"]) f[name] = d.call("dataSourceGetField", ev, d.s(name));
  return { ...d, ev, p: d.call("dataSourceNewPacketSingle", ev), f };
}

describe("v0.38: loading", () => {
  it("is detected from the 3-parameter env.fieldGetScalar, with no malloc export", async () => {
    // fieldGetScalar (i32,i32,i32)->(i64) registered under env: v0.38.0 - v0.38.1 only (fields.go@v0.38.0;
    // v0.39.0 moved to module ig and added the error word).
    expect(requiresMalloc("v0.38")).toBe(false);
    const g = await loadWat(hostGuestWat("v0.38", `(func (export "_initialize"))`, { names: ["fieldGetScalar", "fieldSet"], callback: false }));
    const r = g.gadget.resolution;
    expect([r.first, r.last, r.release, r.profile]).toEqual(["v0.38.0", "v0.38.1", "v0.38.1", "v0.38"]);
    expect(r.reasons).toContain("imports env.fieldGetScalar (i32,i32,i32)->(i64): IG v0.38.0 - v0.38.1");
    expect(g.gadget.exports.malloc).toBeUndefined();
  });

  it("runs _initialize at load, never _start (wasm.go@v0.38.0: WithStartFunctions(\"_initialize\"))", async () => {
    const body = `(func (export "_initialize") (i32.store (i32.const 0x600) (i32.add (i32.load (i32.const 0x600)) (i32.const 1))))
      (func (export "_start") (i32.store (i32.const 0x604) (i32.add (i32.load (i32.const 0x604)) (i32.const 1))))`;
    const g = await loadHostGuest("v0.38", body, { names: ["gadgetLog"], callback: false });
    expect(g.gadget.release).toBe("v0.38.1");
    expect(g.gadget.behaviour.initializerIsStart).toBe(false);
    expect([g.view().getUint32(0x600, true), g.view().getUint32(0x604, true)]).toEqual([1, 0]);
  });

  it("functions come from module env, not ig (wasm.go@v0.38.0: NewHostModuleBuilder(\"env\"))", async () => {
    const text = guestModule("ig", { fieldSet: signature("v0.38", "fieldSet") }, "");
    const err = await loadGadget(await wat(text), { logSink: () => {}, igVersion: "v0.38.1" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GadgetError);
    expect((err as Error).message).toMatch(/^the module cannot run on IG v0\.38\.1:\n {2}ig\.fieldSet: IG v0\.38\.1 registers its functions under "env", not "ig"; /);
  });
});

describe("v0.38: fieldGetScalar (field, data, kind) -> value, 0 on error", () => {
  it.each([
    ["pid", 8, 4000000000n, 8, 4000000000n],
    ["pid", 8, 0xffffffffn, 4, 0xffffffffffffffffn],
    ["neg", 3, -2n, 3, 0xfffffffffffffffen],
    ["neg", 3, -2n, 7, 0xfffen],
    ["f64", 11, -0x8000000000000000n, 11, 0x8000000000000000n],
  ] as const)("%s: fieldSet kind %i %s, fieldGetScalar kind %i -> %s", async (name, setKind, value, getKind, expected) => {
    const f = await fixture();
    // fieldSet's success value is the field handle before v0.39.0 (fields.go@v0.38.0 leaves the
    // handle argument in the result slot; 114579bbf made it 0).
    expect(f.call("fieldSet", f.f[name], f.p, setKind, value)).toBe(f.f[name]);
    expect(u64(f.call<bigint>("fieldGetScalar", f.f[name], f.p, getKind))).toBe(expected);
  });

  it("exact trace: three arguments, the value as the result", async () => {
    const f = await fixture();
    expect(f.call("fieldSet", f.f.pid, f.p, 8, 7n)).toBe(f.f.pid);
    expect(traceOf(f.g, () => f.call("fieldGetScalar", f.f.pid, f.p, 8))).toEqual([`==> env.fieldGetScalar(field=${f.f.pid},data=${f.p},kind=8)`, "<== 7"]);
  });

  it.each([
    ["an unknown field", 4001, 0, 8],
    ["an unknown data handle", 0, 4002, 8],
    ["kind 0", 0, 0, 0],
    ["kind 15", 0, 0, 15],
    ["a kind of another size", 0, 0, 9],
    ["kind String (use fieldGetBuffer)", -1, 0, 12],
    ["kind Bytes (use fieldGetBuffer)", -2, 0, 14],
  ] as const)("%s -> 0, logged naming fieldGetScalar", async (_w, field, data, kind) => {
    const f = await fixture();
    expect(f.call("fieldSet", f.f.pid, f.p, 8, 5n)).toBe(f.f.pid);
    const fh = field === -1 ? f.f.comm : field === -2 ? f.f.raw : field || f.f.pid;
    const lines = logsDuring(f.g, () => expect(f.call<bigint>("fieldGetScalar", fh, data || f.p, kind)).toBe(0n));
    expect(lines).toEqual([expect.stringMatching(/^(warn|debug): fieldGetScalar: /)]);
  });
});

describe("v0.38: fieldSet", () => {
  it("a String value: the field handle on success, then readable with fieldGetBuffer", async () => {
    const f = await fixture();
    expect(f.call("fieldSet", f.f.comm, f.p, 12, f.s("bash"))).toBe(f.f.comm);
    const dst = 0x2000;
    f.g.fillSentinel(dst, dst + 16);
    expect(f.call("fieldGetBuffer", f.f.comm, f.p, 12, packed(dst, 16))).toBe(4);
    expect(f.g.getString(dst, 4)).toBe("bash");
    expect(f.g.touched(dst + 4, dst + 16)).toEqual([]);
  });

  it.each([
    ["an unknown field", 4001, 8],
    ["kind 0", 0, 0],
    ["a kind of another size", 0, 9],
  ] as const)("%s -> 1, logged", async (_w, field, kind) => {
    const f = await fixture();
    const lines = logsDuring(f.g, () => expect(f.call("fieldSet", field || f.f.pid, f.p, kind, 1n)).toBe(1));
    expect(lines).toEqual([expect.stringMatching(/^warn: fieldSet: /)]);
  });
});
