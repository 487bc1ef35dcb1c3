/**
 * The data-source model both baseline hosts share: a declared data source's
 * fields and where each one lives in a record. As in IG's datasource
 * package, fixed-size fields share one buffer, each at an offset aligned to
 * its size, and each variable-length field has its own slot.
 */
import { FieldKind, FieldKindSize } from "../../generated/constants.js";

export class BaselineField {
  constructor(
    readonly ds: BaselineDataSource,
    readonly name: string,
    readonly kind: FieldKind,
    /** Fixed-size fields: byte offset in the record; variable-length: slot index. */
    readonly offset: number,
    /** Bytes; 0 for variable-length kinds. */
    readonly size: number,
  ) {}
}

export class BaselineDataSource {
  readonly fields = new Map<string, BaselineField>();
  /** Bytes of the fixed-size part of a record. */
  fixedSize = 0;
  /** Variable-length fields. */
  varCount = 0;

  constructor(
    readonly name: string,
    fields: Record<string, FieldKind>,
  ) {
    for (const [fieldName, kind] of Object.entries(fields)) {
      const size = FieldKindSize[kind];
      let offset: number;
      if (size === 0) {
        offset = this.varCount++;
      } else {
        offset = Math.ceil(this.fixedSize / size) * size;
        this.fixedSize = offset + size;
      }
      this.fields.set(fieldName, new BaselineField(this, fieldName, kind, offset, size));
    }
  }
}

/**
 * A fixed-size field's value as `fieldGetScalar` returns it: the i64 the ABI
 * gives back, a BigInt in JS (signed kinds sign-extended, floats as their
 * bits, as IG's host does).
 */
export function scalarAsI64(view: DataView, at: number, kind: FieldKind): bigint {
  switch (kind) {
    case FieldKind.Bool: return view.getUint8(at) !== 0 ? 1n : 0n;
    case FieldKind.Int8: return BigInt(view.getInt8(at));
    case FieldKind.Int16: return BigInt(view.getInt16(at, true));
    case FieldKind.Int32: return BigInt(view.getInt32(at, true));
    case FieldKind.Uint8: return BigInt(view.getUint8(at));
    case FieldKind.Uint16: return BigInt(view.getUint16(at, true));
    case FieldKind.Uint32:
    case FieldKind.Float32: return BigInt(view.getUint32(at, true));
    case FieldKind.Int64: return view.getBigInt64(at, true);
    default: return view.getBigUint64(at, true);
  }
}
