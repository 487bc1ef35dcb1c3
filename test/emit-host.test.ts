/**
 * Line assertions on the TypeScript host emitters, over small inline specs: a
 * failure names one feature. The last block runs generated shims (transpiled
 * on the fly) against a real GuestMemory to check what they do, not only what
 * they say.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { emitConstants } from "../codegen/emit/constants.js";
import { emitDescriptors } from "../codegen/emit/descriptors.js";
import { emitHost } from "../codegen/emit/host.js";
import { emitHostTs } from "../codegen/emit/index.js";
import { emitTypes } from "../codegen/emit/types.js";
import { wrapLines } from "../codegen/emit/wrap.js";
import type { GeneratedFile } from "../codegen/generated-file.js";
import type { AbiSpec } from "../codegen/model.js";
import { loadSpec, parseSpec } from "../codegen/parse.js";
import { createShimContext, readU32, type ShimContext } from "../runtime/abi/index.js";

const ROOT = resolve(import.meta.dirname, "..");

const PRELUDE = `
abi: test
apiVersion: 1
doc: A test ABI.
releases:
  - { tag: v0.38.0, date: 2025-03-03, commit: 14d447c35 }
  - { tag: v0.43.0, date: 2025-07-31, commit: a6e9af1be }
modules:
  - { name: env, releases: v0.38.0, source: [pkg/operators/wasm/wasm.go@14d447c35] }
  - { name: ig, releases: "v0.43.0 -", source: [pkg/operators/wasm/wasm.go@a6e9af1be] }
handleTypes:
  - { name: Field, doc: A field. }
  - { name: Data, doc: A record. }
constants:
  - { name: MaxThings, value: 4096, doc: Most things. }
  - { name: TopBit, value: 0x80000000, doc: Bit 31. }
enums:
  - name: FieldKind
    releases: "v0.38.0 -"
    doc: Kinds of values.
    values:
      - { name: Invalid, value: 0, doc: Not a kind. }
      - { name: Int8, value: 1, size: 1, signed: true, doc: Signed byte. }
      - { name: Float32, value: 2, size: 4, float: true, doc: A float. }
      - { name: String, value: 3, doc: Text. }
      - { name: Bytes, value: 5, doc: Raw bytes. }
`;

function specOf(functions: string, family = "field", prelude = PRELUDE): AbiSpec {
  const text = `${prelude}
families:
  - family: { name: ${family}, title: Fields, doc: Field access. }
    functions:
${functions.replace(/^/gm, "      ")}
`;
  return parseSpec([{ file: "test.yaml", text }]);
}

function file(files: readonly GeneratedFile[], path: string): string {
  const f = files.find((x) => x.path === path);
  if (f === undefined) throw new Error(`no ${path} among ${files.map((x) => x.path).join(", ")}`);
  return f.content;
}

function lines(text: string): string[] {
  return text.split("\n").map((l) => l.trim());
}

/** One shim factory of a shared file, from its `export function <name>Shim(` line to its closing `}`. */
function shim(text: string, name: string): string {
  const start = text.indexOf(`export function ${name}Shim(`);
  if (start < 0) throw new Error(`no shim ${name}`);
  const end = text.indexOf("\n}\n", start);
  return text.slice(start, end + 2);
}

/** The doc comment right before the first occurrence of `decl`. */
function docBefore(text: string, decl: string): string {
  const at = text.indexOf(decl);
  if (at < 0) throw new Error(`no ${decl}`);
  return text.slice(text.lastIndexOf("/**", at), at);
}

const STATUS_FN = `
- name: fieldAddTag
  releases: v0.43.0
  source: [pkg/operators/wasm/fields.go@a6e9af1be]
  doc: Adds a tag.
  params:
    - { name: field, type: "handle<Field>", doc: The field. }
    - { name: tag, type: str, doc: The tag. }
  returns: { type: status, onError: 1 }
`;

const ERRPTR_FN = `
- name: fieldGetScalar
  releases: v0.43.0
  source: [pkg/operators/wasm/fields.go@a6e9af1be]
  doc: Reads a scalar. More text here.
  params:
    - { name: field, type: "handle<Field>", doc: The field. }
    - { name: data, type: "handle<Data>", doc: The record. }
    - { name: kind, type: "enum<FieldKind>", doc: The kind. }
    - { name: err, type: errPtr, doc: Error word. }
  returns: { type: u64, doc: The value., onError: { errPtr: err } }
`;

