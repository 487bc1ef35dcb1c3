/**
 * What IG's eBPF operator takes from a gadget's eBPF object before the gadget
 * starts: its BTF-defined maps (the `.maps` section) and its tracers, each a
 * data source whose fields come from the tracer's event struct.
 *
 * IG facts (aeac857): a tracer is a global named
 * `gadget_tracer_<name>___<map>___<struct>` (include/gadget/macros.h
 * GADGET_TRACER; pkg/operators/ebpf/tracer.go populateTracer); its map must be
 * a ring buffer or a perf event array. Fields (pkg/operators/ebpf/struct.go
 * getFieldsFromMember, pkg/btfhelpers GetType): members whose name starts with
 * "__" are skipped; a struct or union member becomes a Bytes field of its
 * size, followed by its members named `<parent>.<member>`; a char array is a
 * CString; other members take the kind of their resolved int/float/enum type;
 * pointers and zero-sized members are skipped; tags are `type:<name>` for each
 * type name met while resolving (typedefs first), then `name:<member>` and
 * `src:ebpf`. Offsets are the member's byte offset in the event struct.
 */
import { FieldKind, MapType } from "../../generated/constants.js";
import { Btf, BtfKind, type BtfType } from "./btf.js";
import { readElfSections } from "./elf.js";
import { ImageError } from "./errors.js";

export interface EbpfMapSpec {
  readonly name: string;
  /** Linux map type number (1 hash, 2 array, 4 perf event array, 12/13 maps of maps, 27 ring buffer, ...). */
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
  /** Maps of maps: the inner map's spec (from the `values` member). */
  readonly inner?: EbpfMapSpec;
  /** BTF struct names of key and value, when they are structs (for naming fields in fixtures). */
  readonly keyStruct?: EbpfStruct;
  readonly valueStruct?: EbpfStruct;
}

export interface EbpfField {
  /** Full name: `<parent>.<member>` for members of nested structs. */
  readonly name: string;
  /** igwasm's FieldKind; arrays other than char arrays are Bytes (igwasm has no array kinds). */
  readonly kind: FieldKind;
  /** Byte offset in the struct. */
  readonly offset: number;
  readonly size: number;
  readonly tags: readonly string[];
  /** Index of the parent field in the struct's field list, -1 at the top level. */
  readonly parent: number;
}

export interface EbpfStruct {
  readonly name: string;
  readonly size: number;
  readonly fields: readonly EbpfField[];
}

export interface EbpfTracer {
  /** The data source's name. */
  readonly name: string;
  readonly mapName: string;
  readonly struct: EbpfStruct;
}

export interface EbpfObject {
  readonly maps: readonly EbpfMapSpec[];
  readonly tracers: readonly EbpfTracer[];
  readonly btf: Btf;
}

const TRACER_PREFIX = "gadget_tracer_";
const SPLITTER = "___";
const RINGBUF = 27;

/** Reads the maps and tracers of an eBPF object (ELF with BTF); `source` names it in errors. */
export function readEbpfObject(bytes: Uint8Array, source: string): EbpfObject {
  const sections = readElfSections(bytes, source);
  const btfSection = sections.find((s) => s.name === ".BTF");
  if (btfSection === undefined) throw new ImageError(`${source}: the eBPF object has no .BTF section (build it with clang -g)`);
  const btf = Btf.parse(btfSection.data, `${source} .BTF`);
  const structs = new StructReader(btf);
  const mapsSec = btf.find(BtfKind.Datasec, ".maps");
  const maps = (mapsSec?.members ?? []).map((m) => {
    const v = btf.type(m.type);
    return mapSpec(btf, structs, v.name, btf.resolve(v.type), `${source}: map ${v.name}`);
  });
  const tracers: EbpfTracer[] = [];
  for (const t of btf.types) {
    if (t.kind !== BtfKind.Var || !t.name.startsWith(TRACER_PREFIX)) continue;
    const parts = t.name.slice(TRACER_PREFIX.length).split(SPLITTER);
    const where = `${source}: tracer ${t.name}`;
    if (parts.length !== 3) throw new ImageError(`${where}: expected gadget_tracer_<name>___<map>___<struct>`);
    const [name, mapName, structName] = parts;
    const map = maps.find((m) => m.name === mapName);
    if (map === undefined) throw new ImageError(`${where}: map ${mapName} not found in the eBPF object`);
    if (map.type !== RINGBUF && map.type !== MapType.PerfEventArray) {
      throw new ImageError(`${where}: map ${mapName} has type ${map.type}; a tracer needs a ring buffer (27) or a perf event array (4)`);
    }
    const st = btf.find(BtfKind.Struct, structName);
    if (st === undefined) throw new ImageError(`${where}: struct ${structName} not found in the BTF`);
    tracers.push({ name, mapName, struct: structs.read(st) });
  }
  return { maps, tracers, btf };
}

