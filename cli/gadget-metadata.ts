/**
 * A gadget's metadata (gadget.yaml): the wasm params it declares. Apart from
 * oci.ts, which needs Node built-ins, so the playground can read it too.
 */
import { parse as parseYaml } from "yaml";
import type { ParamSpec } from "../runtime/index.js";
import { ImageError } from "./image-error.js";

/**
 * `params.wasm` of a gadget.yaml: a map (key -> { key?, defaultValue?,
 * mandatory?, description? }) as IG writes it, or a list of such entries.
 */
export function wasmParamSpecs(yamlText: string, source: string): ParamSpec[] {
  let doc: unknown;
  try {
    doc = parseYaml(yamlText);
  } catch (e) {
    throw new ImageError(`${source} is not valid YAML: ${(e as Error).message}`);
  }
  if (doc === null || doc === undefined) return [];
  if (typeof doc !== "object") throw new ImageError(`${source}: expected a mapping at the top level`);
  const params = (doc as { params?: unknown }).params;
  if (params === undefined || params === null) return [];
  if (typeof params !== "object") throw new ImageError(`${source}: params must be a mapping`);
  const wasm = (params as { wasm?: unknown }).wasm;
  if (wasm === undefined || wasm === null) return [];
  const entries: [string | undefined, unknown][] = Array.isArray(wasm) ? wasm.map((v) => [undefined, v]) : Object.entries(wasm as object);
  return entries.map(([mapKey, raw], i) => {
    const where = `${source}: params.wasm${mapKey !== undefined ? `.${mapKey}` : `[${i}]`}`;
    if (raw === null || typeof raw !== "object") throw new ImageError(`${where} must be a mapping`);
    const p = raw as Record<string, unknown>;
    const key = p.key ?? mapKey;
    if (typeof key !== "string" || key === "") throw new ImageError(`${where} has no key`);
    const spec: { key: string; defaultValue?: string; mandatory?: boolean; description?: string } = { key };
    if (p.defaultValue !== undefined && p.defaultValue !== null) spec.defaultValue = String(p.defaultValue);
    if (p.mandatory !== undefined) spec.mandatory = p.mandatory === true || p.mandatory === "true";
    if (typeof p.description === "string") spec.description = p.description;
    return spec;
  });
}
