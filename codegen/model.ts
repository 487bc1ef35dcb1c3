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
  /** The file as messages show it (relative to the working directory when loaded from disk). */
  readonly file: string;
  /** The file relative to the spec directory, posix separators: what generated output names. Independent of the working directory. */
  readonly specFile: string;
  readonly line: number;
  readonly col: number;
}

export type WireType = "i32" | "i64";

export interface AbiSpec {
  readonly kind: "spec";
  readonly abi: string;
  readonly apiVersion: number;
  readonly doc: string;
  /** IG releases, oldest first (`pre-release` first). */
  readonly releases: readonly Release[];
  /** Which host module name each release registers its functions under. */
  readonly modules: readonly ModuleRange[];
  /**
   * ABI profiles: maximal runs of consecutive releases that share every host
   * function signature, the module name and the guest exports. Derived from
   * the release ranges of functions and exports, oldest first.
   */
  readonly profiles: readonly Profile[];
  readonly behaviours: readonly Behaviour[];
  readonly handleTypes: readonly HandleTypeDesc[];
  readonly constants: readonly ConstantDesc[];
  /** Names besides functions and exports that a host and a module must agree on (the WASI module). */
  readonly names: readonly NameDesc[];
  readonly enums: readonly EnumDesc[];
  readonly families: readonly Family[];
  /** Every host function variant, families in spec order, functions in file order. */
  readonly functions: readonly HostFn[];
  readonly exports: readonly GuestExport[];
}

/** One IG release (a tag), or the never-released `pre-release` branch. */
export interface Release {
  readonly kind: "release";
  readonly tag: string;
  readonly date: string;
  readonly commit: string;
  readonly doc: string;
}

/** A contiguous run of releases, as the spec writes it: `v0.33.0 - v0.37.0`, `v0.39.0 -`, `pre-release`. */
export interface ReleaseRange {
  readonly first: string;
  /** null: still current (the newest release the spec knows). */
  readonly last: string | null;
  /** Every release tag in the range, oldest first. */
  readonly tags: readonly string[];
}

export interface ModuleRange {
  readonly kind: "moduleRange";
  readonly name: string;
  readonly releases: ReleaseRange;
  readonly sources: readonly string[];
}

/** Where in IG's source a fact was read: `pkg/operators/wasm/fields.go@114579bbf`. */
export type SourceRef = string;

export interface Profile {
  readonly kind: "profile";
  /** `pre-release`, or `v<major>.<minor>` of the profile's first release: `v0.35`. */
  readonly id: string;
  /** Identifier form of the id: `PreRelease`, `V0_35`. */
  readonly pascal: string;
  /** The import module name. */
  readonly module: string;
  /** `IG v0.35.0 - v0.36.1`. */
  readonly title: string;
  readonly doc: string;
  /** The releases of this profile, oldest first. */
  readonly releases: readonly string[];
}

/** A guest-visible behaviour that changed without a change of signature. */
export interface Behaviour {
  readonly kind: "behaviour";
  readonly id: string;
  /** The runtime flag's value inside the range; null: documentation only. */
  readonly flag: boolean | number | null;
  /** The flag's value outside the range. */
  readonly otherwise: boolean | number | null;
  readonly releases: ReleaseRange;
  /** Whether a guest built before the change can break on a release after it. */
  readonly breaking: boolean;
  readonly doc: string;
  readonly sources: readonly SourceRef[];
  readonly loc: SourceLoc;
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

/** A name the host and a module agree on: `WasiModule` = `wasi_snapshot_preview1`. */
export interface NameDesc {
  readonly kind: "name";
  /** Identifier of the constant the generator emits. */
  readonly name: string;
  readonly value: string;
  readonly doc: string;
  readonly sources: readonly SourceRef[];
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
  readonly releases: ReleaseRange;
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
  /**
   * 0 on success; the implementation returns nothing. `success`, when set,
   * names a parameter whose value is returned on success instead (IG before
   * v0.39.0 left the field handle in the result slot of its setters).
   */
  | { readonly kind: "status"; readonly success?: string }
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
  | { readonly kind: "scalarOrMalloc" }
  /**
   * The implementation returns bytes (or text) that the shim copies into
   * memory from the guest's `malloc`. Without `out` the function returns the
   * packed copy (i64); with `out` (an outPtr[8] parameter) it stores the
   * packed copy there as a little-endian u64 and returns 0 (i32).
   * `emptyValue` as for bytesToDst.
   */
  | { readonly kind: "bytesToMalloc"; readonly out?: string; readonly emptyValue?: number };

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
  /**
   * What an expected "not found" means for this function (`onMiss`), or null
   * when it has none: the implementation may return MISS, which the shim
   * answers like an error but reports at debug level only.
   */
  readonly miss: string | null;
}

export interface HostFn {
  readonly kind: "hostFn";
  /** Wire name, verbatim: `fieldGetScalar`. */
  readonly name: string;
  readonly family: string;
  /** Profile ids this variant belongs to, in spec profile order. */
  readonly profiles: readonly string[];
  /** The IG releases this variant held in. */
  readonly releases: ReleaseRange;
  /** Where IG's code shows it. */
  readonly sources: readonly SourceRef[];
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

/**
 * What the host calls a guest export for. The runtime finds an export by its
 * role and profile, so the spec alone says which name plays which part.
 */
export const EXPORT_ROLES = {
  wasiInitialize: "WASI reactor initialiser.",
  wasiStart: "WASI command entry point.",
  apiVersion: "Declares the ABI version.",
  allocator: "Allocates guest memory for values the host returns.",
  callback: "Receives data-source events.",
  init: "The init phase.",
  preStart: "The preStart phase.",
  start: "The start phase.",
  stop: "The stop phase.",
  postStop: "The postStop phase.",
} as const;

export type ExportRole = keyof typeof EXPORT_ROLES;

export interface GuestExport {
  readonly kind: "guestExport";
  readonly name: string;
  /** What the host calls it for; null when the spec does not say (small test specs). */
  readonly role: ExportRole | null;
  readonly profiles: readonly string[];
  readonly releases: ReleaseRange;
  readonly sources: readonly SourceRef[];
  readonly required: boolean;
  readonly doc: string;
  readonly params: readonly ExportParam[];
  readonly result: { readonly type: "none" | "i32" | "u32" | "u64"; readonly wire: WireType | null; readonly doc: string };
  readonly replaces: string | null;
  readonly replacedBy: string | null;
  readonly loc: SourceLoc;
}

/** The functions of one profile, in spec order. */
export function functionsOfProfile(spec: AbiSpec, profileId: string): readonly HostFn[] {
  return spec.functions.filter((f) => f.profiles.includes(profileId));
}

/** The exports of one profile, in spec order. */
export function exportsOfProfile(spec: AbiSpec, profileId: string): readonly GuestExport[] {
  return spec.exports.filter((e) => e.profiles.includes(profileId));
}

/** The families that have at least one function in the profile. */
export function familiesOfProfile(spec: AbiSpec, profileId: string): readonly Family[] {
  const fns = functionsOfProfile(spec, profileId);
  return spec.families.filter((fam) => fns.some((f) => f.family === fam.name));
}

/** A release range as people read it: `v0.33.0 - v0.37.0`, `v0.39.0 and later`, `pre-release only`. */
export function releaseRangeText(r: ReleaseRange): string {
  if (r.last === null) return `${r.first} and later`;
  if (r.first === r.last) return r.first === "pre-release" ? "pre-release only" : `${r.first} only`;
  return `${r.first} - ${r.last}`;
}
