/**
 * Limits and budgets (issue 15): a guest that tries to exhaust the host gets
 * error values and a log line, a refused call changes nothing, and the
 * embedder keeps working. Each test here reproduces one failure found by the
 * adversarial campaign.
 */
import { describe, expect, it } from "vitest";
import { DataArrayMaxIndex, FieldKind, MapType, MaxHandles } from "../generated/constants.js";
import type { EventView, HostDataSource } from "../runtime/data-source-api.js";
import { callbackCount, functionsOf, hostDriver, loadHostGuest, logsDuring, type HostDriver } from "./helpers/host-guest.js";
import type { LoadOptions } from "./helpers/guest.js";

// Callback control words.
const MODE = 0xc00; // 5: emit a packet into EMIT_DS; 6: dataArrayGet(data, INDEX) into GOT
const EMIT_DS = 0xc0c;
const INDEX = 0xc10;
const GOT = 0xc14;
const NESTED = 0xe00; // u32 per delivery (mode 5): result of the nested emit
const NAME = 0x1000; // scratch for names written one at a time

const CALLBACK = `
    (local.set $k (i32.load (i32.const ${MODE})))
    (if (i32.eq (local.get $k) (i32.const 5)) (then
      (local.set $j (call $dataSourceNewPacketSingle (i32.load (i32.const ${EMIT_DS}))))
      (i32.store (i32.add (i32.const ${NESTED}) (i32.shl (local.get $i) (i32.const 2)))
        (call $dataSourceEmitAndRelease (i32.load (i32.const ${EMIT_DS})) (local.get $j)))))
    (if (i32.eq (local.get $k) (i32.const 6)) (then
      (i32.store (i32.const ${GOT}) (call $dataArrayGet (local.get $data) (i32.load (i32.const ${INDEX}))))))`;

async function driver(load: LoadOptions = {}): Promise<HostDriver> {
  const g = await loadHostGuest("v0.43", "", { names: functionsOf("v0.43"), callback: CALLBACK, pages: 2 }, load);
  return hostDriver(g);
}

/** Writes `text` at NAME and returns it packed (one name at a time). */
function name(d: HostDriver, text: string): bigint {
  return d.g.putString(NAME, text);
}

/** Takes every free handle (getDataSource on `ds`); returns them. */
function exhaustHandles(d: HostDriver, dsName: bigint): number[] {
  const taken: number[] = [];
  for (;;) {
    const h = d.call("getDataSource", dsName);
    if (h === 0) break;
    taken.push(h);
  }
  expect(d.g.gadget.runtime.handles.size).toBe(MaxHandles);
  return taken;
}

