/**
 * The data-source family (ig-v1 numbering; the seed and env-v1 variants are
 * in host-seed / host-env-v1): every function's success path, its error
 * value for every kind of bad handle and bad input, and the delivery
 * semantics a host must keep (priority order, subscription types, temporary
 * callback handles, packets released by emit/release).
 */
import { describe, expect, it } from "vitest";
import type { LoadOptions } from "./helpers/guest.js";
import { callbackCount, callbackLog, hostDriver, loadHostGuest, logsDuring, traceOf, type HostDriver, type HostGuestOptions } from "./helpers/host-guest.js";
import type { EventView, HostDataSource } from "../runtime/data-source-api.js";
import { CURRENT_BEHAVIOUR } from "../runtime/host-behaviour.js";

// Callback control words (see CALLBACK below).
const MODE = 0xc00; // 1: read FIELD as Uint32; 2: dataArrayLen + element 0; 3: trap; 4: releaseHandle(data); 5: emit into EMIT_DS
const FIELD = 0xc04;
const LAST = 0xc08; // the last data handle a callback got
const EMIT_DS = 0xc0c;
const EMIT_FIELD = 0xc10;
const ERRS = 0xc40; // u32 error word per delivery
const VALS = 0xd00; // u64 per delivery
const ELEM0 = 0xd80; // u64 per delivery (mode 2)
const NESTED = 0xe00; // u32 per delivery (mode 5): result of the nested emit

const CALLBACK = `
    (i32.store (i32.const ${LAST}) (local.get $data))
    (local.set $k (i32.load (i32.const ${MODE})))
    (if (i32.eq (local.get $k) (i32.const 1)) (then
      (i64.store (i32.add (i32.const ${VALS}) (i32.shl (local.get $i) (i32.const 3)))
        (call $fieldGetScalar (i32.load (i32.const ${FIELD})) (local.get $data) (i32.const 8)
          (i32.add (i32.const ${ERRS}) (i32.shl (local.get $i) (i32.const 2)))))))
    (if (i32.eq (local.get $k) (i32.const 2)) (then
      (i64.store (i32.add (i32.const ${VALS}) (i32.shl (local.get $i) (i32.const 3)))
        (i64.extend_i32_u (call $dataArrayLen (local.get $data))))
      (i64.store (i32.add (i32.const ${ELEM0}) (i32.shl (local.get $i) (i32.const 3)))
        (call $fieldGetScalar (i32.load (i32.const ${FIELD})) (call $dataArrayGet (local.get $data) (i32.const 0)) (i32.const 8)
          (i32.add (i32.const ${ERRS}) (i32.shl (local.get $i) (i32.const 2)))))))
    (if (i32.eq (local.get $k) (i32.const 3)) (then (unreachable)))
    (if (i32.eq (local.get $k) (i32.const 4)) (then (drop (call $releaseHandle (local.get $data)))))
    (if (i32.eq (local.get $k) (i32.const 5)) (then
      (local.set $j (call $dataSourceNewPacketSingle (i32.load (i32.const ${EMIT_DS}))))
      (drop (call $fieldSet (i32.load (i32.const ${EMIT_FIELD})) (local.get $j) (i32.const 8) (i64.add (local.get $cb) (i64.const 1000))))
      (i32.store (i32.add (i32.const ${NESTED}) (i32.shl (local.get $i) (i32.const 2)))
        (call $dataSourceEmitAndRelease (i32.load (i32.const ${EMIT_DS})) (local.get $j)))))`;

interface Fixture extends HostDriver {
  events: HostDataSource;
  batch: HostDataSource;
  /** Handles the guest got: data sources "events" (Single: pid u32, comm string) and "batch" (Array: n u32), their fields. */
  ev: number;
  bt: number;
  pid: number;
  comm: number;
  n: number;
  setMode(mode: number, field?: number): void;
}

async function fixture(opts: HostGuestOptions = {}, load: LoadOptions = {}): Promise<Fixture> {
  const g = await loadHostGuest("v0.43", "", { callback: CALLBACK, ...opts }, load);
  const events = g.gadget.dataSources.declare("events", { fields: { pid: "uint32", comm: "string" } });
  const batch = g.gadget.dataSources.declare("batch", { type: "array", fields: { n: "uint32" } });
  const { s, call } = hostDriver(g);
  const ev = call("getDataSource", s("events"));
  const bt = call("getDataSource", s("batch"));
  const pid = call("dataSourceGetField", ev, s("pid"));
  const comm = call("dataSourceGetField", ev, s("comm"));
  const n = call("dataSourceGetField", bt, s("n"));
  for (const h of [ev, bt, pid, comm, n]) expect(h).toBeGreaterThan(0);
  const setMode = (mode: number, field = 0) => {
    g.view().setUint32(MODE, mode, true);
    g.view().setUint32(FIELD, field, true);
  };
  return { g, s, call, events, batch, ev, bt, pid, comm, n, setMode };
}

/** A handle that was valid and has been released. */
function staleDs(f: Fixture): number {
  const h = f.call("getDataSource", f.s("events"));
  expect(f.call("releaseHandle", h)).toBe(0);
  return h;
}

type BadHandle = [string, (f: Fixture) => number, RegExp];

const BAD_DS_HANDLES: BadHandle[] = [
  ["0", () => 0, /invalid handle 0/],
  ["an unknown handle", () => 12345, /(invalid|stale or unknown) handle 12345/],
  ["an unused handle slot", () => 4000, /stale or unknown handle 4000/],
  ["an index past the table", () => 4097, /invalid handle 4097/],
  ["a stale handle", staleDs, /stale or unknown handle/],
  ["a Field handle", (f) => f.pid, /bad handle type/],
  ["a Packet handle", (f) => f.call("dataSourceNewPacketSingle", f.ev), /bad handle type/],
  ["a data-array element handle", (f) => (0x80000000 | f.ev) | 0, /invalid handle/],
];

