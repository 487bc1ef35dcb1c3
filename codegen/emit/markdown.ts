/**
 * The reference pages: `docs/<profile>.md`, one per profile, in the shape of IG's own
 * wasm reference (data types, then the API family by family, one
 * `#### \`name(u32 ds, string name) u32\`` entry per function with its
 * parameters and return value), plus handles, enums, constants and the guest
 * exports; and `docs/README.md`, which indexes the profiles and shows which
 * function exists in which profile. Every sentence about a function comes from
 * the spec; the emitter only adds what the lowering implies (types, packing,
 * error conventions).
 */
import type { GeneratedFile } from "../generated-file.js";
import { generatedHeader } from "../header.js";
import { describeErrorConv, paramTypeText, resultTypeText } from "../lowering.js";
import type { AbiSpec, EnumDesc, Profile, GuestExport, HostFn, Param } from "../model.js";
import { releaseRangeText } from "../model.js";
import { resultText } from "./assemblyscript.js";
import { numberText } from "./constants.js";
import {
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
  sources,
} from "./guest-common.js";
import { familySource, sectionSources, specPath } from "./ts-print.js";

export const DOCS_DIR = "docs";

/** The type word of a parameter in a reference signature, in IG's style. */
export function mdParamType(p: Param): string {
  switch (p.type.kind) {
    case "str":
      return "string";
    case "buf":
      return "bytes";
    case "dst":
      return "dst";
  }
  const s = paramScalar(p);
  return s === "ptr" ? "u32" : s;
}

function mdResultType(fn: HostFn): string | null {
  const s = resultScalar(fn.result);
  return s === null ? null : s === "ptr" ? "u32" : s;
}

/** `fieldGetScalar(u32 field, u32 data, u32 kind, u32 err) u64` */
export function mdSignature(fn: HostFn): string {
  const params = fn.params.map((p) => `${mdParamType(p)} ${p.name}`).join(", ");
  const r = mdResultType(fn);
  return `${fn.name}(${params})${r === null ? "" : ` ${r}`}`;
}

function mdExportSignature(e: GuestExport): string {
  const params = e.params.map((p) => `${exportParamScalar(p)} ${p.name}`).join(", ");
  const r = exportResultScalar(e);
  return `${e.name}(${params})${r === null ? "" : ` ${r}`}`;
}

const fnAnchor = (name: string): string => `fn-${name}`;
const enumAnchor = (name: string): string => `enum-${name}`;
const exportAnchor = (name: string): string => `export-${name}`;

function anchor(id: string): string {
  return `<a id="${id}"></a>`;
}

function profilePage(profile: Profile): string {
  return `${profile.id}.md`;
}

/** A paragraph per blank-line-separated block of a doc. */
function paragraphs(doc: string): string {
  return docLines(doc).join("\n");
}

/** What a parameter's meaning adds in the parameter list: `u32, Field handle`. */
function paramKindText(p: Param): string {
  const base = mdParamType(p);
  const t = p.type;
  switch (t.kind) {
    case "handle":
      return `${base}, ${t.handleType} handle`;
    case "enum":
      return `${base}, [${t.enumName}](#${enumAnchor(t.enumName)})`;
    case "bool":
      return `${base}, 0 or 1`;
    case "errPtr":
      return `${base}, pointer to a u32`;
    case "outPtr":
      return `${base}, pointer to ${t.size} bytes`;
    case "kindValue":
      return `${base}, encoded by \`${t.kindParam}\``;
    default:
      return base;
  }
}

/**
 * A link to function `name` from profile `from`: within the page when the profile has
 * it, else to the page of the profile that has it (the latest for a predecessor,
 * the earliest for a successor).
 */
function fnLink(spec: AbiSpec, from: Profile, name: string, direction: "before" | "after"): string {
  const profiles = spec.profiles.filter((e) => spec.functions.some((f) => f.name === name && f.profiles.includes(e.id)));
  if (profiles.some((e) => e.id === from.id)) return `[\`${name}\`](#${fnAnchor(name)})`;
  const target = direction === "before" ? profiles[profiles.length - 1] : profiles[0];
  if (target === undefined) return `\`${name}\``;
  return `[\`${name}\`](${profilePage(target)}#${fnAnchor(name)}) (${target.id})`;
}

function exportLink(spec: AbiSpec, from: Profile, name: string, direction: "before" | "after"): string {
  const profiles = spec.profiles.filter((e) => spec.exports.some((x) => x.name === name && x.profiles.includes(e.id)));
  if (profiles.some((e) => e.id === from.id)) return `[\`${name}\`](#${exportAnchor(name)})`;
  const target = direction === "before" ? profiles[profiles.length - 1] : profiles[0];
  if (target === undefined) return `\`${name}\``;
  return `[\`${name}\`](${profilePage(target)}#${exportAnchor(name)}) (${target.id})`;
}

