/**
 * ABI lowering: the one place that decides how each parameter and result
 * meaning crosses the wasm boundary. Every emitter asks these functions; none
 * decides a wire type, a decode or an error encoding on its own.
 * See codegen/README.md, "Translation notes", for the reasons.
 */
import type { ErrorConv, ExportParam, GuestExport, HostFn, HostResult, Param, ParamType, ResultType, WireType } from "./model.js";

/** The wasm type a parameter meaning travels as, unless the spec overrides it. */
export function defaultParamWire(type: ParamType): WireType {
  switch (type.kind) {
    case "u64":
    case "i64":
    case "str":
    case "buf":
    case "dst":
    case "kindValue":
      return "i64";
    default:
      return "i32";
  }
}

/** The wasm type a result meaning travels as (null: no result). */
export function resultWire(type: ResultType): WireType | null {
  switch (type.kind) {
    case "none":
      return null;
    case "u64":
    case "scalarOrMalloc":
      return "i64";
    case "bytesToMalloc":
      return type.out === undefined ? "i64" : "i32";
    default:
      return "i32";
  }
}

/** The TypeScript name of a handle type's branded number: `FieldHandle`. */
export function handleTypeName(handleType: string): string {
  return `${handleType}Handle`;
}

/**
 * Whether a parameter appears in the typed host interface. Destination
 * buffers, fixed-size out areas and error words are consumed by the shim: the
 * implementation returns values and throws, the shim writes guest memory.
 */
export function isInterfaceParam(p: Param): boolean {
  return p.type.kind !== "dst" && p.type.kind !== "outPtr" && p.type.kind !== "errPtr";
}

/**
 * Functions whose result the shim copies into a destination also pass the
 * destination's capacity to the implementation, as a trailing argument: an
 * implementation that consumes what it returns (a perf record) must refuse
 * before consuming when the record would not fit. Implementations that do
 * not need it simply declare fewer parameters.
 */
export const CAPACITY_PARAM = { name: "capacity", type: "number", doc: "Bytes the destination can hold; a longer value fails the call and nothing is written." } as const;

export function hasCapacityParam(fn: HostFn): boolean {
  return fn.result.type.kind === "bytesToDst" || fn.result.type.kind === "bytesToMalloc";
}

/** TypeScript type of a parameter in the typed host interface. */
export function interfaceParamType(type: ParamType): string {
  switch (type.kind) {
    case "u32":
    case "i32":
      return "number";
    case "u64":
    case "i64":
      return "bigint";
    case "bool":
      return "boolean";
    case "handle":
      return handleTypeName(type.handleType);
    case "enum":
      return type.enumName;
    case "str":
      return "string";
    case "buf":
      return "Uint8Array";
    case "kindValue":
      // Decided by the kind (runtime/abi/kind-value.ts): no BigInt for kinds of up to 4 bytes.
      return "number | bigint | Uint8Array";
    case "dst":
    case "outPtr":
    case "errPtr":
      throw new Error(`${type.kind} parameters are not part of the host interface`);
  }
}

/**
 * TypeScript type the implementation returns. A 64-bit result may be a
 * number (a safe integer, standing for its two's complement) so that the
 * common small values need no BigInt. A function whose spec names a miss
 * (`onMiss`) may also return MISS.
 */
export function interfaceResultType(result: HostResult): string {
  const type = baseResultType(result.type);
  return result.miss === null ? type : `${type} | Miss`;
}

function baseResultType(type: ResultType): string {
  switch (type.kind) {
    case "none":
    case "status":
      return "void";
    case "u32":
    case "i32":
      return "number";
    case "u64":
      return "number | bigint";
    case "bool":
      return "boolean";
    case "handle":
      return handleTypeName(type.handleType);
    case "bytesToDst":
    case "bytesToMalloc":
      return type.emptyValue === undefined ? "Uint8Array | string" : "Uint8Array | string | null";
    case "scalarOrMalloc":
      return "number | bigint | Uint8Array";
  }
}

/**
 * The JS parameters a wire parameter becomes in a shim. JS never sees an
 * i64: the generated trampolines split each one into its low and high u32
 * halves, so an i64 parameter is two numbers: `<name>Ptr, <name>Len` for a
 * packed range (str, buf, dst: len << 32 | ptr), `<name>Lo, <name>Hi`
 * otherwise. An i32 stays one number of the same name.
 */
export function jsParams(p: Param, fn: HostFn): string[] {
  if (p.wire === "i32") return [p.name];
  const packed = p.type.kind === "str" || p.type.kind === "buf" || p.type.kind === "dst";
  const [lo, hi] = packed ? ["Ptr", "Len"] : ["Lo", "Hi"];
  // A name another parameter already has (a spec parameter called `dstPtr`) gets a `_` suffix.
  const free = (name: string): string => (fn.params.some((q) => q.name === name) ? free(`${name}_`) : name);
  return [free(`${p.name}${lo}`), free(`${p.name}${hi}`)];
}