/** [function, args after the bad ds handle, error value]. */
const DS_FUNCTIONS: [string, (f: Fixture) => unknown[], number][] = [
  ["dataSourceSubscribe", () => [1, 0, 0n], 1],
  ["dataSourceGetField", (f) => [f.s("pid")], 0],
  ["dataSourceAddField", (f) => [f.s("x"), 8], 0],
  ["dataSourceNewPacketSingle", () => [], 0],
  ["dataSourceNewPacketArray", () => [], 0],
  ["dataSourceEmitAndRelease", (f) => [f.call("dataSourceNewPacketSingle", f.ev)], 1],
  ["dataSourceRelease", (f) => [f.call("dataSourceNewPacketSingle", f.ev)], 1],
  ["dataSourceUnreference", () => [], 1],
  ["dataSourceIsReferenced", () => [], 2],
];

describe.each(DS_FUNCTIONS)("%s with a bad data-source handle", (fn, rest, errorValue) => {
  it.each(BAD_DS_HANDLES)(`%s -> ${errorValue}, logged naming ${fn}`, async (_what, make, why) => {
    const f = await fixture();
    const h = make(f);
    const args = rest(f);
    const lines = logsDuring(f.g, () => expect(f.call(fn, h, ...args)).toBe(errorValue));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^warn: ${fn}: `));
    expect(lines[0]).toMatch(why);
    expect(f.events.referenced).toBe(true);
  });
});

describe("newDataSource", () => {
  it.each([
    [1, "single"],
    [2, "array"],
  ])("type %i creates a %s data source the host sees", async (type, shape) => {
    const f = await fixture();
    const h = f.call("newDataSource", f.s("mine"), type);
    expect(h).toBeGreaterThan(0);
    expect(f.g.gadget.dataSources.get("mine")?.type).toBe(shape);
    // Its packets have the shape of its type.
    expect(f.call("dataSourceNewPacketSingle", h) !== 0).toBe(shape === "single");
    expect(f.call("dataSourceNewPacketArray", h) !== 0).toBe(shape === "array");
  });

  // IG: pkg/gadget-context/gadget-context.go RegisterDataSource (aeac857; no name check in
  // any release since 7a3e62698) stores the new source under the name and returns a new handle.
  it("an existing name (guest-created or host-declared) is replaced: a new handle, old handles keep the old source", async () => {
    const f = await fixture();
    const first = f.call("newDataSource", f.s("mine"), 1);
    expect(first).toBeGreaterThan(0);
    expect(f.call("dataSourceAddField", first, f.s("old"), 8)).toBeGreaterThan(0);
    for (const name of ["mine", "events"]) {
      const lines = logsDuring(f.g, () => expect(f.call("newDataSource", f.s(name), 2)).toBeGreaterThan(0));
      expect(lines).toEqual([]);
      expect(f.g.gadget.dataSources.get(name)?.type).toBe("array");
    }
    expect(f.g.gadget.dataSources.names()).toEqual(["batch", "mine", "events"]);
    // getDataSource finds the new source (no field "old"); the first handle still reaches the old one.
    const found = f.call("getDataSource", f.s("mine"));
    expect(f.call("dataSourceGetField", found, f.s("old"))).toBe(0);
    expect(f.call("dataSourceGetField", first, f.s("old"))).toBeGreaterThan(0);
    expect(f.call("dataSourceGetField", f.ev, f.s("pid"))).toBeGreaterThan(0);
  });

  // IG: gadget-context.go RegisterDataSource has no empty-name check (aeac857).
  it("the empty name is a name: created, and found again by getDataSource", async () => {
    const f = await fixture();
    const h = f.call("newDataSource", 0n, 1);
    expect(h).toBeGreaterThan(0);
    expect(f.call("getDataSource", 0n)).toBeGreaterThan(0);
    expect(f.g.gadget.dataSources.get("")?.type).toBe("single");
  });

  // IG: pkg/datasource/data.go newDataSource accepts only TypeSingle and TypeArray (6587c90f6,
  // 2024-06-26, before v0.30.0; aeac857 unchanged), so 0 (Undefined) and 3 (Metrics) fail.
  it.each([0, 3, 4, -1])("data-source type %i -> 0, logged, nothing created", async (type) => {
    const f = await fixture();
    const lines = logsDuring(f.g, () => expect(f.call("newDataSource", f.s("t"), type)).toBe(0));
    expect(lines).toEqual([expect.stringMatching(/^warn: newDataSource: invalid data source type/)]);
    expect(f.g.gadget.dataSources.get("t")).toBeUndefined();
  });

  it.each([
    ["pointer past the end", (1n << 32n) | 65536n],
    ["length past the end", (10n << 32n) | 65530n],
  ])("name %s -> 0, logged", async (_w, name) => {
    const f = await fixture();
    const lines = logsDuring(f.g, () => expect(f.call("newDataSource", name, 1)).toBe(0));
    expect(lines).toEqual([expect.stringMatching(/^warn: newDataSource: name: range .* outside guest memory/)]);
  });

  it("traces the call", async () => {
    const f = await fixture();
    const name = f.s("traced");
    const t = traceOf(f.g, () => f.call("newDataSource", name, 2));
    expect(t).toEqual([`==> ig.newDataSource(name=${name},type=2)`, expect.stringMatching(/^<== [1-9]\d*$/)]);
  });
});

describe("getDataSource", () => {
  it("finds host-declared and guest-created data sources; each call is a new handle", async () => {
    const f = await fixture();
    const a = f.call("getDataSource", f.s("events"));
    const b = f.call("getDataSource", f.s("events"));
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(0);
    expect(a).not.toBe(b);
    expect(a).not.toBe(f.ev);
    // Every handle reaches the same data source.
    expect(f.call("dataSourceGetField", b, f.s("pid"))).toBeGreaterThan(0);
    const mine = f.call("newDataSource", f.s("mine"), 1);
    const again = f.call("getDataSource", f.s("mine"));
    expect(again).toBeGreaterThan(0);
    expect(again).not.toBe(mine);
  });

  it.each([["an unknown name", "nope"], ["the empty name", ""], ["a name differing in case", "Events"]])("%s -> 0, logged naming getDataSource", async (_w, name) => {
    const f = await fixture();
    const lines = logsDuring(f.g, () => expect(f.call("getDataSource", name === "" ? 0n : f.s(name))).toBe(0));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^(debug|warn): getDataSource: /);
  });

  // IG: getDataSource looks in GadgetContext.GetDataSources(), which leaves unreferenced
  // sources out (pkg/gadget-context/gadget-context.go getDataSources, e3d6a2790, v0.35.0; aeac857).
  it("an unreferenced data source is not found -> 0; handles held before keep working", async () => {
    const f = await fixture();
    expect(f.call("dataSourceUnreference", f.ev)).toBe(0);
    const lines = logsDuring(f.g, () => expect(f.call("getDataSource", f.s("events"))).toBe(0));
    expect(lines).toEqual([expect.stringMatching(/^debug: getDataSource: data source "events" is unreferenced/)]);
    expect(f.call("dataSourceIsReferenced", f.ev)).toBe(0);
    expect(f.call("getDataSource", f.s("batch"))).toBeGreaterThan(0);
  });

  it("a name out of bounds -> 0", async () => {
    const f = await fixture();
    const lines = logsDuring(f.g, () => expect(f.call("getDataSource", (6n << 32n) | 65534n)).toBe(0));
    expect(lines).toEqual([expect.stringMatching(/^warn: getDataSource: name: range/)]);
  });

  it("traces the call", async () => {
    const f = await fixture();
    const name = f.s("nope");
    expect(traceOf(f.g, () => f.call("getDataSource", name))).toEqual([`==> ig.getDataSource(name=${name})`, "<== 0"]);
  });
});

describe("dataSourceGetField / dataSourceAddField", () => {
  it("dataSourceGetField: each call returns a new handle to the field", async () => {
    const f = await fixture();
    const again = f.call("dataSourceGetField", f.ev, f.s("pid"));
    expect(again).toBeGreaterThan(0);
    expect(again).not.toBe(f.pid);
  });

  it.each([
    ["an unknown field", "ppid"],
    ["a field of another data source", "n"],
    ["the empty name", ""],
  ])("dataSourceGetField: %s -> 0, logged", async (_w, name) => {
    const f = await fixture();
    const lines = logsDuring(f.g, () => expect(f.call("dataSourceGetField", f.ev, name === "" ? 0n : f.s(name))).toBe(0));
    expect(lines).toEqual([expect.stringMatching(/^(debug|warn): dataSourceGetField: /)]);
  });

  // IG v0.49.0+: pkg/datasource/data.go GetField (6dc616b41): exact match first, then
  // strings.EqualFold over the fields. Before v0.49.0 only the exact name.
  it("dataSourceGetField: a name differing in case finds the field (IG v0.49.0+ behaviour)", async () => {
    const f = await fixture();
    const h = f.call("dataSourceGetField", f.ev, f.s("PID"));
    expect(h).toBeGreaterThan(0);
    f.g.view().setUint32(0x900, 0, true);
    const p = f.call("dataSourceNewPacketSingle", f.ev);
    expect(f.call("fieldSet", h, p, 8, 77n)).toBe(0);
    expect(f.call("fieldGetScalar", f.pid, p, 8, 0x900)).toBe(77n);
  });

  it("dataSourceGetField: an exact match wins over a case-insensitive one", async () => {
    const f = await fixture();
    const upper = f.call("dataSourceAddField", f.ev, f.s("Pid"), 6);
    expect(upper).toBeGreaterThan(0);
    const p = f.call("dataSourceNewPacketSingle", f.ev);
    // "Pid" is Uint8: a Uint32 write through the handle found for "Pid" fails, for "pid" works.
    expect(f.call("fieldSet", f.call("dataSourceGetField", f.ev, f.s("Pid")), p, 8, 1n)).toBe(1);
    expect(f.call("fieldSet", f.call("dataSourceGetField", f.ev, f.s("pid")), p, 8, 1n)).toBe(0);
    // "PID" matches both ignoring case; the first added ("pid") is returned.
    expect(f.call("fieldSet", f.call("dataSourceGetField", f.ev, f.s("PID")), p, 8, 1n)).toBe(0);
  });

  it("dataSourceGetField: folding is Unicode's (Go's strings.EqualFold), and ASCII punctuation does not fold", async () => {
    const f = await fixture();
    expect(f.call("dataSourceAddField", f.ev, f.s("a@b"), 6)).toBeGreaterThan(0);
    expect(f.call("dataSourceAddField", f.ev, f.s("kind"), 6)).toBeGreaterThan(0);
    // "@" (0x40) and "`" (0x60) differ by the case bit but are not letters.
    expect(f.call("dataSourceGetField", f.ev, f.s("a`b"))).toBe(0);
    expect(f.call("dataSourceGetField", f.ev, f.s("A@B"))).toBeGreaterThan(0);
    // The Kelvin sign (U+212A) folds to "k"; a longer or shorter name does not match.
    expect(f.call("dataSourceGetField", f.ev, f.s("\u212Aind"))).toBeGreaterThan(0);
    expect(f.call("dataSourceGetField", f.ev, f.s("kinds"))).toBe(0);
    expect(f.call("dataSourceGetField", f.ev, f.s("kin"))).toBe(0);
  });

  it("dataSourceGetField: with the pre-v0.49.0 behaviour a name differing in case -> 0", async () => {
    const f = await fixture({}, { behaviour: { ...CURRENT_BEHAVIOUR, getFieldCaseInsensitive: false } });
    const lines = logsDuring(f.g, () => expect(f.call("dataSourceGetField", f.ev, f.s("PID"))).toBe(0));
    expect(lines).toEqual([expect.stringMatching(/^debug: dataSourceGetField: .*no field "PID"/)]);
  });

  it("dataSourceGetField: a name out of bounds -> 0", async () => {
    const f = await fixture();
    expect(f.call("dataSourceGetField", f.ev, (4n << 32n) | 65533n)).toBe(0);
  });

  it("dataSourceAddField accepts every kind 1..14 and the host sees the fields", async () => {
    const f = await fixture();
    const ds = f.call("newDataSource", f.s("all"), 1);
    const handles = new Set<number>();
    for (let kind = 1; kind <= 14; kind++) {
      const h = f.call("dataSourceAddField", ds, f.s(`k${kind}`), kind);
      expect(h, `kind ${kind}`).toBeGreaterThan(0);
      handles.add(h);
    }
    expect(handles.size).toBe(14);
    const view = f.g.gadget.dataSources.get("all")!;
    expect(view.accessors().map((a) => [a.name, a.kind])).toEqual(Array.from({ length: 14 }, (_, i) => [`k${i + 1}`, i + 1]));
    // Adding to a host-declared data source works too.
    expect(f.call("dataSourceAddField", f.ev, f.s("extra"), 9)).toBeGreaterThan(0);
    expect(f.events.field("extra").kind).toBe(9);
  });

  // IG: pkg/operators/wasm/datasource.go dataSourceAddField refuses only kind > 14 (aeac857); kind 0 (Invalid) is a field.
  it("dataSourceAddField accepts kind 0 (Invalid) and the empty name; the value reads as 0 bytes", async () => {
    const f = await fixture();
    const inv = f.call("dataSourceAddField", f.ev, f.s("inv"), 0);
    expect(inv).toBeGreaterThan(0);
    const empty = f.call("dataSourceAddField", f.ev, 0n, 8);
    expect(empty).toBeGreaterThan(0);
    expect(f.call("dataSourceGetField", f.ev, 0n)).toBeGreaterThan(0);
    const p = f.call("dataSourceNewPacketSingle", f.ev);
    expect(f.call("fieldGetBuffer", inv, p, 14, (16n << 32n) | 0x900n)).toBe(0);
    expect(f.call("fieldSet", empty, p, 8, 5n)).toBe(0);
  });

  it.each([15, 255, -1])("dataSourceAddField rejects kind %i -> 0, logged, no field added", async (kind) => {
    const f = await fixture();
    const lines = logsDuring(f.g, () => expect(f.call("dataSourceAddField", f.ev, f.s("bad"), kind)).toBe(0));
    expect(lines).toEqual([expect.stringMatching(/^warn: dataSourceAddField: /)]);
    expect(() => f.events.field("bad")).toThrow(RangeError);
  });

  it("dataSourceAddField rejects a duplicate name (guest-added or host-declared) -> 0", async () => {
    const f = await fixture();
    expect(f.call("dataSourceAddField", f.ev, f.s("x"), 8)).toBeGreaterThan(0);
    for (const name of ["x", "pid"]) {
      const lines = logsDuring(f.g, () => expect(f.call("dataSourceAddField", f.ev, f.s(name), 9)).toBe(0));
      expect(lines).toEqual([expect.stringMatching(new RegExp(`^warn: dataSourceAddField: .*"${name}"`))]);
    }
    expect(f.events.field("x").kind).toBe(8);
    expect(f.events.field("pid").kind).toBe(8);
  });

  // Stricter than IG on purpose (see DataSource.addField): IG adds the field and a later access on
  // the older packet panics (pkg/datasource/data.go AddField has no live-packet check, aeac857).
  it("dataSourceAddField fails while a packet of the data source is alive, works after it is released", async () => {
    const f = await fixture();
    const p = f.call("dataSourceNewPacketSingle", f.ev);
    expect(f.call("dataSourceAddField", f.ev, f.s("late"), 8)).toBe(0);
    expect(f.call("dataSourceRelease", f.ev, p)).toBe(0);
    expect(f.call("dataSourceAddField", f.ev, f.s("late"), 8)).toBeGreaterThan(0);
  });

  it("dataSourceAddField: a name out of bounds -> 0", async () => {
    const f = await fixture();
    expect(f.call("dataSourceAddField", f.ev, (4n << 32n) | 65533n, 8)).toBe(0);
  });

  it("traces dataSourceAddField", async () => {
    const f = await fixture();
    const name = f.s("x");
    const t = traceOf(f.g, () => f.call("dataSourceAddField", f.ev, name, 15));
    expect(t).toEqual([`==> ig.dataSourceAddField(ds=${f.ev},name=${name},kind=15)`, "<== 0"]);
  });
});

