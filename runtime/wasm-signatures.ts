/**
 * A small reader of a wasm binary's type, import, function, export and start
 * sections: enough to know every import's and export's signature, which the
 * JS API (`WebAssembly.Module.imports`) does not give.
 */

export type ValType = "i32" | "i64" | "f32" | "f64" | "v128" | "funcref" | "externref";

export interface FuncType {
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
}

export type ExternKind = "function" | "table" | "memory" | "global" | "tag";

export interface WasmImport {
  readonly module: string;
  readonly name: string;
  readonly kind: ExternKind;
  /** For function imports. */
  readonly type?: FuncType;
}

export interface WasmExport {
  readonly name: string;
  readonly kind: ExternKind;
  /** For function exports. */
  readonly type?: FuncType;
}

export interface WasmSignatures {
  readonly imports: readonly WasmImport[];
  readonly exports: readonly WasmExport[];
  /** Whether the module has a start section (code that runs on instantiation). */
  readonly hasStart: boolean;
}

export class WasmParseError extends Error {
  override readonly name = "WasmParseError";
}

const VALTYPES: Readonly<Record<number, ValType>> = {
  0x7f: "i32",
  0x7e: "i64",
  0x7d: "f32",
  0x7c: "f64",
  0x7b: "v128",
  0x70: "funcref",
  0x6f: "externref",
};
const KINDS: readonly ExternKind[] = ["function", "table", "memory", "global", "tag"];

/** `(i32, i64) -> (i32)`; `() -> ()` for none. */
export function formatFuncType(t: FuncType): string {
  return `(${t.params.join(", ")}) -> (${t.results.join(", ")})`;
}

export function sameFuncType(a: FuncType, b: FuncType): boolean {
  return a.params.length === b.params.length && a.results.length === b.results.length && a.params.every((p, i) => p === b.params[i]) && a.results.every((r, i) => r === b.results[i]);
}

/** Reads the signatures of a module's imports and exports. Throws WasmParseError on a malformed binary. */
export function readWasmSignatures(bytes: Uint8Array): WasmSignatures {
  let pos = 0;
  let end = bytes.length;
  const fail = (what: string): never => {
    throw new WasmParseError(`malformed wasm at byte ${pos}: ${what}`);
  };
  const byte = (): number => {
    if (pos >= end) fail("unexpected end");
    return bytes[pos++];
  };
  const u32 = (): number => {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
    }
    return fail("LEB128 integer too long");
  };
  const u64 = (): void => {
    for (let i = 0; i < 10; i++) if ((byte() & 0x80) === 0) return;
    fail("LEB128 integer too long");
  };
  const name = (): string => {
    const len = u32();
    if (pos + len > end) fail("name runs past its section");
    const s = new TextDecoder("utf-8", { fatal: false }).decode(bytes.subarray(pos, pos + len));
    pos += len;
    return s;
  };
  const valtype = (): ValType => {
    const b = byte();
    return VALTYPES[b] ?? fail(`unknown value type 0x${b.toString(16)}`);
  };
  const vec = <T>(item: () => T): T[] => {
    const n = u32();
    if (n > end - pos) fail(`vector of ${n} items runs past its section`);
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(item());
    return out;
  };
  const limits = (): void => {
    const flags = byte();
    const wide = (flags & 4) !== 0;
    if (wide) u64();
    else u32();
    if (flags & 1) {
      if (wide) u64();
      else u32();
    }
  };

  if (bytes.length < 8) throw new WasmParseError("not a wasm module: shorter than its 8-byte header");
  if (bytes[0] !== 0x00 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) throw new WasmParseError("not a wasm module: no \\0asm magic");
  const version = bytes[4] | (bytes[5] << 8) | (bytes[6] << 16) | (bytes[7] << 24);
  if (version !== 1) throw new WasmParseError(`unsupported wasm binary version ${version} (only 1, core modules)`);
  pos = 8;

  const types: FuncType[] = [];
  const funcTypes: number[] = []; // function index space: imports first
  const imports: WasmImport[] = [];
  const rawExports: { name: string; kind: ExternKind; index: number }[] = [];
  let hasStart = false;
  const fileEnd = bytes.length;

  while (pos < fileEnd) {
    end = fileEnd;
    const id = byte();
    const size = u32();
    const sectionEnd = pos + size;
    if (sectionEnd > fileEnd) fail(`section ${id} runs past the end of the file`);
    end = sectionEnd;
    switch (id) {
      case 1: // type
        for (const t of vec(() => {
          const form = byte();
          if (form !== 0x60) fail(`unsupported type form 0x${form.toString(16)}`);
          return { params: vec(valtype), results: vec(valtype) };
        }))
          types.push(t);
        break;
      case 2: // import
        for (const imp of vec((): WasmImport => {
          const module = name();
          const field = name();
          const kindByte = byte();
          const kind = KINDS[kindByte] ?? fail(`unknown import kind ${kindByte}`);
          switch (kind) {
            case "function": {
              const t = u32();
              if (t >= types.length) fail(`import ${module}.${field} uses type ${t}, which does not exist`);
              funcTypes.push(t);
              return { module, name: field, kind, type: types[t] };
            }
            case "table":
              valtype();
              limits();
              break;
            case "memory":
              limits();
              break;
            case "global":
              valtype();
              byte();
              break;
            case "tag":
              byte();
              u32();
              break;
          }
          return { module, name: field, kind };
        }))
          imports.push(imp);
        break;
      case 3: // function
        for (const t of vec(u32)) {
          if (t >= types.length) fail(`function uses type ${t}, which does not exist`);
          funcTypes.push(t);
        }
        break;
      case 7: // export
        for (const e of vec(() => {
          const n = name();
          const kindByte = byte();
          const kind = KINDS[kindByte] ?? fail(`unknown export kind ${kindByte}`);
          return { name: n, kind, index: u32() };
        }))
          rawExports.push(e);
        break;
      case 8:
        hasStart = true;
        break;
      default:
        break;
    }
    pos = sectionEnd;
  }

  const exports = rawExports.map((e): WasmExport => {
    if (e.kind !== "function") return { name: e.name, kind: e.kind };
    const t = funcTypes[e.index];
    if (t === undefined) throw new WasmParseError(`malformed wasm: export ${e.name} names function ${e.index}, which does not exist`);
    return { name: e.name, kind: e.kind, type: types[t] };
  });
  return { imports, exports, hasStart };
}