/** Every JS parameter of a shim, in wire order. */
export function jsParamList(fn: HostFn): string[] {
  return fn.params.flatMap((p) => jsParams(p, fn));
}

/** The generated constants that lowered expressions name (`FieldKindDecoding`), for the emitters' imports. */
export function constantsUsed(code: string): string[] {
  return [...new Set([...code.matchAll(/\b([A-Z]\w*Decoding)\b/g)].map((m) => m[1]))];
}

/** The helpers of igwasm/abi (runtime/abi) that lowered expressions call, for the emitters' imports. */
export const ABI_HELPERS = [
  "readString",
  "readBytes",
  "writeInto",
  "writeU64Words",
  "checkRange",
  "kindValue",
  "joinU64",
  "joinI64",
  "wideToNumber",
  "returnWide",
  "returnHalves",
  "mallocCopy",
  "asBytes",
  "setErrorWord",
  "MISS",
] as const;

/** The helpers of ABI_HELPERS that `code` calls or names. */
export function abiHelpersUsed(code: string): string[] {
  return ABI_HELPERS.filter((h) => new RegExp(`\\b${h}\\b`).test(code));
}

/**
 * The expression that decodes wire parameter `p` (held in the shim's JS
 * parameters, see jsParams) into what the implementation receives. `ctx` is
 * the ShimContext (igwasm/abi). i32 values reach JS signed, so u32 meanings
 * are made unsigned with `>>> 0` (a data-array element handle has bit 31
 * set). Decoding may throw a HostCallError (bad pointer); shims decode inside
 * their try block.
 */
export function decodeParam(p: Param, fn: HostFn, ctx = "ctx"): string {
  const [a, b] = jsParams(p, fn);
  const t = p.type;
  switch (t.kind) {
    case "u32":
      return decodeAddress(p, fn);
    case "i32":
      return `${a} | 0`;
    case "u64":
      return `joinU64(${a}, ${b})`;
    case "i64":
      return `joinI64(${a}, ${b})`;
    case "bool":
      return `${a} !== 0`;
    case "handle":
      return `(${a} >>> 0) as ${handleTypeName(t.handleType)}`;
    case "enum":
      return `${p.wire === "i64" ? `wideToNumber(${a}, ${b})` : `(${a} >>> 0)`} as ${t.enumName}`;
    case "str":
      return `readString(${ctx}.memory, ${a} >>> 0, ${b} >>> 0, ${JSON.stringify(p.name)})`;
    case "buf":
      return `readBytes(${ctx}.memory, ${a} >>> 0, ${b} >>> 0, ${JSON.stringify(p.name)})`;
    case "kindValue": {
      const kindParam = fn.params.find((q) => q.name === t.kindParam);
      if (!kindParam) throw new Error(`${fn.name}: kindParam ${t.kindParam} not found`);
      const enumName = kindParam.type.kind === "enum" ? kindParam.type.enumName : "FieldKind";
      return `kindValue(${ctx}.memory, ${enumName}Decoding, ${jsParams(kindParam, fn)[0]} >>> 0, ${a}, ${b})`;
    }
    case "dst":
    case "outPtr":
    case "errPtr":
      throw new Error(`${t.kind} parameters are decoded by the result lowering`);
  }
}

/**
 * The expression that decodes an unsigned address or count held in `p`'s
 * JS parameters as a number: `>>> 0` for an i32, both halves for an i64 (a
 * u64 pointer such as getSyscallDeclaration's). Used for u32 parameters,
 * destination pointers and error words alike.
 */
export function decodeAddress(p: Param, fn: HostFn): string {
  const [a, b] = jsParams(p, fn);
  return p.wire === "i64" ? `wideToNumber(${a}, ${b})` : `${a} >>> 0`;
}

/** `return <value>;` for a shim of `result`: an i64 value goes out through the wide slot. */
export function returnStatement(result: HostResult, value: string, ctx = "ctx"): string {
  return result.wire === "i64" ? `return returnWide(${ctx}.wide, ${value});` : `return ${value};`;
}

/** The statement a shim ends an error with (null: the function returns nothing). */
export function errorReturn(result: HostResult, ctx = "ctx"): string | null {
  if (result.wire === null) return null;
  const value = result.error.kind === "value" ? result.error.value : 0;
  return result.wire === "i64" ? `return returnHalves(${ctx}.wide, ${value >>> 0}, ${value < 0 ? 0xffffffff : 0});` : `return ${value};`;
}

/** One line saying how a function reports errors, for doc comments. */
export function describeErrorConv(error: ErrorConv, result: HostResult): string {
  switch (error.kind) {
    case "none":
      return "No error is reported to the module; failures are only logged.";
    case "value":
      return `Returns ${error.value} on error.`;
    case "errPtr":
      return `On error writes the u32 1 at \`${error.param}\` (when it is not 0); the ${result.wire ?? ""} result is then meaningless.`;
  }
}

