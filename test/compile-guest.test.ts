/**
 * Compiles the guest bindings generated from the full spec and from every
 * fixture in test/specs/, and checks the resulting wasm against the model:
 *   - AssemblyScript: an entry per profile that calls every binding and touches
 *     every constant and enum, built with `asc --runtime stub`;
 *   - C: a file per profile that includes the header, calls every import and
 *     defines every guest export with IG_EXPORT, built with clang --target=wasm32.
 * Then every import must come from the profile's module with the wire signature
 * the model lowers it to (read from the binary's type and import sections),
 * and nothing else may be imported from that module. A negative control
 * shows the comparison catches a binding with the wrong result type.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { cExportSignature, cHeaderPath } from "../codegen/emit/c-header.js";
import { enumsOfProfile, profileExports, profileFunctions, exportResultScalar, screamingSnake } from "../codegen/emit/guest-common.js";
import { emitGuestAndDocs } from "../codegen/emit/guest-index.js";
import type { AbiSpec, Profile, WireType } from "../codegen/model.js";
import { safeIdentifier } from "../codegen/names.js";
import { loadSpec } from "../codegen/parse.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const BUILD = join(ROOT, "test/.build/compile-guest");
const ASC = join(ROOT, "node_modules/.bin/asc");

// ---- Reading signatures out of a wasm binary ----------------------------------

type ValType = "i32" | "i64" | "f32" | "f64" | "v128" | "funcref" | "externref";
interface FuncType {
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
}
interface WasmImport {
  readonly module: string;
  readonly name: string;
  readonly kind: "function" | "table" | "memory" | "global" | "tag";
  readonly type?: FuncType;
}
interface WasmExport {
  readonly name: string;
  readonly kind: "function" | "table" | "memory" | "global" | "tag";
  readonly type?: FuncType;
}

const VALTYPES: Record<number, ValType> = { 0x7f: "i32", 0x7e: "i64", 0x7d: "f32", 0x7c: "f64", 0x7b: "v128", 0x70: "funcref", 0x6f: "externref" };
const KINDS = ["function", "table", "memory", "global", "tag"] as const;

/** Reads the type, import, function and export sections: enough to know every import's and export's signature. */
function readSignatures(bytes: Uint8Array): { imports: WasmImport[]; exports: WasmExport[] } {
  let pos = 8; // magic + version
  const u32 = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[pos++];
      result += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if ((b & 0x80) === 0) return result;
    }
  };
  const name = (): string => {
    const len = u32();
    const s = new TextDecoder().decode(bytes.subarray(pos, pos + len));
    pos += len;
    return s;
  };
  const valtype = (): ValType => {
    const t = VALTYPES[bytes[pos++]];
    if (t === undefined) throw new Error(`unknown value type 0x${bytes[pos - 1].toString(16)}`);
    return t;
  };
  const vec = <T>(item: () => T): T[] => Array.from({ length: u32() }, item);
  const limits = (): void => {
    const flags = bytes[pos++];
    u32();
    if (flags & 1) u32();
  };
  const types: FuncType[] = [];
  const imports: WasmImport[] = [];
  const funcTypes: number[] = []; // function index space: imported functions first
  const rawExports: { name: string; kind: (typeof KINDS)[number]; index: number }[] = [];
  while (pos < bytes.length) {
    const id = bytes[pos++];
    const size = u32();
    const end = pos + size;
    if (id === 1) {
      for (let n = u32(); n > 0; n--) {
        if (bytes[pos++] !== 0x60) throw new Error("only function types are supported");
        types.push({ params: vec(valtype), results: vec(valtype) });
      }
    } else if (id === 2) {
      for (let n = u32(); n > 0; n--) {
        const module = name();
        const field = name();
        const kind = KINDS[bytes[pos++]];
        if (kind === "function") {
          const t = u32();
          funcTypes.push(t);
          imports.push({ module, name: field, kind, type: types[t] });
        } else {
          if (kind === "table") (pos++, limits());
          else if (kind === "memory") limits();
          else if (kind === "global") (valtype(), pos++);
          else (pos++, u32());
          imports.push({ module, name: field, kind });
        }
      }
    } else if (id === 3) {
      for (let n = u32(); n > 0; n--) funcTypes.push(u32());
    } else if (id === 7) {
      for (let n = u32(); n > 0; n--) {
        const field = name();
        const kind = KINDS[bytes[pos++]];
        rawExports.push({ name: field, kind, index: u32() });
      }
    }
    pos = end;
  }
  const exports = rawExports.map((e) => (e.kind === "function" ? { ...e, type: types[funcTypes[e.index]] } : e));
  return { imports, exports };
}

const sig = (t: FuncType | undefined): string => (t === undefined ? "(not a function)" : `(${t.params.join(", ")}) -> (${t.results.join(", ")})`);

interface Expected {
  readonly module: string;
  readonly name: string;
  readonly params: readonly WireType[];
  readonly result: WireType | null;
}

