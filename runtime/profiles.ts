/**
 * The host objects of each ABI profile: the runtime's families, checked with
 * `satisfies` against the generated per-profile host interfaces, so a spec
 * change the runtime does not follow is a compile error here; and the import
 * factory of each profile, keyed by profile id.
 */
import { SubscriptionType, SubscriptionTypeSeed, type ProfileId } from "../generated/constants.js";
import type { DataSourceHandle } from "../generated/types.js";
import { createPreReleaseImports, PreReleaseTrampolines, type PreReleaseDataSourceHost, type PreReleaseHostImpl } from "../generated/host/pre-release/index.js";
import { createV0_30Imports, V0_30Trampolines, type V0_30HostImpl } from "../generated/host/v0.30/index.js";
import { createV0_33Imports, V0_33Trampolines, type V0_33HostImpl } from "../generated/host/v0.33/index.js";
import { createV0_35Imports, V0_35Trampolines, type V0_35HostImpl } from "../generated/host/v0.35/index.js";
import { createV0_37Imports, V0_37Trampolines, type V0_37HostImpl } from "../generated/host/v0.37/index.js";
import { createV0_38Imports, V0_38Trampolines, type V0_38HostImpl } from "../generated/host/v0.38/index.js";
import { createV0_39Imports, V0_39Trampolines, type V0_39HostImpl } from "../generated/host/v0.39/index.js";
import { createV0_40Imports, V0_40Trampolines, type V0_40HostImpl } from "../generated/host/v0.40/index.js";
import { createV0_43Imports, V0_43Trampolines, type V0_43HostImpl } from "../generated/host/v0.43/index.js";
import { fail } from "./errors.js";
import type { Runtime } from "./runtime.js";
import type { ShimContext, ShimFunction, TrampolineSet } from "./abi/index.js";

/** The host interface of every released profile, by id. */
export interface ReleasedHostImpls {
  readonly "v0.30": V0_30HostImpl;
  readonly "v0.33": V0_33HostImpl;
  readonly "v0.35": V0_35HostImpl;
  readonly "v0.37": V0_37HostImpl;
  readonly "v0.38": V0_38HostImpl;
  readonly "v0.39": V0_39HostImpl;
  readonly "v0.40": V0_40HostImpl;
  readonly "v0.43": V0_43HostImpl;
}

/** The host interface of each profile, by id. */
export type HostImplOf = ReleasedHostImpls & { readonly "pre-release": PreReleaseHostImpl };

/**
 * The runtime's families. One object serves every released profile: profiles
 * differ in which functions (and which wire variants) their shims expose, not
 * in what the implementations do. The intersection check proves it.
 */
function releasedFamilies(rt: Runtime) {
  return {
    log: rt.log,
    dataSource: rt.dataSource,
    dataArray: rt.dataArray,
    field: rt.field,
    config: rt.configOps,
    map: rt.map,
    perf: rt.perf,
    handle: rt.handle,
    syscall: rt.syscall,
    kernel: rt.kernel,
  } satisfies V0_30HostImpl & V0_33HostImpl & V0_35HostImpl & V0_37HostImpl & V0_38HostImpl & V0_39HostImpl & V0_40HostImpl & V0_43HostImpl;
}

/**
 * A pre-release subscription type in the releases' numbering: the value of the same name
 * (the branch numbers Data, Array, Packet from 0; releases from 1). Undefined for a number
 * the branch does not have.
 */
export function releasedSubscriptionType(seed: number): SubscriptionType | undefined {
  const name = SubscriptionTypeSeed[seed] as keyof typeof SubscriptionTypeSeed | undefined;
  return name === undefined ? undefined : SubscriptionType[name];
}

function preReleaseDataSourceHost(rt: Runtime): PreReleaseDataSourceHost {
  const ops = rt.dataSource;
  return {
    newDataSource: (name, type) => ops.newDataSource(name, type),
    getDataSource: (name) => ops.getDataSource(name),
    dataSourceSubscribe: (ds: DataSourceHandle, type: SubscriptionTypeSeed, prio: number, cbID: bigint) => {
      // An unknown pre-release type is reported as the guest wrote it, not as a released number.
      const released = releasedSubscriptionType(type);
      return released === undefined ? fail(`dataSourceSubscribe: unknown subscription type ${type}`) : ops.dataSourceSubscribe(ds, released, prio, cbID);
    },
    dataSourceGetField: (ds, name) => ops.dataSourceGetField(ds, name),
    dataSourceAddField: (ds, name, kind) => ops.dataSourceAddField(ds, name, kind),
    dataSourceNewPacketSingle: (ds) => ops.dataSourceNewPacketSingle(ds),
    dataSourceNewPacketArray: (ds) => ops.dataSourceNewPacketArray(ds),
    dataSourceEmitAndRelease: (ds, packet) => ops.dataSourceEmitAndRelease(ds, packet),
    dataSourceRelease: (ds, packet) => ops.dataSourceRelease(ds, packet),
  } satisfies PreReleaseDataSourceHost;
}

function preReleaseHost(rt: Runtime): PreReleaseHostImpl {
  return {
    log: rt.log,
    dataSource: preReleaseDataSourceHost(rt),
    dataArray: rt.dataArray,
    field: rt.field,
  } satisfies PreReleaseHostImpl;
}

/** The runtime's host object for a profile. */
export function createProfileHost<P extends ProfileId>(profile: P, rt: Runtime): HostImplOf[P] {
  return (profile === "pre-release" ? preReleaseHost(rt) : releasedFamilies(rt)) as HostImplOf[P];
}

type ImportFactory<P extends ProfileId> = (impl: HostImplOf[P], ctx: ShimContext) => Readonly<Record<string, ShimFunction>>;

/** The generated import factory of each profile. */
export const importFactories: { readonly [P in ProfileId]: ImportFactory<P> } = {
  "pre-release": createPreReleaseImports,
  "v0.30": createV0_30Imports,
  "v0.33": createV0_33Imports,
  "v0.35": createV0_35Imports,
  "v0.37": createV0_37Imports,
  "v0.38": createV0_38Imports,
  "v0.39": createV0_39Imports,
  "v0.40": createV0_40Imports,
  "v0.43": createV0_43Imports,
};

/** The generated i64 trampolines of each profile. */
export const trampolineSets: { readonly [P in ProfileId]: TrampolineSet } = {
  "pre-release": PreReleaseTrampolines,
  "v0.30": V0_30Trampolines,
  "v0.33": V0_33Trampolines,
  "v0.35": V0_35Trampolines,
  "v0.37": V0_37Trampolines,
  "v0.38": V0_38Trampolines,
  "v0.39": V0_39Trampolines,
  "v0.40": V0_40Trampolines,
  "v0.43": V0_43Trampolines,
};
