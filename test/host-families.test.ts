/**
 * Every host-function family is replaceable by the embedding code: the
 * loader's `families` option takes the generated per-profile interface of a
 * family and the guest's calls reach it, through the same shims (decoding,
 * error conventions, logs) as the runtime's own families.
 */
import { describe, expect, it } from "vitest";
import type { V0_43KernelHost, V0_43MapHost } from "../generated/host/v0.43/index.js";
import type { MapHandle } from "../generated/types.js";
import { HostCallError } from "../runtime/errors.js";
import { call, expectErrorLog, loadProxy, put } from "./helpers/proxy.js";

const FNS = [
  "kallsymsSymbolExists", "shouldDiscardMntnsID", "getMap", "mapLookup", "mapUpdate", "mapDelete", "newMap", "mapRelease",
  "getDataSource", "dataSourceGetField", "dataSourceNewPacketSingle", "fieldGetScalar",
];

describe("replacing host-function families", () => {
  it("a replaced kernel family answers the guest", async () => {
    const seen: string[] = [];
    const kernel: V0_43KernelHost = {
      kallsymsSymbolExists: (symbol) => (seen.push(symbol), symbol.startsWith("bpf_")),
      shouldDiscardMntnsID: (id) => id % 2n === 1n,
    };
    const g = await loadProxy(FNS, { families: { "v0.43": { kernel } } });
    expect(call(g, "kallsymsSymbolExists", g.putString(0x100, "bpf_prog_run")).result).toBe(1);
    expect(call(g, "kallsymsSymbolExists", g.putString(0x100, "vfs_read")).result).toBe(0);
    expect(seen).toEqual(["bpf_prog_run", "vfs_read"]);
    expect(call(g, "shouldDiscardMntnsID", 7n).result).toBe(1);
    expect(call(g, "shouldDiscardMntnsID", 8n).result).toBe(0);
  });

  it("a replaced map family gets decoded arguments and its errors follow the ABI convention", async () => {
    const store = new Map<string, Uint8Array>();
    const map: V0_43MapHost = {
      newMap: () => 1 as MapHandle,
      getMap: (name) => (name === "counts" ? (7 as MapHandle) : fail(`no map ${name}`)),
      mapLookup: (_m, key) => store.get(key.join(",")) ?? fail("absent"),
      mapUpdate: (_m, key, value) => void store.set(key.join(","), value.slice()),
      mapDelete: (_m, key) => void (store.delete(key.join(",")) || fail("absent")),
      mapRelease: () => {},
    };
    const g = await loadProxy(FNS, { families: { "v0.43": { map } } });
    const m = call(g, "getMap", g.putString(0x100, "counts")).result;
    expect(m).toBe(7);
    const key = put(g, 0x200, [1, 2, 3, 4]);
    expect(call(g, "mapUpdate", m, key, put(g, 0x300, [9, 8]), 0n).result).toBe(0);
    expect(call(g, "mapLookup", m, key, (2n << 32n) | 0x1000n).result).toBe(0);
    expect([...g.mem().subarray(0x1000, 0x1002)]).toEqual([9, 8]);
    const c = call(g, "mapDelete", m, put(g, 0x200, [0, 0, 0, 0]));
    expect(c.result).toBe(1);
    expectErrorLog(c, "mapDelete", /absent/);
  });

  it("replacing the field family turns the fast path off, so every field call reaches the replacement", async () => {
    let calls = 0;
    const g = await loadProxy(FNS, {
      families: {
        "v0.43": {
          field: {
            fieldGetScalar: () => (calls++, 42n),
            fieldGetBuffer: () => new Uint8Array(0),
            fieldSet: () => {},
            fieldAddTag: () => {},
          },
        },
      },
    });
    // Real handles from the runtime's data-source family: the fast path would answer these itself (0).
    g.gadget.dataSources.declare("events", { fields: { pid: "uint32" } });
    const ds = call(g, "getDataSource", g.putString(0x100, "events")).result;
    const field = call(g, "dataSourceGetField", ds, g.putString(0x100, "pid")).result;
    const packet = call(g, "dataSourceNewPacketSingle", ds).result;
    expect(call(g, "fieldGetScalar", field, packet, 8, 0).result).toBe(42n);
    expect(calls).toBe(1);
  });
});

function fail(message: string): never {
  throw new HostCallError(message);
}
