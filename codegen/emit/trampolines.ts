/**
 * Emits `generated/host/<profile>/trampolines.ts`: a small wasm module per
 * profile with one trampoline for each host function that has an i64
 * parameter or result (see runtime/abi/trampolines.ts for how it is linked).
 *
 * A trampoline has the module's exact import signature. It calls the JS shim
 * `js.<name>` with each i64 argument split into its low and high i32 halves
 * (lowering.ts's `splitWire` names them), and builds an i64 result from the
 * i32 the shim returns (low half) and the u32 the shim left at address 0 of
 * the imported page `abi.wide` (high half).
 *
 * The module is encoded here, byte by byte, so generation needs no toolchain;
 * its WAT is printed in the file's comment and a test assembles that WAT with
 * wabt and compares the bytes.
 */
import { functionsOfProfile, type AbiSpec, type HostFn, type Profile, type WireType } from "../model.js";
import { lowerFunction } from "../lowering.js";
import type { GeneratedFile } from "../generated-file.js";
import { codegenSymbols } from "../../runtime/codegen-symbols.js";
import { familySource, ImportSet, printTsFile, sectionSources } from "./ts-print.js";

/** The functions of a profile that need a trampoline. */
export function trampolineFunctions(spec: AbiSpec, profile: Profile): HostFn[] {
  return functionsOfProfile(spec, profile.id).filter((f) => lowerFunction(f).trampoline);
}

export function trampolinesPath(profile: Profile): string {
  return `host/${profile.id}/trampolines.ts`;
}

interface FnType {
  readonly params: readonly WireType[];
  readonly result: WireType | null;
}

/** The JS side of a function, as lowering.ts splits it: each JS parameter and result an i32. */
function splitType(fn: HostFn): FnType {
  const plan = lowerFunction(fn);
  return { params: plan.params.flatMap((p) => p.js.map((): WireType => "i32")), result: plan.result.js === "void" ? null : "i32" };
}

function wireType(fn: HostFn): FnType {
  return { params: fn.params.map((p) => p.wire), result: fn.result.wire };
}

const typeKey = (t: FnType): string => `${t.params.join(",")}->${t.result ?? ""}`;

// --- binary encoding -------------------------------------------------------