describe("the limits option", () => {
  it.each([
    [{ nope: 1 }, /^cannot load the module: unknown limit "nope" \(known: hostMemoryBytes, /],
    [{ tagsPerField: -1 }, /^cannot load the module: limit tagsPerField must be a non-negative integer, got -1$/],
    [{ callbackDepth: 1.5 }, /^cannot load the module: limit callbackDepth must be a non-negative integer, got 1.5$/],
  ])("%o fails the load with a GadgetError", async (limits, message) => {
    await expect(driver({ limits: limits as never })).rejects.toThrow(expect.objectContaining({ name: "GadgetError", message: expect.stringMatching(message) }));
  });
});

describe("a call refused at the handle limit creates nothing", () => {
  it("newDataSource at 4096 handles fails, and succeeds after a handle is freed", async () => {
    const d = await driver();
    d.g.gadget.dataSources.declare("host", { fields: {} });
    const taken = exhaustHandles(d, d.s("host"));
    const logs = logsDuring(d.g, () => expect(d.call("newDataSource", name(d, "mine"), 1)).toBe(0));
    expect(logs).toEqual([expect.stringMatching(/^warn: newDataSource: too many open handles \(4096\)/)]);
    expect(d.g.gadget.dataSources.names()).toEqual(["host"]);
    expect(d.call("releaseHandle", taken.pop())).toBe(0);
    expect(d.call("newDataSource", name(d, "mine"), 1)).not.toBe(0);
    expect(d.g.gadget.dataSources.names()).toEqual(["host", "mine"]);
  });

  it("dataSourceAddField at 4096 handles fails, and succeeds after a handle is freed", async () => {
    const d = await driver();
    d.g.gadget.dataSources.declare("host", { fields: {} });
    const taken = exhaustHandles(d, d.s("host"));
    expect(d.call("dataSourceAddField", taken[0], name(d, "f"), FieldKind.Uint32)).toBe(0);
    expect(d.g.gadget.dataSources.get("host")!.source.fields).toHaveLength(0);
    expect(d.call("releaseHandle", taken.pop())).toBe(0);
    expect(d.call("dataSourceAddField", taken[0], name(d, "f"), FieldKind.Uint32)).not.toBe(0);
  });
});

describe("arrays stay inside the element-handle layout", () => {
  it("emitArray refuses more records than an element handle can address, naming the limit", async () => {
    const d = await driver();
    const batch = d.g.gadget.dataSources.declare("batch", { type: "array", fields: { n: "uint32" } });
    const records = Array.from({ length: DataArrayMaxIndex + 2 }, (_, n) => ({ n }));
    expect(() => batch.emitArray(records)).toThrow(new RangeError(`data source "batch": an array packet holds at most ${DataArrayMaxIndex + 1} records, not ${DataArrayMaxIndex + 2}`));
    expect(batch.source.slab.live).toBe(0);
  });

  /** An Array data source "batch" whose guest subscriber stores dataArrayGet(array, index) at GOT (0xdead before). */
  async function probe(index: number): Promise<{ d: HostDriver; batch: HostDataSource }> {
    const d = await driver();
    const batch = d.g.gadget.dataSources.declare("batch", { type: "array", fields: { n: "uint32" } });
    const bt = d.call("getDataSource", d.s("batch"));
    expect(d.call("dataSourceSubscribe", bt, 2, 0, 1n)).toBe(0);
    const v = d.g.view();
    v.setUint32(MODE, 6, true);
    v.setUint32(INDEX, index, true);
    v.setUint32(GOT, 0xdead, true);
    return { d, batch };
  }

  it("the last addressable element is distinct from element 0", async () => {
    const { d, batch } = await probe(DataArrayMaxIndex);
    batch.emitArray(Array.from({ length: DataArrayMaxIndex + 1 }, (_, n) => ({ n })));
    const got = d.g.view().getUint32(GOT, true);
    expect((got >>> 16) & 0x7fff).toBe(DataArrayMaxIndex);
  });

  it("dataArrayGet with an index past the layout is an error", async () => {
    const { d, batch } = await probe(DataArrayMaxIndex + 1);
    const logs = logsDuring(d.g, () => batch.emitArray([{ n: 1 }]));
    expect(d.g.view().getUint32(GOT, true)).toBe(0);
    expect(logs).toEqual([expect.stringMatching(/^warn: dataArrayGet: index 32768 is past the end/)]);
  });
});

describe("host memory is reclaimed", () => {
  it("adding fields between packets reuses the old layouts' memory", async () => {
    const d = await driver();
    const ds = d.call("newDataSource", name(d, "grow"), 1);
    for (let i = 0; i < 1500; i++) {
      expect(d.call("dataSourceAddField", ds, name(d, `f${i}`), FieldKind.Uint64)).not.toBe(0);
      const p = d.call("dataSourceNewPacketSingle", ds);
      expect(p).not.toBe(0);
      expect(d.call("dataSourceRelease", ds, p)).toBe(0);
    }
    // The last layout: 1500 x 8 bytes per record, 64 records per chunk (750 KiB); earlier ones were given back.
    expect(d.g.gadget.runtime.hostMemory.used).toBeLessThan(8 * 1024 * 1024);
  });

  it("a guest that fills host memory gets errors; the embedder's emit is dropped with a log line, not thrown", async () => {
    const d = await driver({ limits: { hostMemoryBytes: 1024 * 1024 } });
    // The host's records are larger than the guest's: once the guest is refused, so is the host.
    const wide = Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`w${i}`, "uint64" as const]));
    const host = d.g.gadget.dataSources.declare("host", { fields: { pid: "uint32", ...wide } });
    const ds = d.call("newDataSource", name(d, "big"), 1);
    for (let i = 0; i < 64; i++) d.call("dataSourceAddField", ds, name(d, `f${i}`), FieldKind.Uint64);
    let refused = 0;
    for (let i = 0; i < 4000 && refused === 0; i++) if (d.call("dataSourceNewPacketSingle", ds) === 0) refused++;
    expect(refused).toBe(1);
    expect(d.g.logs.at(-1)).toMatch(/^warn: dataSourceNewPacketSingle: host memory budget \(hostMemoryBytes, 1048576 bytes\) exhausted/);
    const seen: number[] = [];
    host.subscribe((ev) => seen.push((ev as EventView).get("pid") as number));
    const logs = logsDuring(d.g, () => expect(() => host.emit({ pid: 1 })).not.toThrow());
    expect(logs).toEqual([expect.stringMatching(/^error: data source "host": event dropped: host memory budget/)]);
    expect(seen).toEqual([]);
  });
});

