/**
 * ig-v1 log and config families through real guests: gadgetShouldLog,
 * getParamValue and setConfig.
 *
 * The guest is a proxy (wazero's requireProxyModule): it imports each host
 * function from `ig` and re-exports it under the same name, so the test
 * drives the exact wire values and asserts the exact call trace, the bytes
 * of sentinel-filled guest memory and the log line each error produces.
 */
import { describe, expect, it } from "vitest";
import { FieldKind, LogLevel } from "../generated/constants.js";
import { GadgetError } from "../runtime/gadget.js";
import { packed, SENTINEL, type LoadedGuest, type LoadOptions } from "./helpers/guest.js";
import { call, expectErrorLog, loadProxy, MEM } from "./helpers/proxy.js";

const FNS = ["gadgetLog", "gadgetShouldLog", "getParamValue", "setConfig"] as const;

const KEY = 0x100; // strings the tests pass
const VAL = 0x200;
const DST = 0x1000; // destination buffers
const DST_END = 0x1100;

function load(options: LoadOptions = {}): Promise<LoadedGuest> {
  return loadProxy(FNS, options);
}

const bytesOf = (s: string): number[] => [...new TextEncoder().encode(s)];

describe("gadgetShouldLog", () => {
  const levels = [LogLevel.Error, LogLevel.Warn, LogLevel.Info, LogLevel.Debug, LogLevel.Trace, 5, 0xffffffff];
  const table: { readonly loggerLevel: LogLevel; readonly expected: readonly number[] }[] = [
    // 0xffffffff wraps in IG's u32 arithmetic (pkg/operators/wasm/log.go, aeac857): always 1.
    { loggerLevel: LogLevel.Error, expected: [1, 0, 0, 0, 0, 0, 1] },
    { loggerLevel: LogLevel.Warn, expected: [1, 1, 0, 0, 0, 0, 1] },
    { loggerLevel: LogLevel.Info, expected: [1, 1, 1, 0, 0, 0, 1] },
    { loggerLevel: LogLevel.Debug, expected: [1, 1, 1, 1, 0, 0, 1] },
    { loggerLevel: LogLevel.Trace, expected: [1, 1, 1, 1, 1, 0, 1] },
  ];
  for (const { loggerLevel, expected } of table) {
    it(`follows a logger at level ${LogLevel[loggerLevel]}`, async () => {
      const g = await load({ logLevel: loggerLevel });
      expect(levels.map((l) => call(g, "gadgetShouldLog", l).result)).toEqual(expected);
      expect(g.logs).toEqual([]);
    });
  }

  it("traces the level and the answer", async () => {
    const g = await load({ logLevel: LogLevel.Warn });
    expect(call(g, "gadgetShouldLog", 1).trace).toEqual(["==> ig.gadgetShouldLog(level=1)", "<== 1"]);
    expect(call(g, "gadgetShouldLog", 2).trace).toEqual(["==> ig.gadgetShouldLog(level=2)", "<== 0"]);
  });

  it("agrees with what gadgetLog actually writes", async () => {
    for (const loggerLevel of [LogLevel.Error, LogLevel.Info, LogLevel.Trace]) {
      const g = await load({ logLevel: loggerLevel });
      const msg = g.putString(KEY, "hello");
      for (let level = LogLevel.Error; level <= LogLevel.Trace; level++) {
        const written = call(g, "gadgetLog", level, msg).logs.length;
        expect(written, `logger ${loggerLevel}, message ${level}`).toBe(call(g, "gadgetShouldLog", level).result);
      }
    }
  });
});