const VALTYPE: Record<WireType, number> = { i32: 0x7f, i64: 0x7e };

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function name(text: string): number[] {
  const bytes = [...new TextEncoder().encode(text)];
  return [...uleb(bytes.length), ...bytes];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

const OP = {
  localGet: 0x20,
  call: 0x10,
  i32WrapI64: 0xa7,
  i64Const: 0x42,
  i64ShrU: 0x88,
  i64ExtendI32U: 0xad,
  i32Const: 0x41,
  i64Load32U: 0x35,
  i64Shl: 0x86,
  i64Or: 0x84,
  end: 0x0b,
} as const;

/** One instruction: its WAT text and its bytes. */
type Instr = readonly [text: string, bytes: readonly number[]];

/** The body of the trampoline of `fn`, which calls the import of index `callee`. */
function body(fn: HostFn, callee: number): Instr[] {
  const code: Instr[] = [];
  fn.params.forEach((p, i) => {
    if (p.wire === "i32") {
      code.push([`local.get ${i}`, [OP.localGet, ...uleb(i)]]);
      return;
    }
    code.push([`local.get ${i}`, [OP.localGet, ...uleb(i)]], ["i32.wrap_i64", [OP.i32WrapI64]]);
    code.push([`local.get ${i}`, [OP.localGet, ...uleb(i)]], ["i64.const 32", [OP.i64Const, 32]], ["i64.shr_u", [OP.i64ShrU]], ["i32.wrap_i64", [OP.i32WrapI64]]);
  });
  code.push([`call ${callee}`, [OP.call, ...uleb(callee)]]);
  if (fn.result.wire === "i64") {
    code.push(
      ["i64.extend_i32_u", [OP.i64ExtendI32U]],
      ["i32.const 0", [OP.i32Const, 0]],
      ["i64.load32_u", [OP.i64Load32U, 2, 0]],
      ["i64.const 32", [OP.i64Const, 32]],
      ["i64.shl", [OP.i64Shl]],
      ["i64.or", [OP.i64Or]],
    );
  }
  return code;
}

/** The trampoline module of `fns`: its bytes and its WAT. */
export function encodeTrampolines(fns: readonly HostFn[]): { wasm: Uint8Array; wat: string } {
  const types: FnType[] = [];
  const typeIndex = (t: FnType): number => {
    const i = types.findIndex((u) => typeKey(u) === typeKey(t));
    if (i >= 0) return i;
    types.push(t);
    return types.length - 1;
  };
  const imports = fns.map((fn) => typeIndex(splitType(fn)));
  const exports = fns.map((fn) => typeIndex(wireType(fn)));
  const bodies = fns.map((fn, i) => body(fn, i));

  const typeSection = vec(types.map((t) => [0x60, ...vec(t.params.map((p) => [VALTYPE[p]])), ...vec(t.result === null ? [] : [[VALTYPE[t.result]]])]));
  const memoryImport = [...name("abi"), ...name("wide"), 0x02, 0x01, ...uleb(1), ...uleb(1)];
  const importSection = vec([memoryImport, ...fns.map((fn, i) => [...name("js"), ...name(fn.name), 0x00, ...uleb(imports[i])])]);
  const functionSection = vec(exports.map((t) => uleb(t)));
  const exportSection = vec(fns.map((fn, i) => [...name(fn.name), 0x00, ...uleb(fns.length + i)]));
  const codeSection = vec(
    bodies.map((instrs) => {
      const b = [0x00, ...instrs.flatMap(([, bytes]) => bytes), OP.end];
      return [...uleb(b.length), ...b];
    }),
  );
  const wasm = new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, typeSection),
    ...section(2, importSection),
    ...section(3, functionSection),
    ...section(7, exportSection),
    ...section(10, codeSection),
  ]);

  const sig = (t: FnType): string =>
    [t.params.length === 0 ? "" : ` (param ${t.params.join(" ")})`, t.result === null ? "" : ` (result ${t.result})`].join("");
  const wat = [
    "(module",
    ...types.map((t, i) => `  (type (;${i};) (func${sig(t)}))`),
    '  (import "abi" "wide" (memory (;0;) 1 1))',
    ...fns.map((fn, i) => `  (import "js" ${JSON.stringify(fn.name)} (func (;${i};) (type ${imports[i]})))`),
    ...fns.map((fn, i) => [`  (func (;${fns.length + i};) (export ${JSON.stringify(fn.name)}) (type ${exports[i]})`, ...bodies[i].map(([text]) => `    ${text}`), "  )"].join("\n")),
    ")",
  ].join("\n");
  return { wasm, wat };
}

/** `V0_43Trampolines`. */
export function trampolinesName(profile: Profile): string {
  return `${profile.pascal}Trampolines`;
}

function bytesLiteral(bytes: Uint8Array): string {
  const rows: string[] = [];
  for (let i = 0; i < bytes.length; i += 16) {
    rows.push(`  ${[...bytes.subarray(i, i + 16)].map((b) => `0x${b.toString(16).padStart(2, "0")}`).join(", ")},`);
  }
  return rows.join("\n");
}

/** The trampolines file of one profile. */
export function emitTrampolines(spec: AbiSpec, profile: Profile): GeneratedFile {
  const fns = trampolineFunctions(spec, profile);
  const { wasm, wat } = encodeTrampolines(fns);
  const path = trampolinesPath(profile);
  const imports = new ImportSet(path);
  imports.type(codegenSymbols.abi.module, "TrampolineSet");
  const comment = ["/*", ` * The trampolines of profile ${profile.id} (${wasm.length} bytes), as WAT:`, " *", ...wat.split("\n").map((l) => ` * ${l}`), " */"].join("\n");
  const set = [
    `/** The i64 trampolines of profile \`${profile.id}\`: give them to \`bindTrampolines\` (igwasm/abi) with the profile's shims. */`,
    `export const ${trampolinesName(profile)}: TrampolineSet = {`,
    `  profile: ${JSON.stringify(profile.id)},`,
    `  functions: [${fns.map((f) => JSON.stringify(f.name)).join(", ")}],`,
    "  wasm: new Uint8Array([",
    bytesLiteral(wasm).replace(/^/gm, "  "),
    "  ]),",
    "};",
  ].join("\n");
  const families = spec.families.filter((f) => fns.some((fn) => fn.family === f.name));
  return printTsFile(path, [...sectionSources(spec, "abi"), ...families.map(familySource)], imports, [comment, set]);
}

/** Every profile's trampolines. */
export function emitAllTrampolines(spec: AbiSpec): GeneratedFile[] {
  return spec.profiles.map((p) => emitTrampolines(spec, p));
}
