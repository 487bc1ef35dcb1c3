/**
 * What a call's outcome must look like, from its descriptor: whether it
 * reported an error (a log line of the call itself, and the error value or
 * the error word), whether its result is in the documented domain, and which
 * guest bytes it may have written.
 */
import type { HostFnDescriptor } from "../generated/host/descriptors.js";

/** The wire result as an unsigned value (i32: number, i64: bigint). */
export function unsigned(result: unknown): number | bigint | undefined {
  if (typeof result === "number") return result >>> 0;
  if (typeof result === "bigint") return BigInt.asUintN(64, result);
  return undefined;
}

/** The error value of a value-convention function, unsigned in its wire type; undefined for other conventions. */
export function errorValue(d: HostFnDescriptor): number | bigint | undefined {
  if (d.error.kind !== "value") return undefined;
  return d.result.wire === "i64" ? BigInt.asUintN(64, BigInt(d.error.value)) : d.error.value >>> 0;
}

/** Whether a successful call can return the error value too (then the value alone does not tell). */
export function successMayEqualError(d: HostFnDescriptor): boolean {
  if (d.error.kind !== "value") return true;
  switch (d.result.type) {
    case "bool":
      return d.error.value === 0 || d.error.value === 1;
    case "u32":
    case "u64":
    case "scalarOrMalloc":
    case "bytesToMalloc": // an empty value is malloc(0)'s pointer, which may be 0
      return true;
    default:
      return false;
  }
}

/** Why a successful result is outside the documented domain, or null. */
export function domainProblem(d: HostFnDescriptor, result: unknown, args: readonly unknown[]): string | null {
  const r = unsigned(result);
  const type = d.result.type;
  if (type === "status" && r !== 0) return `status ${String(r)} on success`;
  // Releases before v0.39.0 answer a setter's success with the field handle (spec: status(success: field)).
  const success = /^status\(success: (\w+)\)$/.exec(type);
  if (success !== null) {
    const want = (args[d.params.findIndex((p) => p.name === success[1])] as number) >>> 0;
    if (r !== want) return `returned ${String(r)} on success, not ${success[1]} (${want})`;
  }
  if (type === "bool" && r !== 0 && r !== 1) return `bool ${String(r)}`;
  if (type.startsWith("handle<")) {
    const element = d.name === "dataArrayGet";
    if (r === 0 || ((r as number) >= 0x80000000) !== element) return `handle ${String(r)} has the wrong shape`;
  }
  const count = /^bytesToDst\((\w+), count\)$/.exec(type);
  if (count !== null) {
    const len = destination(d, args, count[1])?.[1] ?? 0;
    if ((r as number) > len) return `count ${String(r)} exceeds the destination's ${len} bytes`;
  }
  return null;
}

/** [ptr, len] of a packed destination parameter (dst) or a fixed-size out pointer (outPtr[N]). */
export function destination(d: HostFnDescriptor, args: readonly unknown[], name: string): [number, number] | undefined {
  const i = d.params.findIndex((p) => p.name === name);
  if (i === -1) return undefined;
  const type = d.params[i].type;
  const v = BigInt.asUintN(64, BigInt(args[i] as bigint));
  const fixed = /^outPtr\[(\d+)\]$/.exec(type);
  if (fixed !== null) return [Number(v & 0xffffffffn), Number(fixed[1])];
  if (type === "dst") return [Number(v & 0xffffffffn), Number(v >> 32n)];
  return undefined;
}

/** Guest ranges [start, end) a call may have written: its destination on success, its error word on error. */
export function allowedWrites(d: HostFnDescriptor, args: readonly unknown[], result: unknown, errored: boolean): [number, number][] {
  const out: [number, number][] = [];
  if (errored) {
    if (d.error.kind === "errPtr") {
      const p = (args[d.params.findIndex((x) => x.name === (d.error as { param: string }).param)] as number) >>> 0;
      if (p !== 0) out.push([p, p + 4]);
    }
    return out;
  }
  const mallocOut = /^bytesToMalloc\((\w+)\)$/.exec(d.result.type);
  if (mallocOut !== null) {
    const out8 = destination(d, args, mallocOut[1]);
    if (out8 !== undefined) out.push([out8[0], out8[0] + 8]);
  }
  const target = /^bytesToDst\((\w+), (count|status)\)$/.exec(d.result.type);
  if (target !== null) {
    const dst = destination(d, args, target[1]);
    if (dst !== undefined) out.push([dst[0], dst[0] + (target[2] === "count" ? (unsigned(result) as number) : dst[1])]);
  }
  return out;
}
