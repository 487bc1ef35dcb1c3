/**
 * The host objects of each era: the runtime's families, checked with
 * `satisfies` against the generated per-era host interfaces, so a spec change
 * the runtime does not follow is a compile error here.
 */
import type { SubscriptionType, SubscriptionTypeSeed } from "../generated/constants.js";
import type { DataSourceHandle } from "../generated/types.js";
import type { EnvV1HostImpl } from "../generated/host/env-v1/index.js";
import type { IgV1HostImpl } from "../generated/host/ig-v1/index.js";
import type { SeedDataSourceHost, SeedHostImpl } from "../generated/host/seed/index.js";
import type { Runtime } from "./runtime.js";

/** The families of both v1 eras: env-v1 and ig-v1 differ only in which functions the shims expose. */
function v1Families(rt: Runtime) {
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
  };
}

export function createIgV1Host(rt: Runtime): IgV1HostImpl {
  return v1Families(rt) satisfies IgV1HostImpl;
}

export function createEnvV1Host(rt: Runtime): EnvV1HostImpl {
  return v1Families(rt) satisfies EnvV1HostImpl;
}

/** The seed era numbers subscription types from 0 (Data, Array, Packet); v1 from 1. */
function seedDataSourceHost(rt: Runtime): SeedDataSourceHost {
  const ops = rt.dataSource;
  return {
    newDataSource: (name, type) => ops.newDataSource(name, type),
    getDataSource: (name) => ops.getDataSource(name),
    dataSourceSubscribe: (ds: DataSourceHandle, type: SubscriptionTypeSeed, prio: number, cbID: bigint) =>
      ops.dataSourceSubscribe(ds, (type + 1) as SubscriptionType, prio, cbID),
    dataSourceGetField: (ds, name) => ops.dataSourceGetField(ds, name),
    dataSourceAddField: (ds, name, kind) => ops.dataSourceAddField(ds, name, kind),
    dataSourceNewPacketSingle: (ds) => ops.dataSourceNewPacketSingle(ds),
    dataSourceNewPacketArray: (ds) => ops.dataSourceNewPacketArray(ds),
    dataSourceEmitAndRelease: (ds, packet) => ops.dataSourceEmitAndRelease(ds, packet),
    dataSourceRelease: (ds, packet) => ops.dataSourceRelease(ds, packet),
  } satisfies SeedDataSourceHost;
}

export function createSeedHost(rt: Runtime): SeedHostImpl {
  return {
    log: rt.log,
    dataSource: seedDataSourceHost(rt),
    dataArray: rt.dataArray,
    field: rt.field,
  } satisfies SeedHostImpl;
}
