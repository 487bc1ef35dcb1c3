/**
 * A spec-driven trace decorator: wraps import functions so every call prints
 * `==> ig.fieldGetScalar(field=3,data=7,kind=4,err=1024)` and its result
 * `<== 42`, with parameter names from the generated descriptors. Tests assert
 * exact traces with it; users turn it on to see what a gadget does.
 *
 * Given a TraceDecoding, the lines say what the wire values mean, read from
 * the descriptors' parameter meanings: the text of a packed string
 * (`name="events"`), the data source, field or map a handle names
 * (`field=8194<comm>`), enum names (`kind=String`), bytes as hex
 * (`key=<2a000000>`), destinations as `@ptr[capacity]`. Decoding reads and
 * never writes; what it cannot read (a bad pointer) it says so in the line.
 */
import { DataSourceType, FieldKind, LogLevel, MapType, MapUpdateFlags, SubscriptionType, SubscriptionTypeSeed } from "../generated/constants.js";
import type { HostFnDescriptor } from "../generated/host/descriptors.js";

type AnyFn = (...args: unknown[]) => unknown;
type Param = HostFnDescriptor["params"][number];

/** What decoding needs from the host: the guest's memory and the names behind handles. Read-only. */
export interface TraceDecoding {
  /** The guest's memory as it is now (empty before the module is attached). */
  guestBytes(): Uint8Array;
  /** What a live handle names (a data source, field, map; the data source of a packet), or null. */
  handleName(handle: number): string | null;
}

/**
 * A wire value as its meaning reads: i32 values reach JS signed, so unsigned
 * meanings (handles, u32, enums, pointers) print with `>>> 0`; i64 values
 * print unsigned unless the meaning is `i64`.
 */
function show(value: unknown, type: string | undefined): string {
  if (typeof value === "number") return type === "i32" ? String(value) : String(value >>> 0);
  if (typeof value === "bigint") return type === "i64" ? String(value) : String(BigInt.asUintN(64, value));
  return String(value);
}

/** Enum types of the spec, by the name `enum<Name>` uses. */
const ENUMS: Readonly<Record<string, Readonly<Record<number, string>>>> = {
  FieldKind, LogLevel, SubscriptionType, SubscriptionTypeSeed, DataSourceType, MapType, MapUpdateFlags,
};

/** Longest text or byte run a decoded line shows of one argument. */
const MAX_TEXT = 64;
const MAX_BYTES = 32;

/** A packed (len << 32 | ptr) value split. */
function unpack(value: unknown): { ptr: number; len: number } {
  const v = typeof value === "bigint" ? BigInt.asUintN(64, value) : BigInt(Number(value) >>> 0);
  return { ptr: Number(v & 0xffffffffn), len: Number(v >> 32n) };
}

/** The bytes at ptr..ptr+len of guest memory, or a note saying why they cannot be read. */
function guestRange(d: TraceDecoding, ptr: number, len: number): Uint8Array | string {
  const mem = d.guestBytes();
  if (ptr + len > mem.length) return `(out of bounds: ${len} bytes at ${ptr})`;
  return mem.subarray(ptr, ptr + len);
}

const utf8 = new TextDecoder("utf-8", { fatal: false });

/** Text from the guest, quoted and escaped as JSON, cut after MAX_TEXT characters. */
function quoted(bytes: Uint8Array): string {
  const text = utf8.decode(bytes.subarray(0, MAX_TEXT * 4));
  if (text.length <= MAX_TEXT && bytes.length <= MAX_TEXT * 4) return JSON.stringify(text);
  return `${JSON.stringify(text.slice(0, MAX_TEXT))}...(${bytes.length} bytes)`;
}

function hex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes.subarray(0, MAX_BYTES)) out += b.toString(16).padStart(2, "0");
  return bytes.length <= MAX_BYTES ? `<${out}>` : `<${out}...>(${bytes.length} bytes)`;
}

function guestText(d: TraceDecoding, value: unknown): string {
  const { ptr, len } = unpack(value);
  const bytes = guestRange(d, ptr, len);
  return typeof bytes === "string" ? bytes : quoted(bytes);
}