describe("getParamValue", () => {
  it("copies the value into dst and writes nothing past it", async () => {
    const g = await load({ params: { "operator.oci.wasm.verbose": "value" } });
    const key = g.putString(KEY, "operator.oci.wasm.verbose");
    const dst = packed(DST, 16);
    const c = call(g, "getParamValue", key, dst);
    expect(c.result).toBe(0);
    expect(c.trace).toEqual([`==> ig.getParamValue(key=${key},dst=${dst})`, "<== 0"]);
    expect(c.logs).toEqual([]);
    expect([...g.mem().subarray(DST, DST + 6)]).toEqual([...bytesOf("value"), SENTINEL]);
    expect(g.touched(DST, DST_END)).toEqual([DST, DST + 1, DST + 2, DST + 3, DST + 4]);
  });

  it("fills a dst of exactly the value's size", async () => {
    const g = await load({ params: { k: "1234" } });
    expect(call(g, "getParamValue", g.putString(KEY, "k"), packed(DST, 4)).result).toBe(0);
    expect(g.getString(DST, 4)).toBe("1234");
    expect(g.touched(DST + 4, DST_END)).toEqual([]);
  });

  it("copies UTF-8 bytes, not UTF-16 units", async () => {
    const g = await load({ params: { k: "héllo→" } });
    expect(call(g, "getParamValue", g.putString(KEY, "k"), packed(DST, 32)).result).toBe(0);
    const n = bytesOf("héllo→").length;
    expect(n).toBe(9);
    expect(g.getString(DST, n)).toBe("héllo→");
    expect(g.touched(DST + n, DST_END)).toEqual([]);
  });

  it("succeeds without writing for an empty value, even into an empty dst", async () => {
    const g = await load({ params: { empty: "" } });
    const key = g.putString(KEY, "empty");
    expect(call(g, "getParamValue", key, packed(DST, 8)).result).toBe(0);
    expect(call(g, "getParamValue", key, 0n).result).toBe(0);
    expect(g.touched(DST, DST_END)).toEqual([]);
  });

  it("finds the key \"\" (packed 0)", async () => {
    const g = await load({ params: { "": "anon" } });
    expect(call(g, "getParamValue", 0n, packed(DST, 8)).result).toBe(0);
    expect(g.getString(DST, 4)).toBe("anon");
  });

  describe("errors return 1, write nothing and log a line naming getParamValue", () => {
    const rows: { readonly name: string; readonly key: (g: LoadedGuest) => bigint; readonly dst: bigint; readonly log: RegExp }[] = [
      { name: "unknown key", key: (g) => g.putString(KEY, "nope"), dst: packed(DST, 64), log: /no param "nope"/ },
      { name: "key differing only in case", key: (g) => g.putString(KEY, "VERBOSE"), dst: packed(DST, 64), log: /no param/ },
      { name: "dst one byte too small", key: (g) => g.putString(KEY, "verbose"), dst: packed(DST, 4), log: /5 bytes do not fit in a buffer of 4/ },
      { name: "dst of length 0", key: (g) => g.putString(KEY, "verbose"), dst: packed(DST, 0), log: /do not fit/ },
      { name: "key outside memory", key: () => packed(MEM - 2, 7), dst: packed(DST, 64), log: /outside guest memory/ },
      { name: "dst outside memory", key: (g) => g.putString(KEY, "verbose"), dst: packed(MEM - 2, 16), log: /outside guest memory/ },
      { name: "dst address past memory", key: (g) => g.putString(KEY, "verbose"), dst: packed(0xffffff00, 16), log: /outside guest memory/ },
    ];
    for (const row of rows) {
      it(row.name, async () => {
        const g = await load({ params: { verbose: "value" } });
        const key = row.key(g);
        const c = call(g, "getParamValue", key, row.dst);
        expect(c.result).toBe(1);
        expect(c.trace).toEqual([`==> ig.getParamValue(key=${key},dst=${row.dst})`, "<== 1"]);
        expectErrorLog(c, "getParamValue", row.log);
        expect(g.touched(DST, DST_END)).toEqual([]);
        expect(g.touched(MEM - 64, MEM)).toEqual([]);
      });
    }
  });

  describe("params from paramSpecs", () => {
    const specs = [
      { key: "with-default", defaultValue: "dflt" },
      { key: "overridden", defaultValue: "dflt" },
      { key: "optional" },
      { key: "mandatory-with-default", defaultValue: "d2", mandatory: true },
      { key: "mandatory", mandatory: true },
    ];

    async function read(g: LoadedGuest, key: string): Promise<string | 1> {
      g.fillSentinel(DST, DST_END);
      const r = call(g, "getParamValue", g.putString(KEY, key), packed(DST, 64)).result;
      if (r !== 0) return 1;
      const end = g.mem().subarray(DST, DST_END).indexOf(SENTINEL);
      return g.getString(DST, end);
    }

    it("applies defaults, keeps given values and leaves optional params unset", async () => {
      const g = await load({ paramSpecs: specs, params: { overridden: "given", mandatory: "m" } });
      expect(await read(g, "with-default")).toBe("dflt");
      expect(await read(g, "overridden")).toBe("given");
      expect(await read(g, "optional")).toBe(1);
      expect(await read(g, "mandatory-with-default")).toBe("d2");
      expect(await read(g, "mandatory")).toBe("m");
    });

    it("keeps params that no spec declares", async () => {
      const g = await load({ paramSpecs: specs, params: { mandatory: "m", extra: "x" } });
      expect(await read(g, "extra")).toBe("x");
    });

    it("an empty given value counts as given", async () => {
      const g = await load({ paramSpecs: specs, params: { mandatory: "", "with-default": "" } });
      expect(call(g, "getParamValue", g.putString(KEY, "mandatory"), packed(DST, 8)).result).toBe(0);
      expect(call(g, "getParamValue", g.putString(KEY, "with-default"), packed(DST, 8)).result).toBe(0);
      expect(g.touched(DST, DST_END)).toEqual([]);
    });

    it("refuses to load when a mandatory param is missing", async () => {
      await expect(load({ paramSpecs: specs })).rejects.toThrow(GadgetError);
      await expect(load({ paramSpecs: specs })).rejects.toThrow("missing mandatory param: mandatory");
      await expect(load({ paramSpecs: [...specs, { key: "other", mandatory: true }] })).rejects.toThrow(
        "missing mandatory params: mandatory, other",
      );
    });
  });
});