/** A parameter type as the spec writes it: `handle<Field>`, `enum<FieldKind>`, `str`. */
export function paramTypeText(type: ParamType): string {
  switch (type.kind) {
    case "handle":
      return `handle<${type.handleType}>`;
    case "enum":
      return `enum<${type.enumName}>`;
    case "outPtr":
      return `outPtr[${type.size}]`;
    default:
      return type.kind;
  }
}

/** A result type as the spec writes it. */
export function resultTypeText(type: ResultType): string {
  switch (type.kind) {
    case "handle":
      return `handle<${type.handleType}>`;
    case "bytesToDst":
      return `bytesToDst(${type.dst}, ${type.report})`;
    case "bytesToMalloc":
      return type.out === undefined ? "bytesToMalloc" : `bytesToMalloc(${type.out})`;
    case "status":
      return type.success === undefined ? "status" : `status(success: ${type.success})`;
    default:
      return type.kind;
  }
}

/**
 * The trace line of a function, used in doc comments of every generated
 * binding: `ig.fieldGetScalar(field: handle<Field>, ...) -> u64 [wire (i32, i32, i32, i32) -> i64]`.
 */
export function signatureTrace(fn: HostFn, module: string): string {
  const params = fn.params.map((p) => `${p.name}: ${paramTypeText(p.type)}`).join(", ");
  const wires = fn.params.map((p) => p.wire).join(", ");
  return `${module}.${fn.name}(${params}) -> ${resultTypeText(fn.result.type)} [wire (${wires}) -> ${fn.result.wire ?? "()"}]`;
}

// --- the guest side ------------------------------------------------------------

/**
 * How a wire value reads on the guest side: unsigned or signed 32/64-bit, or a
 * 32-bit address (`ptr`). Each target spells these its own way (`u32`/`usize`
 * in AssemblyScript, `uint32_t` in C, `u32` in the reference).
 */
export type GuestScalar = "u32" | "i32" | "ptr" | "u64" | "i64";

export function paramScalar(p: Param): GuestScalar {
  if (p.wire === "i32") {
    if (p.type.kind === "i32") return "i32";
    if (p.type.kind === "errPtr" || p.type.kind === "outPtr") return "ptr";
    return "u32";
  }
  return p.type.kind === "i64" ? "i64" : "u64";
}

/**
 * A result is signed when it means a signed number, or when its error value is
 * negative (`fieldGetBuffer` returns a byte count or -1).
 */
export function resultScalar(r: HostResult): GuestScalar | null {
  if (r.wire === null) return null;
  const signed = r.type.kind === "i32" || (r.error.kind === "value" && r.error.value < 0);
  if (r.wire === "i32") return signed ? "i32" : "u32";
  return signed ? "i64" : "u64";
}

export function exportParamScalar(p: ExportParam): GuestScalar {
  if (p.wire === "i64") return "u64";
  return p.type.kind === "i32" ? "i32" : "u32";
}

/**
 * The model keeps only the wire type of an export's result; the lifecycle
 * exports return a signed status (0 ok), so an i32 result reads as i32.
 */
export function exportResultScalar(e: GuestExport): GuestScalar | null {
  return e.result.type === "none" ? null : e.result.type;
}

// --- the plan of one function ------------------------------------------------------

/** Every wire decision about one parameter, made once. */
export interface LoweredParam {
  readonly param: Param;
  /** Its wasm type in the module's import. */
  readonly wire: WireType;
  /** How the guest reads it (AssemblyScript, C, the reference). */
  readonly guest: GuestScalar;
  /** The JS parameters it arrives as in the shim (an i64 split in two). */
  readonly js: readonly string[];
  /** Its type in the typed host interface; null when the shim consumes it (dst, outPtr, errPtr). */
  readonly interfaceType: string | null;
}

/** Every wire decision about one function variant, made once: what every emitter reads. */
export interface LoweredFn {
  readonly fn: HostFn;
  readonly params: readonly LoweredParam[];
  readonly result: {
    readonly wire: WireType | null;
    readonly guest: GuestScalar | null;
    /** What the JS shim returns: "void", or "number" (an i32, or an i64's low half; the high half goes through the wide slot). */
    readonly js: "void" | "number";
    readonly interfaceType: string;
  };
  /** Whether the function needs a trampoline (an i64 parameter or result). */
  readonly trampoline: boolean;
}

/** The plan of `fn` (with its parameters' final names: pass the shim's safe-named copy for shims). */
export function lowerFunction(fn: HostFn): LoweredFn {
  return {
    fn,
    params: fn.params.map((p) => ({
      param: p,
      wire: p.wire,
      guest: paramScalar(p),
      js: jsParams(p, fn),
      interfaceType: isInterfaceParam(p) ? interfaceParamType(p.type) : null,
    })),
    result: {
      wire: fn.result.wire,
      guest: resultScalar(fn.result),
      js: fn.result.wire === null ? "void" : "number",
      interfaceType: interfaceResultType(fn.result),
    },
    trampoline: fn.result.wire === "i64" || fn.params.some((p) => p.wire === "i64"),
  };
}
