/**
 * One C header per profile, `guest/c/igwasm_<profile>.h`, for modules built with
 * `clang --target=wasm32`: the constants and the profile's enums as `IG_`-prefixed
 * names, `ig_pack` for packed (len << 32 | ptr) values, the guest exports the
 * host looks for (in a comment, with an `IG_EXPORT` helper), and one
 * `import_module`/`import_name` declaration per host function of the profile.
 */
import type { GeneratedFile } from "../generated-file.js";
import { generatedHeader } from "../header.js";
import type { AbiSpec, ConstantDesc, EnumDesc, Profile, GuestExport, HostFn, Param } from "../model.js";
import { safeIdentifier } from "../names.js";
import { bindingDocLines } from "./assemblyscript.js";
import { numberText } from "./constants.js";
import {
  assertUnique,
  blockComment,
  commentSafe,
  docLines,
  enumsOfProfile,
  profileExports,
  profileFunctions,
  profileSources,
  exportParamScalar,
  exportResultScalar,
  oneLine,
  paramScalar,
  resultScalar,
  screamingSnake,
  type GuestScalar,
} from "./guest-common.js";

export const C_DIR = "guest/c";

const C_TYPE: Record<GuestScalar, string> = {
  u32: "uint32_t",
  i32: "int32_t",
  // Addresses are wasm32 i32 values; the module passes `(uint32_t)(uintptr_t)&word`.
  ptr: "uint32_t",
  u64: "uint64_t",
  i64: "int64_t",
};

export function cHeaderPath(profile: Profile): string {
  return `${C_DIR}/igwasm_${profile.id.replace(/-/g, "_")}.h`;
}

export function cParamType(p: Param): string {
  return C_TYPE[paramScalar(p)];
}

export function cResultType(fn: HostFn): string {
  const s = resultScalar(fn.result);
  return s === null ? "void" : C_TYPE[s];
}

/** The declaration line of one import: `__attribute__((...)) uint64_t fieldGetScalar(uint32_t field, ...);` */
export function cDeclaration(fn: HostFn, profile: Profile): string {
  const params = fn.params.length === 0 ? "void" : fn.params.map((p) => `${cParamType(p)} ${safeIdentifier(p.name, "c")}`).join(", ");
  const attr = `__attribute__((import_module(${JSON.stringify(profile.module)}), import_name(${JSON.stringify(fn.name)})))`;
  return `${attr} ${cResultType(fn)} ${safeIdentifier(fn.name, "c")}(${params});`;
}

/** The C signature of a guest export, as the module defines it. */
export function cExportSignature(e: GuestExport): string {
  const r = exportResultScalar(e);
  const params = e.params.length === 0 ? "void" : e.params.map((p) => `${C_TYPE[exportParamScalar(p)]} ${safeIdentifier(p.name, "c")}`).join(", ");
  return `${r === null ? "void" : C_TYPE[r]} ${e.name}(${params})`;
}

function cLiteral(value: number): string {
  if (!Number.isInteger(value)) return String(value);
  if (value >= 0) return value <= 0xffffffff ? `${numberText(value)}u` : `${numberText(value)}ull`;
  return value >= -0x80000000 ? `(${value})` : `(${value}ll)`;
}

function section(title: string): string {
  return `/* ---- ${title} ${"-".repeat(Math.max(4, 68 - title.length))} */`;
}

function cConstant(c: ConstantDesc): string {
  return `${blockComment(docLines(c.doc))}\n#define IG_${screamingSnake(c.name)} ${cLiteral(c.value)}`;
}

/**
 * An enum as `typedef uint32_t ig_x_t;` plus its values. C enum constants are
 * ints, so an enum whose values do not all fit one gets `#define`s instead.
 */
function cEnum(e: EnumDesc): { text: string; names: string[] } {
  const prefix = `IG_${screamingSnake(e.name)}`;
  const typedef = `ig_${screamingSnake(e.name).toLowerCase()}_t`;
  const names = e.values.map((v) => `${prefix}_${screamingSnake(v.name)}`);
  const fitsInt = e.values.every((v) => v.value >= -0x80000000 && v.value <= 0x7fffffff);
  const doc = blockComment([`${e.name}:`, ...docLines(e.doc), ...(e.wire === "i64" ? ["Travels as i64."] : [])]);
  const td = `typedef ${e.wire === "i64" ? "uint64_t" : "uint32_t"} ${typedef};`;
  let body: string;
  if (fitsInt) {
    const members = e.values.map((v, i) => `${v.doc === "" ? "" : `  /** ${commentSafe(oneLine(v.doc))} */\n`}  ${names[i]} = ${v.value},`);
    body = `enum ${typedef.slice(0, -2)} {\n${members.join("\n")}\n};`;
  } else {
    body = e.values.map((v, i) => `${v.doc === "" ? "" : `/** ${commentSafe(oneLine(v.doc))} */\n`}#define ${names[i]} ${cLiteral(v.value)}`).join("\n");
  }
  return { text: `${doc}\n${td}\n${body}`, names: [typedef, ...names] };
}