describe("dataSourceSubscribe", () => {
  it.each([
    ["Data", 1],
    ["Packet", 3],
  ])("%s (%i) on a Single data source -> 0; one call per packet with a readable record", async (_w, type) => {
    const f = await fixture();
    f.setMode(1, f.pid);
    f.g.fillSentinel(ERRS, ERRS + 16);
    expect(f.call("dataSourceSubscribe", f.ev, type, 0, 77n)).toBe(0);
    f.events.emit({ pid: 4000000000 });
    f.events.emit({ pid: 2 });
    const log = callbackLog(f.g);
    expect(log.map((e) => [e.cbID, e.ds])).toEqual([[77n, f.ev], [77n, f.ev]]);
    expect(f.g.view().getBigUint64(VALS, true)).toBe(4000000000n);
    expect(f.g.view().getBigUint64(VALS + 8, true)).toBe(2n);
    expect(f.g.touched(ERRS, ERRS + 16)).toEqual([]);
  });

  it("Array (2) on a Single data source -> 1", async () => {
    const f = await fixture();
    const lines = logsDuring(f.g, () => expect(f.call("dataSourceSubscribe", f.ev, 2, 0, 1n)).toBe(1));
    expect(lines).toEqual([expect.stringMatching(/^warn: dataSourceSubscribe: /)]);
    f.events.emit({ pid: 1 });
    expect(callbackCount(f.g)).toBe(0);
  });

  it("Data (1) on an Array data source: one call per element", async () => {
    const f = await fixture();
    f.setMode(1, f.n);
    expect(f.call("dataSourceSubscribe", f.bt, 1, 0, 5n)).toBe(0);
    f.batch.emitArray([{ n: 10 }, { n: 11 }, { n: 12 }]);
    const log = callbackLog(f.g);
    expect(log.map((e) => e.cbID)).toEqual([5n, 5n, 5n]);
    expect(new Set(log.map((e) => e.data)).size).toBeGreaterThanOrEqual(1);
    expect([0, 1, 2].map((i) => f.g.view().getBigUint64(VALS + i * 8, true))).toEqual([10n, 11n, 12n]);
    // An empty array packet calls nobody.
    f.batch.emitArray([]);
    expect(callbackCount(f.g)).toBe(3);
  });

  it.each([
    ["Array", 2],
    ["Packet", 3],
  ])("%s (%i) on an Array data source: one call with the array", async (_w, type) => {
    const f = await fixture();
    f.setMode(2, f.n);
    expect(f.call("dataSourceSubscribe", f.bt, type, 0, 6n)).toBe(0);
    f.batch.emitArray([{ n: 10 }, { n: 11 }, { n: 12 }]);
    f.batch.emitArray([{ n: 20 }]);
    expect(callbackLog(f.g).map((e) => e.cbID)).toEqual([6n, 6n]);
    expect(f.g.view().getBigUint64(VALS, true)).toBe(3n);
    expect(f.g.view().getBigUint64(VALS + 8, true)).toBe(1n);
    expect(f.g.view().getBigUint64(ELEM0, true)).toBe(10n);
    expect(f.g.view().getBigUint64(ELEM0 + 8, true)).toBe(20n);
  });

  it.each([0, 4, 255, -1])("unknown subscription type %i -> 1, logged", async (type) => {
    const f = await fixture();
    const lines = logsDuring(f.g, () => expect(f.call("dataSourceSubscribe", f.ev, type, 0, 1n)).toBe(1));
    expect(lines).toEqual([expect.stringMatching(/^warn: dataSourceSubscribe: .*subscription type/)]);
    f.events.emit({ pid: 1 });
    expect(callbackCount(f.g)).toBe(0);
  });

  it("fails with 1 when the guest exports no dataSourceCallback", async () => {
    const f = await fixture({ callback: false });
    const lines = logsDuring(f.g, () => expect(f.call("dataSourceSubscribe", f.ev, 1, 0, 1n)).toBe(1));
    expect(lines).toEqual([expect.stringMatching(/^warn: dataSourceSubscribe: .*callback/)]);
  });

  it("passes the u64 cbID and the subscribing ds handle back unchanged", async () => {
    const f = await fixture();
    const other = f.call("getDataSource", f.s("events"));
    expect(f.call("dataSourceSubscribe", other, 1, 0, -1n)).toBe(0);
    expect(f.call("dataSourceSubscribe", f.ev, 1, 1, 0x123456789abcdefn)).toBe(0);
    f.events.emit({ pid: 1 });
    expect(callbackLog(f.g).map((e) => [e.cbID, e.ds])).toEqual([
      [0xffffffffffffffffn, other],
      [0x123456789abcdefn, f.ev],
    ]);
  });

  it("traces the call", async () => {
    const f = await fixture();
    expect(traceOf(f.g, () => f.call("dataSourceSubscribe", f.ev, 1, 7, 99n))).toEqual([
      `==> ig.dataSourceSubscribe(ds=${f.ev},type=1,prio=7,cbID=99)`,
      "<== 0",
    ]);
  });
});