const EMPTY_FN = `
- name: readNext
  releases: v0.43.0
  source: [pkg/operators/wasm/fields.go@a6e9af1be]
  doc: Copies the next record.
  params:
    - { name: data, type: "handle<Data>", doc: The record. }
    - { name: dst, type: dst, doc: Destination. }
  returns: { type: bytesToDst, dst: dst, report: status, emptyValue: 2, onError: 1 }
`;

const COUNT_FN = `
- name: copyOut
  releases: "v0.38.0 - v0.43.0"
  source: [pkg/operators/wasm/fields.go@a6e9af1be]
  doc: Copies bytes.
  params:
    - { name: default, type: u32, doc: A keyword. }
    - { name: dst, type: dst, doc: Destination. }
  returns: { type: bytesToDst, dst: dst, report: count, onError: -1 }
`;

const OUTPTR_FN = `
- name: fillArea
  releases: v0.43.0
  source: [pkg/operators/wasm/fields.go@a6e9af1be]
  doc: Fills eight bytes.
  params:
    - { name: ptr, type: outPtr, wire: i64, size: 8, doc: Area. }
  returns: { type: bytesToDst, dst: ptr, report: status, onError: 1 }
`;

const MISC_FNS = `
- name: logIt
  releases: "v0.38.0 - v0.43.0"
  source: [pkg/operators/wasm/fields.go@a6e9af1be]
  doc: Logs.
  params:
    - { name: msg, type: str, doc: Message. }
  returns: { type: none, onError: none }
- name: isOn
  releases: v0.43.0
  source: [pkg/operators/wasm/fields.go@a6e9af1be]
  doc: Whether on.
  params:
    - { name: on, type: bool, doc: Flag. }
  returns: { type: bool, onError: 0 }
- name: getOld
  releases: v0.38.0
  source: [pkg/operators/wasm/fields.go@a6e9af1be]
  doc: Old read.
  params:
    - { name: field, type: "handle<Field>", doc: The field. }
    - { name: kind, type: "enum<FieldKind>", doc: Kind. }
  returns: { type: scalarOrMalloc, onError: 0 }
- name: setValue
  releases: v0.43.0
  source: [pkg/operators/wasm/fields.go@a6e9af1be]
  doc: Sets a value.
  params:
    - { name: kind, type: "enum<FieldKind>", doc: Kind. }
    - { name: value, type: kindValue, kindParam: kind, doc: Value. }
  returns: { type: status, onError: 1 }
- name: newField
  releases: v0.43.0
  source: [pkg/operators/wasm/fields.go@a6e9af1be]
  doc: A field.
  params: []
  returns: { type: "handle<Field>", onError: 0 }
`;

const ALL = [STATUS_FN, ERRPTR_FN, EMPTY_FN, COUNT_FN, OUTPTR_FN, MISC_FNS].join("");

