/**
 * Telling a module's era from what it imports and exports. The ABI changed
 * three times without changing its declared API version, so the version
 * cannot tell (ABI.md, "Eras"):
 *
 *   - imports anything from `ig`, or an ig-v1-only function from `env`
 *     (fieldGetScalar, fieldGetBuffer, gadgetShouldLog, shouldDiscardMntnsID):
 *     ig-v1 (Feb-March 2025 builds import it from `env`);
 *   - exports `gadgetAPIVersion`: env-v1;
 *   - otherwise (dsCallback, init/start/stop, fieldAccessorGet): seed.
 */
import type { EraId } from "../generated/constants.js";
import { hostFunctionsOfEra } from "../generated/host/descriptors.js";

export interface EraEvidence {
  readonly era: EraId;
  /** Why this era was chosen, for `igwasm inspect` and error messages. */
  readonly reason: string;
}

const IG_V1_ONLY = new Set(
  hostFunctionsOfEra("ig-v1")
    .map((f) => f.name)
    .filter((name) => !hostFunctionsOfEra("env-v1").some((g) => g.name === name)),
);

export function detectEra(module: WebAssembly.Module): EraEvidence {
  const imports = WebAssembly.Module.imports(module);
  const exports = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
  const fromIg = imports.find((i) => i.module === "ig");
  if (fromIg) return { era: "ig-v1", reason: `imports ig.${fromIg.name}` };
  const v1Only = imports.find((i) => i.module === "env" && IG_V1_ONLY.has(i.name));
  if (v1Only) return { era: "ig-v1", reason: `imports env.${v1Only.name}, which only ig-v1 has` };
  if (exports.has("gadgetAPIVersion")) return { era: "env-v1", reason: "exports gadgetAPIVersion and imports from env" };
  return { era: "seed", reason: "does not export gadgetAPIVersion" };
}
