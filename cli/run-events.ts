/**
 * The heart of `igwasm run`, browser-safe so the playground's worker runs
 * gadgets the same way: declare the events file's data sources, subscribe to
 * every packet, run the lifecycle and emit the events after start.
 */
import { GuestExport } from "../generated/constants.js";
import type { EbpfObject } from "../runtime/image/ebpf-object.js";
import { setUpEbpfObject, type EbpfSetup } from "../runtime/image/ebpf-setup.js";
import { GadgetError, type ArrayView, type CallbackFailure, type OpenHandle, type EventView, type FieldValue, type Gadget, type GadgetOptions, type HostDataSource } from "../runtime/index.js";
import type { EventsFile, InputEvent } from "./events.js";
import { fillMaps, writePerfRecords } from "./image-run.js";
import { NO_KERNEL_STATE } from "./kernel-state.js";

export type Packet = Record<string, FieldValue> | Record<string, FieldValue>[];

/** Called for every packet of a data source: one record (single) or a list (array). */
export type PacketSink = (ds: HostDataSource, packet: Packet) => void;

export interface RunEventsOptions {
  /** Also report data sources the gadget unreferenced (default false). */
  readonly all?: boolean;
  /** The image's eBPF object: its maps and tracer data sources are made before init, and events may name its tracers. */
  readonly ebpf?: EbpfObject | null;
}

/**
 * Runs the gadget's whole lifecycle with `events` and reports every packet.
 * Throws GadgetError when a phase or an emit fails; packets reported before
 * that stay reported.
 */
export function runWithEvents(gadget: Gadget, events: EventsFile, onPacket: PacketSink, options: RunEventsOptions = {}): void {
  // What IG's eBPF operator would have made: maps and tracer data sources, before init.
  const kernel = events.kernel ?? NO_KERNEL_STATE;
  const ebpf = options.ebpf ? setUpEbpfObject(gadget, options.ebpf) : null;
  fillMaps(gadget, ebpf, kernel);
  const declared = new Map<string, HostDataSource>();
  for (const d of events.dataSources) declared.set(d.name, gadget.dataSources.declare(d.name, { type: d.type, fields: d.fields }));
  gadget.dataSources.subscribeAll(
    (ev: EventView | ArrayView, ds: HostDataSource) => {
      if (!options.all && !ds.referenced) return;
      onPacket(ds, ev.toJSON() as Packet);
    },
    // Last of all subscribers, so the packet is reported as the gadget left it.
    { type: "packet", priority: 2 ** 32 },
  );
  gadget.run(() => {
    writePerfRecords(gadget, kernel);
    events.events.forEach((ev, i) => emitInputEvent(ev, i + 1, declared.get(ev.ds)!, ebpf));
  });
}

/**
 * Emits one input event: through its tracer when the eBPF object declares the
 * data source (the struct's bytes, as the kernel side writes them), else into
 * the declared data source. A failure other than a GadgetError (or what
 * `passThrough` keeps) becomes a GadgetError naming the event.
 */
export function emitInputEvent(ev: InputEvent, n: number, ds: HostDataSource, ebpf: EbpfSetup | null, passThrough: (e: unknown) => boolean = () => false): void {
  const tracer = ebpf?.tracers.get(ev.ds);
  try {
    if (tracer) tracer.emitValues(ev.values as Record<string, FieldValue>);
    else if (Array.isArray(ev.values)) ds.emitArray(ev.values);
    else ds.emit(ev.values as Record<string, FieldValue>);
  } catch (e) {
    if (e instanceof GadgetError || passThrough(e)) throw e;
    throw new GadgetError(`emitting event ${n} into ${ev.ds} failed: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * The load options an events file's kernel state sets: its params under the
 * given ones (which win), its kallsyms, mount-namespace filter and syscall
 * architecture.
 */
export function kernelLoadOptions(events: EventsFile, params: Readonly<Record<string, string>>): Pick<GadgetOptions, "params" | "kallsyms" | "mntnsFilter" | "syscallArch"> {
  const kernel = events.kernel ?? NO_KERNEL_STATE;
  return {
    params: { ...kernel.params, ...params },
    ...(kernel.kallsyms ? { kallsyms: kernel.kallsyms } : {}),
    ...(kernel.mntnsFilter ? { mntnsFilter: kernel.mntnsFilter } : {}),
    ...(kernel.syscallArch ? { syscallArch: kernel.syscallArch } : {}),
  };
}

/** The columns of a data source's table: its fields in order. */
export function columnsOf(ds: HostDataSource): string[] {
  return ds.accessors().map((a) => a.name);
}

/** A trapped guest callback, as `igwasm run` reports it (a strict run fails on one). */
export function callbackFailureText(f: CallbackFailure): string {
  return `${f.phase}: the callback of data source ${f.dataSource} (subscriber ${f.subscriber}) trapped: ${f.message}`;
}

/** Most handles of one group the report lists by number. */
const LISTED_HANDLES = 4;

/**
 * The handles open at gadgetStop as `igwasm run --leaks` prints them: a
 * count, then a line per creating call (same call, type and phase grouped,
 * so a handle made on every event shows as one line with its count).
 */
export function openHandlesText(open: readonly OpenHandle[]): string {
  const groups = new Map<string, OpenHandle[]>();
  for (const h of open) {
    const key = `${h.type}\0${h.createdBy}\0${h.phase}`;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [h]);
    else group.push(h);
  }
  const lines = [`igwasm: ${open.length} handle${open.length === 1 ? "" : "s"} open at ${GuestExport.gadgetStop}${open.length > 0 ? ":" : ""}`];
  for (const group of groups.values()) {
    const { type, createdBy, phase } = group[0];
    const listed = group.slice(0, LISTED_HANDLES).map((h) => (h.name === null ? String(h.handle) : `${h.handle}<${h.name}>`));
    const handles = listed.join(" ") + (group.length > LISTED_HANDLES ? " ..." : "");
    lines.push(`igwasm:   ${group.length > 1 ? `${group.length} × ` : ""}${type} ${handles}, from ${createdBy} in ${phase}`);
  }
  return lines.join("\n") + "\n";
}
