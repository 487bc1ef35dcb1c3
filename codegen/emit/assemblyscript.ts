/**
 * AssemblyScript raw bindings, per profile:
 *   guest/assemblyscript/<profile>/<family>.ts  one `@external` declaration per host function
 *   guest/assemblyscript/<profile>/index.ts     re-exports the profile's families and the constants
 *   guest/assemblyscript/constants.ts       the spec's enums and constants
 * Raw means wire-level: packed strings are u64 values the module builds itself;
 * a friendlier layer belongs in hand-written guest code on top of these.
 */
import type { GeneratedFile } from "../generated-file.js";
import { generatedHeader } from "../header.js";
import { describeErrorConv, signatureTrace } from "../lowering.js";
import { releaseRangeText } from "../model.js";
import type { AbiSpec, ConstantDesc, EnumDesc, Profile, Family, HostFn, Param } from "../model.js";
import { safeIdentifier } from "../names.js";
import {
  assertUnique,
  blockComment,
  docLines,
  profileFunctions,
  familyStem,
  oneLine,
  paramScalar,
  resultScalar,
  sources,
  type GuestScalar,
} from "./guest-common.js";
import { numberText } from "./constants.js";
import { familySource, sectionSources } from "./ts-print.js";

export const AS_DIR = "guest/assemblyscript";

const AS_TYPE: Record<GuestScalar, string> = { u32: "u32", i32: "i32", ptr: "usize", u64: "u64", i64: "i64" };

/** The AssemblyScript type of a parameter as it crosses the boundary. */
export function asParamType(p: Param): string {
  return AS_TYPE[paramScalar(p)];
}

/** The AssemblyScript result type of a host function. */
export function asResultType(fn: HostFn): string {
  const s = resultScalar(fn.result);
  return s === null ? "void" : AS_TYPE[s];
}

/**
 * What a parameter's meaning adds to its doc in a binding's comment: the
 * handle type or enum a plain integer carries, and how packed values are laid
 * out. (Address parameters say what they point at in their own doc.)
 */
export function paramNote(p: Param): string {
  const t = p.type;
  switch (t.kind) {
    case "str":
      return "Packed (len << 32 | ptr) UTF-8 string; 0 is the empty string.";
    case "buf":
      return "Packed (len << 32 | ptr) bytes.";
    case "dst":
      return "Packed (len << 32 | ptr) destination: the host writes at most len bytes at ptr.";
    case "handle":
      return `(${t.handleType} handle)`;
    case "enum":
      return `(${t.enumName})`;
    case "kindValue":
      return `Encoded by \`${t.kindParam}\`: the scalar's bits, or a packed (len << 32 | ptr) buffer for String, CString and Bytes.`;
    default:
      return "";
  }
}

/** The result line of a binding's comment: the spec's doc, or what the result type means. */
export function resultText(fn: HostFn): string {
  const r = fn.result;
  if (r.doc.trim() !== "") return oneLine(r.doc);
  switch (r.type.kind) {
    case "none":
      return "Nothing.";
    case "status":
      return r.type.success === undefined ? "0 on success." : `\`${r.type.success}\` on success.`;
    case "handle":
      return `A ${r.type.handleType} handle.`;
    case "bool":
      return "1 or 0.";
    case "bytesToDst":
      return r.type.report === "count" ? "The number of bytes written." : "0 on success.";
    case "scalarOrMalloc":
      return "The value: scalar bits, or for String, CString and Bytes a packed (len << 32 | ptr) copy allocated with the module's `malloc`.";
    case "bytesToMalloc":
      return r.type.out === undefined ? "A packed (len << 32 | ptr) copy allocated with the module's `malloc`; 0 on error." : "0 on success.";
    default:
      return "The value.";
  }
}

function withNote(doc: string, note: string): string {
  return [oneLine(doc), note].filter((s) => s !== "").join(" ");
}

/** The comment lines of one binding, shared in substance with the C header. */
export function bindingDocLines(fn: HostFn, profile: Profile, paramName: (p: Param) => string, returnsTag: string): string[] {
  const lines = [...docLines(fn.doc)];
  lines.push(`IG releases: ${releaseRangeText(fn.releases)}.`);
  if (fn.replaces !== null) lines.push(`Replaces \`${fn.replaces}\`.`);
  if (fn.replacedBy !== null) lines.push(`Replaced by \`${fn.replacedBy}\` in a later profile.`);
  for (const p of fn.params) lines.push(`@param ${paramName(p)} ${withNote(p.doc, paramNote(p))}`);
  const err = describeErrorConv(fn.result.error, fn.result);
  if (fn.result.wire === null) lines.push(err);
  else lines.push(`${returnsTag} ${resultText(fn)} ${err}`);
  lines.push(`@generated from ${signatureTrace(fn, profile.module)}`);
  return lines;
}