/** What the model says an profile's module imports. */
function expectedImports(spec: AbiSpec, profile: Profile): Expected[] {
  return profileFunctions(spec, profile).map((fn) => ({
    module: profile.module,
    name: fn.name,
    params: fn.params.map((p) => p.wire),
    result: fn.result.wire,
  }));
}

/**
 * Every difference between what the model expects and what the binary
 * imports, as readable lines: a missing import, one of the wrong kind or
 * signature, and any other import from the modules the model owns.
 */
function compareImports(expected: readonly Expected[], actual: readonly WasmImport[]): string[] {
  const problems: string[] = [];
  const modules = new Set(expected.map((e) => e.module));
  for (const e of expected) {
    const got = actual.find((a) => a.module === e.module && a.name === e.name);
    const want = sig({ params: e.params, results: e.result === null ? [] : [e.result] });
    if (!got) problems.push(`${e.module}.${e.name}: not imported`);
    else if (got.kind !== "function") problems.push(`${e.module}.${e.name}: imported as a ${got.kind}`);
    else if (sig(got.type) !== want) problems.push(`${e.module}.${e.name}: imported as ${sig(got.type)}, the model says ${want}`);
  }
  for (const a of actual) {
    if (modules.has(a.module) && !expected.some((e) => e.module === a.module && e.name === a.name)) {
      problems.push(`${a.module}.${a.name}: imported but not in the model`);
    }
  }
  return problems;
}

function run(cmd: string, args: readonly string[], cwd: string): void {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8" });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited with ${r.status}\n${r.stdout}\n${r.stderr}`);
}

function compileAs(dir: string, entry: string, source: string): Uint8Array<ArrayBuffer> {
  writeFileSync(join(dir, entry), source);
  const out = entry.replace(/\.ts$/, ".wasm");
  // `--use abort=` drops the runtime's env.abort import, so only the bindings' imports remain.
  run(ASC, [entry, "--outFile", out, "--runtime", "stub", "--use", "abort="], dir);
  return new Uint8Array(readFileSync(join(dir, out)));
}

// ---- Entry files generated from the model --------------------------------------

/** An AssemblyScript entry that calls every binding of the profile and reads every constant and enum value. */
function asEntry(spec: AbiSpec, profile: Profile): string {
  const fns = profileFunctions(spec, profile);
  const names = fns.map((f) => safeIdentifier(f.name, "as"));
  const consts = spec.constants.map((c) => safeIdentifier(c.name, "as"));
  const enums = spec.enums.map((e) => safeIdentifier(e.name, "as"));
  const imports = ["ApiVersion", ...consts, ...enums, ...names];
  const calls = fns.map((f, i) => `  ${names[i]}(${f.params.map(() => "0").join(", ")});`);
  const reads = [
    "  sink += ApiVersion;",
    ...consts.map((c) => `  sink += <u64>${c};`),
    ...spec.enums.flatMap((e) => e.values.map((v) => `  sink += <u64>${safeIdentifier(e.name, "as")}.${safeIdentifier(v.name, "as")};`)),
  ];
  return [
    `import { ${imports.join(", ")} } from "./guest/assemblyscript/${profile.id}/index";`,
    "let sink: u64 = 0;",
    "export function use(): u64 {",
    ...calls,
    ...reads,
    "  return sink;",
    "}",
    "",
  ].join("\n");
}

/** A C file that calls every import of the profile, uses every constant and enum value, and defines every export. */
function cSource(spec: AbiSpec, profile: Profile): string {
  const fns = profileFunctions(spec, profile);
  const calls = fns.map((f) => `  ${safeIdentifier(f.name, "c")}(${f.params.map(() => "0").join(", ")});`);
  // Every constant, and every value of the profile's enums, under its IG_ name.
  const macros = [
    "IG_API_VERSION",
    ...spec.constants.map((c) => `IG_${screamingSnake(c.name)}`),
    ...enumsOfProfile(spec, profile).flatMap((e) => e.values.map((v) => `IG_${screamingSnake(e.name)}_${screamingSnake(v.name)}`)),
  ];
  const exports = profileExports(spec, profile).map((e) => {
    const signature = cExportSignature(e).replace(`${e.name}(`, `test_export_${e.name}(`);
    const body = [...e.params.map((p) => `(void)${safeIdentifier(p.name, "c")};`), ...(exportResultScalar(e) === null ? [] : ["return 0;"])];
    return `IG_EXPORT(${e.name}) ${signature} { ${body.join(" ")} }`;
  });
  return [
    `#include "${cHeaderPath(profile)}"`,
    "uint64_t sink;",
    "void use(void) {",
    ...calls,
    ...macros.map((m) => `  sink += (uint64_t)${m};`),
    `  sink += ig_pack("abc", 3);`,
    "}",
    ...exports,
    "",
  ].join("\n");
}

// ---- The specs ---------------------------------------------------------------------

const SPECS: { id: string; path: string }[] = [
  { id: "spec", path: join(ROOT, "spec") },
  ...readdirSync(join(ROOT, "test/specs"))
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => ({ id: f.replace(/\.yaml$/, ""), path: join(ROOT, "test/specs", f) })),
];

