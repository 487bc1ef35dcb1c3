/**
 * The floor under every guest -> host call: what an empty call costs, by kind
 * of callee, measured in wasm loops (per-call ns = loop time / N).
 *
 * Baseline: an empty JS import with fieldGetScalar's wire type
 * (i32, i32, i32, i32) -> i64 returning a constant BigInt, the cheapest any
 * JS implementation of fieldGetScalar can be.
 */
import { type BenchSuite, type CaseSpec, measureAll, type RunOptions, type SuiteResult, suiteResult } from "./lib/harness.js";
import { watFile, watToWasm } from "./lib/wat.js";

export const CALL_FLOOR_BASELINE = "js import i32x4->i64 (constant BigInt)";

/** The floor module, instantiated; exported for the field suite, which measures the same baseline. */
export async function callFloorModule(): Promise<Record<string, (n: number) => bigint | number>> {
  const other = new WebAssembly.Instance(
    new WebAssembly.Module(await watToWasm("other.wat", `(module (func (export "constI64") (param i32 i32 i32 i32) (result i64) (i64.const 42)))`)),
  );
  let fresh = 0;
  const instance = new WebAssembly.Instance(new WebAssembly.Module(await watFile(new URL("./guests/call-floor.wat", import.meta.url))), {
    js: {
      constI64: (_a: number, _b: number, _c: number, _d: number) => 42n,
      freshI64: (_a: number, _b: number, _c: number, _d: number) => BigInt(++fresh | 0x40000000),
      constI32: (_a: number, _b: number, _c: number, _d: number) => 42,
    },
    wasm: { constI64: other.exports.constI64 },
  });
  return instance.exports as unknown as Record<string, (n: number) => bigint | number>;
}

export const callFloorSuite: BenchSuite = {
  name: "call-floor",
  title: "Call floor: empty calls from a wasm loop (per call)",
  async run(options: RunOptions): Promise<SuiteResult> {
    const m = await callFloorModule();
    const n = options.quick ? 1000 : 100_000;
    const loop = (name: string, label: string): CaseSpec => ({ name: label, iterations: n, fn: () => m[name](n) });
    const cases = [
      loop("loopJsConstI64", CALL_FLOOR_BASELINE),
      loop("loopJsFreshI64", "js import i32x4->i64 (fresh BigInt)"),
      loop("loopJsConstI32", "js import i32x4->i32"),
      loop("loopOtherInstance", "wasm->wasm import (other instance)"),
      loop("loopLocal", "wasm->wasm call (same module)"),
      loop("loopEmpty", "loop only, no call"),
    ];
    const results = measureAll(cases, CALL_FLOOR_BASELINE, options, console.log);
    return suiteResult(this, options, { baseline: CALL_FLOOR_BASELINE, cases: results });
  },
};
