/**
 * ig-v1 kernel functions through real guests: kallsymsSymbolExists and
 * shouldDiscardMntnsID.
 *
 * The guest is a proxy (wazero's requireProxyModule): it imports each host
 * function from `ig` and re-exports it under the same name, so the test
 * drives the exact wire values and asserts the exact call trace. A second
 * guest checks the answers itself, with i64 constants, so that u64 values
 * above 2^63 cross the boundary as the guest's own bits.
 */
import { describe, expect, it } from "vitest";
import { guestModule, loadWat, packed, type LoadedGuest, type LoadOptions } from "./helpers/guest.js";
import { call, loadProxy, MEM } from "./helpers/proxy.js";

const SYM = 0x100;

function load(options: LoadOptions = {}): Promise<LoadedGuest> {
  return loadProxy(["kallsymsSymbolExists", "shouldDiscardMntnsID"], options);
}

const exists = (g: LoadedGuest, symbol: string): number => {
  g.fillSentinel(SYM, SYM + 256);
  return call(g, "kallsymsSymbolExists", g.putString(SYM, symbol)).result;
};

describe("kallsymsSymbolExists", () => {
  const symbols = ["bpf_prog_load", "__x64_sys_openat", "security_file_open", "héllo"];

  it("answers 1 for a symbol of the given set (exact trace), writing nothing", async () => {
    const g = await load({ kallsyms: symbols });
    const sym = g.putString(SYM, "bpf_prog_load");
    const c = call(g, "kallsymsSymbolExists", sym);
    expect(c.trace).toEqual([`==> ig.kallsymsSymbolExists(symbol=${sym})`, "<== 1"]);
    expect(c.result).toBe(1);
    expect(c.logs).toEqual([]);
    const absent = g.putString(SYM, "do_sys_open");
    expect(call(g, "kallsymsSymbolExists", absent).trace).toEqual([`==> ig.kallsymsSymbolExists(symbol=${absent})`, "<== 0"]);
  });

  it("matches names exactly", async () => {
    const g = await load({ kallsyms: symbols });
    const table: [string, number][] = [
      ["bpf_prog_load", 1],
      ["__x64_sys_openat", 1],
      ["security_file_open", 1],
      ["héllo", 1],
      ["bpf_prog", 0],
      ["bpf_prog_load ", 0],
      ["BPF_PROG_LOAD", 0],
      ["x64_sys_openat", 0],
      ["", 0],
    ];
    for (const [symbol, expected] of table) expect(exists(g, symbol), symbol).toBe(expected);
    expect(g.logs).toEqual([]);
  });

  it("takes any iterable of names", async () => {
    const g = await load({ kallsyms: new Set(["a", "b"]).values() });
    expect([exists(g, "a"), exists(g, "b"), exists(g, "c")]).toEqual([1, 1, 0]);
  });

  it("knows no symbol by default", async () => {
    const g = await load();
    for (const symbol of ["bpf_prog_load", "do_sys_open", "", "_text"]) expect(exists(g, symbol), symbol).toBe(0);
    expect(g.logs).toEqual([]);
  });

  it("a symbol outside guest memory: 0 and a line naming kallsymsSymbolExists", async () => {
    const g = await load({ kallsyms: symbols });
    const c = call(g, "kallsymsSymbolExists", packed(MEM - 4, 13));
    expect(c.result).toBe(0);
    expect(c.logs).toHaveLength(1);
    expect(c.logs[0]).toMatch(/^(warn|debug): kallsymsSymbolExists: .*outside guest memory/);
  });
});

describe("shouldDiscardMntnsID", () => {
  const HIGH = (1n << 63n) + 5n; // above 2^63: a negative i64 on the wire
  const MAX = (1n << 64n) - 1n;
  const filter = [4026531840n, 4026532561n, HIGH, MAX];

  it("keeps everything when no filter is set (default and null)", async () => {
    for (const options of [{}, { mntnsFilter: null }]) {
      const g = await load(options);
      for (const id of [0n, 1n, 4026531840n, HIGH, MAX]) expect(call(g, "shouldDiscardMntnsID", id).result, String(id)).toBe(0);
      expect(g.logs).toEqual([]);
    }
  });

  it("keeps the filter's namespaces and discards the others", async () => {
    const g = await load({ mntnsFilter: filter });
    const table: [bigint, number][] = [
      [4026531840n, 0],
      [4026532561n, 0],
      [HIGH, 0],
      [MAX, 0],
      [0n, 1],
      [4026531841n, 1],
      [HIGH - 1n, 1],
      [MAX - 1n, 1],
      [(1n << 63n), 1],
      [4026531840n + (1n << 32n), 1], // differs only in the high 32 bits
    ];
    for (const [id, expected] of table) expect(call(g, "shouldDiscardMntnsID", id).result, String(id)).toBe(expected);
    expect(g.logs).toEqual([]);
  });

  it("an empty filter discards everything", async () => {
    const g = await load({ mntnsFilter: [] });
    for (const id of [0n, 4026531840n, MAX]) expect(call(g, "shouldDiscardMntnsID", id).result).toBe(1);
  });

  it("the trace shows the wire value (a signed i64) and the answer", async () => {
    const g = await load({ mntnsFilter: filter });
    expect(call(g, "shouldDiscardMntnsID", 4026531840n).trace).toEqual(["==> ig.shouldDiscardMntnsID(mntnsID=4026531840)", "<== 0"]);
    expect(call(g, "shouldDiscardMntnsID", MAX).trace).toEqual(["==> ig.shouldDiscardMntnsID(mntnsID=18446744073709551615)", "<== 0"]);
    expect(call(g, "shouldDiscardMntnsID", 7n).trace).toEqual(["==> ig.shouldDiscardMntnsID(mntnsID=7)", "<== 1"]);
  });

  it("u64 values above 2^63 from a guest's own i64 constants", async () => {
    // The guest compares each answer with the expected one and returns the number of mismatches.
    const checks: [bigint, number][] = [
      [HIGH, 0],
      [MAX, 0],
      [HIGH + 1n, 1],
      [1n << 63n, 1],
      [4026531840n, 0],
      [1n, 1],
    ];
    const body = checks
      .map(([id, want]) => `    (if (i32.ne (call $shouldDiscardMntnsID (i64.const ${BigInt.asIntN(64, id)})) (i32.const ${want}))
      (then (local.set $bad (i32.add (local.get $bad) (i32.const 1)))))`)
      .join("\n");
    const wat = guestModule(
      "ig",
      { shouldDiscardMntnsID: "(param i64) (result i32)" },
      `  (func (export "gadgetStart") (result i32) (local $bad i32)\n${body}\n    (local.get $bad))`,
    );
    const g = await loadWat(wat, { mntnsFilter: filter });
    expect(() => g.gadget.start()).not.toThrow();
    expect(g.trace.filter((l) => l.startsWith("<=="))).toEqual(checks.map(([, want]) => `<== ${want}`));
  });
});