describe("host shims", () => {
  const files = emitHost(specOf(ALL));
  const shared = file(files, "host/shared/field.ts");
  const field = file(files, "host/v0.43/field.ts");

  it("a status function returns 0, and its error value on error", () => {
    const s = lines(shim(shared, "fieldAddTag"));
    expect(s).toContain("export function fieldAddTagShim(impl: FieldAddTagHost, ctx: ShimContext): FieldAddTagImport {");
    expect(s).toContain("return function fieldAddTag(field: number, tagPtr: number, tagLen: number): number {");
    expect(s).toContain(`impl.fieldAddTag((field >>> 0) as FieldHandle, readString(ctx.memory, tagPtr >>> 0, tagLen >>> 0, "tag"));`);
    expect(s).toContain("return 0;");
    expect(s).toContain(`ctx.fail("fieldAddTag", e);`);
    expect(s).toContain("return 1;");
  });

  it("an errPtr function sets the error word and returns 0 in both halves", () => {
    const s = lines(shim(shared, "fieldGetScalar"));
    // A line over 120 characters is broken at its outermost list (codegen/emit/wrap.ts).
    const at = s.indexOf("return returnWide(");
    expect(s.slice(at, at + 4)).toEqual([
      "return returnWide(",
      "ctx.wide,",
      "impl.fieldGetScalar((field >>> 0) as FieldHandle, (data >>> 0) as DataHandle, (kind >>> 0) as FieldKind),",
      ");",
    ]);
    expect(s).toContain("setErrorWord(ctx, err >>> 0);");
    expect(s).toContain("return returnHalves(ctx.wide, 0, 0);");
  });

  it("a str parameter decodes with readString", () => {
    expect(lines(shim(shared, "logIt"))).toContain(`impl.logIt(readString(ctx.memory, msgPtr >>> 0, msgLen >>> 0, "msg"));`);
  });

  it("a none/none function only logs its error", () => {
    const s = shim(shared, "logIt");
    expect(s).toContain(`} catch (e) {\n      ctx.fail("logIt", e);\n    }`);
    expect(s.slice(s.indexOf("\n") + 1).replace("return function", "")).not.toContain("return");
  });

  it("a keyword-named parameter gets a _ suffix everywhere", () => {
    expect(lines(shim(shared, "copyOut"))).toContain("return function copyOut(default_: number, dstPtr: number, dstLen: number): number {");
    expect(lines(shim(shared, "copyOut"))).toContain("const r = impl.copyOut(default_ >>> 0, dstLen);");
    expect(lines(shared)).toContain("copyOut(default_: number, capacity: number): Uint8Array | string;");
    expect(lines(shared)).toContain("* @param default_ A keyword.");
  });

  it("bytesToDst with emptyValue returns it for null, then copies into dst", () => {
    expect(lines(shim(shared, "readNext")).slice(1)).toEqual([
      "return function readNext(data: number, dstPtr: number, dstLen: number): number {",
      "try {",
      "dstPtr >>>= 0;",
      "dstLen >>>= 0;",
      "const r = impl.readNext((data >>> 0) as DataHandle, dstLen);",
      "if (r === null) return 2;",
      `writeInto(ctx.memory, dstPtr, dstLen, r, "dst");`,
      "return 0;",
      "} catch (e) {",
      `ctx.fail("readNext", e);`,
      "return 1;",
      "}",
      "};",
      "}",
    ]);
    expect(lines(shared)).toContain("readNext(data: DataHandle, capacity: number): Uint8Array | string | null;");
  });

  it("bytesToDst reporting count returns the bytes written", () => {
    expect(lines(shim(shared, "copyOut"))).toContain(`return writeInto(ctx.memory, dstPtr, dstLen, r, "dst");`);
    expect(lines(shim(shared, "copyOut"))).toContain("return -1;");
  });

  it("an i64 outPtr is converted and bounds-checked before the call", () => {
    const s = lines(shim(shared, "fillArea"));
    expect(s.slice(3, 6)).toEqual(["const ptrPtr = wideToNumber(ptrLo, ptrHi);", `checkRange(ctx.memory, ptrPtr, 8, "ptr");`, "const r = impl.fillArea(8);"]);
    expect(s).toContain(`writeInto(ctx.memory, ptrPtr, 8, r, "ptr");`);
  });

  it("bool, scalarOrMalloc, kindValue and handle results", () => {
    expect(lines(shim(shared, "isOn"))).toEqual(expect.arrayContaining(["const r = impl.isOn(on !== 0);", "return r ? 1 : 0;"]));
    expect(lines(shim(shared, "setValue"))).toContain(
      "impl.setValue((kind >>> 0) as FieldKind, kindValue(ctx.memory, FieldKindDecoding, kind >>> 0, valueLo, valueHi));",
    );
    expect(lines(shim(shared, "newField"))).toContain("return impl.newField();");
    expect(lines(shim(shared, "getOld"))).toEqual(
      expect.arrayContaining([`if (typeof r !== "object") return returnWide(ctx.wide, r);`, "return returnHalves(ctx.wide, mallocCopy(ctx, r), r.length);"]),
    );
  });

  it("the variant's one-method interface carries doc, params, returns, error line and trace", () => {
    const text = shared.slice(shared.indexOf("export interface FieldGetScalarHost {"));
    expect(lines(docBefore(text, "fieldGetScalar(field: FieldHandle"))).toEqual([
      "/**",
      "* Reads a scalar. More text here.",
      "* @param field The field.",
      "* @param data The record.",
      "* @param kind The kind.",
      "* @returns The value.",
      "* @throws Any error fails the call. On error writes the u32 1 at `err` (when it is not 0); the i64 result is then",
      "* meaningless.",
      "* @generated from ig.fieldGetScalar(field: handle<Field>, data: handle<Data>, kind: enum<FieldKind>, err: errPtr) ->",
      "* u64 [wire (i32, i32, i32, i32) -> i64]",
      "*/",
      "",
    ]);
    expect(lines(text).slice(lines(text).indexOf("export interface FieldGetScalarHost {")).filter((l) => l.endsWith(";"))[0]).toBe(
      "fieldGetScalar(field: FieldHandle, data: DataHandle, kind: FieldKind): number | bigint;",
    );
  });

  it("the trace of a variant of several profiles names the modules of all of them", () => {
    const trace = "* @generated from env|ig.copyOut(default: u32, dst: dst) -> bytesToDst(dst, count) [wire (i32, i64) -> i32]";
    expect(lines(docBefore(shared, "  copyOut(default_: number, capacity: number)"))).toContain(trace);
    expect(lines(docBefore(shared, "export type CopyOutImport ="))).toContain(trace);
    expect(lines(docBefore(shared, "export function copyOutShim("))).toContain(trace);
  });

  it("the shim doc is the first sentence, the variant's profiles and the trace", () => {
    const doc = docBefore(shared, "export function fieldGetScalarShim(");
    expect(lines(doc)).toContain("* Reads a scalar.");
    expect(doc).not.toContain("More text");
    expect(doc).toContain("The shim of `fieldGetScalar` (profile v0.43), backed by `impl`");
    expect(doc).toContain("@generated from ig.fieldGetScalar(");
  });

  it("the JS signature of a variant is a type alias of numbers, each i64 split in two", () => {
    expect(lines(shared)).toContain("export type FieldGetScalarImport = (field: number, data: number, kind: number, err: number) => number;");
    expect(lines(shared)).toContain("export type FillAreaImport = (ptrLo: number, ptrHi: number) => number;");
    expect(lines(shared)).toContain("export type LogItImport = (msgPtr: number, msgLen: number) => void;");
  });

  it("the shared file opens with the header, sorted type-only imports and the family doc", () => {
    expect(shared.split("\n").slice(0, 24)).toEqual([
      "// @generated by igwasm-gen from spec/test.yaml. DO NOT EDIT.",
      "// Regenerate with `npm run gen`.",
      "/* eslint-disable */",
      "",
      "import {",
      ...["type ShimContext", "checkRange", "kindValue", "mallocCopy", "readString", "returnHalves", "returnWide", "setErrorWord", "wideToNumber", "writeInto"].map((n) => `  ${n},`),
      `} from "../../../runtime/abi/index.js";`,
      `import { type FieldKind, FieldKindDecoding } from "../../constants.js";`,
      `import type { DataHandle, FieldHandle } from "../../types.js";`,
      "",
      "/*",
      " * Fields: each function variant once, for the profiles to compose.",
      " *",
      " * Field access.",
      " */",
    ]);
  });

  it("the profile file opens with the header and imports the shared variants", () => {
    const names = ["CopyOut", "FieldAddTag", "FieldGetScalar", "FillArea", "IsOn", "LogIt", "NewField", "ReadNext", "SetValue"];
    expect(field.split("\n").slice(0, 34)).toEqual([
      "// @generated by igwasm-gen from spec/test.yaml. DO NOT EDIT.",
      "// Regenerate with `npm run gen`.",
      "/* eslint-disable */",
      "",
      `import type { ShimContext } from "../../../runtime/abi/index.js";`,
      "import {",
      ...names.flatMap((n) => [`  type ${n}Host,`, `  type ${n}Import,`]),
      ...names.map((n) => `  ${n[0].toLowerCase()}${n.slice(1)}Shim,`),
      `} from "../shared/field.js";`,
    ]);
  });

  it("the profile's host contract extends the variants of the profile, in spec order", () => {
    const l = lines(field);
    const at = l.indexOf("export interface V0_43FieldHost");
    expect(l.slice(at, at + 10)).toEqual([
      "export interface V0_43FieldHost",
      "extends FieldAddTagHost,",
      ...["FieldGetScalarHost", "ReadNextHost", "CopyOutHost", "FillAreaHost", "LogItHost", "IsOnHost", "SetValueHost"].map((n) => `${n},`),
      "NewFieldHost {}",
    ]);
    expect(lines(file(files, "host/v0.38/field.ts"))).toContain("export interface V0_38FieldHost extends CopyOutHost, LogItHost, GetOldHost {}");
  });

  it("the profile's JS functions are an object type alias of the variants' signatures", () => {
    const old = lines(file(files, "host/v0.38/field.ts"));
    const at = old.indexOf("export type V0_38FieldImports = {");
    expect(old.slice(at, at + 5)).toEqual([
      "export type V0_38FieldImports = {",
      "readonly copyOut: CopyOutImport;",
      "readonly logIt: LogItImport;",
      "readonly getOld: GetOldImport;",
      "};",
    ]);
  });

  it("the profile's factory backs each import with its variant's shim", () => {
    const old = lines(file(files, "host/v0.38/field.ts"));
    expect(old).toContain("export function createV0_38FieldImports(impl: V0_38FieldHost, ctx: ShimContext): V0_38FieldImports {");
    expect(old.slice(old.indexOf("return {"), old.indexOf("};", old.indexOf("return {")) + 1)).toEqual([
      "return {",
      "copyOut: copyOutShim(impl, ctx),",
      "logIt: logItShim(impl, ctx),",
      "getOld: getOldShim(impl, ctx),",
      "};",
    ]);
  });

  it("each variant is emitted once, whatever the number of its profiles", () => {
    expect(shared.match(/export function copyOutShim\(/g)).toHaveLength(1);
    expect(shared.match(/export interface CopyOutHost \{/g)).toHaveLength(1);
    for (const path of ["host/v0.38/field.ts", "host/v0.43/field.ts"]) {
      expect(file(files, path)).not.toContain("impl.copyOut(");
      expect(lines(file(files, path))).toContain("copyOut: copyOutShim(impl, ctx),");
    }
  });

  it("one shared file per family, one file per profile and family, plus an index per profile", () => {
    expect(files.map((f) => f.path)).toEqual([
      "host/shared/field.ts",
      "host/v0.38/field.ts",
      "host/v0.38/trampolines.ts",
      "host/v0.38/index.ts",
      "host/v0.43/field.ts",
      "host/v0.43/trampolines.ts",
      "host/v0.43/index.ts",
    ]);
    expect(file(files, "host/v0.38/field.ts")).not.toContain("fieldGetScalar");
  });

  it("the profile index combines the families", () => {
    const index = lines(file(files, "host/v0.43/index.ts"));
    expect(index).toContain(`export * from "./field.js";`);
    expect(index).toContain("readonly field: V0_43FieldHost;");
    expect(index).toContain("export type V0_43Imports = V0_43FieldImports;");
    expect(index).toContain("export function createV0_43Imports(impl: V0_43HostImpl, ctx: ShimContext): V0_43Imports {");
    expect(index).toContain("...createV0_43FieldImports(impl.field, ctx),");
    expect(index).toContain("export function linkV0_43Imports(impl: V0_43HostImpl, ctx: ShimContext): WebAssembly.ModuleImports {");
    expect(index).toContain("return bindTrampolines(V0_43Trampolines, createV0_43Imports(impl, ctx), ctx.wide);");
    expect(index).toContain(`export const V0_43Module = "ig";`);
    expect(index.join("\n")).not.toContain("ExtraModules");
  });
});

describe("host variants of one name", () => {
  const SUBSCRIBE = `
- name: subscribe
  releases: v0.38.0
  source: [pkg/operators/wasm/fields.go@a6e9af1be]
  doc: Old subscribe.
  params:
    - { name: prio, type: u32, doc: Priority. }
  returns: { type: status, onError: 1 }
- name: subscribe
  releases: v0.43.0
  source: [pkg/operators/wasm/fields.go@a6e9af1be]
  doc: New subscribe.
  params:
    - { name: prio, type: u64, doc: Priority. }
  returns: { type: status, onError: 1 }
`;
  const files = emitHost(specOf(SUBSCRIBE));
  const shared = lines(file(files, "host/shared/field.ts"));

  it("the newest variant keeps the plain name, an older one gets its first profile's pascal id", () => {
    expect(shared).toContain("export interface SubscribeHost {");
    expect(shared).toContain("export interface SubscribeV0_38Host {");
    expect(shared).toContain("export type SubscribeV0_38Import = (prio: number) => number;");
    expect(shared).toContain("export type SubscribeImport = (prioLo: number, prioHi: number) => number;");
    expect(shared).toContain("export function subscribeV0_38Shim(impl: SubscribeV0_38Host, ctx: ShimContext): SubscribeV0_38Import {");
    expect(shared).toContain("export function subscribeShim(impl: SubscribeHost, ctx: ShimContext): SubscribeImport {");
  });

  it("each profile imports its own variant under the wire name", () => {
    expect(lines(file(files, "host/v0.38/field.ts"))).toContain("subscribe: subscribeV0_38Shim(impl, ctx),");
    expect(lines(file(files, "host/v0.43/field.ts"))).toContain("subscribe: subscribeShim(impl, ctx),");
  });

  it("a shared name that a profile name already takes is an error", () => {
    // Only the pre-release profile's pascal id (PreRelease) can be spelled by a function name.
    const clash = `
- name: preReleaseField
  releases: pre-release
  source: [pkg/operators/wasm/fields.go@0129e4256]
  doc: Named like the profile's family contract.
  params: []
  returns: { type: none, onError: none }
`;
    const prelude = PRELUDE.replace("  - { tag: v0.38.0", "  - { tag: pre-release, date: 2024-06-14, commit: 0129e4256 }\n  - { tag: v0.38.0").replace("name: env, releases: v0.38.0", `name: env, releases: "pre-release - v0.38.0"`);
    expect(() => emitHost(specOf(clash, "field", prelude))).toThrow("are both named PreReleaseFieldHost");
  });
});

describe("types and constants", () => {
  const spec = specOf(STATUS_FN);

  it("a branded type per handle type", () => {
    expect(lines(file(emitTypes(spec), "types.ts"))).toContain(`export type FieldHandle = number & { readonly __handle: "Field" };`);
  });

  it("constants, enums, profile ids and FieldKind tables", () => {
    const c = lines(file(emitConstants(spec), "constants.ts"));
    expect(c).toContain("export const ApiVersion = 1;");
    expect(c).toContain("export const MaxThings = 4096;");
    expect(c).toContain("export const TopBit = 0x80000000;");
    expect(c).toContain(`export const Profiles = ["v0.38", "v0.43"] as const;`);
    expect(c).toContain("export type ProfileId = (typeof Profiles)[number];");
    expect(c).toContain("export enum FieldKind {");
    expect(c).toContain("Float32 = 2,");
    expect(c).toContain("/** A float. */");
    expect(c).toContain("export const FieldKindSize: readonly number[] = [0, 1, 4, 0, 0, 0];");
    expect(c).toContain("export const FieldKindSigned: readonly boolean[] = [false, true, false, false, false, false];");
    expect(c).toContain("export const FieldKindFloat: readonly boolean[] = [false, false, true, false, false, false];");
    expect(c).toContain("return kind === FieldKind.String || kind === FieldKind.Bytes;");
  });
});

describe("descriptors", () => {
  const d = file(emitDescriptors(specOf(ALL)), "host/descriptors.ts");

  it("a name constant per function and a frozen record in spec order", () => {
    expect(lines(d)).toContain(`export const FieldGetScalarName = "fieldGetScalar";`);
    const at = d.indexOf("name: FieldGetScalarName,");
    const record = d.slice(d.lastIndexOf("{", at), d.indexOf("\n  },", at) + 5);
    expect(lines(record)).toEqual([
      "{",
      "name: FieldGetScalarName,",
      `family: "field",`,
      `profiles: ["v0.43"],`,
      "params: [",
      `{ name: "field", type: "handle<Field>", wire: "i32" },`,
      `{ name: "data", type: "handle<Data>", wire: "i32" },`,
      `{ name: "kind", type: "enum<FieldKind>", wire: "i32" },`,
      `{ name: "err", type: "errPtr", wire: "i32" },`,
      "],",
      `result: { type: "u64", wire: "i64" },`,
      `error: { kind: "errPtr", param: "err" },`,
      "},",
    ]);
    expect(d.indexOf("name: FieldAddTagName")).toBeLessThan(d.indexOf("name: FieldGetScalarName"));
  });

  it("profile modules and helpers", () => {
    expect(lines(d)).toContain(`"v0.38": { module: "env", releases: ["v0.38.0"] },`);
    expect(lines(d)).toContain("export function hostFunctionsOfProfile(profile: ProfileId): readonly HostFnDescriptor[] {");
  });

  it("one name constant per distinct name in the full spec", () => {
    const full = file(emitDescriptors(loadSpec(join(ROOT, "spec"))), "host/descriptors.ts");
    expect(full.match(/export const DataSourceSubscribeName = /g)).toHaveLength(1);
    expect(full.match(/name: DataSourceSubscribeName,/g)).toHaveLength(2);
  });
});

describe("emitHostTs", () => {
  it("is deterministic", () => {
    const spec = loadSpec(join(ROOT, "spec"));
    expect(emitHostTs(spec)).toEqual(emitHostTs(spec));
    expect(emitHostTs(loadSpec(join(ROOT, "spec")))).toEqual(emitHostTs(spec));
  });

  it("writes every file under a fixed path and re-exports them from index.ts", () => {
    const files = emitHostTs(specOf(ALL));
    expect(files.map((f) => f.path)).toEqual([
      "types.ts",
      "constants.ts",
      "host/descriptors.ts",
      "releases.ts",
      "host/shared/field.ts",
      "host/v0.38/field.ts",
      "host/v0.38/trampolines.ts",
      "host/v0.38/index.ts",
      "host/v0.43/field.ts",
      "host/v0.43/trampolines.ts",
      "host/v0.43/index.ts",
      "index.ts",
    ]);
    expect(lines(file(files, "index.ts"))).toEqual(expect.arrayContaining([`export * from "./types.js";`, `export * from "./host/v0.43/index.js";`]));
    for (const f of files) expect(f.content.startsWith("// @generated by igwasm-gen from spec/test.yaml. DO NOT EDIT.\n")).toBe(true);
  });

  it("names the spec files in headers", () => {
    const files = emitHostTs(loadSpec(join(ROOT, "spec")));
    expect(file(files, "host/v0.43/field.ts").split("\n")[0]).toBe("// @generated by igwasm-gen from spec/functions/field.yaml. DO NOT EDIT.");
    expect(file(files, "host/shared/field.ts").split("\n")[0]).toBe("// @generated by igwasm-gen from spec/functions/field.yaml. DO NOT EDIT.");
    expect(file(files, "types.ts").split("\n")[0]).toBe("// @generated by igwasm-gen from spec/abi.yaml. DO NOT EDIT.");
    // A header naming many files lists them on lines of their own, within 120 characters.
    const header = file(files, "host/descriptors.ts").split("\n").slice(0, 4);
    expect(header[0]).toBe("// @generated by igwasm-gen from 12 spec files. DO NOT EDIT. The files:");
    expect(header.join("\n")).toContain("spec/exports.yaml");
    expect(header.every((l) => l.length <= 120)).toBe(true);
  });
});

let loads = 0;

/**
 * Transpiles generated files (the host files and the constants they use) into
 * a fresh directory, next to a stand-in for runtime/abi that re-exports the
 * real one, and loads the one at `path`.
 */
async function loadShims(files: readonly GeneratedFile[], path: string): Promise<Record<string, unknown>> {
  const base = join(ROOT, "test", ".build", "emit-host");
  const dir = join(base, String(loads++));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(base, "runtime", "abi"), { recursive: true });
  writeFileSync(join(base, "runtime", "abi", "index.js"), `export * from ${JSON.stringify(pathToFileURL(join(ROOT, "runtime", "abi", "index.ts")).href)};\n`);
  for (const f of files) {
    const js = ts.transpileModule(f.content, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
    }).outputText;
    const out = join(dir, f.path.replace(/\.ts$/, ".js"));
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, js);
  }
  return (await import(pathToFileURL(join(dir, path.replace(/\.ts$/, ".js"))).href)) as Record<string, unknown>;
}

