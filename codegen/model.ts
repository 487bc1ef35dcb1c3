/**
 * The typed model of the ABI spec: what the parser builds from spec/*.yaml and
 * the only thing emitters see. Every list is readonly and every node carries a
 * `kind` discriminant, so an emitter switches on meaning, never on YAML shape.
 *
 * Parameters are described by what they mean (a handle of a named type, a
 * packed string, a destination buffer, an error word), not by their wasm type;
 * `lowering.ts` maps each meaning to its wire type and to how the shim decodes
 * it, once for all emitters.
 */

/** Where a node was written, for error messages. */
export interface SourceLoc {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

export type WireType = "i32" | "i64";

export interface AbiSpec {
  readonly kind: "spec";
  readonly abi: string;
  readonly apiVersion: number;
  readonly doc: string;
  readonly eras: readonly Era[];
  readonly handleTypes: readonly HandleTypeDesc[];
  readonly constants: readonly ConstantDesc[];
  readonly enums: readonly EnumDesc[];
  readonly families: readonly Family[];
  /** Every host function variant, families in spec order, functions in file order. */
  readonly functions: readonly HostFn[];
  readonly exports: readonly GuestExport[];
}

export interface Era {
  readonly kind: "era";
  /** `seed`, `env-v1`, `ig-v1`. */
  readonly id: string;
  /** Identifier form of the id: `Seed`, `EnvV1`, `IgV1`. */
  readonly pascal: string;
  /** The import module name. */
  readonly module: string;
  /** Other module names some builds of this era import the same functions from. */
  readonly extraModules: readonly string[];
  readonly title: string;
  readonly doc: string;
}

export interface HandleTypeDesc {
  readonly kind: "handleType";
  readonly name: string;
  readonly doc: string;
}

export interface ConstantDesc {
  readonly kind: "constant";
  readonly name: string;
  readonly value: number;
  readonly doc: string;
}

export interface EnumValue {
  readonly kind: "enumValue";
  readonly name: string;
  readonly value: number;
  readonly doc: string;
  /** Byte size, for field kinds with a fixed size. */
  readonly size?: number;
  readonly signed?: boolean;
  readonly float?: boolean;
}

export interface EnumDesc {
  readonly kind: "enum";
  readonly name: string;
  readonly doc: string;
  readonly wire: WireType;
  readonly values: readonly EnumValue[];
}

export interface Family {
  readonly kind: "family";
  /** camelCase family name: `log`, `dataSource`, `field`, ... */
  readonly name: string;
  readonly title: string;
  readonly doc: string;
  /** Spec file the family comes from, relative to the spec directory. */
  readonly file: string;
}

/** The meaning of a parameter. */
export type ParamType =
  | { readonly kind: "u32" }
  | { readonly kind: "i32" }
  | { readonly kind: "u64" }
  | { readonly kind: "i64" }
  /** 0 or 1 in an i32. */
  | { readonly kind: "bool" }
  | { readonly kind: "handle"; readonly handleType: string }
  | { readonly kind: "enum"; readonly enumName: string }
  /** Packed string in (len << 32 | ptr), UTF-8; 0 is the empty string. */
  | { readonly kind: "str" }
  /** Packed byte buffer in, same packing. */
  | { readonly kind: "buf" }
  /** Packed destination buffer: the host may write up to len bytes at ptr. */
  | { readonly kind: "dst" }
  /** Address of a fixed-size area the host fills. */
  | { readonly kind: "outPtr"; readonly size: number }
  /** Address of a u32 error word the host sets to 1 on error (0: no word). */
  | { readonly kind: "errPtr" }
  /** A u64 whose meaning depends on a FieldKind parameter: scalar bits, or a packed buffer for String/CString/Bytes. */
  | { readonly kind: "kindValue"; readonly kindParam: string };

export interface Param {
  readonly kind: "param";
  readonly name: string;
  readonly doc: string;
  readonly type: ParamType;
  readonly wire: WireType;
  readonly loc: SourceLoc;
}

/** The meaning of a result. */
export type ResultType =
  | { readonly kind: "none" }
  /** 0 on success; the implementation returns nothing. */
  | { readonly kind: "status" }
  | { readonly kind: "u32" }
  | { readonly kind: "i32" }
  | { readonly kind: "u64" }
  | { readonly kind: "bool" }
  | { readonly kind: "handle"; readonly handleType: string }
  /**
   * The implementation returns bytes (or text) that the shim copies into the
   * `dst` parameter; too small a destination is an error and nothing is
   * written. `report` says what the function returns on success: the byte
   * count, or 0. `emptyValue`, when set, is returned when the implementation
   * returns null (nothing to copy, not an error).
   */
  | {
      readonly kind: "bytesToDst";
      readonly dst: string;
      readonly report: "count" | "status";
      readonly emptyValue?: number;
    }
  /** A u64 scalar, or for String/CString/Bytes a packed copy in memory from the guest's `malloc`. */
  | { readonly kind: "scalarOrMalloc" };

/** How a function reports an error. */
export type ErrorConv =
  | { readonly kind: "none" }
  | { readonly kind: "value"; readonly value: number }
  | { readonly kind: "errPtr"; readonly param: string };

export interface HostResult {
  readonly kind: "result";
  readonly type: ResultType;
  /** null: the function returns nothing. */
  readonly wire: WireType | null;
  readonly doc: string;
  readonly error: ErrorConv;
}

export interface HostFn {
  readonly kind: "hostFn";
  /** Wire name, verbatim: `fieldGetScalar`. */
  readonly name: string;
  readonly family: string;
  /** Era ids this variant belongs to, in spec era order. */
  readonly eras: readonly string[];
  readonly since: string | null;
  readonly doc: string;
  readonly params: readonly Param[];
  readonly result: HostResult;
  readonly replaces: string | null;
  readonly replacedBy: string | null;
  readonly loc: SourceLoc;
}

export type ExportParamType =
  | { readonly kind: "u32" }
  | { readonly kind: "i32" }
  | { readonly kind: "u64" }
  | { readonly kind: "handle"; readonly handleType: string };

export interface ExportParam {
  readonly kind: "exportParam";
  readonly name: string;
  readonly doc: string;
  readonly type: ExportParamType;
  readonly wire: WireType;
}

export interface GuestExport {
  readonly kind: "guestExport";
  readonly name: string;
  readonly eras: readonly string[];
  readonly required: boolean;
  readonly doc: string;
  readonly params: readonly ExportParam[];
  readonly result: { readonly type: "none" | "i32" | "u32" | "u64"; readonly wire: WireType | null; readonly doc: string };
  readonly replaces: string | null;
  readonly replacedBy: string | null;
  readonly loc: SourceLoc;
}

/** The functions of one era, in spec order. */
export function functionsOfEra(spec: AbiSpec, eraId: string): readonly HostFn[] {
  return spec.functions.filter((f) => f.eras.includes(eraId));
}

/** The exports of one era, in spec order. */
export function exportsOfEra(spec: AbiSpec, eraId: string): readonly GuestExport[] {
  return spec.exports.filter((e) => e.eras.includes(eraId));
}

/** The families that have at least one function in the era. */
export function familiesOfEra(spec: AbiSpec, eraId: string): readonly Family[] {
  const fns = functionsOfEra(spec, eraId);
  return spec.families.filter((fam) => fns.some((f) => f.family === fam.name));
}