function guestHex(d: TraceDecoding, value: unknown): string {
  const { ptr, len } = unpack(value);
  const bytes = guestRange(d, ptr, len);
  return typeof bytes === "string" ? bytes : hex(bytes);
}

function enumName(type: string, value: number): string | null {
  const m = /^enum<(\w+)>$/.exec(type);
  return m ? (ENUMS[m[1]]?.[value] ?? null) : null;
}

function withHandleName(d: TraceDecoding, value: unknown): string {
  const h = Number(value) >>> 0;
  const name = d.handleName(h);
  return name === null ? String(h) : `${h}<${name}>`;
}

/**
 * One argument decoded by its meaning. `args` gives the call's other
 * arguments: a `kindValue` is a packed string or bytes when its call's `kind`
 * says so.
 */
function decodeArg(d: TraceDecoding, p: Param, value: unknown, params: readonly Param[], args: readonly unknown[]): string {
  const t = p.type;
  if (t === "str") return guestText(d, value);
  if (t === "buf") return guestHex(d, value);
  if (t === "dst") {
    const { ptr, len } = unpack(value);
    return `@${ptr}[${len}]`;
  }
  if (t === "bool") return Number(value) !== 0 ? "true" : "false";
  if (t.startsWith("handle<")) return withHandleName(d, value);
  if (t.startsWith("enum<")) return enumName(t, Number(value) >>> 0) ?? show(value, t);
  if (t === "kindValue") {
    const k = params.findIndex((q) => q.type === "enum<FieldKind>");
    const kind = k >= 0 ? Number(args[k]) >>> 0 : -1;
    if (kind === FieldKind.String || kind === FieldKind.CString) return guestText(d, value);
    if (kind === FieldKind.Bytes) return guestHex(d, value);
  }
  return show(value, t);
}

/** `module.name(p=v,...)` for a call: raw wire values, or decoded ones when `decoding` is given. */
export function formatCall(module: string, desc: HostFnDescriptor | undefined, name: string, args: readonly unknown[], decoding?: TraceDecoding): string {
  const params = desc?.params ?? [];
  const shown = args.map((a, i) => {
    const p = params[i];
    const text = p === undefined ? show(a, undefined) : decoding ? safely(() => decodeArg(decoding, p, a, params, args), () => show(a, p.type)) : show(a, p.type);
    return `${p?.name ?? `arg${i}`}=${text}`;
  });
  return `${module}.${name}(${shown.join(",")})`;
}

/** A result decoded: handles with their names, booleans as words; else as the raw trace shows it. */
function formatResult(result: unknown, desc: HostFnDescriptor | undefined, decoding?: TraceDecoding): string {
  if (result === undefined) return "()";
  const type = desc?.result.type ?? "";
  if (decoding === undefined || typeof result !== "number") return String(result);
  if (type.startsWith("handle<") && result !== 0) return safely(() => withHandleName(decoding, result), () => String(result));
  // 1 and 0 are the answer; any other value is the function's error value.
  if (type === "bool" && (result === 0 || result === 1)) return result === 1 ? "true" : "false";
  return String(result);
}

/** Decoding is for reading: whatever goes wrong in it, the line falls back to the raw value. */
function safely(decode: () => string, raw: () => string): string {
  try {
    return decode();
  } catch {
    return raw();
  }
}

/**
 * Wraps every function of `fns` so it traces its calls and results. Raw wire
 * values without `decoding`; decoded ones with it (see the file comment).
 */
export function traceImports<T extends object>(
  fns: T,
  module: string,
  descriptors: readonly HostFnDescriptor[],
  trace: (line: string) => void,
  decoding?: TraceDecoding,
): T {
  const out: Record<string, AnyFn> = {};
  for (const [name, fn] of Object.entries(fns as Record<string, AnyFn>)) {
    const desc = descriptors.find((d) => d.name === name);
    out[name] = (...args: unknown[]) => {
      trace(`==> ${formatCall(module, desc, name, args, decoding)}`);
      try {
        const result = fn(...args);
        trace(`<== ${formatResult(result, desc, decoding)}`);
        return result;
      } catch (e) {
        trace(`<== threw ${e instanceof Error ? e.message : String(e)}`);
        throw e;
      }
    };
  }
  return out as T;
}