function exportsComment(exports: readonly GuestExport[]): string {
  const lines = [
    "Guest exports: the functions of the module the host calls in this profile.",
    "Define one with IG_EXPORT, e.g. `IG_EXPORT(gadgetInit) int32_t gadgetInit(void) { return 0; }`.",
    "",
  ];
  for (const e of exports) {
    lines.push(`${e.required ? "required" : "optional"}  ${cExportSignature(e)};`);
    for (const l of docLines(e.doc)) if (l !== "") lines.push(`          ${l}`);
    for (const p of e.params) lines.push(`          ${p.name}: ${oneLine(p.doc)}`);
    if (e.result.doc !== "") lines.push(`          returns: ${oneLine(e.result.doc)}`);
    if (e.replaces !== null) lines.push(`          Replaces ${e.replaces}.`);
    if (e.replacedBy !== null) lines.push(`          Replaced by ${e.replacedBy} in a later profile.`);
  }
  return `/*\n${lines.map((l) => (l === "" ? " *" : ` * ${commentSafe(l)}`)).join("\n")}\n */\n#define IG_EXPORT(name) __attribute__((export_name(#name)))`;
}

function profileHeader(spec: AbiSpec, profile: Profile): GeneratedFile {
  const guard = `IGWASM_${profile.id.replace(/[^A-Za-z0-9]/g, "_").toUpperCase()}_H`;
  const fns = profileFunctions(spec, profile);
  const enums = enumsOfProfile(spec, profile).map(cEnum);
  assertUnique(
    ["IG_API_VERSION", "IG_EXPORT", "ig_pack", ...spec.constants.map((c) => `IG_${screamingSnake(c.name)}`), ...enums.flatMap((e) => e.names), ...fns.map((f) => safeIdentifier(f.name, "c"))],
    cHeaderPath(profile),
  );
  const intro = [
    `${spec.abi}: ${profile.title}.`,
    "",
    ...docLines(profile.doc),
    "",
    `Host functions are imported from module "${profile.module}". IG releases: ${profile.releases.join(", ")}.`,
  ];
  const parts: string[] = [
    `#ifndef ${guard}\n#define ${guard}`,
    blockComment(intro),
    "#include <stdint.h>",
    "#ifdef __cplusplus\nextern \"C\" {\n#endif",
    section("Constants"),
    `${blockComment(["The ABI version a module declares through its `gadgetAPIVersion` export; the same in every profile."])}\n#define IG_API_VERSION ${spec.apiVersion}ull`,
    ...spec.constants.map(cConstant),
  ];
  if (enums.length > 0) parts.push(section("Enums"), ...enums.map((e) => e.text));
  parts.push(
    section("Values"),
    [
      blockComment([
        "Packs a string or byte buffer into one u64, the way every `str`, `buf` and `dst` parameter",
        "travels: the length in the high 32 bits, the address in the low 32 bits. 0 is the empty string.",
      ]),
      "static inline uint64_t ig_pack(const void *ptr, uint32_t len) {",
      "  return ((uint64_t)len << 32) | (uint64_t)(uint32_t)(uintptr_t)ptr;",
      "}",
    ].join("\n"),
    section("Guest exports"),
    exportsComment(profileExports(spec, profile)),
  );
  for (const family of spec.families) {
    const famFns = fns.filter((fn) => fn.family === family.name);
    if (famFns.length === 0) continue;
    parts.push(section(family.title));
    if (family.doc.trim() !== "") parts.push(`/*\n${docLines(family.doc).map((l) => (l === "" ? " *" : ` * ${commentSafe(l)}`)).join("\n")}\n */`);
    for (const fn of famFns) {
      parts.push(`${blockComment(bindingDocLines(fn, profile, (p) => safeIdentifier(p.name, "c"), "@return"))}\n${cDeclaration(fn, profile)}`);
    }
  }
  parts.push("#ifdef __cplusplus\n}\n#endif", `#endif /* ${guard} */`);
  return { path: cHeaderPath(profile), content: `${generatedHeader(profileSources(spec, profile, true), "c")}${parts.join("\n\n")}\n` };
}

export function emitCHeaders(spec: AbiSpec): GeneratedFile[] {
  return spec.profiles.map((profile) => profileHeader(spec, profile));
}
