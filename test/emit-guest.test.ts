/**
 * Line assertions on the guest emitters (AssemblyScript, C, Markdown), over a
 * small inline spec: each test names one feature, so a failure says which.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { emitAssemblyScript } from "../codegen/emit/assemblyscript.js";
import { emitCHeaders } from "../codegen/emit/c-header.js";
import { emitGuestAndDocs } from "../codegen/emit/guest-index.js";
import { emitMarkdown } from "../codegen/emit/markdown.js";
import type { GeneratedFile } from "../codegen/generated-file.js";
import type { AbiSpec } from "../codegen/model.js";
import { loadSpec, parseSpec } from "../codegen/parse.js";

const SPEC_YAML = `
abi: test-abi
apiVersion: 1
doc: A test ABI.
releases:
  - { tag: v0.37.0, date: 2025-02-03, commit: ac3ba9801 }
  - { tag: v0.39.0, date: 2025-04-03, commit: 0705b83b1 }
modules:
  - { name: env, releases: v0.37.0, source: [pkg/operators/wasm/wasm.go@ac3ba9801] }
  - { name: ig, releases: "v0.39.0 -", source: [pkg/operators/wasm/wasm.go@0705b83b1] }
handleTypes:
  - { name: Field, doc: A field. }
  - { name: Data, doc: A record. }
constants:
  - { name: MaxHandles, value: 4096, doc: Live handles at most. }
  - { name: ElementFlag, value: 0x80000000, doc: "Bit 31: a | b." }
enums:
  - name: FieldKind
    releases: "v0.37.0 -"
    doc: Kinds.
    values:
      - { name: Invalid, value: 0, doc: Not a kind. }
      - { name: Uint32, value: 8, size: 4, doc: A u32. }
      - { name: CString, value: 13, doc: Text. }
  - name: ModeOld
    releases: "v0.37.0 -"
    doc: Old numbering.
    values: [{ name: A, value: 0, doc: A. }]
  - name: ModeNew
    releases: "v0.37.0 -"
    doc: New numbering.
    values: [{ name: A, value: 1, doc: A. }]
  - name: Flags
    releases: "v0.37.0 -"
    wire: i64
    doc: Wide flags.
    values: [{ name: Any, value: 0, doc: Any. }]
exports:
  - { name: gadgetAPIVersion, releases: v0.39.0, source: [pkg/operators/wasm/fields.go@0705b83b1], required: true, doc: The version., params: [], returns: { type: u64, doc: Must be 1. } }
  - name: cb
    releases: "v0.37.0 -"
    source: [pkg/operators/wasm/fields.go@0705b83b1]
    doc: The callback.
    params: [{ name: id, type: u64, doc: The id. }, { name: data, type: "handle<Data>", doc: The record. }]
    returns: { type: none }
families:
  - family: { name: field, title: Fields, doc: Field access. }
    functions:
      - name: fieldGet
        releases: v0.37.0
        source: [pkg/operators/wasm/fields.go@0705b83b1]
        replacedBy: fieldGetScalar
        doc: Reads a field.
        params:
          - { name: field, type: "handle<Field>", doc: The field. }
          - { name: data, type: "handle<Data>", doc: The record. }
          - { name: kind, type: "enum<FieldKind>", doc: The kind. }
        returns: { type: scalarOrMalloc, onError: 0 }
      - name: fieldGetScalar
        releases: v0.39.0
        source: [pkg/operators/wasm/fields.go@0705b83b1]
        replaces: fieldGet
        doc: Reads a scalar.
        params:
          - { name: field, type: "handle<Field>", doc: The field. }
          - { name: data, type: "handle<Data>", doc: The record. }
          - { name: kind, type: "enum<FieldKind>", doc: The kind. }
          - { name: err, type: errPtr, doc: Error word address. }
        returns: { type: u64, doc: The value., onError: { errPtr: err } }
      - name: fieldGetBuffer
        releases: v0.39.0
        source: [pkg/operators/wasm/fields.go@0705b83b1]
        doc: Copies a value.
        params:
          - { name: field, type: "handle<Field>", doc: The field. }
          - { name: dst, type: dst, doc: Where to. }
        returns: { type: bytesToDst, dst: dst, report: count, onError: -1 }
  - family: { name: misc, title: Misc, doc: Other things. }
    functions:
      - name: subscribe
        releases: v0.37.0
        source: [pkg/operators/wasm/fields.go@0705b83b1]
        doc: Old subscribe.
        params: [{ name: type, type: "enum<ModeOld>", doc: Mode. }]
        returns: { type: status, onError: 1 }
      - name: subscribe
        releases: v0.39.0
        source: [pkg/operators/wasm/fields.go@0705b83b1]
        doc: New subscribe.
        params: [{ name: type, type: "enum<ModeNew>", doc: Mode. }]
        returns: { type: status, onError: 1 }
      - name: keywords
        releases: "v0.37.0 -"
        source: [pkg/operators/wasm/fields.go@0705b83b1]
        doc: Parameters named like keywords.
        params:
          - { name: type, type: u32, doc: AS keyword. }
          - { name: i32, type: i32, doc: AS type name. }
          - { name: int, type: u32, doc: C keyword. }
          - { name: default, type: "enum<Flags>", doc: Keyword everywhere. }
          - { name: wide, type: i64, doc: Signed 64. }
          - { name: msg, type: str, doc: Text. }
        returns: { type: i32, doc: A number., onError: -1 }
      - { name: tick, releases: "v0.37.0 -", source: [pkg/operators/wasm/fields.go@0705b83b1], doc: No parameters., params: [], returns: { type: none, onError: none } }
`;

function spec(): AbiSpec {
  return parseSpec([{ file: "inline.yaml", text: SPEC_YAML }]);
}

function file(files: readonly GeneratedFile[], path: string): string {
  const f = files.find((x) => x.path === path);
  if (!f) throw new Error(`no ${path} among ${files.map((x) => x.path).join(", ")}`);
  return f.content;
}

function lines(content: string): string[] {
  return content.split("\n");
}

describe("AssemblyScript bindings", () => {
  const files = emitAssemblyScript(spec());
  const field = lines(file(files, "guest/assemblyscript/v0.39/field.ts"));

  it("imports from the profile's main module, with the decorator line and wire types", () => {
    expect(field).toContain(`@external("ig", "fieldGetScalar")`);
    expect(field).toContain("export declare function fieldGetScalar(field: u32, data: u32, kind: u32, err: usize): u64;");
    const at = field.indexOf(`@external("ig", "fieldGetScalar")`);
    expect(field[at - 1]).toBe("// @ts-ignore: decorator");
  });

  it("uses the old profile's module for its functions", () => {
    const old = lines(file(files, "guest/assemblyscript/v0.37/field.ts"));
    expect(old).toContain(`@external("env", "fieldGet")`);
    expect(old).toContain("export declare function fieldGet(field: u32, data: u32, kind: u32): u64;");
  });

  it("gives a count-or-minus-one result a signed type", () => {
    expect(field).toContain("export declare function fieldGetBuffer(field: u32, dst: u64): i32;");
  });

  it("renames keyword parameters with a trailing underscore and keeps signed meanings", () => {
    const misc = lines(file(files, "guest/assemblyscript/v0.39/misc.ts"));
    expect(misc).toContain("export declare function keywords(type_: u32, i32_: i32, int: u32, default_: u64, wide: i64, msg: u64): i32;");
    expect(misc).toContain("export declare function tick(): void;");
    expect(misc).toContain(" * @param type_ AS keyword.");
  });

  it("documents params, packed values, the error convention and the wire trace", () => {
    expect(field).toContain(" * @param field The field. (Field handle)");
    expect(field).toContain(" * @param dst Where to. Packed (len << 32 | ptr) destination: the host writes at most len bytes at ptr.");
    expect(field).toContain(" * @returns The number of bytes written. Returns -1 on error.");
    expect(field).toContain(
      " * @generated from ig.fieldGetScalar(field: handle<Field>, data: handle<Data>, kind: enum<FieldKind>, err: errPtr) -> u64 [wire (i32, i32, i32, i32) -> i64]",
    );
  });

  it("re-exports the profile's families and the constants from the profile index", () => {
    expect(lines(file(files, "guest/assemblyscript/v0.39/index.ts"))).toEqual(
      expect.arrayContaining([`export * from "./field";`, `export * from "./misc";`, `export * from "../constants";`]),
    );
  });

  it("emits constants and enums with explicit values", () => {
    const c = lines(file(files, "guest/assemblyscript/constants.ts"));
    expect(c).toContain("export const ApiVersion: u64 = 1;");
    expect(c).toContain("export const MaxHandles: u32 = 4096;");
    expect(c).toContain("export const ElementFlag: u32 = 0x80000000;");
    expect(c).toContain("export enum FieldKind {");
    expect(c).toContain("  Uint32 = 8,");
    // AssemblyScript enums are i32: an i64 enum is a namespace of u64 constants.
    expect(c).toContain("export namespace Flags {");
    expect(c).toContain("  export const Any: u64 = 0;");
  });

  it("opens every file with the generated header", () => {
    for (const f of files) expect(f.content.startsWith("// @generated by igwasm-gen from spec/inline.yaml")).toBe(true);
  });
});

describe("C headers", () => {
  const h = lines(file(emitCHeaders(spec()), "guest/c/igwasm_v0.39.h"));
  const old = lines(file(emitCHeaders(spec()), "guest/c/igwasm_v0.37.h"));

  it("declares each import on one line with import_module/import_name", () => {
    expect(h).toContain(
      `__attribute__((import_module("ig"), import_name("fieldGetScalar"))) uint64_t fieldGetScalar(uint32_t field, uint32_t data, uint32_t kind, uint32_t err);`,
    );
    expect(h).toContain(`__attribute__((import_module("ig"), import_name("fieldGetBuffer"))) int32_t fieldGetBuffer(uint32_t field, uint64_t dst);`);
    expect(h).toContain(`__attribute__((import_module("ig"), import_name("tick"))) void tick(void);`);
  });

  it("renames C keywords and keeps signed meanings", () => {
    expect(h).toContain(
      `__attribute__((import_module("ig"), import_name("keywords"))) int32_t keywords(uint32_t type, int32_t i32, uint32_t int_, uint64_t default_, int64_t wide, uint64_t msg);`,
    );
  });

  it("has an include guard, stdint, ig_pack, constants and prefixed enums", () => {
    expect(h).toContain("#ifndef IGWASM_V0_39_H");
    expect(h).toContain("#include <stdint.h>");
    expect(h).toContain("static inline uint64_t ig_pack(const void *ptr, uint32_t len) {");
    expect(h).toContain("#define IG_MAX_HANDLES 4096u");
    expect(h).toContain("#define IG_ELEMENT_FLAG 0x80000000u");
    expect(h).toContain("#define IG_API_VERSION 1ull");
    expect(h).toContain("typedef uint32_t ig_field_kind_t;");
    expect(h).toContain("  IG_FIELD_KIND_UINT32 = 8,");
    expect(h).toContain("  IG_FIELD_KIND_CSTRING = 13,");
    expect(h).toContain("typedef uint64_t ig_flags_t;");
  });

  it("keeps enums used only by other profiles' functions out", () => {
    expect(h).toContain("  IG_MODE_NEW_A = 1,");
    expect(h).not.toContain("  IG_MODE_OLD_A = 0,");
    expect(old).toContain("  IG_MODE_OLD_A = 0,");
    expect(old).not.toContain("  IG_MODE_NEW_A = 1,");
  });

  it("lists the profile's guest exports", () => {
    expect(h).toContain(" * required  uint64_t gadgetAPIVersion(void);");
    expect(h).toContain(" * optional  void cb(uint64_t id, uint32_t data);");
    expect(old).not.toContain(" * required  uint64_t gadgetAPIVersion(void);");
    expect(h).toContain("#define IG_EXPORT(name) __attribute__((export_name(#name)))");
  });
});

describe("Markdown reference", () => {
  const files = emitMarkdown(spec());
  const md = lines(file(files, "docs/v0.39.md"));

  it("heads each function with its signature in IG's style", () => {
    expect(md).toContain("#### `fieldGetScalar(u32 field, u32 data, u32 kind, u32 err) u64`");
    expect(md).toContain("#### `fieldGetBuffer(u32 field, dst dst) i32`");
    expect(md).toContain("#### `keywords(u32 type, i32 i32, u32 int, u64 default, i64 wide, string msg) i32`");
    expect(md).toContain("#### `tick()`");
  });

  it("lists parameters with enum values, the return value and the error convention", () => {
    expect(md).toContain("- `kind` (u32, [FieldKind](#enum-FieldKind)): The kind.");
    expect(md).toContain("  - 8: Uint32");
    expect(md).toContain("- (i32) The number of bytes written. Returns -1 on error.");
    expect(md).toContain("- None. No error is reported to the module; failures are only logged.");
  });

  it("links replacements across profiles and shows the IG releases", () => {
    expect(md).toContain("**IG releases:** v0.39.0 only  ");
    expect(md).toContain("IG releases: v0.39.0.");
    expect(md).toContain("**Replaces:** [`fieldGet`](v0.37.md#fn-fieldGet) (v0.37)");
    expect(lines(file(files, "docs/v0.37.md"))).toContain("**Replaced by:** [`fieldGetScalar`](v0.39.md#fn-fieldGetScalar) (v0.39)");
  });

  it("escapes pipes in table cells", () => {
    expect(md).toContain("| `ElementFlag` | 0x80000000 | Bit 31: a \\| b. |");
  });

  it("documents guest exports", () => {
    expect(md).toContain("### `gadgetAPIVersion() u64`");
    expect(md).toContain("**Required.** The version.");
    expect(md).toContain("- `data` (u32, Data handle): The record.");
  });

  it("indexes profiles and shows which variant each profile has", () => {
    const readme = lines(file(files, "docs/README.md"));
    expect(readme).toContain("| Function | v0.37 | v0.39 | Notes |");
    expect(readme).toContain(
      "| `subscribe` | [`type: enum<ModeOld>`](v0.37.md#fn-subscribe) | [`type: enum<ModeNew>`](v0.39.md#fn-subscribe) | v0.37.0 only; v0.39.0 only |",
    );
    expect(readme).toContain("| `fieldGetScalar` | — | [✓](v0.39.md#fn-fieldGetScalar) | v0.39.0 only; replaces `fieldGet` |");
    expect(readme).toContain("| `gadgetAPIVersion` | — | [required](v0.39.md#export-gadgetAPIVersion) |  |");
    expect(readme).toContain("| `keywords` | [✓](v0.37.md#fn-keywords) | [✓](v0.39.md#fn-keywords) | v0.37.0 and later |");
    expect(readme).toContain("| [IG v0.39.0](v0.39.md) | `ig` | 5 | 2 |  |");
  });
});

describe("emitGuestAndDocs", () => {
  it("is deterministic and sorted by path", () => {
    const a = emitGuestAndDocs(spec());
    const b = emitGuestAndDocs(spec());
    expect(b).toEqual(a);
    const paths = a.map((f) => f.path);
    expect(paths).toEqual([...paths].sort());
    expect(new Set(paths).size).toBe(paths.length);
  });

  it("on the full spec shows the dataSourceSubscribe variants by profile", () => {
    const readme = lines(file(emitGuestAndDocs(loadSpec(fileURLToPath(new URL("../spec", import.meta.url)))), "docs/README.md"));
    const released = ["v0.30", "v0.33", "v0.35", "v0.37", "v0.38", "v0.39", "v0.40", "v0.43"].map((p) => `[\`type: enum<SubscriptionType>\`](${p}.md#fn-dataSourceSubscribe)`);
    expect(readme).toContain(
      `| \`dataSourceSubscribe\` | [\`type: enum<SubscriptionTypeSeed>\`](pre-release.md#fn-dataSourceSubscribe) | ${released.join(" | ")} | pre-release only; v0.30.0 and later |`,
    );
  });
});
