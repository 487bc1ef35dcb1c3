/**
 * The guest export that plays a role in a profile (spec/exports.yaml gives
 * each export its role): the one place the runtime turns "the init phase" or
 * "the data-source callback" into an export's name, so the names stay in the spec.
 */
import type { GuestExportName, GuestExportRole, ProfileId } from "../generated/constants.js";
import { guestExports } from "../generated/host/descriptors.js";

/** The export of `role` in `profile`; undefined when the profile has none (the pre-release branch has no preStart). */
export function exportOfRole(profile: ProfileId, role: GuestExportRole): GuestExportName | undefined {
  return guestExports.find((e) => e.role === role && e.profiles.includes(profile))?.name;
}

/** The names of the exports that play one of `roles` in some profile, in spec order. */
export function exportsOfRoles(roles: ReadonlySet<GuestExportRole>): GuestExportName[] {
  return [...new Set(guestExports.filter((e) => e.role !== null && roles.has(e.role)).map((e) => e.name))];
}
