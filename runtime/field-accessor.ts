/**
 * Field accessors: reading and writing one field of records from JS, and the
 * kind names and value types of the public API.
 */
import { FieldKind, FieldKindSize } from "../generated/constants.js";
import type { Field } from "./data-source.js";
import type { DataSources } from "./data-sources.js";
import type { HostMemory } from "./host-memory.js";
import { cStringLength, decodeUtf8, encodeUtf8 } from "./utf8.js";

export type FieldValue = number | bigint | boolean | string | Uint8Array;
export type FieldKindName =
  | "bool" | "int8" | "int16" | "int32" | "int64" | "uint8" | "uint16" | "uint32" | "uint64"
  | "float32" | "float64" | "string" | "cstring" | "bytes";

const KIND_BY_NAME: Record<FieldKindName, FieldKind> = {
  bool: FieldKind.Bool, int8: FieldKind.Int8, int16: FieldKind.Int16, int32: FieldKind.Int32, int64: FieldKind.Int64,
  uint8: FieldKind.Uint8, uint16: FieldKind.Uint16, uint32: FieldKind.Uint32, uint64: FieldKind.Uint64,
  float32: FieldKind.Float32, float64: FieldKind.Float64, string: FieldKind.String, cstring: FieldKind.CString, bytes: FieldKind.Bytes,
};

/** `uint32` -> FieldKind.Uint32; throws on an unknown name. */
export function fieldKindFromName(name: string): FieldKind {
  const kind = KIND_BY_NAME[name.toLowerCase() as FieldKindName];
  if (kind === undefined) throw new TypeError(`unknown field kind "${name}" (expected one of: ${Object.keys(KIND_BY_NAME).join(", ")})`);
  return kind;
}

export function fieldKindName(kind: FieldKind): FieldKindName {
  return (Object.keys(KIND_BY_NAME) as FieldKindName[]).find((k) => KIND_BY_NAME[k] === kind) ?? "bytes";
}

/** Where a record is: its slot and, for fixed-size fields, its address in host memory. */
export interface RecordRef {
  readonly slot: number;
  readonly addr: number;
}

/**
 * Reads and writes one field of records.
 *
 * There is one subclass per kind, each with its own `get`, chosen when the
 * accessor is made: a call site that reads one field then sees one class and
 * V8 inlines the read down to one DataView access at `addr + offset`, with no
 * switch on the kind and no boxing of floats (bench/host-field).
 */
export class FieldAccessor {
  /** The host memory's current DataView (HostMemory.holdView re-arms it after growth). */
  view!: DataView;
  protected readonly mem: HostMemory;
  protected readonly off: number;
  private readonly scratch = { slot: 0, addr: 0 };

  constructor(
    protected readonly field: Field,
    private readonly sources: DataSources,
  ) {
    this.mem = sources.mem;
    this.off = field.offset;
    sources.mem.holdView(this);
  }

  /** The accessor of `field`, of the subclass for its kind. */
  static of(field: Field, sources: DataSources): FieldAccessor {
    return new (ACCESSORS[field.kind] ?? FieldAccessor)(field, sources);
  }

  get name(): string {
    return this.field.name;
  }

  get kind(): FieldKind {
    return this.field.kind;
  }

  get tags(): readonly string[] {
    return this.field.tags;
  }

  /** Tags the field, as IG's FieldAccessor.AddTags does (the guest adds its own with fieldAddTag; one list, no duplicates). */
  addTags(...tags: string[]): this {
    for (const tag of tags) this.field.addTag(tag);
    return this;
  }

  /** The value of this field in a record (an EventView during a callback). Bytes for Bytes fields. */
  get(record: RecordRef): FieldValue {
    return this.bytes(record);
  }

  /** The value of this field in the record at `slot`. */
  read(slot: number): FieldValue {
    this.scratch.slot = slot;
    this.scratch.addr = this.field.ds.slab.addr[slot];
    return this.get(this.scratch);
  }

  /** The stored bytes of a variable-length field. */
  protected bytes(record: RecordRef): Uint8Array {
    const slab = this.field.ds.slab;
    return slab.vars[record.slot * slab.varCount + this.off];
  }

