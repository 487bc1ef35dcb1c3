/**
 * The shims with the module's own signatures, in JS: each i64 argument (a
 * BigInt) split into halves before the shim, each i64 result joined from the
 * returned low half and the slot's high half. Slower than the trampolines
 * (a BigInt per i64), and used where every call must pass through JS: the
 * trace decorator, and tests that call imports as the module would.
 */
import type { HostFnDescriptorOf as HostFnDescriptor } from "./descriptors.js";
import type { ShimFunction } from "./trampolines.js";
import { joinU64, splitWide, type WideSlot } from "./wide.js";

type WireFunction = (...args: (number | bigint)[]) => number | bigint | void;

/** `shims` with the wire signatures that `descriptors` give them (functions without a descriptor pass through). */
export function wireAdapters(
  shims: Readonly<Record<string, ShimFunction>>,
  descriptors: readonly HostFnDescriptor[],
  wide: WideSlot,
): Record<string, WireFunction> {
  const out: Record<string, WireFunction> = {};
  for (const [name, shim] of Object.entries(shims)) {
    const desc = descriptors.find((d) => d.name === name);
    const wires = desc?.params.map((p) => p.wire) ?? [];
    const wideResult = desc?.result.wire === "i64";
    if (!wideResult && !wires.includes("i64")) {
      out[name] = shim as WireFunction;
      continue;
    }
    out[name] = (...args) => {
      const split: number[] = [];
      wires.forEach((wire, i) => {
        if (wire === "i64") split.push(...splitWide(BigInt(args[i] ?? 0)));
        else split.push(Number(args[i] ?? 0));
      });
      const lo = shim(...split);
      return wideResult ? joinU64(Number(lo ?? 0), wide.words[0]) : lo;
    };
  }
  return out;
}
