/**
 * The parts of a gadget's metadata (gadget.yaml) that igwasm uses: the
 * declared params.
 *
 * `params.wasm` maps a name to IG's api.Param (IG pkg/operators/wasm/wasm.go
 * unmarshals it with viper, whose field matching ignores case; the param's
 * key is its `key`). `params.ebpf` maps an eBPF variable name to key,
 * defaultValue and description (IG pkg/operators/ebpf/params.go,
 * populateParam; aeac857).
 */
import { parse as parseYaml } from "yaml";
import type { ParamSpec } from "../gadget.js";
import { ImageError } from "./errors.js";

export type GadgetParamSpec = ParamSpec;

const STRING_KEYS = ["key", "description", "defaultValue", "typeHint", "title", "alias", "valueHint", "prefix", "alternativeKey"] as const;
const LIST_KEYS = ["tags", "possibleValues"] as const;
const PARAM_KEYS = [...STRING_KEYS, ...LIST_KEYS, "isMandatory"];

/** A ParamSpec while it is being read from YAML. */
type ParamSpecDraft = { -readonly [K in keyof ParamSpec]?: ParamSpec[K] };

const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Parses gadget.yaml; `source` names it in errors. */
export function parseGadgetYaml(yamlText: string, source: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = parseYaml(yamlText);
  } catch (e) {
    throw new ImageError(`${source} is not valid YAML: ${(e as Error).message}`);
  }
  if (doc === null || doc === undefined) return {};
  if (!isMapping(doc)) throw new ImageError(`${source}: expected a mapping at the top level`);
  return doc;
}

function scalarText(value: unknown, where: string): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  throw new ImageError(`${where} must be a string, got ${JSON.stringify(value)}`);
}

/** One api.Param from a `params.wasm` entry, keys matched without regard to case (as viper does). */
function apiParam(raw: unknown, mapKey: string | undefined, where: string): ParamSpec {
  if (!isMapping(raw)) throw new ImageError(`${where} must be a mapping`);
  const byLower = new Map(PARAM_KEYS.map((k) => [k.toLowerCase(), k]));
  const p: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    const known = byLower.get(k.toLowerCase());
    if (known === undefined) throw new ImageError(`${where}: unknown key ${k} (IG's param keys: ${PARAM_KEYS.join(", ")})`);
    if (v !== null && v !== undefined) p[known] = v;
  }
  const spec: ParamSpecDraft = {};
  for (const k of STRING_KEYS) if (p[k] !== undefined) spec[k] = scalarText(p[k], `${where}.${k}`);
  for (const k of LIST_KEYS) {
    const list = p[k];
    if (list === undefined) continue;
    if (!Array.isArray(list)) throw new ImageError(`${where}.${k} must be a list`);
    spec[k] = list.map((v: unknown, i) => scalarText(v, `${where}.${k}[${i}]`));
  }
  if (p.isMandatory !== undefined) {
    if (p.isMandatory !== true && p.isMandatory !== false && p.isMandatory !== "true" && p.isMandatory !== "false") {
      throw new ImageError(`${where}.isMandatory must be true or false`);
    }
    spec.isMandatory = p.isMandatory === true || p.isMandatory === "true";
  }
  // IG keys the param by its `key`; igwasm falls back to the map key so a short entry still has one.
  spec.key ??= mapKey;
  const key = spec.key;
  if (key === undefined || key === "") throw new ImageError(`${where} has no key`);
  return { ...spec, key };
}

function paramSection(doc: Record<string, unknown>, section: "wasm" | "ebpf", source: string): [string | undefined, unknown, string][] {
  const params = doc.params;
  if (params === undefined || params === null) return [];
  if (!isMapping(params)) throw new ImageError(`${source}: params must be a mapping`);
  const list = params[section];
  if (list === undefined || list === null) return [];
  if (Array.isArray(list)) return list.map((v, i) => [undefined, v, `${source}: params.${section}[${i}]`]);
  if (!isMapping(list)) throw new ImageError(`${source}: params.${section} must be a mapping`);
  return Object.entries(list).map(([k, v]) => [k, v, `${source}: params.${section}.${k}`]);
}

/** `params.wasm` of a gadget.yaml: the params the wasm module reads with getParamValue. */
export function wasmParamSpecs(yamlText: string, source: string): ParamSpec[] {
  const doc = parseGadgetYaml(yamlText, source);
  return paramSection(doc, "wasm", source).map(([mapKey, raw, where]) => apiParam(raw, mapKey, where));
}

/** `params.ebpf`: metadata IG adds to the eBPF program's own params (key defaults to the variable name). */
export function ebpfParamSpecs(yamlText: string, source: string): ParamSpec[] {
  const doc = parseGadgetYaml(yamlText, source);
  return paramSection(doc, "ebpf", source).map(([varName, raw, where]) => {
    if (!isMapping(raw)) throw new ImageError(`${where} must be a mapping`);
    const spec: ParamSpecDraft & { key: string } = { key: varName ?? "" };
    for (const k of ["key", "defaultValue", "description"] as const) {
      if (raw[k] !== undefined && raw[k] !== null && raw[k] !== "") spec[k] = scalarText(raw[k], `${where}.${k}`);
    }
    if (spec.key === "") throw new ImageError(`${where} has no key`);
    return spec;
  });
}
