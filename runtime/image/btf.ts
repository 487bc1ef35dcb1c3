/**
 * Reading BTF (the .BTF section of an eBPF object): the type graph, by the
 * kernel's format (Documentation/bpf/btf.rst: a header, then type records of
 * 12 bytes plus kind-specific data, then a string table). Type id 0 is void.
 */
import { cString } from "./elf.js";
import { ImageError } from "./errors.js";

export const BtfKind = {
  Int: 1, Ptr: 2, Array: 3, Struct: 4, Union: 5, Enum: 6, Fwd: 7, Typedef: 8, Volatile: 9, Const: 10, Restrict: 11,
  Func: 12, FuncProto: 13, Var: 14, Datasec: 15, Float: 16, DeclTag: 17, TypeTag: 18, Enum64: 19,
} as const;

export interface BtfMember {
  readonly name: string;
  readonly type: number;
  /** Offset in bits from the start of the struct. */
  readonly bitOffset: number;
  /** Bitfield size in bits, 0 when not a bitfield. */
  readonly bitSize: number;
}

export interface BtfType {
  readonly id: number;
  readonly kind: number;
  readonly name: string;
  /** Struct/union/int/enum/float/datasec: byte size. */
  readonly size: number;
  /** Ptr/typedef/const/volatile/restrict/var/func/type tag: the type referred to. */
  readonly type: number;
  /** Int: signed, char, bool bits (1, 2, 4). */
  readonly encoding: number;
  /** Array: element type and count. */
  readonly array?: { readonly type: number; readonly nelems: number };
  /** Struct/union members; datasec entries as { name: "", type, bitOffset: offset*8 }. */
  readonly members: readonly BtfMember[];
}

const VOID: BtfType = { id: 0, kind: 0, name: "void", size: 0, type: 0, encoding: 0, members: [] };

export class Btf {
  private constructor(readonly types: readonly BtfType[]) {}

  /** Parses a .BTF section (little-endian). */
  static parse(bytes: Uint8Array, source: string): Btf {
    const fail = (what: string): never => {
      throw new ImageError(`${source}: malformed BTF: ${what}`);
    };
    if (bytes.length < 24) fail("header is truncated");
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (view.getUint16(0, true) !== 0xeb9f) fail(view.getUint16(0, false) === 0xeb9f ? "big-endian BTF is not supported" : "bad magic");
    const hdrLen = view.getUint32(4, true);
    const typeOff = hdrLen + view.getUint32(8, true);
    const typeEnd = typeOff + view.getUint32(12, true);
    const strOff = hdrLen + view.getUint32(16, true);
    const strEnd = strOff + view.getUint32(20, true);
    if (typeEnd > bytes.length || strEnd > bytes.length) fail("sections run past the end");
    const strings = bytes.subarray(strOff, strEnd);
    const str = (off: number): string => (off < strings.length ? cString(strings, off) : fail(`string offset ${off} is outside the string table`));
    const types: BtfType[] = [VOID];
    let at = typeOff;
    const u32 = (): number => {
      if (at + 4 > typeEnd) fail(`type ${types.length} is truncated`);
      const v = view.getUint32(at, true);
      at += 4;
      return v;
    };
    while (at < typeEnd) {
      const id = types.length;
      const name = str(u32());
      const info = u32();
      const sizeOrType = u32();
      const vlen = info & 0xffff;
      const kind = (info >>> 24) & 0x1f;
      const kindFlag = info >>> 31 === 1;
      const base = { id, kind, name, size: 0, type: 0, encoding: 0, members: [] as BtfMember[] };
      switch (kind) {
        case BtfKind.Int:
          types.push({ ...base, size: sizeOrType, encoding: (u32() >>> 24) & 0xf });
          break;
        case BtfKind.Array: {
          const type = u32();
          u32(); // index type
          types.push({ ...base, array: { type, nelems: u32() } });
          break;
        }
        case BtfKind.Struct:
        case BtfKind.Union:
          for (let i = 0; i < vlen; i++) {
            const memberName = str(u32());
            const type = u32();
            const offset = u32();
            base.members.push({ name: memberName, type, bitOffset: kindFlag ? offset & 0xffffff : offset, bitSize: kindFlag ? offset >>> 24 : 0 });
          }
          types.push({ ...base, size: sizeOrType });
          break;
        case BtfKind.Enum:
          at += 8 * vlen;
          types.push({ ...base, size: sizeOrType, encoding: kindFlag ? 1 : 0 });
          break;
        case BtfKind.Enum64:
          at += 12 * vlen;
          types.push({ ...base, size: sizeOrType, encoding: kindFlag ? 1 : 0 });
          break;
        case BtfKind.FuncProto:
          at += 8 * vlen;
          types.push({ ...base, type: sizeOrType });
          break;
        case BtfKind.Var:
          u32(); // linkage
          types.push({ ...base, type: sizeOrType });
          break;
        case BtfKind.Datasec:
          for (let i = 0; i < vlen; i++) {
            const type = u32();
            const offset = u32();
            u32(); // size
            base.members.push({ name: "", type, bitOffset: offset * 8, bitSize: 0 });
          }
          types.push({ ...base, size: sizeOrType });
          break;
        case BtfKind.DeclTag:
          u32(); // component index
          types.push({ ...base, type: sizeOrType });
          break;
        case BtfKind.Float:
          types.push({ ...base, size: sizeOrType });
          break;
        case BtfKind.Ptr:
        case BtfKind.Fwd:
        case BtfKind.Typedef:
        case BtfKind.Volatile:
        case BtfKind.Const:
        case BtfKind.Restrict:
        case BtfKind.Func:
        case BtfKind.TypeTag:
          types.push({ ...base, type: sizeOrType });
          break;
        default:
          fail(`type ${id} has unknown kind ${kind}`);
      }
    }
    for (const t of types) {
      for (const ref of [t.type, t.array?.type ?? 0, ...t.members.map((m) => m.type)]) {
        if (ref >= types.length) fail(`type ${t.id} (${t.name || "anonymous"}) refers to type ${ref}, which does not exist`);
      }
    }
    return new Btf(types);
  }

  type(id: number): BtfType {
    return this.types[id];
  }

  /** The first type of `kind` named `name`. */
  find(kind: number, name: string): BtfType | undefined {
    return this.types.find((t) => t.kind === kind && t.name === name);
  }

  /** Follows typedefs and qualifiers (const, volatile, restrict, type tags); `names` collects the typedef names passed. */
  resolve(id: number, names: string[] = []): BtfType {
    let t = this.types[id];
    for (let hops = 0; hops < 64; hops++) {
      if (t.kind === BtfKind.Typedef) names.push(t.name);
      else if (t.kind !== BtfKind.Const && t.kind !== BtfKind.Volatile && t.kind !== BtfKind.Restrict && t.kind !== BtfKind.TypeTag) return t;
      t = this.types[t.type];
    }
    throw new ImageError(`BTF type ${id}: typedef chain too long`);
  }

  /** Byte size of a type (arrays: element size times count; pointers: 8). */
  sizeOf(id: number): number {
    const t = this.resolve(id);
    switch (t.kind) {
      case BtfKind.Ptr:
        return 8;
      case BtfKind.Array:
        return this.sizeOf(t.array!.type) * t.array!.nelems;
      default:
        return t.size;
    }
  }
}