describe("variable-length values count in the host memory budget", () => {
  it("a guest storing large strings in many packets is refused at the budget; released packets give it back", async () => {
    const d = await driver({ limits: { hostMemoryBytes: 4 * 1024 * 1024 } });
    const ds = d.call("newDataSource", name(d, "s"), 1);
    const f = d.call("dataSourceAddField", ds, name(d, "text"), FieldKind.String);
    const big = d.g.putString(0x2000, "x".repeat(60000));
    const packets: number[] = [];
    let refused = -1;
    for (let i = 0; i < 200 && refused === -1; i++) {
      const p = d.call("dataSourceNewPacketSingle", ds);
      packets.push(p);
      if (d.call("fieldSet", f, p, FieldKind.String, big) === 1) refused = i;
    }
    // About (4 MiB - the handle table - one chunk) / 60000 values fit.
    expect(refused).toBeGreaterThan(50);
    expect(refused).toBeLessThan(70);
    expect(d.g.logs.at(-1)).toMatch(/^warn: fieldSet: host memory budget \(hostMemoryBytes, 4194304 bytes\) exhausted/);
    // Replacing a value by a shorter one and releasing packets give bytes back.
    expect(d.call("fieldSet", f, packets[0], FieldKind.String, d.g.putString(0x2000, "y"))).toBe(0);
    expect(d.call("fieldSet", f, packets.at(-1), FieldKind.String, big)).toBe(0);
    for (const p of packets) expect(d.call("dataSourceRelease", ds, p)).toBe(0);
    const again = d.call("dataSourceNewPacketSingle", ds);
    for (let i = 0; i < 50; i++) expect(d.call("fieldSet", f, again, FieldKind.String, big)).toBe(0);
  });
});

