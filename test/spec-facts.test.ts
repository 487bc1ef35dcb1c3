/**
 * The spec is the only source of its facts: runtime/, cli/ and playground/
 * name guest exports, the WASI module and host modules only through the
 * generated constants (generated/constants.ts, generated/host/descriptors.ts),
 * and take enum names and values from the generated enums, so a spec change reaches them
 * by `npm run gen` and nowhere restates a name that could go stale.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { EXPORT_ROLES } from "../codegen/model.js";
import { loadSpec } from "../codegen/parse.js";
import { FieldKind, GuestExport, LogLevel, SubscriptionType, WasiModule, type GuestExportRole, type ProfileId } from "../generated/constants.js";
import { guestExports } from "../generated/host/descriptors.js";
import { exportOfRole } from "../runtime/guest-exports.js";
import { resolveRelease } from "../runtime/release-detect.js";
import { fieldKindFromName, fieldKindName } from "../runtime/field-accessor.js";
import { LOG_LEVEL_NAMES, logLevelName, parseLogLevel } from "../runtime/logger.js";
import { releasedSubscriptionType } from "../runtime/profiles.js";
import { findSpecLiterals, type SpecNames } from "./helpers/spec-literals.js";

const ROOT = resolve(import.meta.dirname, "..");
const SCANNED = ["runtime", "cli", "playground"];

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/**
 * The names to look for, from the spec model. An export named like a role
 * (the pre-release phases `init`, `start`, `stop`) is the same word as the
 * lifecycle phase, which the runtime spells as a typed GuestExportRole; such
 * names count nowhere; the host modules (`env`, `ig`: common words) only as an
 * exact literal. Host function names label error messages ("mapLookup: ..."),
 * so they count only where a literal of one is compared: a lookup by name.
 */
function specNames(): SpecNames & { readonly all: readonly string[] } {
  const spec = loadSpec(join(ROOT, "spec"));
  const roles = new Set(Object.keys(EXPORT_ROLES));
  const exportNames = [...new Set(spec.exports.map((e) => e.name))];
  const wasi = spec.names.find((n) => n.name === "WasiModule");
  if (wasi === undefined) throw new Error("the spec has no WasiModule name");
  const words = new Set([...exportNames.filter((n) => !roles.has(n)), wasi.value]);
  const exact = new Set(spec.modules.map((m) => m.name));
  const compared = new Set(spec.functions.map((f) => f.name));
  return { words, exact, compared, all: [...words, ...exact] };
}

describe("spec names reach runtime/ and cli/ only through generated constants", () => {
  const names = specNames();

  it("no source file in runtime/, cli/ or playground/ restates a guest export, WASI or host module name, or looks a host function up by a typed name", () => {
    const findings = SCANNED.flatMap((dir) =>
      tsFiles(join(ROOT, dir)).flatMap((file) => findSpecLiterals(relative(ROOT, file), readFileSync(file, "utf8"), names)),
    );
    expect(findings.map((f) => `${f.file}:${f.line}: ${f.name} in ${f.text}`)).toEqual([]);
  });

  it("the scanner finds planted copies (negative control) and lets the constants and comments through", () => {
    const planted = [
      `import { GuestExport, WasiModule } from "../generated/constants.js";`,
      `// a comment may say gadgetAPIVersion and wasi_snapshot_preview1`,
      `const a = exp["gadgetAPIVersion"];`,
      `const b = imports.some((i) => i.module === 'wasi_snapshot_preview1');`,
      "throw new Error(`the module exports no malloc (${n})`);",
      `const c = instance.exports.dataSourceCallback;`,
      `const d = { module: "env" };`,
      `const e = fns.find((f) => f.name === "fieldGetScalar");`,
      `budget.check(1, "mapUpdate");`,
      `const ok = [GuestExport.gadgetAPIVersion, WasiModule, exp[GuestExport.malloc], "init", "memory"];`,
      "const msg = `the module exports no ${GuestExport.malloc}`;",
    ].join("\n");
    const found = findSpecLiterals("planted.ts", planted, names).map((f) => `${f.line}: ${f.name}`);
    expect(found).toEqual(["3: gadgetAPIVersion", "4: wasi_snapshot_preview1", "5: malloc", "6: dataSourceCallback", "7: env", "8: fieldGetScalar"]);
  });

  it("looks for every guest export of the spec not named like a phase, its WASI module and its host modules", () => {
    const phaseNamed = ["init", "start", "stop"];
    expect([...names.all].sort()).toEqual([...Object.values(GuestExport).filter((n) => !phaseNamed.includes(n)), WasiModule, "env", "ig"].sort());
    expect(names.compared.has("fieldGetScalar") && names.compared.has("kallsymsSymbolExists")).toBe(true);
  });
});

