/**
 * Checking a module's imports against the host functions a host offers,
 * before instantiating it: a mismatch is a clear message naming the
 * function and both signatures, not a LinkError or a wrong value later.
 * igwasm's loader checks against a whole IG release (runtime/release-detect.ts,
 * which also says which releases had the module's signature); this is the
 * same check for any host, against the descriptors of the functions it links.
 */
import { formatFuncType, sameFuncType, type FuncType, type WasmSignatures } from "../wasm-signatures.js";
import type { HostFnDescriptorOf } from "./descriptors.js";

export { readWasmSignatures, type WasmSignatures } from "../wasm-signatures.js";

/** The wasm function type a descriptor's function has. */
export function wireSignature(fn: HostFnDescriptorOf): FuncType {
  return { params: fn.params.map((p) => p.wire), results: fn.result.wire === null ? [] : [fn.result.wire] };
}

/**
 * The problems of the module's imports from `moduleName` against `functions`
 * (the descriptors of what the host links, e.g. `hostFunctionsOfProfile(p)`):
 * an import that is not a function, names no function of the list, or has
 * another signature. Imports from other modules are the host's business and
 * are not checked. An empty list means every import from `moduleName` links.
 */
export function checkImportsAgainst(sigs: WasmSignatures, moduleName: string, functions: readonly HostFnDescriptorOf[]): string[] {
  const problems: string[] = [];
  for (const imp of sigs.imports) {
    if (imp.module !== moduleName) continue;
    const where = `${imp.module}.${imp.name}`;
    if (imp.kind !== "function") {
      problems.push(`${where}: a ${imp.kind}; the host offers only functions`);
      continue;
    }
    const fn = functions.find((f) => f.name === imp.name);
    if (fn === undefined) {
      problems.push(`${where}: not a host function this host offers`);
      continue;
    }
    const want = wireSignature(fn);
    if (imp.type !== undefined && !sameFuncType(imp.type, want)) {
      problems.push(`${where}: imported as ${formatFuncType(imp.type)}, but the host function is ${formatFuncType(want)}`);
    }
  }
  return problems;
}