interface Built {
  readonly spec: AbiSpec;
  readonly dir: string;
}

const built = new Map<string, Built>();

beforeAll(() => {
  rmSync(BUILD, { recursive: true, force: true });
  for (const s of SPECS) {
    const spec = loadSpec(s.path);
    const dir = join(BUILD, s.id);
    for (const f of emitGuestAndDocs(spec)) {
      mkdirSync(dirname(join(dir, f.path)), { recursive: true });
      writeFileSync(join(dir, f.path), f.content);
    }
    built.set(s.id, { spec, dir });
  }
});

const cases = SPECS.flatMap((s) => loadSpec(s.path).profiles.map((profile) => ({ spec: s.id, profile: profile.id })));

describe("AssemblyScript bindings compile and import what the model says", () => {
  it.each(cases)("$spec / $profile", ({ spec: id, profile: profileId }) => {
    const { spec, dir } = built.get(id)!;
    const profile = spec.profiles.find((e) => e.id === profileId)!;
    const bytes = compileAs(dir, `as-${profile.id}.ts`, asEntry(spec, profile));
    const mod = new WebAssembly.Module(bytes);
    for (const fn of profileFunctions(spec, profile)) {
      expect(WebAssembly.Module.imports(mod)).toContainEqual({ module: profile.module, name: fn.name, kind: "function" });
    }
    expect(compareImports(expectedImports(spec, profile), readSignatures(bytes).imports)).toEqual([]);
  });
});

const clang = spawnSync("clang", ["--version"], { encoding: "utf8" });
const haveClang = clang.status === 0;
if (!haveClang) console.warn(`compile-guest: skipping the C header builds: clang is not available (${clang.error?.message ?? clang.stderr}); CI installs it.`);

describe("C headers compile and import what the model says", () => {
  it.skipIf(!haveClang).each(cases)("$spec / $profile", ({ spec: id, profile: profileId }) => {
    const { spec, dir } = built.get(id)!;
    const profile = spec.profiles.find((e) => e.id === profileId)!;
    const source = join(dir, `c-${profile.id}.c`);
    writeFileSync(source, cSource(spec, profile));
    const out = join(dir, `c-${profile.id}.wasm`);
    run(
      "clang",
      ["--target=wasm32", "-std=c11", "-Wall", "-Wextra", "-Wstrict-prototypes", "-Werror", "-nostdlib", "-Wl,--no-entry", "-Wl,--export-all", "-Wl,--allow-undefined", "-O1", "-o", out, source],
      dir,
    );
    const bytes = new Uint8Array(readFileSync(out));
    const mod = new WebAssembly.Module(bytes);
    for (const fn of profileFunctions(spec, profile)) {
      expect(WebAssembly.Module.imports(mod)).toContainEqual({ module: profile.module, name: fn.name, kind: "function" });
    }
    const { imports, exports } = readSignatures(bytes);
    expect(compareImports(expectedImports(spec, profile), imports)).toEqual([]);
    // Every guest export, defined through IG_EXPORT with the signature the header documents, has the model's wire types.
    for (const e of profileExports(spec, profile)) {
      const got = exports.find((x) => x.name === e.name);
      expect(got, `export ${e.name}`).toBeDefined();
      expect(sig(got!.type)).toBe(sig({ params: e.params.map((p) => p.wire), results: e.result.wire === null ? [] : [e.result.wire] }));
    }
  });
});

describe("the signature check", () => {
  it("catches a hand-written binding with the wrong result type (negative control)", () => {
    const { spec, dir } = built.get("spec")!;
    const profile = spec.profiles.find((e) => e.id === "v0.43")!;
    const bytes = compileAs(
      dir,
      "wrong-binding.ts",
      [
        "// @ts-ignore: decorator",
        `@external("ig", "fieldGetScalar")`,
        "declare function fieldGetScalar(field: u32, data: u32, kind: u32, err: usize): u32;",
        "// @ts-ignore: decorator",
        `@external("ig", "gadgetLog")`,
        "declare function gadgetLog(level: u32, msg: u32): void;",
        "export function use(): u32 { gadgetLog(0, 0); return fieldGetScalar(0, 0, 0, 0); }",
        "",
      ].join("\n"),
    );
    const expected = expectedImports(spec, profile).filter((e) => e.name === "fieldGetScalar" || e.name === "gadgetLog");
    expect(compareImports(expected, readSignatures(bytes).imports)).toEqual([
      "ig.gadgetLog: imported as (i32, i32) -> (), the model says (i32, i64) -> ()",
      "ig.fieldGetScalar: imported as (i32, i32, i32, i32) -> (i32), the model says (i32, i32, i32, i32) -> (i64)",
    ]);
  });

  it("catches a missing import and one the model does not know", () => {
    const expected: Expected[] = [{ module: "ig", name: "a", params: ["i32"], result: null }];
    const actual: WasmImport[] = [{ module: "ig", name: "b", kind: "function", type: { params: [], results: [] } }];
    expect(compareImports(expected, actual)).toEqual(["ig.a: not imported", "ig.b: imported but not in the model"]);
  });
});