describe("setConfig", () => {
  it("stores a String value, readable through gadget.config", async () => {
    const g = await load();
    const key = g.putString(KEY, "operator.LocalManager.host");
    const value = g.putString(VAL, "true");
    const c = call(g, "setConfig", key, value, FieldKind.String);
    expect(c.result).toBe(0);
    expect(c.trace).toEqual([`==> ig.setConfig(key=${key},value=${value},kind=12)`, "<== 0"]);
    expect(c.logs).toEqual([]);
    expect([...g.gadget.config]).toEqual([["operator.LocalManager.host", "true"]]);
  });

  it("replaces a value, copies it out of guest memory and accepts empty strings", async () => {
    const g = await load();
    const key = g.putString(KEY, "k");
    expect(call(g, "setConfig", key, g.putString(VAL, "first"), FieldKind.String).result).toBe(0);
    expect(call(g, "setConfig", key, g.putString(VAL, "second"), FieldKind.String).result).toBe(0);
    g.putString(VAL, "XXXXXX"); // the guest reuses its buffer
    expect(g.gadget.config.get("k")).toBe("second");
    expect(call(g, "setConfig", key, 0n, FieldKind.String).result).toBe(0);
    expect(g.gadget.config.get("k")).toBe("");
    expect(call(g, "setConfig", 0n, g.putString(VAL, "v"), FieldKind.String).result).toBe(0);
    expect(g.gadget.config.get("")).toBe("v");
    expect(g.gadget.config.size).toBe(2);
  });

  it("writes nothing into guest memory", async () => {
    const g = await load();
    g.putString(KEY, "k");
    g.putString(VAL, "v");
    call(g, "setConfig", packed(KEY, 1), packed(VAL, 1), FieldKind.String);
    expect(g.touched(KEY + 1, VAL)).toEqual([]);
    expect(g.touched(VAL + 1, MEM)).toEqual([]);
  });

  describe("every other kind returns 1, stores nothing and logs a line naming setConfig", () => {
    const kinds = [...Array.from({ length: 15 }, (_, k) => k).filter((k) => k !== FieldKind.String), 15, 99, 0xffffffff];
    for (const kind of kinds) {
      it(`kind ${FieldKind[kind] ?? kind}`, async () => {
        const g = await load();
        const key = g.putString(KEY, "k");
        const value = g.putString(VAL, "text");
        const c = call(g, "setConfig", key, value, kind);
        expect(c.result).toBe(1);
        expect(c.trace).toEqual([`==> ig.setConfig(key=${key},value=${value},kind=${kind >>> 0})`, "<== 1"]);
        expectErrorLog(c, "setConfig", /only kind String is supported/);
        expect(g.gadget.config.size).toBe(0);
      });
    }
  });

  describe("bad pointers return 1 and store nothing", () => {
    const rows = [
      { name: "key outside memory", key: packed(MEM - 1, 2), value: packed(VAL, 4) },
      { name: "key address past memory", key: packed(0x80000000, 1), value: packed(VAL, 4) },
      { name: "value outside memory", key: packed(KEY, 1), value: packed(MEM - 3, 4) },
    ];
    for (const row of rows) {
      it(row.name, async () => {
        const g = await load();
        g.putString(KEY, "k");
        g.putString(VAL, "text");
        const c = call(g, "setConfig", row.key, row.value, FieldKind.String);
        expect(c.result).toBe(1);
        expectErrorLog(c, "setConfig", /outside guest memory/);
        expect(g.gadget.config.size).toBe(0);
      });
    }
  });
});
