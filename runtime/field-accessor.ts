/**
 * Field accessors: reading and writing one field of records from JS, and the
 * kind names and value types of the public API.
 */
import { FieldKind, FieldKindSize } from "../generated/constants.js";
import type { Field } from "./data-source.js";
import type { DataSources } from "./data-sources.js";
import { DescriptorWord } from "./record-slab.js";
import { cStringLength, decodeUtf8, encodeUtf8Into, utf8Length } from "./utf8.js";

export type FieldValue = number | bigint | boolean | string | Uint8Array;
/** A field kind's name in the public API: the spec's FieldKind name in lower case (`uint32`); Invalid is no kind. */
export type FieldKindName = Lowercase<Exclude<keyof typeof FieldKind, "Invalid">>;

/** Every FieldKind but Invalid under its lower-case name, in value order (from the generated enum). */
const KIND_BY_NAME = Object.fromEntries(
  Object.entries(FieldKind).flatMap(([name, kind]) => (typeof kind === "number" && kind !== FieldKind.Invalid ? [[name.toLowerCase(), kind]] : [])),
) as Record<FieldKindName, FieldKind>;

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

/** Reads one field of a record. */
export type FieldReader = (record: RecordRef) => FieldValue;

/**
 * Reads and writes one field of records.
 *
 * `get` is not a method but a closure made for this accessor, over the host
 * memory's current DataView and the field's offset as constants (see
 * `reader`). A call site that reads one field always calls the same closure,
 * so V8 inlines it and, knowing the closure, folds the DataView and the
 * offset into the code: the read compiles to what a hand-written
 * `view.getUint32(addr + 12, true)` compiles to. A method reading `this.view`
 * and `this.off` cannot be folded that way, and measured twice as slow
 * (bench/README.md, "host-side reads"). When host memory grows its DataView
 * changes, and HostMemory re-arms every accessor (the `view` setter), which
 * makes new closures.
 */
export class FieldAccessor {
  /**
   * The value of this field in a record (an EventView during a callback). Bytes for Bytes fields.
   * `declare`d, so that no class field defines it as undefined before the constructor sets it: a field
   * that starts undefined and then holds a function loses V8's field type, and calls through it
   * measured 1.5x slower.
   */
  declare get: FieldReader;
  private declare current: DataView;
  private readonly scratch = { slot: 0, addr: 0 };

  constructor(
    protected readonly field: Field,
    private readonly sources: DataSources,
  ) {
    this.current = sources.mem.view;
    this.get = reader(field, this.current);
    sources.mem.holdView(this);
  }

  /** The accessor of `field`. */
  static of(field: Field, sources: DataSources): FieldAccessor {
    return new FieldAccessor(field, sources);
  }

  /** The host memory's DataView the reader was made for; setting it (after growth) makes a new reader. */
  get view(): DataView {
    return this.current;
  }

  set view(view: DataView) {
    if (view === this.current) return;
    this.current = view;
    this.get = reader(this.field, view);
  }

  get name(): string {
    return this.field.name;
  }

  get kind(): FieldKind {
    return this.field.kind;
  }

  get tags(): readonly string[] {
    return [...this.field.tags];
  }

  /** Tags the field, as IG's FieldAccessor.AddTags does (the guest adds its own with fieldAddTag; one list, no duplicates). */
  addTags(...tags: string[]): this {
    for (const tag of tags) this.field.addTag(tag);
    return this;
  }

  /** The value of this field in the record at `slot`. */
  read(slot: number): FieldValue {
    this.scratch.slot = slot;
    this.scratch.addr = this.field.ds.slab.addr[slot];
    return this.get(this.scratch);
  }

  /**
   * The bytes a String, CString or Bytes field holds in a record, as stored (a CString's up to its
   * end, NUL included): not a copy, valid during the callback, not to be changed. For writers that
   * copy them out without decoding (the CLI's JSON output).
   */
  storedBytes(r: RecordRef): Uint8Array {
    if (this.field.size !== 0) throw new TypeError(`field "${this.field.name}" is ${FieldKind[this.field.kind]}, not a variable-length field`);
    return storedBytes(this.field, r);
  }

  /** Writes a value into a record slot (used when the host emits). */
  write(slot: number, value: FieldValue): void {
    const f = this.field;
    const ds = f.ds;
    if (f.size === 0) {
      if (typeof value === "string") {
        // Encoded straight into the value's block: no intermediate bytes.
        const length = utf8Length(value);
        const at = ds.slab.reserveVar(slot, f.offset, length);
        encodeUtf8Into(value, length, this.sources.mem.u8, at);
      } else if (value instanceof Uint8Array) {
        ds.slab.setVar(slot, f.offset, value);
      } else {
        throw new TypeError(`field "${f.name}" is ${FieldKind[f.kind]}: expected a string or Uint8Array, got ${typeof value}`);
      }
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

/**
 * The reader of `field` over `view`: one arrow function per kind, each
 * closing over constants only (the view, the offset), so that V8 can fold
 * them once it inlines the closure (see FieldAccessor).
 */
function reader(field: Field, memoryView: DataView): FieldReader {
  // Constants, not parameters: V8 folds loads of immutable context slots only.
  const view = memoryView;
  const off = field.offset;
  switch (field.kind) {
    case FieldKind.Bool:
      return (r) => view.getUint8(r.addr + off) !== 0;
    case FieldKind.Int8:
      return (r) => view.getInt8(r.addr + off);
    case FieldKind.Int16:
      return (r) => view.getInt16(r.addr + off, true);
    case FieldKind.Int32:
      return (r) => view.getInt32(r.addr + off, true);
    case FieldKind.Int64:
      return (r) => view.getBigInt64(r.addr + off, true);
    case FieldKind.Uint8:
      return (r) => view.getUint8(r.addr + off);
    case FieldKind.Uint16:
      return (r) => view.getUint16(r.addr + off, true);
    case FieldKind.Uint32:
      return (r) => view.getUint32(r.addr + off, true);
    case FieldKind.Uint64:
      return (r) => view.getBigUint64(r.addr + off, true);
    case FieldKind.Float32:
      return (r) => view.getFloat32(r.addr + off, true);
    case FieldKind.Float64:
      return (r) => view.getFloat64(r.addr + off, true);
    case FieldKind.String: {
      const bytes = new Uint8Array(view.buffer);
      const words = new Uint32Array(view.buffer);
      return (r) => {
        // The value's descriptor, right before the record (RecordSlab): no slab lookup.
        const d = (r.addr + off) >>> 2;
        return decodeUtf8(bytes, words[d + DescriptorWord.at], words[d + DescriptorWord.length]);
      };
    }
    case FieldKind.CString:
      return (r) => {
        const b = storedBytes(field, r);
        return decodeUtf8(b, 0, cStringLength(b));
      };
    default:
      // A copy: the stored bytes change when the value is set again or the record is reused.
      return (r) => storedBytes(field, r).slice();
  }
}

/**
 * The stored bytes of a variable-length field: a view of host memory, valid until the value is
 * set again or the record freed (the slab is looked up each time: adding a field replaces it).
 */
function storedBytes(field: Field, record: RecordRef): Uint8Array {
  const slab = field.ds.slab;
  return slab.varBytes(record.slot, field.offset);
}

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
