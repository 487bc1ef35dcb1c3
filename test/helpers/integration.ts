/**
 * The integration scenario of the "Done when" clause: a guest of an profile that
 * uses every function of its profile's log / data-source / data-array / field /
 * handle families runs on the host, and every Kind round-trips exactly.
 */
import { expect } from "vitest";
import type { ProfileId } from "../../generated/constants.js";
import type { FieldValue } from "../../runtime/data-source-api.js";
import { FULL, fullGuestWat } from "./full-guest.js";
import { loadWat } from "./guest.js";
import { FAMILIES, functionsOf, KIND_NAMES } from "./host-guest.js";

const FIELDS = Object.fromEntries(KIND_NAMES.map((kind, i) => [`f${i + 1}`, kind])) as Record<string, (typeof KIND_NAMES)[number]>;

/** Extreme values of every kind. */
export const EVENT_A: Record<string, FieldValue> = {
  f1: true, f2: -128, f3: -32768, f4: -2147483648, f5: -(2n ** 63n), f6: 255, f7: 65535, f8: 4294967295, f9: 2n ** 64n - 1n,
  f10: -3.4028234663852886e38, f11: 5e-324, f12: "héllo → 世界 😀", f13: "c-string", f14: Uint8Array.from([0, 1, 254, 255]),
};
/** Zeros, -0, empty strings and empty bytes. */
export const EVENT_B: Record<string, FieldValue> = {
  f1: false, f2: 127, f3: 32767, f4: 2147483647, f5: 2n ** 63n - 1n, f6: 0, f7: 1, f8: 0, f9: 0n,
  f10: -0, f11: -0, f12: "", f13: "", f14: new Uint8Array(0),
};
export const EVENT_C: Record<string, FieldValue> = {
  f1: true, f2: 1, f3: -1, f4: 123456, f5: -1n, f6: 7, f7: 8, f8: 9, f9: 10n,
  f10: 1.5, f11: Math.PI, f12: "x", f13: "y", f14: Uint8Array.from([42]),
};

export async function runIntegration(profile: ProfileId): Promise<void> {
  const logs: string[] = [];
  const trace: string[] = [];
  const g = await loadWat(fullGuestWat(profile), {
    logSink: (level, m) => logs.push(`${level}: ${m}`),
    logLevel: 3,
    trace: (l) => trace.push(l),
  });
  expect(g.gadget.profile).toBe(profile);
  const ds = g.gadget.dataSources;
  const input = ds.declare("in", { fields: FIELDS });
  const inputArr = ds.declare("inarr", { type: "array", fields: FIELDS });
  const out: Record<string, FieldValue>[] = [];
  const outArr: Record<string, FieldValue>[][] = [];
  ds.subscribe("out", (e) => out.push(e.toJSON() as Record<string, FieldValue>));
  ds.subscribe("outarr", (a) => outArr.push(a.toJSON() as Record<string, FieldValue>[]), { type: "array" });
  const handles = g.gadget.runtime.handles;
  let baseline = 0;
  g.gadget.run(() => {
    baseline = handles.size;
    input.emit(EVENT_A);
    input.emit(EVENT_B);
    inputArr.emitArray([EVENT_C, EVENT_A, EVENT_B]);
    // No handle leaks across deliveries.
    expect(handles.size).toBe(baseline);
  });

  const v = g.view();
  expect(v.getUint32(FULL.FAILS, true), "failed field copies").toBe(0);
  expect(v.getUint32(FULL.EMITS, true), "failed emits").toBe(0);
  expect(v.getUint32(FULL.SUBS, true), "failed subscriptions").toBe(0);
  expect(v.getUint32(FULL.RELEASE, true)).toBe(0);
  expect(v.getUint32(FULL.APPEND, true)).toBe(0);
  expect(v.getUint32(FULL.ARELEASE, true)).toBe(0);
  expect(v.getUint32(FULL.LEN, true)).toBe(2);
  expect(v.getUint32(FULL.ERRW, true)).toBe(0);
  if (profile !== "pre-release") {
    expect(v.getUint32(FULL.TAG, true)).toBe(0);
    expect(v.getUint32(FULL.ISREF_BEFORE, true)).toBe(1);
    expect(v.getUint32(FULL.UNREF, true)).toBe(0);
    expect(v.getUint32(FULL.ISREF_AFTER, true)).toBe(0);
    expect(v.getUint32(FULL.RELH, true)).toBe(0);
    expect(ds.get("out")!.field("f1").tags).toEqual(["integration"]);
    expect(ds.get("tmp")!.referenced).toBe(false);
  }
  if (profile === "v0.43") expect(v.getUint32(FULL.SHOULD, true)).toBe(1);

  // Every kind round-trips exactly, through single packets, array packets and array elements.
  expect(out).toEqual([EVENT_A, EVENT_B, EVENT_C, EVENT_A, EVENT_B]);
  expect(outArr).toEqual([[EVENT_A, EVENT_A], [EVENT_B, EVENT_B]]);
  // The last value read back through an element handle (f9 of EVENT_B).
  expect(v.getBigUint64(FULL.ELV, true)).toBe(0n);
  expect(Object.is(out[1].f10, -0) && Object.is(out[1].f11, -0)).toBe(true);

  // Lifecycle and logging.
  expect(logs.filter((l) => /^2: (init|start|stop)$/.test(l))).toEqual(["2: init", "2: start", "2: stop"]);
  expect(logs.filter((l) => !l.startsWith("2: ")), "no errors or warnings").toEqual([]);

  // Every function of the profile's families was called.
  const called = new Set(trace.filter((l) => l.startsWith("==> ")).map((l) => l.slice(4).split("(")[0].split(".")[1]));
  const missing = functionsOf(profile, FAMILIES).filter((n) => !called.has(n));
  expect(missing, `functions of ${profile} not exercised`).toEqual([]);
  // Stop dropped every handle, as IG's Stop sets its handle map to nil (pkg/opprofiletors/wasm/wasm.go, aeac857).
  expect(baseline).toBeGreaterThan(0);
  expect(handles.size).toBe(0);
}