describe("subscriber order", () => {
  // IG: pkg/operators/wasm/datasource.go dataSourceSubscribe decodes prio with DecodeI32 and
  // pkg/datasource/data.go addSubscription sorts with sort.SliceStable by int (aeac857): 0xFFFFFFFF is -1.
  it("lower priority first, ties in subscription order, guest and JS mixed; prio is a signed i32", async () => {
    const f = await fixture();
    const order: string[] = [];
    const js = (name: string) => () => order.push(`js:${name}@${callbackCount(f.g)}`);
    expect(f.call("dataSourceSubscribe", f.ev, 1, 5, 10n)).toBe(0);
    f.events.subscribe(js("a"), { priority: 1 });
    expect(f.call("dataSourceSubscribe", f.ev, 1, 1, 11n)).toBe(0);
    f.events.subscribe(js("b"), { priority: 0 });
    expect(f.call("dataSourceSubscribe", f.ev, 3, 1, 12n)).toBe(0);
    f.events.subscribe(js("c"), { priority: 5 });
    expect(f.call("dataSourceSubscribe", f.ev, 1, -1, 13n)).toBe(0); // prio 0xffffffff = -1
    expect(f.call("dataSourceSubscribe", f.ev, 1, 0, 14n)).toBe(0);
    f.events.emit({ pid: 1 });
    // Merge: a JS entry "@n" ran after the n-th guest call.
    const guest = callbackLog(f.g).map((e) => `g:${e.cbID}`);
    const merged: string[] = [];
    let gi = 0;
    for (const o of order) {
      const at = Number(o.split("@")[1]);
      while (gi < at) merged.push(guest[gi++]);
      merged.push(o.split("@")[0]);
    }
    while (gi < guest.length) merged.push(guest[gi++]);
    expect(merged).toEqual(["g:13", "js:b", "g:14", "js:a", "g:11", "g:12", "g:10", "js:c"]);
    // The same order on the next packet.
    order.length = 0;
    f.events.emit({ pid: 2 });
    expect(callbackLog(f.g).slice(5).map((e) => e.cbID)).toEqual([13n, 14n, 11n, 12n, 10n]);
    expect(order.map((o) => o.split("@")[0])).toEqual(["js:b", "js:a", "js:c"]);
  });
});