/** The values of an enum parameter: a nested list, or one line for a long enum. */
function enumValueList(e: EnumDesc | undefined, indent: string): string[] {
  if (e === undefined) return [];
  if (e.values.length > 8) return [`${indent}- Values: ${e.values.map((v) => `${v.value} ${v.name}`).join(", ")}.`];
  return e.values.map((v) => `${indent}- ${v.value}: ${v.name}`);
}

/** Text for a table cell: one line, pipes escaped (GFM splits cells on them even in code spans). */
function cell(text: string): string {
  return oneLine(text).replace(/\|/g, "\\|");
}

function functionEntry(spec: AbiSpec, profile: Profile, fn: HostFn): string {
  const out: string[] = [anchor(fnAnchor(fn.name)), `#### \`${mdSignature(fn)}\``, "", paragraphs(fn.doc), ""];
  out.push("**Parameters**", "");
  if (fn.params.length === 0) out.push("- None");
  for (const p of fn.params) {
    out.push(`- \`${p.name}\` (${paramKindText(p)}): ${oneLine(p.doc)}`);
    if (p.type.kind === "enum") {
      const enumName = p.type.enumName;
      out.push(...enumValueList(spec.enums.find((e) => e.name === enumName), "  "));
    }
  }
  out.push("", "**Return value**", "");
  const err = describeErrorConv(fn.result.error, fn.result);
  const r = mdResultType(fn);
  out.push(r === null ? `- None. ${err}` : `- (${r}) ${resultText(fn)} ${err}`);
  const notes: string[] = [];
  notes.push(`**IG releases:** ${releaseRangeText(fn.releases)}`);
  if (fn.replaces !== null) notes.push(`**Replaces:** ${fnLink(spec, profile, fn.replaces, "before")}`);
  if (fn.replacedBy !== null) notes.push(`**Replaced by:** ${fnLink(spec, profile, fn.replacedBy, "after")}`);
  if (notes.length > 0) out.push("", notes.join("  \n"));
  return out.join("\n");
}

function exportEntry(spec: AbiSpec, profile: Profile, e: GuestExport): string {
  const out: string[] = [anchor(exportAnchor(e.name)), `### \`${mdExportSignature(e)}\``, ""];
  out.push(`${e.required ? "**Required.**" : "**Optional.**"} ${docLines(e.doc).join("\n")}`, "");
  if (e.params.length > 0) {
    out.push("**Parameters**", "");
    for (const p of e.params) {
      const type = p.type.kind === "handle" ? `${exportParamScalar(p)}, ${p.type.handleType} handle` : exportParamScalar(p);
      out.push(`- \`${p.name}\` (${type}): ${oneLine(p.doc)}`);
    }
    out.push("");
  }
  out.push("**Return value**", "");
  const r = exportResultScalar(e);
  out.push(r === null ? "- None" : `- (${r})${e.result.doc === "" ? "" : ` ${oneLine(e.result.doc)}`}`);
  const notes: string[] = [];
  if (e.replaces !== null) notes.push(`**Replaces:** ${exportLink(spec, profile, e.replaces, "before")}`);
  if (e.replacedBy !== null) notes.push(`**Replaced by:** ${exportLink(spec, profile, e.replacedBy, "after")}`);
  if (notes.length > 0) out.push("", notes.join("  \n"));
  return out.join("\n");
}

/** Rows of the data-type table for the type words the profile's signatures use. */
function dataTypes(fns: readonly HostFn[], exports: readonly GuestExport[]): string[] {
  const used = new Set<string>();
  for (const fn of fns) {
    for (const p of fn.params) used.add(mdParamType(p));
    const r = mdResultType(fn);
    if (r !== null) used.add(r);
  }
  for (const e of exports) {
    for (const p of e.params) used.add(exportParamScalar(p));
    const r = exportResultScalar(e);
    if (r !== null) used.add(r);
  }
  const rows: [string, string, string][] = [
    ["u32", "i32", "Unsigned 32-bit integer. Handles, enum values, booleans (0 or 1) and addresses in the module's memory are u32."],
    ["i32", "i32", "Signed 32-bit integer."],
    ["u64", "i64", "Unsigned 64-bit integer. Field values travel as u64 too (see below)."],
    ["i64", "i64", "Signed 64-bit integer."],
    ["string", "i64", "UTF-8 text in the module's memory, packed as below. 0 is the empty string."],
    ["bytes", "i64", "Bytes in the module's memory, packed as below."],
    ["dst", "i64", "A destination buffer in the module's memory, packed as below: the host writes at most `length` bytes at `address`."],
  ];
  return [
    "| Type | Wasm type | Meaning |",
    "|---|---|---|",
    ...rows.filter(([t]) => used.has(t)).map(([t, w, m]) => `| \`${t}\` | \`${w}\` | ${m} |`),
  ];
}

