/**
 * The log family (gadgetLog in every profile, gadgetShouldLog in ig-v1): levels,
 * the unknown-level warning, packed strings (empty, UTF-8, out of bounds) and
 * the host's log level.
 */
import { describe, expect, it } from "vitest";
import { LogLevel, type ProfileId } from "../generated/constants.js";
import { loadHostGuest, logsDuring, packed, strings, traceOf } from "./helpers/host-guest.js";

const ERAS: ProfileId[] = ["pre-release", "v0.37", "v0.43"];

describe.each(ERAS)("gadgetLog (%s)", (profile) => {
  const load = (logLevel: LogLevel = LogLevel.Trace) => loadHostGuest(profile, "", { names: ["gadgetLog"], callback: false }, { logLevel });

  it.each([
    [0, "error"],
    [1, "warn"],
    [2, "info"],
    [3, "debug"],
    [4, "trace"],
  ])("level %i writes the message at %s", async (level, name) => {
    const g = await load();
    const s = strings(g);
    const lines = logsDuring(g, () => expect(g.call("t_gadgetLog", level, s("hello gadget"))).toBeUndefined());
    expect(lines).toEqual([`${name}: hello gadget`]);
  });

  it.each([5, 255, 0x7fffffff, -1])("an unknown level (%i) is logged as a warning naming the level", async (level) => {
    const g = await load();
    const s = strings(g);
    const lines = logsDuring(g, () => g.call("t_gadgetLog", level, s("odd")));
    expect(lines).toEqual([`warn: gadget logged at unknown level ${level >>> 0}: odd`]);
  });

  it("the packed value 0 is the empty message", async () => {
    const g = await load();
    expect(logsDuring(g, () => g.call("t_gadgetLog", 2, 0n))).toEqual(["info: "]);
  });

  it("decodes multi-byte UTF-8 exactly", async () => {
    const g = await load();
    const s = strings(g);
    const text = "héllo → 世界 😀";
    expect(logsDuring(g, () => g.call("t_gadgetLog", 2, s(text)))).toEqual([`info: ${text}`]);
  });

  it("a message ending at the last byte of memory is read", async () => {
    const g = await load();
    const end = g.mem().length;
    g.putString(end - 3, "end");
    expect(logsDuring(g, () => g.call("t_gadgetLog", 2, packed(end - 3, 3)))).toEqual(["info: end"]);
  });

  it.each([
    ["pointer past the end", 65536, 1],
    ["length past the end", 65530, 10],
    ["pointer far outside", 0xfffffff0, 4],
    ["length 2^32-1", 16, 0xffffffff],
  ])("%s: not logged as the message, the error is logged naming gadgetLog, no trap", async (_name, ptr, len) => {
    const g = await load();
    const lines = logsDuring(g, () => expect(g.call("t_gadgetLog", 2, packed(ptr, len))).toBeUndefined());
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^warn: gadgetLog: msg: range .* is outside guest memory/);
  });

  it("respects the host's log level", async () => {
    const g = await load(LogLevel.Info);
    const s = strings(g);
    const msg = s("m");
    const lines = logsDuring(g, () => {
      for (let level = 0; level <= 4; level++) g.call("t_gadgetLog", level, msg);
    });
    expect(lines).toEqual(["error: m", "warn: m", "info: m"]);
  });

  it("traces the call", async () => {
    const g = await load();
    const s = strings(g, 0x40);
    const msg = s("hi");
    expect(traceOf(g, () => g.call("t_gadgetLog", 3, msg))).toEqual([`==> ${profile === "v0.43" ? "ig" : "env"}.gadgetLog(level=3,msg=${packed(0x40, 2)})`, "<== ()"]);
  });
});

describe("gadgetShouldLog (ig-v1)", () => {
  const load = (logLevel: LogLevel) => loadHostGuest("v0.43", "", { names: ["gadgetShouldLog"], callback: false }, { logLevel });

  it.each([
    [LogLevel.Error, [1, 0, 0, 0, 0]],
    [LogLevel.Warn, [1, 1, 0, 0, 0]],
    [LogLevel.Info, [1, 1, 1, 0, 0]],
    [LogLevel.Debug, [1, 1, 1, 1, 0]],
    [LogLevel.Trace, [1, 1, 1, 1, 1]],
  ])("host level %i: levels 0..4 -> %j", async (hostLevel, expected) => {
    const g = await load(hostLevel);
    expect([0, 1, 2, 3, 4].map((l) => g.call<number>("t_gadgetShouldLog", l))).toEqual(expected);
  });

  it.each([5, 255, 0x7fffffff])("unknown level %i -> 0", async (level) => {
    const g = await load(LogLevel.Trace);
    expect(g.call("t_gadgetShouldLog", level)).toBe(0);
  });

  // IG: pkg/operators/wasm/log.go computes `logLevel + uint32(logger.ErrorLevel)` in u32 (aeac857):
  // 0xFFFFFFFE and 0xFFFFFFFF wrap to 0 and 1, below every logger level from Error up.
  it.each([-2, -1])("level %i (u32 wrap-around) -> 1 at every host level", async (level) => {
    for (const host of [LogLevel.Error, LogLevel.Trace]) {
      const g = await load(host);
      expect(g.call("t_gadgetShouldLog", level)).toBe(1);
    }
  });

  it("traces the call", async () => {
    const g = await load(LogLevel.Info);
    expect(traceOf(g, () => g.call("t_gadgetShouldLog", 3))).toEqual(["==> ig.gadgetShouldLog(level=3)", "<== 0"]);
    expect(traceOf(g, () => g.call("t_gadgetShouldLog", 2))).toEqual(["==> ig.gadgetShouldLog(level=2)", "<== 1"]);
  });
});