  /** Writes a value into a record slot (used when the host emits). */
  write(slot: number, value: FieldValue): void {
    const f = this.field;
    const ds = f.ds;
    if (f.size === 0) {
      let bytes: Uint8Array;
      if (typeof value === "string") bytes = encodeUtf8(value);
      else if (value instanceof Uint8Array) bytes = value.slice();
      else throw new TypeError(`field "${f.name}" is ${FieldKind[f.kind]}: expected a string or Uint8Array, got ${typeof value}`);
      ds.slab.vars[slot * ds.slab.varCount + f.offset] = bytes;
      return;
    }
    const view = this.sources.mem.view;
    const addr = ds.slab.addr[slot] + f.offset;
    switch (f.kind) {
      case FieldKind.Bool:
        view.setUint8(addr, value ? 1 : 0);
        return;
      case FieldKind.Int64:
        view.setBigInt64(addr, BigInt.asIntN(64, toBigInt(f, value)), true);
        return;
      case FieldKind.Uint64:
        view.setBigUint64(addr, BigInt.asUintN(64, toBigInt(f, value)), true);
        return;
      case FieldKind.Float32:
        view.setFloat32(addr, toNumber(f, value), true);
        return;
      case FieldKind.Float64:
        view.setFloat64(addr, toNumber(f, value), true);
        return;
    }
    // Integers up to 32 bits: the low bytes of the two's complement value.
    const n = toNumber(f, value);
    if (!Number.isInteger(n)) throw new TypeError(`field "${f.name}" is ${FieldKind[f.kind]}: ${n} is not an integer`);
    switch (FieldKindSize[f.kind]) {
      case 1:
        view.setUint8(addr, n & 0xff);
        return;
      case 2:
        view.setUint16(addr, n & 0xffff, true);
        return;
      default:
        view.setUint32(addr, n >>> 0, true);
    }
  }
}

/* One subclass per kind; see FieldAccessor. */
class BoolAccessor extends FieldAccessor {
  override get(r: RecordRef): boolean {
    return this.view.getUint8(r.addr + this.off) !== 0;
  }
}
class Int8Accessor extends FieldAccessor {
  override get(r: RecordRef): number {
    return this.view.getInt8(r.addr + this.off);
  }
}
class Int16Accessor extends FieldAccessor {
  override get(r: RecordRef): number {
    return this.view.getInt16(r.addr + this.off, true);
  }
}
class Int32Accessor extends FieldAccessor {
  override get(r: RecordRef): number {
    return this.view.getInt32(r.addr + this.off, true);
  }
}
class Int64Accessor extends FieldAccessor {
  override get(r: RecordRef): bigint {
    return this.view.getBigInt64(r.addr + this.off, true);
  }
}
class Uint8Accessor extends FieldAccessor {
  override get(r: RecordRef): number {
    return this.view.getUint8(r.addr + this.off);
  }
}
class Uint16Accessor extends FieldAccessor {
  override get(r: RecordRef): number {
    return this.view.getUint16(r.addr + this.off, true);
  }
}
class Uint32Accessor extends FieldAccessor {
  override get(r: RecordRef): number {
    return this.view.getUint32(r.addr + this.off, true);
  }
}
class Uint64Accessor extends FieldAccessor {
  override get(r: RecordRef): bigint {
    return this.view.getBigUint64(r.addr + this.off, true);
  }
}
class Float32Accessor extends FieldAccessor {
  override get(r: RecordRef): number {
    return this.view.getFloat32(r.addr + this.off, true);
  }
}
class Float64Accessor extends FieldAccessor {
  override get(r: RecordRef): number {
    return this.view.getFloat64(r.addr + this.off, true);
  }
}
class StringAccessor extends FieldAccessor {
  override get(r: RecordRef): string {
    const b = this.bytes(r);
    return decodeUtf8(b, 0, b.length);
  }
}
class CStringAccessor extends FieldAccessor {
  override get(r: RecordRef): string {
    const b = this.bytes(r);
    return decodeUtf8(b, 0, cStringLength(b));
  }
}

const ACCESSORS: Partial<Record<FieldKind, new (field: Field, sources: DataSources) => FieldAccessor>> = {
  [FieldKind.Bool]: BoolAccessor,
  [FieldKind.Int8]: Int8Accessor,
  [FieldKind.Int16]: Int16Accessor,
  [FieldKind.Int32]: Int32Accessor,
  [FieldKind.Int64]: Int64Accessor,
  [FieldKind.Uint8]: Uint8Accessor,
  [FieldKind.Uint16]: Uint16Accessor,
  [FieldKind.Uint32]: Uint32Accessor,
  [FieldKind.Uint64]: Uint64Accessor,
  [FieldKind.Float32]: Float32Accessor,
  [FieldKind.Float64]: Float64Accessor,
  [FieldKind.String]: StringAccessor,
  [FieldKind.CString]: CStringAccessor,
  // Bytes: the base class returns the stored bytes.
};

function toNumber(f: Field, value: FieldValue): number {
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "boolean") return value ? 1 : 0;
  throw new TypeError(`field "${f.name}" is ${FieldKind[f.kind]}: expected a number, got ${typeof value}`);
}

function toBigInt(f: Field, value: FieldValue): bigint {
  if (typeof value === "bigint") return value;
  if (typeof value === "number" && Number.isInteger(value)) return BigInt(value);
  if (typeof value === "boolean") return value ? 1n : 0n;
  throw new TypeError(`field "${f.name}" is ${FieldKind[f.kind]}: expected an integer or bigint, got ${String(value)}`);
}
