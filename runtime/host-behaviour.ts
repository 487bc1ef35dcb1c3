/**
 * Guest-visible host behaviours that IG changed without changing a host
 * function's signature, so the imports of a module cannot tell them apart.
 * The runtime takes one HostBehaviour (RuntimeOptions.behaviour) and the
 * families read it; the loader passes the values of the IG release the
 * module was built for (generated from the spec), CURRENT_BEHAVIOUR when it
 * knows no better.
 */

/** Guest-visible behaviours that changed inside one ABI signature set, by IG release. */
export interface HostBehaviour {
  /**
   * fieldSet/fieldAccessorSet return the field handle on success (IG before
   * v0.39.0). IG's setter never wrote its result slot on success, so the guest
   * got its own first argument back; 114579bbf ("Fix return code for
   * fieldSet", 2025-03-05, first release v0.39.0) made it 0. An error is 1 in
   * every release.
   */
  readonly setterSuccessIsFieldHandle: boolean;
  /**
   * dataSourceGetField falls back to a case-insensitive match when no field
   * has exactly the name (IG v0.49.0+: pkg/datasource/data.go GetField,
   * 6dc616b41).
   */
  readonly getFieldCaseInsensitive: boolean;
}

export const CURRENT_BEHAVIOUR: HostBehaviour = { setterSuccessIsFieldHandle: false, getFieldCaseInsensitive: true };