/** `int (*name)[N]` (libbpf's __uint): N. */
function uintMember(btf: Btf, id: number, where: string): number {
  const ptr = btf.resolve(id);
  const arr = ptr.kind === BtfKind.Ptr ? btf.resolve(ptr.type) : undefined;
  if (arr?.kind !== BtfKind.Array) throw new ImageError(`${where}: expected a __uint() member (pointer to an array)`);
  return arr.array!.nelems;
}

/** `T *name` (libbpf's __type): T's id. */
function typeMember(btf: Btf, id: number, where: string): number {
  const ptr = btf.resolve(id);
  if (ptr.kind !== BtfKind.Ptr) throw new ImageError(`${where}: expected a __type() member (pointer)`);
  return ptr.type;
}

function mapSpec(btf: Btf, structs: StructReader, name: string, def: BtfType, where: string): EbpfMapSpec {
  if (def.kind !== BtfKind.Struct) throw new ImageError(`${where}: a BTF map definition must be a struct`);
  let type = 0;
  let keySize = 0;
  let valueSize = 0;
  let maxEntries = 0;
  let flags = 0;
  let inner: EbpfMapSpec | undefined;
  let keyStruct: EbpfStruct | undefined;
  let valueStruct: EbpfStruct | undefined;
  const structOf = (id: number): EbpfStruct | undefined => {
    const t = btf.resolve(id);
    return t.kind === BtfKind.Struct ? structs.read(t) : undefined;
  };
  for (const m of def.members) {
    const at = `${where}: member ${m.name}`;
    switch (m.name) {
      case "type":
        type = uintMember(btf, m.type, at);
        break;
      case "max_entries":
        maxEntries = uintMember(btf, m.type, at);
        break;
      case "map_flags":
        flags = uintMember(btf, m.type, at);
        break;
      case "key_size":
        keySize = uintMember(btf, m.type, at);
        break;
      case "value_size":
        valueSize = uintMember(btf, m.type, at);
        break;
      case "key": {
        const t = typeMember(btf, m.type, at);
        keySize = btf.sizeOf(t);
        keyStruct = structOf(t);
        break;
      }
      case "value": {
        const t = typeMember(btf, m.type, at);
        valueSize = btf.sizeOf(t);
        valueStruct = structOf(t);
        break;
      }
      case "values": {
        // __array(values, struct inner): an array of pointers to the inner map's definition.
        const arr = btf.resolve(m.type);
        const ptr = arr.kind === BtfKind.Array ? btf.resolve(arr.array!.type) : undefined;
        if (ptr?.kind !== BtfKind.Ptr) throw new ImageError(`${at}: expected __array(values, struct ...)`);
        inner = mapSpec(btf, structs, `${name}.inner`, btf.resolve(ptr.type), `${where} (inner map)`);
        // An inner map is referred to by its fd: 4 bytes.
        valueSize = 4;
        break;
      }
      default:
        // pinning, numa_node, map_extra: nothing igwasm emulates.
        break;
    }
  }
  if (type === 0) throw new ImageError(`${where}: no map type`);
  if ((type === MapType.ArrayOfMaps || type === MapType.HashOfMaps) && inner === undefined) {
    throw new ImageError(`${where}: a map of maps needs __array(values, struct ...) for its inner map`);
  }
  if (type === MapType.PerfEventArray) {
    // libbpf and cilium/ebpf default a perf event array's key and value to 4 bytes.
    keySize ||= 4;
    valueSize ||= 4;
  }
  return { name, type, keySize, valueSize, maxEntries, flags, ...(inner ? { inner } : {}), ...(keyStruct ? { keyStruct } : {}), ...(valueStruct ? { valueStruct } : {}) };
}

