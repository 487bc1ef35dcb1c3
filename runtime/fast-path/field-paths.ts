/**
 * Which field functions of a profile each form of the fast path serves, read
 * from the spec's descriptors: the wasm form has only the contracts of
 * v0.39.0 and later; the JS form serves every release, under the release's
 * names (fieldGetScalar, fieldGet, fieldAccessorGet; fieldSet,
 * fieldAccessorSet) and with its setter's answer. link.ts uses these to
 * build the import object.
 */
import type { ProfileId } from "../../generated/constants.js";
import { FieldAccessorGetName, FieldAccessorSetName, FieldGetBufferName, FieldGetName, FieldGetScalarName, FieldSetName, hostFunctionsOfProfile } from "../../generated/host/descriptors.js";
import type { ShimFunction } from "../abi/index.js";
import { createJsFieldFastPath, type FieldWireImports, type JsFieldFastPathContext, type JsFieldVariant } from "./js-field-fast-path.js";

/**
 * The wasm fast path implements the current contracts of fieldGetScalar (with
 * its error word) and fieldSet (0 on success): it serves the profiles whose
 * variants are exactly those, and no older ones.
 */
export function wasmFastPathFits(profile: ProfileId): boolean {
  const fns = hostFunctionsOfProfile(profile);
  const getScalar = fns.find((f) => f.name === FieldGetScalarName);
  const set = fns.find((f) => f.name === FieldSetName);
  return getScalar?.error.kind === "errPtr" && set?.result.type === "status";
}

/** What the JS fast path serves in a profile: its names for the field functions, and how its setter answers. */
export interface JsFieldFunctions {
  readonly getScalar: string;
  readonly set: string;
  readonly getBuffer: string | null;
  readonly variant: JsFieldVariant;
}

/** The scalar getters and the setters of the releases, newest first (spec/functions/field.yaml). */
const SCALAR_GETTERS: readonly string[] = [FieldGetScalarName, FieldGetName, FieldAccessorGetName];
const SETTERS: readonly string[] = [FieldSetName, FieldAccessorSetName];

/** The field functions of `profile` the JS fast path serves; null when its setter answers something else than 0 or its field handle. */
export function jsFieldFunctions(profile: ProfileId): JsFieldFunctions | null {
  const fns = hostFunctionsOfProfile(profile);
  const getter = fns.find((f) => SCALAR_GETTERS.includes(f.name));
  const setter = fns.find((f) => SETTERS.includes(f.name));
  if (getter === undefined || setter === undefined) return null;
  // "status": 0 on success; "status(success: field)": the handle given as the first parameter.
  const setAnswersField = setter.result.type === `status(success: ${setter.params[0].name})`;
  if (!setAnswersField && setter.result.type !== "status") return null;
  const getBuffer = fns.some((f) => f.name === FieldGetBufferName) ? FieldGetBufferName : null;
  return { getScalar: getter.name, set: setter.name, getBuffer, variant: { setAnswersField } };
}

/** `shims` with the field functions `fns` names served by the JS fast path, which falls back to them. */
export function withJsFieldFastPath(shims: Readonly<Record<string, ShimFunction>>, fns: JsFieldFunctions, context: JsFieldFastPathContext): Record<string, ShimFunction> {
  const fallback: FieldWireImports = {
    getScalar: shims[fns.getScalar] as FieldWireImports["getScalar"],
    set: shims[fns.set] as FieldWireImports["set"],
    ...(fns.getBuffer !== null ? { getBuffer: shims[fns.getBuffer] as FieldWireImports["getBuffer"] } : {}),
  };
  const js = createJsFieldFastPath(context, fallback, fns.variant);
  const served: Record<string, ShimFunction> = { ...shims, [fns.getScalar]: js.getScalar, [fns.set]: js.set };
  if (fns.getBuffer !== null && js.getBuffer !== undefined) served[fns.getBuffer] = js.getBuffer;
  return served;
}