const PACKING = [
  "```",
  "  63                 32 31                  0",
  " +---------------------+---------------------+",
  " |       length        |       address       |",
  " +---------------------+---------------------+",
  "```",
];

/** How each value of a kind enum (an enum whose values carry sizes) travels in a u64. */
function kindEncoding(e: EnumDesc): string[] {
  const rows = e.values.map((v) => {
    let enc: string;
    if (v.size !== undefined) {
      const bits = v.size * 8;
      if (v.float) enc = bits < 64 ? `IEEE-754 bits in the low ${bits} bits` : "IEEE-754 bits";
      else if (v.signed) enc = bits < 64 ? `sign-extended from ${bits} bits` : "as is";
      else enc = bits < 64 ? `zero-extended from ${bits} bits` : "as is";
    } else enc = v.value === 0 ? "—" : "packed buffer";
    return `| ${v.value} | ${v.name} | ${v.size ?? "—"} | ${enc} | ${cell(v.doc)} |`;
  });
  return [
    `How a value of each \`${e.name}\` travels in a u64:`,
    "",
    "| Value | Kind | Size (bytes) | In the u64 | Description |",
    "|---|---|---|---|---|",
    ...rows,
  ];
}

function profileDoc(spec: AbiSpec, profile: Profile): GeneratedFile {
  const fns = profileFunctions(spec, profile);
  const exports = profileExports(spec, profile);
  const enums = enumsOfProfile(spec, profile);
  const out: string[] = [];
  out.push(`# ${spec.abi}: ${profile.title}`, "");
  const modules = `\`${profile.module}\``;
  out.push(`IG releases: ${profile.releases.join(", ")}.`, "");
  out.push(`Import module: ${modules}. API version: ${spec.apiVersion}. [All profiles](README.md).`, "");
  out.push(paragraphs(spec.doc), "", paragraphs(profile.doc), "");

  out.push("## Data types", "", ...dataTypes(fns, exports), "");
  out.push("`string`, `bytes` and `dst` values are one 64-bit integer each:", "", ...PACKING, "");
  for (const e of enums.filter((x) => x.values.some((v) => v.size !== undefined))) out.push(...kindEncoding(e), "");

  if (spec.handleTypes.length > 0) {
    out.push("## Handles", "", "Every host object the module sees is a u32 handle.", "");
    for (const h of spec.handleTypes) out.push(`- \`${h.name}\`: ${oneLine(h.doc)}`);
    out.push("");
  }

  if (spec.constants.length > 0) {
    out.push("## Constants", "", "| Name | Value | Description |", "|---|---|---|");
    for (const c of spec.constants) out.push(`| \`${c.name}\` | ${numberText(c.value)} | ${cell(c.doc)} |`);
    out.push("");
  }

  if (enums.length > 0) {
    out.push("## Enums", "");
    for (const e of enums) {
      out.push(anchor(enumAnchor(e.name)), `### ${e.name}`, "", paragraphs(e.doc), "");
      if (e.wire === "i64") out.push("Travels as a u64.", "");
      out.push("| Value | Name | Description |", "|---|---|---|");
      for (const v of e.values) out.push(`| ${v.value} | ${v.name} | ${cell(v.doc)} |`);
      out.push("");
    }
  }

  out.push("## API", "");
  for (const family of spec.families) {
    const famFns = fns.filter((fn) => fn.family === family.name);
    if (famFns.length === 0) continue;
    out.push(`### ${family.title}`, "");
    if (family.doc.trim() !== "") out.push(paragraphs(family.doc), "");
    for (const fn of famFns) out.push(functionEntry(spec, profile, fn), "");
  }

  out.push("## Guest exports", "");
  if (exports.length === 0) out.push("This profile defines no guest exports.", "");
  else {
    out.push("Functions of the module that the host calls. A required export must be present; the host skips an optional one the module does not export.", "");
    for (const e of exports) out.push(exportEntry(spec, profile, e), "");
  }

  const content = `${generatedHeader(profileSources(spec, profile, true), "markdown")}\n${out.join("\n").trimEnd()}\n`;
  return { path: `${DOCS_DIR}/${profilePage(profile)}`, content };
}

/**
 * What tells the variants of one function apart, per variant: the parameters
 * (and result) whose types differ, or the whole signature when the parameter
 * lists differ in length. Empty for a function with one variant.
 */