/** A resolved scalar as IG's btfhelpers.GetType sees it. */
interface Resolved {
  readonly kind: FieldKind | null;
  readonly size: number;
  readonly names: string[];
}

const INT_KINDS: Record<string, FieldKind> = {
  "s1": FieldKind.Int8, "s2": FieldKind.Int16, "s4": FieldKind.Int32, "s8": FieldKind.Int64,
  "u1": FieldKind.Uint8, "u2": FieldKind.Uint16, "u4": FieldKind.Uint32, "u8": FieldKind.Uint64,
};

/** Reads BTF structs into field lists, once per struct. */
class StructReader {
  private readonly cache = new Map<number, EbpfStruct>();
  constructor(private readonly btf: Btf) {}

  read(st: BtfType): EbpfStruct {
    let s = this.cache.get(st.id);
    if (s === undefined) {
      const fields: EbpfField[] = [];
      this.members(st, fields, "", 0, -1);
      s = { name: st.name, size: st.size, fields };
      this.cache.set(st.id, s);
    }
    return s;
  }

  private members(st: BtfType, out: EbpfField[], prefix: string, base: number, parent: number): void {
    for (const m of st.members) {
      if (m.name.startsWith("__")) continue;
      const offset = base + Math.floor(m.bitOffset / 8);
      const direct = this.btf.type(m.type);
      if (direct.kind === BtfKind.Struct || direct.kind === BtfKind.Union) {
        const index = out.length;
        out.push({ name: prefix + m.name, kind: FieldKind.Bytes, offset, size: direct.size, tags: this.tags(m.type, m.name), parent });
        this.members(direct, out, `${prefix}${m.name}.`, offset, index);
        continue;
      }
      const r = this.resolveType(m.type);
      if (r === null || r.size === 0 || r.kind === null) continue;
      out.push({ name: prefix + m.name, kind: r.kind, offset, size: r.size, tags: this.tags(m.type, m.name), parent });
    }
  }

  private tags(id: number, member: string): string[] {
    const names = this.resolveType(id)?.names ?? this.namesOf(id);
    return [...names.map((n) => `type:${n}`), `name:${member}`, "src:ebpf"];
  }

  private namesOf(id: number): string[] {
    const t = this.btf.type(id);
    return t.name !== "" ? [t.name] : [];
  }

  /** IG's GetType: the scalar (or array) a member holds and the type names met; null for pointers, structs and the like. */
  private resolveType(id: number): Resolved | null {
    const t = this.btf.type(id);
    const own = t.name !== "" ? [t.name] : [];
    switch (t.kind) {
      case BtfKind.Typedef: {
        const r = this.resolveType(t.type);
        return r === null ? null : { ...r, names: [...own, ...r.names] };
      }
      case BtfKind.Const:
      case BtfKind.Volatile:
        return this.resolveType(t.type);
      case BtfKind.Array: {
        const elem = this.resolveType(t.array!.type);
        if (elem === null) return null;
        const names = [...own, ...elem.names];
        const size = elem.size * t.array!.nelems;
        if (elem.kind === FieldKind.Int8 && names.includes("char")) return { kind: FieldKind.CString, size, names };
        // IG makes an array kind here; igwasm has none and carries the raw elements as Bytes.
        return { kind: elem.kind === null ? null : FieldKind.Bytes, size, names };
      }
      case BtfKind.Int: {
        if (t.encoding & 4) return { kind: FieldKind.Bool, size: t.size, names: own };
        const signed = (t.encoding & 1) !== 0 && (t.encoding & 2) === 0;
        // A plain `char` (encoding signed or char) reads as int8, as in Go's reflection of BTF.
        const kind = t.encoding & 2 ? FieldKind.Uint8 : INT_KINDS[`${signed ? "s" : "u"}${t.size}`];
        return kind === undefined ? null : { kind, size: t.size, names: own };
      }
      case BtfKind.Enum:
      case BtfKind.Enum64: {
        const kind = INT_KINDS[`${t.encoding ? "s" : "u"}${t.size}`];
        return kind === undefined ? null : { kind, size: t.size, names: own };
      }
      case BtfKind.Float:
        return t.size === 4 || t.size === 8 ? { kind: t.size === 4 ? FieldKind.Float32 : FieldKind.Float64, size: t.size, names: own } : null;
      default:
        return null;
    }
  }
}
