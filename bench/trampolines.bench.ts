/**
 * What a generated i64 trampoline costs: for every host function of profile
 * v0.43 with an i64 parameter or result, a guest calls the function in a loop
 * of N calls two ways:
 *
 *   trampoline   imported with the function's wire signature (i64s), linked
 *                with bindTrampolines: guest -> wasm trampoline -> JS shim
 *   all-i32      imported with the shim's own signature (each i64 already two
 *                i32) straight from the JS shim: guest -> JS shim
 *
 * Both reach the same generated shim over the same stub implementation (it
 * returns a constant of the function's result type), so the ratio is what the
 * trampoline adds to a call whose host work is as small as it gets: the
 * worst case for the ratio. Arguments are valid (4-byte strings and buffers,
 * a Uint32 kind), so every call takes its success path.
 *
 * Baseline: the empty i32x4 -> i64 JS import of the call-floor suite.
 */
import type { HostFnDescriptor } from "../generated/host/descriptors.js";
import { hostFunctionsOfProfile } from "../generated/host/descriptors.js";
import { V0_43Trampolines } from "../generated/host/v0.43/trampolines.js";
import { bindTrampolines, createShimContext } from "../runtime/abi/index.js";
import { importFactories, type HostImplOf } from "../runtime/profiles.js";
import { CALL_FLOOR_BASELINE, callFloorModule } from "./call-floor.bench.js";
import { type BenchSuite, type CaseSpec, measureAll, perRound, ratioOf, type RunOptions, type SuiteResult, suiteResult } from "./lib/harness.js";
import { watToWasm } from "./lib/wat.js";

const PROFILE = "v0.43";
const FOUR_BYTES = new Uint8Array([1, 2, 3, 4]);

/** A stub answer of the function's result meaning (descriptor `result.type`). */
function stubResult(type: string): unknown {
  if (type.startsWith("handle<")) return 1;
  if (type.startsWith("bytesToDst")) return FOUR_BYTES;
  if (type === "bool") return true;
  if (type === "u32" || type === "i32" || type === "u64") return 0;
  return undefined; // none, status
}

/** The whole profile's implementation: every function returns its stub answer. */
function stubImpl(fns: readonly HostFnDescriptor[]): HostImplOf[typeof PROFILE] {
  const impl: Record<string, Record<string, () => unknown>> = {};
  for (const f of fns) {
    const answer = stubResult(f.result.type);
    (impl[f.family] ??= {})[f.name] = () => answer;
  }
  // Built from the descriptors, which list exactly the profile's functions: TypeScript cannot see that.
  return impl as unknown as HostImplOf[typeof PROFILE];
}

/** The WAT constant of one wire argument: packed (4 << 32 | 64) for ranges, a Uint32 kind, 1 for handles. */
function argument(p: HostFnDescriptor["params"][number], half?: "lo" | "hi"): string {
  const packed = p.type === "str" || p.type === "buf" || p.type === "dst" || p.type === "kindValue";
  if (half !== undefined) return `(i32.const ${packed ? (half === "lo" ? 64 : 4) : half === "lo" ? 5 : 0})`;
  if (p.wire === "i64") return packed ? "(i64.const 0x0000000400000040)" : "(i64.const 5)";
  if (p.type === "enum<FieldKind>") return "(i32.const 8)";
  if (p.type === "errPtr") return "(i32.const 0)";
  return "(i32.const 1)";
}

/** A guest with `wire(n)` and `split(n)`: n calls of `f` through each import. */
function guestWat(f: HostFnDescriptor): string {
  const result = f.result.wire === null ? "" : ` (result ${f.result.wire})`;
  const splitResult = f.result.wire === null ? "" : " (result i32)";
  const wireParams = f.params.map((p) => p.wire).join(" ");
  const splitParams = f.params.flatMap((p) => (p.wire === "i64" ? ["i32", "i32"] : ["i32"])).join(" ");
  const wireArgs = f.params.map((p) => argument(p)).join(" ");
  const splitArgs = f.params.flatMap((p) => (p.wire === "i64" ? [argument(p, "lo"), argument(p, "hi")] : [argument(p)])).join(" ");
  const body = (call: string): string => (f.result.wire === null ? `(${call})` : `(drop (${call}))`);
  const loop = (name: string, call: string): string =>
    `(func (export "${name}") (param $n i32) (loop $next ${body(call)} (br_if $next (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))`;
  return `(module
  (import "ig" "${f.name}" (func $wire${wireParams === "" ? "" : ` (param ${wireParams})`}${result}))
  (import "js" "${f.name}" (func $split${splitParams === "" ? "" : ` (param ${splitParams})`}${splitResult}))
  (memory (export "memory") 1)
  ${loop("wire", `call $wire ${wireArgs}`)}
  ${loop("split", `call $split ${splitArgs}`)})`;
}

export const trampolineSuite: BenchSuite = {
  name: "trampolines",
  title: "i64 host functions through their trampoline vs the same shim with all-i32 arguments, per call (guest loops)",
  async run(options: RunOptions): Promise<SuiteResult> {
    const n = options.quick ? 500 : 20_000;
    const floor = await callFloorModule();
    const all = hostFunctionsOfProfile(PROFILE);
    const fns = all.filter((f) => V0_43Trampolines.functions.includes(f.name));
    const failures: string[] = [];
    const specs: CaseSpec[] = [{ name: CALL_FLOOR_BASELINE, iterations: n, fn: () => floor.loopJsConstI64(n) }];
    for (const f of fns) {
      let memory: WebAssembly.Memory | undefined;
      const ctx = createShimContext({ memory: () => memory!, log: (level, text) => void failures.push(`${level}: ${text}`) });
      const shims = importFactories[PROFILE](stubImpl(all), ctx);
      const module = new WebAssembly.Module(await watToWasm(`${f.name}.wat`, guestWat(f)));
      const instance = new WebAssembly.Instance(module, { ig: bindTrampolines(V0_43Trampolines, shims, ctx.wide), js: { [f.name]: shims[f.name] } });
      memory = instance.exports.memory as WebAssembly.Memory;
      const loops = instance.exports as Record<string, (n: number) => void>;
      const check = (): void => {
        if (failures.length > 0) throw new Error(`${f.name}: the calls failed: ${failures.join(" | ")}`);
      };
      specs.push({ name: `${f.name}: trampoline`, iterations: n, fn: () => loops.wire(n), check: () => (loops.wire(1), check()) });
      specs.push({ name: `${f.name}: all-i32`, iterations: n, fn: () => loops.split(n), check: () => (loops.split(1), check()) });
    }
    const cases = measureAll(specs, CALL_FLOOR_BASELINE, options, console.log);
    const derived = {
      "worst function: trampoline / all-i32": perRound(cases, (ns) => Math.max(...fns.map((f) => ns(`${f.name}: trampoline`) / ns(`${f.name}: all-i32`)))),
      ...Object.fromEntries(fns.map((f) => [`${f.name}: trampoline / all-i32`, ratioOf(cases, `${f.name}: trampoline`, `${f.name}: all-i32`)])),
    };
    return suiteResult(this, options, { baseline: CALL_FLOOR_BASELINE, cases, derived });
  },
};
