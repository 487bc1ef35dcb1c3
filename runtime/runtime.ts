/**
 * One gadget instance's host state: host memory, handles, data sources,
 * maps, params and config, and the family implementations over them. The
 * per-profile host objects (profiles.ts) hand these families to the generated shims.
 */
import { Budgets, DEFAULT_LIMITS, type Limits } from "./budgets.js";
import { GuestMemory } from "./guest-memory.js";
import { HandleTable } from "./handles.js";
import { CURRENT_BEHAVIOUR, type HostBehaviour } from "./host-behaviour.js";
import { HostMemory } from "./host-memory.js";
import { DataSources, type GuestCallbackLink } from "./data-sources.js";
import type { Logger } from "./logger.js";
import { MapRegistry } from "./maps/bpf-map.js";
import { SyscallTable, type SyscallArch } from "./syscalls/syscall-table.js";
import { ConfigOps } from "./families/config-ops.js";
import { DataArrayOps } from "./families/data-array-ops.js";
import { DataSourceOps } from "./families/data-source-ops.js";
import { FieldOps } from "./families/field-ops.js";
import { HandleOps } from "./families/handle-ops.js";
import { KernelOps } from "./families/kernel-ops.js";
import { LogOps } from "./families/log-ops.js";
import { MapOps } from "./families/map-ops.js";
import { PerfOps } from "./families/perf-ops.js";
import { SyscallOps } from "./families/syscall-ops.js";

export interface RuntimeOptions {
  readonly logger: Logger;
  readonly params: ReadonlyMap<string, string>;
  readonly kallsyms: ReadonlySet<string>;
  readonly mntnsFilter: ReadonlySet<bigint> | null;
  readonly syscallArch: SyscallArch;
  /** Behaviours of the IG release the guest was built for (default: the newest release's). */
  readonly behaviour?: HostBehaviour;
  /** Per-gadget budgets (default DEFAULT_LIMITS). */
  readonly limits?: Limits;
}

/** What the runtime needs from the instantiated guest. */
export interface GuestLink extends GuestCallbackLink {
  malloc: ((size: number) => number) | null;
}

export class Runtime {
  readonly hostMemory: HostMemory;
  readonly handles: HandleTable;
  readonly budgets: Budgets;
  readonly guestMemory = new GuestMemory();
  readonly guest: GuestLink = { callback: null, malloc: null };
  readonly dataSources: DataSources;
  readonly maps = new MapRegistry();
  readonly config = new Map<string, string>();
  readonly logger: Logger;
  readonly behaviour: HostBehaviour;

  readonly log: LogOps;
  readonly dataSource: DataSourceOps;
  readonly dataArray: DataArrayOps;
  readonly field: FieldOps;
  readonly configOps: ConfigOps;
  readonly map: MapOps;
  readonly perf: PerfOps;
  readonly handle: HandleOps;
  readonly syscall: SyscallOps;
  readonly kernel: KernelOps;

  constructor(options: RuntimeOptions) {
    this.logger = options.logger;
    this.behaviour = options.behaviour ?? CURRENT_BEHAVIOUR;
    const limits = options.limits ?? DEFAULT_LIMITS;
    this.budgets = new Budgets(limits);
    this.hostMemory = new HostMemory(limits.hostMemoryBytes);
    this.handles = new HandleTable(this.hostMemory);
    this.dataSources = new DataSources(this.hostMemory, this.handles, this.guest, this.logger, limits.callbackDepth);
    this.log = new LogOps(this.logger);
    this.dataSource = new DataSourceOps(this.dataSources, this.behaviour, this.budgets);
    this.dataArray = new DataArrayOps(this.dataSources);
    this.field = new FieldOps(this.dataSources, this.hostMemory, this.budgets);
    this.configOps = new ConfigOps(options.params, this.config, this.budgets);
    this.map = new MapOps(this.handles, this.maps, this.budgets);
    this.perf = new PerfOps(this.handles, this.map, this.logger, this.budgets.perfRingBytes);
    this.handle = new HandleOps(this.dataSources, this.map, this.perf);
    this.syscall = new SyscallOps(SyscallTable.forArch(options.syscallArch));
    this.kernel = new KernelOps(options.kallsyms, options.mntnsFilter);
  }

  /**
   * Invalidates every handle the guest holds, as IG does when gadgetStop
   * returns (see HandleOps.dropAll). Called by Gadget.stop.
   */
  dropHandles(): void {
    this.handle.dropAll();
  }
}
