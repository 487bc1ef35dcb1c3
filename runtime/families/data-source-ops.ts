/**
 * The data-source family (v1 numbering of subscription types; the seed profile's
 * numbering is adapted in profiles.ts).
 */
import { type DataSourceType, SubscriptionType } from "../../generated/constants.js";
import type { FieldKind } from "../../generated/constants.js";
import type { DataSourceHandle, FieldHandle, PacketHandle } from "../../generated/types.js";
import { type Budgets, metadataCost } from "../budgets.js";
import { MISS, type Miss } from "../abi/miss.js";
import { fail, NotFoundError } from "../errors.js";
import { HandleType } from "../handles.js";
import type { DataSources } from "../data-sources.js";
import type { HostBehaviour } from "../host-behaviour.js";

export class DataSourceOps {
  constructor(
    private readonly sources: DataSources,
    private readonly behaviour: HostBehaviour,
    private readonly budgets: Budgets,
  ) {}

  private handleOf(dsIndex: number): DataSourceHandle {
    return this.sources.handles.alloc({ type: HandleType.DataSource, dataSource: dsIndex }) as DataSourceHandle;
  }

  /** A taken name is replaced, as in IG (see DataSources.create). */
  newDataSource(name: string, type: DataSourceType): DataSourceHandle {
    // Budgets first: a refused call creates nothing.
    this.sources.handles.ensureFree();
    this.budgets.metadataBytes.check(metadataCost("DataSource", name), "newDataSource");
    const ds = this.sources.create(name, type, true, "replace");
    this.budgets.metadataBytes.charge(metadataCost("DataSource", name), "newDataSource");
    return this.handleOf(ds.index);
  }

  /**
   * Unreferenced data sources are not found: IG looks the name up in
   * GetDataSources(), which leaves them out (pkg/gadget-context/gadget-context.go
   * getDataSources, since e3d6a2790, v0.35.0).
   */
  getDataSource(name: string): DataSourceHandle | Miss {
    const ds = this.sources.get(name);
    if (!ds) return MISS;
    if (!ds.referenced) throw new NotFoundError(`getDataSource: data source "${name}" is unreferenced`);
    return this.handleOf(ds.index);
  }

  dataSourceSubscribe(ds: DataSourceHandle, type: SubscriptionType, prio: number, cbID: bigint): void {
    const source = this.sources.dataSourceOf(ds, "dataSourceSubscribe");
    if (type !== SubscriptionType.Data && type !== SubscriptionType.Array && type !== SubscriptionType.Packet) {
      fail(`dataSourceSubscribe: unknown subscription type ${type}`);
    }
    if (type === SubscriptionType.Array && !source.isArray) fail(`dataSourceSubscribe: "${source.name}" is not an Array data source`);
    if (this.sources.guest.callback === null) fail("dataSourceSubscribe: the module exports no data-source callback");
    const limit = this.budgets.limits.subscriptionsPerDataSource;
    if (source.subscriptions.length >= limit) {
      fail(`dataSourceSubscribe: data source "${source.name}" has ${source.subscriptions.length} subscriptions already (subscriptionsPerDataSource)`);
    }
    // Subscriptions last as long as the gadget: each counts like a name, bounding them over all data sources.
    this.budgets.metadataBytes.charge(metadataCost("Subscription"), "dataSourceSubscribe");
    // IG decodes the priority as a signed i32 (pkg/operators/wasm/datasource.go
    // dataSourceSubscribe, DecodeI32) and sorts ascending, stably: 0xFFFFFFFF is -1
    // and runs before 0. `| 0` makes it signed whether the shim passes it signed or not.
    source.subscribe({ prio: prio | 0, type, cbID, dsHandle: ds, js: null });
  }

  dataSourceGetField(ds: DataSourceHandle, name: string): FieldHandle | Miss {
    const source = this.sources.dataSourceOf(ds, "dataSourceGetField");
    const field = source.field(name) ?? (this.behaviour.getFieldCaseInsensitive ? source.fieldIgnoringCase(name) : undefined);
    if (!field) return MISS;
    return this.sources.fieldHandle(field) as FieldHandle;
  }

  dataSourceAddField(ds: DataSourceHandle, name: string, kind: FieldKind): FieldHandle {
    const source = this.sources.dataSourceOf(ds, "dataSourceAddField");
    this.sources.handles.ensureFree();
    this.budgets.metadataBytes.check(metadataCost("Field", name), "dataSourceAddField");
    const field = this.sources.addField(source, name, kind);
    this.budgets.metadataBytes.charge(metadataCost("Field", name), "dataSourceAddField");
    return this.sources.fieldHandle(field) as FieldHandle;
  }

  dataSourceNewPacketSingle(ds: DataSourceHandle): PacketHandle {
    return this.sources.newPacketSingle(this.sources.dataSourceOf(ds, "dataSourceNewPacketSingle")) as PacketHandle;
  }

  dataSourceNewPacketArray(ds: DataSourceHandle): PacketHandle {
    return this.sources.newPacketArray(this.sources.dataSourceOf(ds, "dataSourceNewPacketArray")) as PacketHandle;
  }

  dataSourceEmitAndRelease(ds: DataSourceHandle, packet: PacketHandle): void {
    const source = this.sources.dataSourceOf(ds, "dataSourceEmitAndRelease");
    this.sources.emitPacketHandle(source, packet, "dataSourceEmitAndRelease");
  }

  dataSourceRelease(ds: DataSourceHandle, packet: PacketHandle): void {
    const source = this.sources.dataSourceOf(ds, "dataSourceRelease");
    this.sources.releasePacket(source, this.sources.packetEntry(source, packet, "dataSourceRelease"));
  }

  dataSourceUnreference(ds: DataSourceHandle): void {
    this.sources.dataSourceOf(ds, "dataSourceUnreference").referenced = false;
  }

  dataSourceIsReferenced(ds: DataSourceHandle): boolean {
    return this.sources.dataSourceOf(ds, "dataSourceIsReferenced").referenced;
  }
}