describe("subscribing during a delivery", () => {
  // Regression: delivery walked the live subscriber list while a subscriber
  // inserted a lower-priority one before itself, and ran again for the same packet.
  const SUBSCRIBE_ONCE = `
    (if (i32.and (i64.eq (local.get $cb) (i64.const 1)) (i32.eqz (i32.load (i32.const 0xc20)))) (then
      (i32.store (i32.const 0xc20) (i32.const 1))
      (i32.store (i32.const 0xc24) (call $dataSourceSubscribe (local.get $ds) (i32.const 1) (i32.const 0) (i64.const 2)))))`;

  it("a subscriber that subscribes another (lower priority) during delivery is not called twice", async () => {
    const f = await fixture({ callback: SUBSCRIBE_ONCE });
    expect(f.call("dataSourceSubscribe", f.ev, 1, 5, 1n)).toBe(0);
    f.events.emit({ pid: 1 });
    expect(f.g.view().getUint32(0xc24, true)).toBe(0);
    const first = callbackLog(f.g).map((e) => e.cbID);
    expect(first.filter((id) => id === 1n)).toEqual([1n]);
  });

  it("after that delivery both subscribers run once each, in priority order", async () => {
    const f = await fixture({ callback: SUBSCRIBE_ONCE });
    expect(f.call("dataSourceSubscribe", f.ev, 1, 5, 1n)).toBe(0);
    f.events.emit({ pid: 1 });
    const n = callbackCount(f.g);
    f.events.emit({ pid: 2 });
    expect(callbackLog(f.g).slice(n).map((e) => e.cbID)).toEqual([2n, 1n]);
  });
});