describe("callback nesting depth", () => {
  it("a subscriber that emits into its own data source stops at the depth limit and releases everything", async () => {
    const d = await driver({ limits: { callbackDepth: 5 } });
    const events = d.g.gadget.dataSources.declare("events", { fields: { pid: "uint32" } });
    const ev = d.call("getDataSource", d.s("events"));
    expect(d.call("dataSourceSubscribe", ev, 1, 0, 7n)).toBe(0);
    const v = d.g.view();
    v.setUint32(EMIT_DS, ev, true);
    v.setUint32(MODE, 5, true);
    const before = d.g.gadget.runtime.handles.size;
    const logs = logsDuring(d.g, () => events.emit({ pid: 1 }));
    expect(callbackCount(d.g)).toBe(5);
    // The innermost nested emit failed; the four around it succeeded.
    expect(Array.from({ length: 5 }, (_, i) => d.g.view().getUint32(NESTED + 4 * i, true))).toEqual([0, 0, 0, 0, 1]);
    expect(logs).toEqual([expect.stringMatching(/^warn: dataSourceEmitAndRelease: callback nesting depth limit \(callbackDepth 5\) reached/)]);
    expect(d.g.gadget.runtime.handles.size).toBe(before);
    expect(events.source.slab.live).toBe(0);
  });

  it("the default depth stops the same chain well before the JS stack overflows", async () => {
    const d = await driver();
    const events = d.g.gadget.dataSources.declare("events", { fields: { pid: "uint32" } });
    const ev = d.call("getDataSource", d.s("events"));
    expect(d.call("dataSourceSubscribe", ev, 1, 0, 7n)).toBe(0);
    d.g.view().setUint32(EMIT_DS, ev, true);
    d.g.view().setUint32(MODE, 5, true);
    events.emit({ pid: 1 });
    expect(callbackCount(d.g)).toBe(16);
    expect(d.g.gadget.runtime.handles.size).toBe(1);
    expect(events.source.slab.live).toBe(0);
  });
});

