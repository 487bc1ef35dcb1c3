/**
 * Release-dependent host behaviours (spec/behaviours.yaml ->
 * generated/releases.ts behaviourOfRelease): each flag flips exactly at the
 * IG release the spec names, the runtime defaults to the newest release's,
 * and the setter's success value (a signature-set fact, not a flag) reaches
 * guests of older releases even with the fast path on.
 */
import { describe, expect, it } from "vitest";
import { LogLevel } from "../generated/constants.js";
import { behaviourOfRelease, igReleases } from "../generated/releases.js";
import { CURRENT_BEHAVIOUR } from "../runtime/host-behaviour.js";
import { Logger } from "../runtime/logger.js";
import { Runtime } from "../runtime/runtime.js";
import { hostDriver, loadHostGuest } from "./helpers/host-guest.js";

describe("behaviourOfRelease", () => {
  it.each([
    // IG ran _start only until v0.37.0, _initialize only since v0.38.0 (wasm.go@5d8e56ea3, TinyGo 0.35).
    ["initializerIsStart", "v0.37.0", true, "v0.38.0", false],
    // gadgetPostStop not called v0.39.0-v0.41.x (e3b4a2112), called again since v0.42.0 (5b9adb1c7).
    ["postStopCalled", "v0.41.2", false, "v0.42.0", true],
    // gadgetStop's context timeout: 5 s until v0.43.0, 42 s since v0.44.0 (wasm.go@1436316cf).
    ["stopTimeoutMs", "v0.43.0", 5000, "v0.44.0", 42000],
    // dataSourceGetField's case-insensitive fallback since v0.49.0 (pkg/datasource/data.go@6dc616b41).
    ["getFieldCaseInsensitive", "v0.48.1", false, "v0.49.0", true],
  ] as const)("%s: %s -> %s, %s -> %s", (flag, before, was, after, is) => {
    expect(behaviourOfRelease(before)[flag]).toBe(was);
    expect(behaviourOfRelease(after)[flag]).toBe(is);
  });

  it("the runtime's default is the newest release's", () => {
    expect(CURRENT_BEHAVIOUR).toEqual(behaviourOfRelease(igReleases[igReleases.length - 1].tag));
    const rt = new Runtime({ logger: new Logger(() => {}, LogLevel.Error), params: new Map(), kallsyms: new Set(), mntnsFilter: null, syscallArch: "x86_64" });
    expect(rt.behaviour).toEqual(CURRENT_BEHAVIOUR);
  });
});

describe("the setter's success value follows the release, on the fast path too", () => {
  // fieldSet left the field handle in the result slot until 114579bbf (v0.39.0): pkg/operators/wasm/fields.go.
  it.each([
    ["v0.38", true],
    ["v0.43", false],
  ] as const)("%s", async (profile, isHandle) => {
    const g = await loadHostGuest(profile, "", { names: ["newDataSource", "dataSourceAddField", "dataSourceNewPacketSingle", "fieldSet"], callback: false }, { fastPath: true });
    const { s, call } = hostDriver(g);
    const ds = call("newDataSource", s("ev"), 1);
    const field = call("dataSourceAddField", ds, s("pid"), 8);
    const packet = call("dataSourceNewPacketSingle", ds);
    expect(call("fieldSet", field, packet, 8, 7n)).toBe(isHandle ? field : 0);
    expect(call("fieldSet", field, packet, 9, 7n)).toBe(1); // wrong size: an error in every release
  });
});