function asBinding(fn: HostFn, profile: Profile): string {
  const name = safeIdentifier(fn.name, "as");
  const params = fn.params.map((p) => `${safeIdentifier(p.name, "as")}: ${asParamType(p)}`).join(", ");
  return [
    blockComment(bindingDocLines(fn, profile, (p) => safeIdentifier(p.name, "as"), "@returns")),
    "// @ts-ignore: decorator",
    `@external(${JSON.stringify(profile.module)}, ${JSON.stringify(fn.name)})`,
    `export declare function ${name}(${params}): ${asResultType(fn)};`,
  ].join("\n");
}

function familyFile(spec: AbiSpec, profile: Profile, family: Family, fns: readonly HostFn[]): GeneratedFile {
  assertUnique(fns.map((f) => safeIdentifier(f.name, "as")), `${profile.id}/${family.name}`);
  const intro = [
    `// ${family.title}: raw imports of the ${profile.title} ABI from module "${profile.module}".`,
    ...docLines(family.doc).map((l) => (l === "" ? "//" : `// ${l}`)),
  ];
  const body = [intro.join("\n"), ...fns.map((fn) => asBinding(fn, profile))].join("\n\n");
  return {
    path: `${AS_DIR}/${profile.id}/${familyStem(family.name)}.ts`,
    content: `${generatedHeader(sources(sectionSources(spec, "abi"), [familySource(family)]), "ts")}\n${body}\n`,
  };
}

function indexFile(spec: AbiSpec, profile: Profile, families: readonly Family[]): GeneratedFile {
  const lines = [
    `// The ${profile.title} ABI: every host function a module of this profile may import from "${profile.module}",`,
    "// and the spec's enums and constants.",
    ...families.map((f) => `export * from "./${familyStem(f.name)}";`),
    `export * from "../constants";`,
  ];
  return {
    path: `${AS_DIR}/${profile.id}/index.ts`,
    content: `${generatedHeader(sources(sectionSources(spec, "abi"), families.map(familySource)), "ts")}\n${lines.join("\n")}\n`,
  };
}

/** The narrowest AssemblyScript integer type a constant fits in, preferring u32. */
function constantType(value: number): string {
  if (!Number.isInteger(value)) return "f64";
  if (value >= 0 && value <= 0xffffffff) return "u32";
  if (value < 0 && value >= -0x80000000) return "i32";
  return value < 0 ? "i64" : "u64";
}

function asConstant(c: ConstantDesc): string {
  return `${blockComment(docLines(c.doc))}\nexport const ${safeIdentifier(c.name, "as")}: ${constantType(c.value)} = ${numberText(c.value)};`;
}

/**
 * An i32 enum becomes an AssemblyScript `enum`. AssemblyScript enums are i32,
 * so an enum that travels as i64 becomes a namespace of u64 constants, which
 * the i64 parameters take without a cast.
 */
function asEnum(e: EnumDesc): string {
  const members = e.values.map((v) => {
    const doc = v.doc === "" ? "" : `${blockComment(docLines(v.doc), "  ")}\n`;
    const name = safeIdentifier(v.name, "as");
    return e.wire === "i64" ? `${doc}  export const ${name}: u64 = ${v.value};` : `${doc}  ${name} = ${v.value},`;
  });
  assertUnique(e.values.map((v) => safeIdentifier(v.name, "as")), `enum ${e.name}`);
  const kw = e.wire === "i64" ? "namespace" : "enum";
  const doc = blockComment([...docLines(e.doc), ...(e.wire === "i64" ? ["Travels as i64, so its values are u64 constants."] : [])]);
  return `${doc}\nexport ${kw} ${safeIdentifier(e.name, "as")} {\n${members.join("\n")}\n}`;
}

function constantsFile(spec: AbiSpec): GeneratedFile {
  const names = [
    "ApiVersion",
    ...spec.constants.map((c) => safeIdentifier(c.name, "as")),
    ...spec.enums.map((e) => safeIdentifier(e.name, "as")),
  ];
  assertUnique(names, `${AS_DIR}/constants.ts`);
  const parts = [
    `${blockComment(["The ABI version a module declares through its `gadgetAPIVersion` export; the same in every profile."])}\nexport const ApiVersion: u64 = ${spec.apiVersion};`,
    ...spec.constants.map(asConstant),
    ...spec.enums.map(asEnum),
  ];
  const src = sources(sectionSources(spec, "abi"), spec.enums.length > 0 ? sectionSources(spec, "enums") : []);
  return { path: `${AS_DIR}/constants.ts`, content: `${generatedHeader(src, "ts")}\n${parts.join("\n\n")}\n` };
}

export function emitAssemblyScript(spec: AbiSpec): GeneratedFile[] {
  const files: GeneratedFile[] = [constantsFile(spec)];
  for (const profile of spec.profiles) {
    const fns = profileFunctions(spec, profile);
    const families = spec.families.filter((f) => fns.some((fn) => fn.family === f.name));
    assertUnique(["index", ...families.map((f) => familyStem(f.name))], `${AS_DIR}/${profile.id}`);
    for (const family of families) {
      files.push(familyFile(spec, profile, family, fns.filter((fn) => fn.family === family.name)));
    }
    files.push(indexFile(spec, profile, families));
  }
  return files;
}