describe("maps, config, subscriptions and tags have budgets", () => {
  it("map entries are budgeted across all maps the guest created", async () => {
    const d = await driver({ limits: { mapEntries: 10 } });
    const a = d.call("newMap", name(d, "a"), MapType.Hash, 4, 4, 0xffffffff);
    const b = d.call("newMap", name(d, "b"), MapType.Hash, 4, 4, 0xffffffff);
    const key = 0x1800;
    const update = (m: number, k: number): number => {
      d.g.view().setUint32(key, k, true);
      return d.call("mapUpdate", m, (4n << 32n) | BigInt(key), (4n << 32n) | BigInt(key), 0n);
    };
    for (let k = 0; k < 6; k++) expect(update(a, k)).toBe(0);
    for (let k = 0; k < 4; k++) expect(update(b, k)).toBe(0);
    expect(update(b, 4)).toBe(1);
    expect(d.g.logs.at(-1)).toMatch(/^warn: mapUpdate: the gadget's mapEntries budget is exhausted \(10 \+ 1 > 10\)/);
    expect(update(b, 0)).toBe(0); // replacing a value takes no new entry
    d.g.view().setUint32(key, 5, true);
    expect(d.call("mapDelete", a, (4n << 32n) | BigInt(key))).toBe(0);
    expect(update(b, 4)).toBe(0);
  });

  it("Array map storage counts against the default byte budget (two 256 MiB arrays cannot both exist)", async () => {
    const d = await driver();
    expect(d.call("newMap", name(d, "a"), MapType.Array, 4, 1024, 256 * 1024)).not.toBe(0);
    expect(d.call("newMap", name(d, "b"), MapType.Array, 4, 1024, 256 * 1024)).toBe(0);
    expect(d.g.logs.at(-1)).toMatch(/^warn: newMap: the gadget's mapBytes budget is exhausted/);
  });

  it("a released map the guest created gives its budget back", async () => {
    const d = await driver({ limits: { mapBytes: 1024 * 1024 } });
    const a = d.call("newMap", name(d, "a"), MapType.Array, 4, 1024, 1024);
    expect(d.call("newMap", name(d, "b"), MapType.Array, 4, 1024, 1024)).toBe(0);
    expect(d.call("mapRelease", a)).toBe(0);
    expect(d.call("newMap", name(d, "b"), MapType.Array, 4, 1024, 1024)).not.toBe(0);
  });

  it("setConfig keeps at most configEntries keys; replacing a key is always possible", async () => {
    const d = await driver();
    const value = d.g.putString(0x1800, "v");
    for (let i = 0; i < 1024; i++) expect(d.call("setConfig", name(d, `k${i}`), value, FieldKind.String)).toBe(0);
    expect(d.call("setConfig", name(d, "one-more"), value, FieldKind.String)).toBe(1);
    expect(d.g.logs.at(-1)).toMatch(/^warn: setConfig: the gadget's configEntries budget is exhausted/);
    expect(d.call("setConfig", name(d, "k7"), d.g.putString(0x1800, "w"), FieldKind.String)).toBe(0);
    expect(d.g.gadget.config.size).toBe(1024);
    expect(d.g.gadget.config.get("k7")).toBe("w");
  });

  it("setConfig bytes are budgeted", async () => {
    const d = await driver({ limits: { configBytes: 100 } });
    // One key byte and 100 value bytes: one too many.
    expect(d.call("setConfig", name(d, "k"), d.g.putString(0x1800, "x".repeat(100)), FieldKind.String)).toBe(1);
    expect(d.call("setConfig", name(d, "k"), d.g.putString(0x1800, "x".repeat(99)), FieldKind.String)).toBe(0);
  });

  it("subscriptions per data source are limited; order stays by priority, then subscription order", async () => {
    const d = await driver();
    const events = d.g.gadget.dataSources.declare("events", { fields: {} });
    const ev = d.call("getDataSource", d.s("events"));
    for (let i = 0; i < 1024; i++) expect(d.call("dataSourceSubscribe", ev, 1, 1023 - (i % 4), BigInt(i))).toBe(0);
    expect(d.call("dataSourceSubscribe", ev, 1, 0, 5000n)).toBe(1);
    expect(d.g.logs.at(-1)).toMatch(/^warn: dataSourceSubscribe: data source "events" has 1024 subscriptions already \(subscriptionsPerDataSource\)/);
    const ids = events.source.subscriptions.map((s) => Number(s.cbID));
    const expected = [3, 2, 1, 0].flatMap((r) => Array.from({ length: 256 }, (_, n) => n * 4 + r));
    expect(ids).toEqual(expected);
  });

  it("subscriptions count in metadataBytes, bounding them over all data sources", async () => {
    const d = await driver({ limits: { metadataBytes: 2049 + 128 * 10 } });
    const ev = d.call("newDataSource", name(d, "e"), 1); // 1 + 2048 bytes
    let ok = 0;
    while (d.call("dataSourceSubscribe", ev, 1, 0, 1n) === 0) ok++;
    expect(ok).toBe(10);
    expect(d.g.logs.at(-1)).toMatch(/^warn: dataSourceSubscribe: the gadget's metadataBytes budget is exhausted/);
  });

  it("tags per field are limited; a repeated tag is no new tag", async () => {
    const d = await driver({ limits: { tagsPerField: 3 } });
    const ds = d.call("newDataSource", name(d, "t"), 1);
    const f = d.call("dataSourceAddField", ds, name(d, "f"), FieldKind.Uint32);
    for (const t of ["a", "b", "c", "a"]) expect(d.call("fieldAddTag", f, name(d, t))).toBe(0);
    expect(d.call("fieldAddTag", f, name(d, "d"))).toBe(1);
    expect(d.g.logs.at(-1)).toMatch(/^warn: fieldAddTag: field "f" has 3 tags already \(tagsPerField\)/);
    expect(d.g.gadget.dataSources.get("t")!.field("f").tags).toEqual(["a", "b", "c"]);
  });

  it("names and tags the guest creates are budgeted in bytes", async () => {
    const d = await driver({ limits: { metadataBytes: 3000 } });
    const ds = d.call("newDataSource", name(d, "t"), 1);
    const f = d.call("dataSourceAddField", ds, name(d, "f"), FieldKind.Uint32);
    expect(d.call("fieldAddTag", f, name(d, "x".repeat(2000)))).toBe(1);
    expect(d.g.logs.at(-1)).toMatch(/^warn: fieldAddTag: the gadget's metadataBytes budget is exhausted/);
    expect(d.g.gadget.dataSources.get("t")!.field("f").tags).toEqual([]);
  });
});
