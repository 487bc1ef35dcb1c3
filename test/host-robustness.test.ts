/**
 * Bad input never crashes or corrupts the host: a seeded barrage of ig-v1
 * calls with valid, stale, wrong-type and garbage handles, pointers past the
 * end of memory, unknown kinds and odd lengths. Each call must return (no
 * exception may escape a shim but the documented abort of fieldGetScalar
 * with an unwritable error word), with a value of the function's result
 * type; nothing may be logged as a host error; and afterwards a known-good
 * sequence must still work and no packet records may have leaked.
 */
import { describe, expect, it } from "vitest";
import { hostFunctionsOfProfile } from "../generated/host/descriptors.js";
import type { EventView } from "../runtime/data-source-api.js";
import { GuestAbortError } from "../runtime/errors.js";
import { call, loadProxy, MEM } from "./helpers/proxy.js";
import { packed } from "./helpers/guest.js";
import { rng } from "../fuzz/values.js";

const FNS = hostFunctionsOfProfile("v0.43");
const NAMES = FNS.map((f) => f.name);

describe("host robustness under random bad input", () => {
  it.each([1, 2, 3])("seed %i: 3000 random calls, then the host still works", async (seed) => {
    const g = await loadProxy(NAMES);
    const rt = g.gadget.runtime;
    const events = g.gadget.dataSources.declare("events", { fields: { pid: "uint32", comm: "string", ts: "int64" } });
    const batch = g.gadget.dataSources.declare("batch", { type: "array", fields: { n: "uint16" } });
    g.gadget.maps.declare({ name: "m", type: 1, keySize: 4, valueSize: 8, maxEntries: 4 });
    const name = (ptr: number, text: string): bigint => g.putString(ptr, text);
    const rand = rng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];

    // A pool of handles the barrage draws from, refreshed with whatever calls return.
    const handles: number[] = [0, 1, 0xffffffff, 0x80000000, 0x80010001];
    for (const [fn, ptr, text] of [["getDataSource", 0x100, "events"], ["getDataSource", 0x110, "batch"], ["getMap", 0x120, "m"]] as const) {
      handles.push(call(g, fn, name(ptr, text)).result);
    }
    const strings = [name(0x200, "events"), name(0x210, "pid"), name(0x220, "comm"), name(0x230, "ts"), name(0x240, "m"), name(0x250, "openat"), 0n];
    const wild = (): bigint => packed(Math.floor(rand() * (MEM + 64)), pick([0, 1, 4, 8, 16, 300, 70000]));
    const i32Arg = (type: string): number => {
      if (type.startsWith("handle")) return pick(handles);
      if (type.startsWith("enum")) return pick([0, 1, 2, 3, 8, 9, 12, 14, 15, 99, 0xffffffff]);
      if (type === "errPtr") return pick([0, 0, 0x3000, MEM - 2, MEM + 4]);
      return pick([0, 1, 2, 4, 16, 100, 0x7fffffff, 0xffffffff]);
    };
    const i64Arg = (type: string): bigint => {
      if (type === "str" || type === "buf") return rand() < 0.6 ? pick(strings) : wild();
      if (type === "dst") return rand() < 0.6 ? packed(0x4000, pick([0, 1, 8, 64, 256])) : wild();
      if (type.startsWith("outPtr")) return BigInt(pick([0x5000, MEM - 100, MEM + 8, 0]));
      return pick([0n, 1n, 2n, 42n, -1n, 1n << 63n]);
    };

    for (let i = 0; i < 3000; i++) {
      const fn = pick(FNS);
      const args = fn.params.map((p) => (p.wire === "i32" ? i32Arg(p.type) : i64Arg(p.type)));
      let result: unknown;
      try {
        result = g.call(fn.name, ...args);
      } catch (e) {
        // Only fieldGetScalar may abort, and only when its error word is outside memory.
        expect(e, `${fn.name}(${args.join(", ")})`).toBeInstanceOf(GuestAbortError);
        expect(fn.name).toBe("fieldGetScalar");
        continue;
      }
      expect(typeof result, fn.name).toBe(fn.result.wire === null ? "undefined" : fn.result.wire === "i64" ? "bigint" : "number");
      // Handles that came back join the pool; packets get emitted or released later by the barrage.
      if (fn.result.type.startsWith("handle") && typeof result === "number" && result !== 0) handles.push(result >>> 0);
      if (handles.length > 200) handles.splice(5, 100);
    }
    expect(g.logs.filter((l) => l.includes("(host error)")), "an implementation threw something other than a HostCallError").toEqual([]);

    // Release everything the barrage left open; then the host must be as good as new.
    for (const h of handles) if (h !== 0 && (h & 0x80000000) === 0) g.call("releaseHandle", h);
    while (rt.handles.size > 0) {
      const before = rt.handles.size;
      for (let index = 1; index <= 4096; index++) {
        const entryGen = rt.hostMemory.view.getUint32(index * 16 + 4, true);
        if (rt.hostMemory.u8[index * 16] !== 0) g.call("releaseHandle", ((entryGen << 13) | index) >>> 0);
      }
      expect(rt.handles.size).toBeLessThan(before);
    }
    expect(rt.dataSources.sources.reduce((n, ds) => n + ds.slab.live, 0), "packet records leaked").toBe(0);
    expect(batch.source.slab.live).toBe(0);

    // The barrage may have replaced or unreferenced "events" (newDataSource replaces a taken
    // name, as in IG), so the guest checks on a data source of its own; the host's still emits.
    const seen: number[] = [];
    g.gadget.dataSources.subscribe("after", (ev) => seen.push((ev as EventView).get("pid") as number));
    events.subscribe((ev) => seen.push((ev as EventView).get("pid") as number));
    const ds = call(g, "newDataSource", name(0x100, "after"), 1).result;
    const pid = call(g, "dataSourceAddField", ds, name(0x210, "pid"), 8).result;
    const packet = call(g, "dataSourceNewPacketSingle", ds).result;
    expect(call(g, "fieldSet", pid, packet, 8, 4242n).result).toBe(0);
    expect(g.call("fieldGetScalar", pid, packet, 8, 0)).toBe(4242n);
    expect(call(g, "dataSourceEmitAndRelease", ds, packet).result).toBe(0);
    events.emit({ pid: 7 });
    expect(seen).toEqual([4242, 7]);
  });
});
