/**
 * Read-only questions about the guest's handles, for the decoded trace and
 * the report of handles left open at gadgetStop: whether a handle is live,
 * what type it is and what it names. Nothing here creates, frees or changes
 * a handle, and nothing is logged.
 */
import { DataArrayElementFlag } from "../generated/constants.js";
import { ANY_HANDLE, HandleType, handleTypeName } from "./handles.js";
import type { BpfMap } from "./maps/bpf-map.js";
import type { PerfReader } from "./perf/perf-reader.js";
import type { Runtime } from "./runtime.js";
import type { TraceDecoding } from "./trace.js";

export interface HandleDescription {
  /** DataSource, Field, Data, Packet, DataArray, Map or PerfReader. */
  readonly type: string;
  /** The data source's, field's or map's name; for records and packets their data source's; null for none. */
  readonly name: string | null;
}

/** The entry offset of a live handle, or -1 (the table's own check, without its error). */
function liveEntry(rt: Runtime, handle: number): number {
  try {
    return (handle & DataArrayElementFlag) !== 0 ? rt.handles.elementArrayEntry(handle, "") : rt.handles.entry(handle, ANY_HANDLE, "");
  } catch {
    return -1;
  }
}

/** What `handle` is, or null when it is not live now (never made, released, or dropped at stop). */
export function describeHandle(rt: Runtime, handle: number): HandleDescription | null {
  const base = liveEntry(rt, handle);
  if (base === -1) return null;
  const handles = rt.handles;
  const sources = rt.dataSources;
  const type = handles.typeAt(base);
  if ((handle & DataArrayElementFlag) !== 0) return { type: "Data", name: sources.sources[handles.dataSourceIndex(base)]?.name ?? null };
  switch (type) {
    case HandleType.DataSource:
      return { type: handleTypeName(type), name: sources.sources[handles.dataSourceIndex(base)]?.name ?? null };
    case HandleType.Field:
      return { type: handleTypeName(type), name: sources.fields[handles.fieldId(base)]?.name ?? null };
    case HandleType.Map:
      return { type: handleTypeName(type), name: handles.object<BpfMap>(base).spec.name };
    case HandleType.PerfReader:
      return { type: handleTypeName(type), name: handles.object<PerfReader>(base).map.spec.name };
    default:
      return { type: handleTypeName(type), name: sources.sources[handles.dataSourceIndex(base)]?.name ?? null };
  }
}

const NO_BYTES = new Uint8Array(0);

/** The trace's decoding over a runtime: its guest memory and the names of its handles. */
export function traceDecodingOf(rt: Runtime): TraceDecoding {
  return {
    guestBytes: () => (rt.guestMemory.attached ? rt.guestMemory.u8() : NO_BYTES),
    handleName: (handle) => describeHandle(rt, handle)?.name ?? null,
  };
}
