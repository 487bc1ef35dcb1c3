/**
 * The data-source model both baseline hosts share: a declared data source's
 * fields and where each one lives in a record. As in IG's datasource
 * package, fixed-size fields share one buffer, each at an offset aligned to
 * its size, and each variable-length field has its own slot.
 */
import { type FieldKind, FieldKindSize } from "../../generated/constants.js";

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
