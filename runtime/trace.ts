/**
 * A spec-driven trace decorator: wraps import functions so every call prints
 * `==> ig.fieldGetScalar(field=3,data=7,kind=4,err=1024)` and its result
 * `<== 42`, with parameter names from the generated descriptors. Tests assert
 * exact traces with it; users turn it on to see what a gadget does.
 */
import type { HostFnDescriptor } from "../generated/host/descriptors.js";

type AnyFn = (...args: unknown[]) => unknown;

/**
 * A wire value as its meaning reads: i32 values reach JS signed, so unsigned
 * meanings (handles, u32, enums, pointers) print with `>>> 0`; i64 values
 * print unsigned unless the meaning is `i64`.
 */
function show(value: unknown, type: string | undefined): string {
  if (typeof value === "number") return type === "i32" ? String(value) : String(value >>> 0);
  if (typeof value === "bigint") return type === "i64" ? String(value) : String(BigInt.asUintN(64, value));
  return String(value);
}

export function traceImports<T extends object>(
  fns: T,
  module: string,
  descriptors: readonly HostFnDescriptor[],
  trace: (line: string) => void,
): T {
  const out: Record<string, AnyFn> = {};
  for (const [name, fn] of Object.entries(fns as Record<string, AnyFn>)) {
    const desc = descriptors.find((d) => d.name === name);
    const params = desc?.params ?? [];
    out[name] = (...args: unknown[]) => {
      trace(`==> ${module}.${name}(${args.map((a, i) => `${params[i]?.name ?? `arg${i}`}=${show(a, params[i]?.type)}`).join(",")})`);
      try {
        const result = fn(...args);
        trace(`<== ${result === undefined ? "()" : String(result)}`);
        return result;
      } catch (e) {
        trace(`<== threw ${e instanceof Error ? e.message : String(e)}`);
        throw e;
      }
    };
  }
  return out as T;
}
