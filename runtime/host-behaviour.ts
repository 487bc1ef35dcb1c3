/**
 * Guest-visible host behaviours that IG changed without changing a host
 * function's signature, so the imports of a module cannot tell them apart.
 * The flags and their release ranges are the spec's (spec/behaviours.yaml,
 * generated/releases.ts); the runtime takes one HostBehaviour
 * (RuntimeOptions.behaviour) and the families and the lifecycle read it. The
 * loader passes the flags of the IG release the module runs as;
 * CURRENT_BEHAVIOUR, the newest release's, when it knows no better.
 */
import { behaviourOfRelease, igReleases, type HostBehaviour } from "../generated/releases.js";

export type { HostBehaviour } from "../generated/releases.js";

export const CURRENT_BEHAVIOUR: HostBehaviour = behaviourOfRelease(igReleases[igReleases.length - 1].tag);