describe("generated shims at run time", () => {
  const SENTINEL = 0xaa;

  function setup(): { memory: WebAssembly.Memory; ctx: ShimContext; failures: string[] } {
    const memory = new WebAssembly.Memory({ initial: 1 });
    new Uint8Array(memory.buffer).fill(SENTINEL);
    const failures: string[] = [];
    const ctx = createShimContext({ memory: () => memory });
    ctx.fail = (fn, err) => void failures.push(`${fn}: ${(err as Error).message}`);
    return { memory, ctx, failures };
  }

  it("copies into dst, reports empty and errors, sets the error word", async () => {
    const mod = await loadShims([...emitHost(specOf(ALL)), ...emitConstants(specOf(ALL))], "host/v0.43/field.ts");
    const create = mod.createV0_43FieldImports as (impl: unknown, ctx: ShimContext) => Record<string, (...args: number[]) => unknown>;
    const { memory, ctx, failures } = setup();
    const u8 = (): Uint8Array => new Uint8Array(memory.buffer);
    let next: string | null = "hey";
    const calls: unknown[][] = [];
    const imports = create(
      {
        readNext: (data: number) => (calls.push(["readNext", data]), next),
        fieldGetScalar: (...args: unknown[]) => {
          calls.push(["fieldGetScalar", ...args]);
          throw new Error("bad handle type");
        },
        copyOut: () => new Uint8Array([1, 2, 3]),
      },
      ctx,
    );
    // readNext: the handle arrives unsigned (bit 31 set), "hey" lands at 100.
    expect(imports.readNext(-2147418111, 100, 8)).toBe(0);
    expect(calls[0]).toEqual(["readNext", 0x80010001]);
    expect([...u8().subarray(100, 104)]).toEqual([0x68, 0x65, 0x79, SENTINEL]);
    next = null;
    expect(imports.readNext(1, 100, 8)).toBe(2);
    // Too small a destination: error value, nothing written.
    next = "longer than four";
    expect(imports.readNext(1, 200, 4)).toBe(1);
    expect(u8()[200]).toBe(SENTINEL);
    // Out-of-bounds destination: the implementation runs, the write fails. As IG, which checks only
    // the bytes it writes (pkg/operators/wasm/helpers.go writeToDstBuffer, wazero Memory.Write; aeac857).
    const before = calls.length;
    expect(imports.readNext(1, 65534, 8)).toBe(1);
    expect(calls.length).toBe(before + 1);
    expect([...u8().subarray(65534, 65536)]).toEqual([SENTINEL, SENTINEL]);
    // count report.
    expect(imports.copyOut(7, 300, 3)).toBe(3);
    expect(imports.copyOut(7, 300, 2)).toBe(-1);
    // errPtr: the error word, and 0 in both halves of the i64 result.
    ctx.wide.words[0] = 0xdead;
    expect(imports.fieldGetScalar(1, 2, 3, 400)).toBe(0);
    expect(ctx.wide.words[0]).toBe(0);
    expect(readU32(ctx.memory, 400, "err")).toBe(1);
    expect(failures.map((f) => f.split(":")[0])).toEqual(["readNext", "readNext", "copyOut", "fieldGetScalar"]);
  });

  it("a profile's factory composes the shared shims, each profile its own instance", async () => {
    const files = [...emitHost(specOf(ALL)), ...emitConstants(specOf(ALL))];
    const old = await loadShims(files, "host/v0.38/index.ts");
    const current = await loadShims(files, "host/v0.43/index.ts");
    const { ctx } = setup();
    const copied: number[] = [];
    const impl = (n: number) => ({ copyOut: (k: number) => (copied.push(k), new Uint8Array(n)), logIt: () => {}, getOld: () => 0n });
    const createOld = old.createV0_38Imports as (impl: unknown, ctx: ShimContext) => Record<string, (...args: number[]) => unknown>;
    const createCurrent = current.createV0_43Imports as (impl: unknown, ctx: ShimContext) => Record<string, (...args: number[]) => unknown>;
    const a = createOld({ field: impl(2) }, ctx);
    const b = createCurrent({ field: impl(3) }, ctx);
    expect(Object.keys(a)).toEqual(["copyOut", "logIt", "getOld"]);
    expect(a.copyOut.name).toBe("copyOut");
    expect(a.copyOut).not.toBe(b.copyOut);
    expect(a.copyOut(1, 100, 8)).toBe(2);
    expect(b.copyOut(2, 100, 8)).toBe(3);
    expect(copied).toEqual([1, 2]);
  });
});

describe("line width", () => {
  it("no line of the generated host bindings is longer than 120 characters", () => {
    const long = emitHostTs(loadSpec(join(ROOT, "spec")))
      .filter((f) => f.path.startsWith("host/"))
      .flatMap((f) => f.content.split("\n").map((line, i) => ({ where: `${f.path}:${i + 1}`, line })))
      .filter(({ line }) => line.length > 120);
    expect(long.map(({ where, line }) => `${where}: ${line.length}`)).toEqual([]);
  });

  it("wrapLines breaks code at its outermost list and comments between words, never inside a string", () => {
    const code = `    return impl.call(${'"a, b, c"'.padEnd(60, " ")}, second(x, y), third, ${"z".repeat(30)});`;
    expect(wrapLines(code, 60).split("\n")).toEqual([
      "    return impl.call(",
      `      ${'"a, b, c"'.padEnd(60, " ").trimEnd()},`,
      "      second(x, y),",
      "      third,",
      `      ${"z".repeat(30)},`,
      "    );",
    ]);
    expect(wrapLines("   * one two three four five six", 20).split("\n")).toEqual(["   * one two three", "   * four five six"]);
    expect(wrapLines("short(a, b)", 60)).toBe("short(a, b)");
  });
});