describe("the callback's data handle", () => {
  it("is valid during the call and invalid after it; handle count returns to baseline", async () => {
    const f = await fixture();
    f.setMode(1, f.pid);
    expect(f.call("dataSourceSubscribe", f.ev, 1, 0, 1n)).toBe(0);
    const baseline = f.g.gadget.runtime.handles.size;
    f.events.emit({ pid: 42 });
    expect(f.g.view().getBigUint64(VALS, true)).toBe(42n);
    expect(f.g.gadget.runtime.handles.size).toBe(baseline);
    const last = f.g.view().getUint32(LAST, true);
    expect(last).toBe(callbackLog(f.g)[0].data);
    f.g.fillSentinel(0xf00, 0xf04);
    const lines = logsDuring(f.g, () => f.call("fieldGetScalar", f.pid, last, 8, 0xf00));
    expect(f.g.view().getUint32(0xf00, true)).toBe(1);
    expect(lines).toEqual([expect.stringMatching(/^warn: fieldGetScalar: .*stale or unknown handle/)]);
    expect(f.call("releaseHandle", last)).toBe(1);
  });

  it("exact trace of a delivery: the guest reads the field through the temporary handle", async () => {
    const f = await fixture();
    f.setMode(1, f.pid);
    expect(f.call("dataSourceSubscribe", f.ev, 1, 0, 1n)).toBe(0);
    const t = traceOf(f.g, () => f.events.emit({ pid: 42 }));
    const data = callbackLog(f.g)[0].data;
    expect(t).toEqual([`==> ig.fieldGetScalar(field=${f.pid},data=${data},kind=8,err=${ERRS})`, "<== 42"]);
  });

  it("the guest may release it itself (releaseHandle -> 0) without upsetting the host", async () => {
    const f = await fixture();
    f.setMode(4);
    expect(f.call("dataSourceSubscribe", f.ev, 1, 0, 1n)).toBe(0);
    const baseline = f.g.gadget.runtime.handles.size;
    const lines = logsDuring(f.g, () => f.events.emit({ pid: 1 }));
    expect(lines).toEqual([]);
    expect(f.g.gadget.runtime.handles.size).toBe(baseline);
    f.events.emit({ pid: 2 });
    expect(callbackCount(f.g)).toBe(2);
  });

  it("an Array subscription's array handle is invalid after the call", async () => {
    const f = await fixture();
    f.setMode(2, f.n);
    expect(f.call("dataSourceSubscribe", f.bt, 2, 0, 1n)).toBe(0);
    const baseline = f.g.gadget.runtime.handles.size;
    f.batch.emitArray([{ n: 1 }, { n: 2 }]);
    expect(f.g.gadget.runtime.handles.size).toBe(baseline);
    const arr = f.g.view().getUint32(LAST, true);
    expect(f.call("dataArrayLen", arr)).toBe(0);
    expect(f.call("dataArrayGet", arr, 0)).toBe(0);
  });
});