describe("export roles", () => {
  const roles = Object.keys(EXPORT_ROLES) as GuestExportRole[];
  const table = (profile: ProfileId): Partial<Record<GuestExportRole, string>> =>
    Object.fromEntries(roles.flatMap((r) => (exportOfRole(profile, r) === undefined ? [] : [[r, exportOfRole(profile, r)]])));

  it("each profile finds its phases, callback, allocator and version export by role, as spec/exports.yaml says", () => {
    expect(table("pre-release")).toEqual({ wasiInitialize: "_initialize", wasiStart: "_start", init: "init", start: "start", stop: "stop", callback: "dsCallback", allocator: "malloc" });
    expect(table("v0.30")).toEqual({
      wasiInitialize: "_initialize", wasiStart: "_start", allocator: "malloc", apiVersion: "gadgetAPIVersion",
      init: "gadgetInit", start: "gadgetStart", stop: "gadgetStop", callback: "dataSourceCallback",
    });
    expect(table("v0.43")).toEqual({
      wasiInitialize: "_initialize", wasiStart: "_start", apiVersion: "gadgetAPIVersion", init: "gadgetInit", preStart: "gadgetPreStart",
      start: "gadgetStart", stop: "gadgetStop", postStop: "gadgetPostStop", callback: "dataSourceCallback",
    });
  });

  it("release detection narrows by the exports of those roles, newest era first", () => {
    const sigs = (...names: string[]) => ({ imports: [], exports: names.map((name) => ({ name, kind: "function" as const })), hasStart: false });
    expect(resolveRelease(sigs("init", "start", "dsCallback", "malloc"))).toMatchObject({ first: "pre-release", last: "pre-release" });
    expect(resolveRelease(sigs("gadgetAPIVersion", "gadgetInit", "gadgetPreStart", "malloc"))).toMatchObject({ first: "v0.33.0", last: "v0.55.1" });
    // Both eras' names: the released one wins and the pre-release rule is reported as ignored.
    const both = resolveRelease(sigs("gadgetAPIVersion", "gadgetInit", "init", "malloc"));
    expect(both).toMatchObject({ first: "v0.30.0", last: "v0.55.1" });
    expect(both.reasons).toContain("exports init, which IG pre-release calls (ignored: it would exclude every release left)");
  });

  it("every spec export has a role and is in the GuestExport table", () => {
    expect(guestExports.filter((e) => e.role === null)).toEqual([]);
    expect([...new Set(guestExports.map((e) => e.name))].sort()).toEqual(Object.values(GuestExport).sort());
  });
});

describe("names and values derived from the generated enums", () => {
  it("log level names are the spec's LogLevel names in lower case, by value", () => {
    expect(LOG_LEVEL_NAMES).toEqual(["error", "warn", "info", "debug", "trace"]);
    expect([parseLogLevel("WARN"), parseLogLevel("4"), parseLogLevel("5"), parseLogLevel("-1"), parseLogLevel("verbose")]).toEqual([
      LogLevel.Warn,
      LogLevel.Trace,
      undefined,
      undefined,
      undefined,
    ]);
    expect([logLevelName(LogLevel.Debug), logLevelName(7)]).toEqual(["debug", "level(7)"]);
  });

  it("field kind names are the spec's FieldKind names in lower case; Invalid is none", () => {
    const kinds = Object.values(FieldKind).filter((v): v is FieldKind => typeof v === "number" && v !== FieldKind.Invalid);
    expect(kinds.map(fieldKindName)).toEqual(["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float32", "float64", "string", "cstring", "bytes"]);
    for (const kind of kinds) expect(fieldKindFromName(fieldKindName(kind))).toBe(kind);
    expect(() => fieldKindFromName("invalid")).toThrow(/unknown field kind "invalid" \(expected one of: bool, int8, .*, bytes\)/);
  });

  it("the pre-release subscription types map to the released ones by name", () => {
    expect([0, 1, 2, 3, 0xffffffff].map(releasedSubscriptionType)).toEqual([SubscriptionType.Data, SubscriptionType.Array, SubscriptionType.Packet, undefined, undefined]);
  });
});