function variantLabels(variants: readonly HostFn[]): string[] {
  if (variants.length < 2) return variants.map(() => "");
  const sameArity = variants.every((v) => v.params.length === variants[0].params.length);
  if (!sameArity) return variants.map((v) => `(${v.params.map((p) => `${p.name}: ${paramTypeText(p.type)}`).join(", ")}) -> ${resultTypeText(v.result.type)}`);
  const differing = variants[0].params
    .map((_, i) => i)
    .filter((i) => variants.some((v) => `${v.params[i].name}: ${paramTypeText(v.params[i].type)}/${v.params[i].wire}` !== `${variants[0].params[i].name}: ${paramTypeText(variants[0].params[i].type)}/${variants[0].params[i].wire}`));
  const resultDiffers = variants.some((v) => resultTypeText(v.result.type) !== resultTypeText(variants[0].result.type) || v.result.wire !== variants[0].result.wire);
  return variants.map((v) => {
    const parts = differing.map((i) => `${v.params[i].name}: ${paramTypeText(v.params[i].type)}`);
    if (resultDiffers) parts.push(`-> ${resultTypeText(v.result.type)}`);
    return parts.length > 0 ? parts.join(", ") : "variant";
  });
}

function readme(spec: AbiSpec): GeneratedFile {
  const out: string[] = [`# ${spec.abi} reference`, "", paragraphs(spec.doc), "", "## Profiles", ""];
  out.push("| Profile | Import module | Functions | Exports | Description |", "|---|---|---|---|---|");
  for (const profile of spec.profiles) {
    const modules = `\`${profile.module}\``;
    out.push(`| [${cell(profile.title)}](${profilePage(profile)}) | ${modules} | ${profileFunctions(spec, profile).length} | ${profileExports(spec, profile).length} | ${cell(profile.doc)} |`);
  }
  out.push("", "## Host functions by profile", "");
  out.push("A cell links to the function's entry in that profile; functions with several variants show what differs.", "");
  out.push(`| Function | ${spec.profiles.map((e) => e.id).join(" | ")} | Notes |`, `|---|${spec.profiles.map(() => "---|").join("")}---|`);
  const names = [...new Set(spec.functions.map((f) => f.name))];
  for (const name of names) {
    const variants = spec.functions.filter((f) => f.name === name);
    const labels = variantLabels(variants);
    const cells = spec.profiles.map((profile) => {
      const i = variants.findIndex((v) => v.profiles.includes(profile.id));
      if (i === -1) return "—";
      const label = labels[i] === "" ? "✓" : `\`${labels[i]}\``;
      return `[${label}](${profilePage(profile)}#${fnAnchor(name)})`;
    });
    const notes = new Set<string>();
    for (const v of variants) {
      notes.add(releaseRangeText(v.releases));
      if (v.replaces !== null) notes.add(`replaces \`${v.replaces}\``);
      if (v.replacedBy !== null) notes.add(`replaced by \`${v.replacedBy}\``);
    }
    out.push(`| \`${name}\` | ${cells.join(" | ")} | ${[...notes].join("; ")} |`);
  }
  if (spec.exports.length > 0) {
    out.push("", "## Guest exports by profile", "");
    out.push(`| Export | ${spec.profiles.map((e) => e.id).join(" | ")} | Notes |`, `|---|${spec.profiles.map(() => "---|").join("")}---|`);
    for (const name of [...new Set(spec.exports.map((e) => e.name))]) {
      const variants = spec.exports.filter((e) => e.name === name);
      const cells = spec.profiles.map((profile) => {
        const v = variants.find((x) => x.profiles.includes(profile.id));
        return v === undefined ? "—" : `[${v.required ? "required" : "optional"}](${profilePage(profile)}#${exportAnchor(name)})`;
      });
      const notes = new Set<string>();
      for (const v of variants) {
        if (v.replaces !== null) notes.add(`replaces \`${v.replaces}\``);
        if (v.replacedBy !== null) notes.add(`replaced by \`${v.replacedBy}\``);
      }
      out.push(`| \`${name}\` | ${cells.join(" | ")} | ${[...notes].join("; ")} |`);
    }
  }
  const src = sources(
    sectionSources(spec, "abi"),
    spec.families.map(familySource),
    spec.exports.map((e) => specPath(e.loc.specFile)),
  );
  return { path: `${DOCS_DIR}/README.md`, content: `${generatedHeader(src, "markdown")}\n${out.join("\n")}\n` };
}

export function emitMarkdown(spec: AbiSpec): GeneratedFile[] {
  return [readme(spec), ...spec.profiles.map((profile) => profileDoc(spec, profile))];
}