describe("packets", () => {
  it("the guest creates, fills and emits a single packet; the packet is gone after emit", async () => {
    const f = await fixture();
    const seen: unknown[] = [];
    f.events.subscribe((e) => seen.push((e as EventView).toJSON()));
    const baseline = f.g.gadget.runtime.handles.size;
    const p = f.call("dataSourceNewPacketSingle", f.ev);
    expect(p).toBeGreaterThan(0);
    expect(f.g.gadget.runtime.handles.size).toBe(baseline + 1);
    expect(f.call("fieldSet", f.pid, p, 8, 77n)).toBe(0);
    expect(f.call("fieldSet", f.comm, p, 12, f.s("bash"))).toBe(0);
    expect(traceOf(f.g, () => expect(f.call("dataSourceEmitAndRelease", f.ev, p)).toBe(0))).toEqual([
      `==> ig.dataSourceEmitAndRelease(ds=${f.ev},packet=${p})`,
      "<== 0",
    ]);
    expect(seen).toEqual([{ pid: 77, comm: "bash" }]);
    expect(f.g.gadget.runtime.handles.size).toBe(baseline);
    // Using the packet afterwards is an error of each call.
    const lines = logsDuring(f.g, () => {
      expect(f.call("fieldSet", f.pid, p, 8, 1n)).toBe(1);
      expect(f.call("dataSourceEmitAndRelease", f.ev, p)).toBe(1);
      expect(f.call("dataSourceRelease", f.ev, p)).toBe(1);
      expect(f.call("releaseHandle", p)).toBe(1);
    });
    expect(lines.map((l) => l.split(":")[1].trim())).toEqual(["fieldSet", "dataSourceEmitAndRelease", "dataSourceRelease", "releaseHandle"]);
    expect(seen).toHaveLength(1);
  });

  it("a new packet is zeroed (no values leak from a released one)", async () => {
    const f = await fixture();
    const p = f.call("dataSourceNewPacketSingle", f.ev);
    expect(f.call("fieldSet", f.pid, p, 8, 99n)).toBe(0);
    expect(f.call("fieldSet", f.comm, p, 12, f.s("old"))).toBe(0);
    expect(f.call("dataSourceRelease", f.ev, p)).toBe(0);
    const q = f.call("dataSourceNewPacketSingle", f.ev);
    expect(f.call<bigint>("fieldGetScalar", f.pid, q, 8, 0)).toBe(0n);
    f.g.fillSentinel(0x1000, 0x1010);
    expect(f.call("fieldGetBuffer", f.comm, q, 12, (16n << 32n) | 0x1000n)).toBe(0);
    expect(f.g.touched(0x1000, 0x1010)).toEqual([]);
  });

  it("dataSourceRelease discards the packet: nobody is called, the handle is gone", async () => {
    const f = await fixture();
    let js = 0;
    f.events.subscribe(() => js++);
    expect(f.call("dataSourceSubscribe", f.ev, 3, 0, 1n)).toBe(0);
    const baseline = f.g.gadget.runtime.handles.size;
    const p = f.call("dataSourceNewPacketSingle", f.ev);
    expect(traceOf(f.g, () => expect(f.call("dataSourceRelease", f.ev, p)).toBe(0))).toEqual([
      `==> ig.dataSourceRelease(ds=${f.ev},packet=${p})`,
      "<== 0",
    ]);
    expect(js).toBe(0);
    expect(callbackCount(f.g)).toBe(0);
    expect(f.g.gadget.runtime.handles.size).toBe(baseline);
    expect(f.call("dataSourceRelease", f.ev, p)).toBe(1);
    expect(f.call("fieldSet", f.pid, p, 8, 1n)).toBe(1);
  });

  it("the guest emits an array packet to JS and guest subscribers", async () => {
    const f = await fixture();
    const seen: unknown[] = [];
    f.batch.subscribe((a) => seen.push(a.toJSON()), { type: "array" });
    f.setMode(2, f.n);
    expect(f.call("dataSourceSubscribe", f.bt, 3, 0, 1n)).toBe(0);
    const p = f.call("dataSourceNewPacketArray", f.bt);
    expect(p).toBeGreaterThan(0);
    for (const v of [7n, 8n]) {
      const d = f.call("dataArrayNew", p);
      expect(f.call("fieldSet", f.n, d, 8, v)).toBe(0);
      expect(f.call("dataArrayAppend", p, d)).toBe(0);
    }
    expect(f.call("dataSourceEmitAndRelease", f.bt, p)).toBe(0);
    expect(seen).toEqual([[{ n: 7 }, { n: 8 }]]);
    expect(f.g.view().getBigUint64(VALS, true)).toBe(2n);
    expect(f.g.view().getBigUint64(ELEM0, true)).toBe(7n);
    expect(f.call("dataArrayLen", p)).toBe(0);
  });

  it.each([
    ["dataSourceNewPacketSingle on an Array data source", "dataSourceNewPacketSingle", "bt"],
    ["dataSourceNewPacketArray on a Single data source", "dataSourceNewPacketArray", "ev"],
  ] as const)("%s -> 0, logged", async (_w, fn, which) => {
    const f = await fixture();
    const lines = logsDuring(f.g, () => expect(f.call(fn, f[which])).toBe(0));
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^warn: ${fn}: `))]);
  });

  const BAD_PACKETS: [string, (f: Fixture) => number][] = [
    ["0", () => 0],
    ["an unknown handle", () => 54321],
    ["a released packet", (f) => {
      const p = f.call("dataSourceNewPacketSingle", f.ev);
      f.call("dataSourceRelease", f.ev, p);
      return p;
    }],
    ["a Field handle", (f) => f.pid],
    ["a DataSource handle", (f) => f.ev],
    ["a record from dataArrayNew (Data, not a packet)", (f) => f.call("dataArrayNew", f.call("dataSourceNewPacketArray", f.bt))],
    ["a packet of another data source", (f) => f.call("dataSourceNewPacketSingle", f.call("newDataSource", f.s("other"), 1))],
    ["an array packet of another data source", (f) => f.call("dataSourceNewPacketArray", f.bt)],
  ];

  describe.each(["dataSourceEmitAndRelease", "dataSourceRelease"])("%s with a bad packet", (fn) => {
    it.each(BAD_PACKETS)("%s -> 1, logged, nobody is called", async (_w, make) => {
      const f = await fixture();
      let js = 0;
      f.events.subscribe(() => js++);
      expect(f.call("dataSourceSubscribe", f.ev, 3, 0, 1n)).toBe(0);
      const p = make(f);
      const lines = logsDuring(f.g, () => expect(f.call(fn, f.ev, p)).toBe(1));
      expect(lines).toEqual([expect.stringMatching(new RegExp(`^warn: ${fn}: `))]);
      expect(js).toBe(0);
      expect(callbackCount(f.g)).toBe(0);
    });
  });

  // As IG (datasource.go@aeac857bd looks both handles up before it drops the packet's): nothing is released.
  it.each([["0", () => 0], ["a Field handle", (f: Fixture) => f.pid]] as const)(
    "dataSourceEmitAndRelease with %s as data source -> 1, and the packet stays allocated",
    async (_w, badDs) => {
      const f = await fixture();
      let js = 0;
      f.events.subscribe(() => js++);
      const p = f.call("dataSourceNewPacketSingle", f.ev);
      const handles = f.g.gadget.runtime.handles.size;
      const lines = logsDuring(f.g, () => expect(f.call("dataSourceEmitAndRelease", badDs(f), p)).toBe(1));
      expect(lines).toEqual([expect.stringMatching(/^warn: dataSourceEmitAndRelease: /)]);
      expect(f.g.gadget.runtime.handles.size).toBe(handles);
      expect(js).toBe(0);
      expect(f.call("dataSourceEmitAndRelease", f.ev, p)).toBe(0);
      expect(js).toBe(1);
      expect(f.g.gadget.runtime.handles.size).toBe(handles - 1);
    },
  );

  it("a callback may emit into another data source (nested delivery)", async () => {
    const f = await fixture();
    const out = f.call("newDataSource", f.s("out"), 1);
    const v = f.call("dataSourceAddField", out, f.s("v"), 8);
    const seen: number[] = [];
    f.g.gadget.dataSources.subscribe("out", (e) => seen.push((e as EventView).get("v") as number));
    f.g.view().setUint32(EMIT_DS, out, true);
    f.g.view().setUint32(EMIT_FIELD, v, true);
    f.setMode(5);
    expect(f.call("dataSourceSubscribe", f.ev, 1, 0, 3n)).toBe(0);
    const baseline = f.g.gadget.runtime.handles.size;
    f.events.emit({ pid: 1 });
    f.events.emit({ pid: 2 });
    expect(seen).toEqual([1003, 1003]);
    expect(f.g.view().getUint32(NESTED, true)).toBe(0);
    expect(f.g.view().getUint32(NESTED + 4, true)).toBe(0);
    expect(f.g.gadget.runtime.handles.size).toBe(baseline);
  });
});

describe("dataSourceUnreference / dataSourceIsReferenced", () => {
  it("a data source starts referenced; Unreference -> 0 clears it for every handle and for the host", async () => {
    const f = await fixture();
    const other = f.call("getDataSource", f.s("events"));
    expect(traceOf(f.g, () => expect(f.call("dataSourceIsReferenced", f.ev)).toBe(1))).toEqual([
      `==> ig.dataSourceIsReferenced(ds=${f.ev})`,
      "<== 1",
    ]);
    expect(f.call("dataSourceUnreference", f.ev)).toBe(0);
    expect(f.call("dataSourceIsReferenced", f.ev)).toBe(0);
    expect(f.call("dataSourceIsReferenced", other)).toBe(0);
    expect(f.events.referenced).toBe(false);
    // Unreferencing twice is fine; other data sources are unaffected.
    expect(f.call("dataSourceUnreference", other)).toBe(0);
    expect(f.call("dataSourceIsReferenced", f.bt)).toBe(1);
    expect(f.batch.referenced).toBe(true);
  });

  it("a guest-created data source can be unreferenced too", async () => {
    const f = await fixture();
    const mine = f.call("newDataSource", f.s("mine"), 1);
    expect(f.call("dataSourceIsReferenced", mine)).toBe(1);
    expect(f.call("dataSourceUnreference", mine)).toBe(0);
    expect(f.call("dataSourceIsReferenced", mine)).toBe(0);
    expect(f.g.gadget.dataSources.get("mine")!.referenced).toBe(false);
  });
});

describe("many live packets", () => {
  it("4000 packets across host-memory growth keep their own values", async () => {
    const f = await fixture({}, { traced: false });
    const ds = f.call("newDataSource", f.s("wide"), 1);
    const fields: number[] = [];
    for (let i = 0; i < 16; i++) fields.push(f.call("dataSourceAddField", ds, f.s(`w${i}`), 9));
    const packets: number[] = [];
    for (let i = 0; i < 4000; i++) {
      const p = f.call("dataSourceNewPacketSingle", ds);
      expect(p).toBeGreaterThan(0);
      expect(f.call("fieldSet", fields[i % 16], p, 9, BigInt(i) * 0x1_0000_0001n)).toBe(0);
      packets.push(p);
    }
    for (let i = 0; i < 4000; i++) {
      expect(f.call<bigint>("fieldGetScalar", fields[i % 16], packets[i], 9, 0)).toBe(BigInt(i) * 0x1_0000_0001n);
      expect(f.call<bigint>("fieldGetScalar", fields[(i + 1) % 16], packets[i], 9, 0)).toBe(0n);
    }
    for (const p of packets) expect(f.call("dataSourceRelease", ds, p)).toBe(0);
  });
});

describe("handle accounting", () => {
  it("every creating call adds one live handle; releaseHandle removes it", async () => {
    const f = await fixture();
    const handles = f.g.gadget.runtime.handles;
    const base = handles.size;
    const made = [
      f.call("getDataSource", f.s("events")),
      f.call("dataSourceGetField", f.ev, f.s("pid")),
      f.call("newDataSource", f.s("mine"), 1),
      f.call("dataSourceNewPacketSingle", f.ev),
      f.call("dataSourceNewPacketArray", f.bt),
    ];
    expect(handles.size).toBe(base + made.length);
    // Failing calls create nothing.
    f.call("getDataSource", f.s("nope"));
    f.call("dataSourceGetField", f.ev, f.s("nope"));
    expect(handles.size).toBe(base + made.length);
    for (const h of made) expect(f.call("releaseHandle", h)).toBe(0);
    expect(handles.size).toBe(base);
  });
});
