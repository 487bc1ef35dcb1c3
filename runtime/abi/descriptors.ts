/**
 * The shapes of the generated descriptors (generated/host/descriptors.ts):
 * one frozen record per host function variant and per guest export, in the
 * spec's words (wazero-style), for tracing, linking, checking imports and
 * tests. The generated file instantiates these types with the spec's profile
 * ids and export names and holds only data.
 */

/** A parameter as the spec writes it: its name, meaning (`handle<Field>`, `str`, ...) and wire type. */
export interface WireParamDescriptor {
  readonly name: string;
  readonly type: string;
  readonly wire: "i32" | "i64";
}

/** One variant of a host function: its wire name, the profiles that offer it, its parameters, result and error convention. */
export interface HostFnDescriptorOf<Profile extends string = string> {
  /** Wire name, verbatim. */
  readonly name: string;
  /** Family the function belongs to. */
  readonly family: string;
  /** Profiles that offer this variant. */
  readonly profiles: readonly Profile[];
  /** Parameters in wire order. */
  readonly params: readonly WireParamDescriptor[];
  /** Result meaning as the spec writes it and its wire type (null: none). */
  readonly result: { readonly type: string; readonly wire: "i32" | "i64" | null };
  /** How the function reports an error: not at all, by a return value, or through an error word parameter. */
  readonly error:
    | { readonly kind: "none" }
    | { readonly kind: "value"; readonly value: number }
    | { readonly kind: "errPtr"; readonly param: string };
}

/** Where a module of a profile imports host functions from. */
export interface ProfileModuleDescriptor {
  /** The import module name. */
  readonly module: string;
  /** The IG releases of the profile, oldest first. */
  readonly releases: readonly string[];
}

/** A function a module exports for the host to call. */
export interface GuestExportDescriptorOf<Profile extends string = string, Name extends string = string, Role extends string = string> {
  readonly name: Name;
  /** What the host calls it for; no two exports of one profile share a role. */
  readonly role: Role | null;
  readonly profiles: readonly Profile[];
  /** Whether a module of these profiles must export it. */
  readonly required: boolean;
  readonly params: readonly WireParamDescriptor[];
  readonly result: { readonly wire: "i32" | "i64" | null };
}

/** Freezes a descriptor table and everything in it. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** The entries of `table` that `profile` has, in table order. */
export function ofProfile<P extends string, T extends { readonly profiles: readonly P[] }>(table: readonly T[], profile: P): readonly T[] {
  return table.filter((entry) => entry.profiles.includes(profile));
}
