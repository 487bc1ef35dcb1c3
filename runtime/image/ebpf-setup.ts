/**
 * Giving a loaded gadget what IG's eBPF operator would have made from its
 * eBPF object, before gadgetInit: every map igwasm can emulate, registered
 * under its ELF name (the guest's getMap), and one Single data source per
 * tracer with the event struct's fields and tags (IG pkg/operators/ebpf/
 * ebpf.go register/addDataSource, aeac857).
 */
import { FieldKind, MapType } from "../../generated/constants.js";
import type { HostDataSource } from "../data-source-api.js";
import { fieldKindName, type FieldKindName, type FieldValue } from "../field-accessor.js";
import type { Gadget } from "../gadget.js";
import { BpfMap, type MapSpec } from "../maps/bpf-map.js";
import type { EbpfMapSpec, EbpfObject, EbpfStruct, EbpfTracer } from "./ebpf-object.js";
import { decodeStruct, encodeStruct } from "./struct-codec.js";

const EMULATED = new Set<number>([MapType.Hash, MapType.Array, MapType.PerfEventArray, MapType.PercpuHash, MapType.PercpuArray, MapType.LruHash, MapType.ArrayOfMaps, MapType.HashOfMaps]);

export interface TracerSource {
  readonly tracer: EbpfTracer;
  readonly ds: HostDataSource;
  /** Emits one event given by field values (missing fields zero), through the struct's bytes as the kernel side would. */
  emitValues(values: Readonly<Record<string, FieldValue>>): void;
  /** Emits one event from raw struct bytes (a perf/ring-buffer sample). */
  emitBytes(sample: Uint8Array): void;
}

export interface EbpfSetup {
  readonly tracers: ReadonlyMap<string, TracerSource>;
  /** The specs of the maps created, by name. */
  readonly maps: ReadonlyMap<string, EbpfMapSpec>;
  /** Maps igwasm cannot emulate (ring buffers, ...), with the reason; the guest's getMap on them fails. */
  readonly skipped: readonly { readonly name: string; readonly reason: string }[];
}

/** The runtime's MapSpec of an eBPF map (perf event arrays sized for one emulated CPU when the object leaves it to the loader). */
export function runtimeMapSpec(spec: EbpfMapSpec): MapSpec {
  const maxEntries = spec.type === MapType.PerfEventArray && spec.maxEntries === 0 ? 1 : spec.maxEntries;
  return { name: spec.name, type: spec.type as MapType, keySize: spec.keySize, valueSize: spec.valueSize, maxEntries };
}

/** An inner map for a map of maps, shaped by the outer map's `values` definition. */
export function newInnerMap(outer: EbpfMapSpec): BpfMap {
  return BpfMap.create(runtimeMapSpec(outer.inner!));
}

function tracerSource(gadget: Gadget, tracer: EbpfTracer): TracerSource {
  const fields: Record<string, FieldKindName> = {};
  for (const f of tracer.struct.fields) fields[f.name] = fieldKindName(f.kind as FieldKind);
  const ds = gadget.dataSources.declare(tracer.name, { fields });
  for (const f of tracer.struct.fields) ds.field(f.name).addTags(...f.tags);
  const st: EbpfStruct = tracer.struct;
  const emitBytes = (sample: Uint8Array): void => ds.emit(decodeStruct(st, sample.length > st.size ? sample.subarray(0, st.size) : sample));
  return { tracer, ds, emitBytes, emitValues: (values) => emitBytes(encodeStruct(st, values)) };
}

/** Creates the object's maps and tracer data sources in `gadget` (call before init). */
export function setUpEbpfObject(gadget: Gadget, object: EbpfObject): EbpfSetup {
  const maps = new Map<string, EbpfMapSpec>();
  const skipped: { name: string; reason: string }[] = [];
  for (const spec of object.maps) {
    if (!EMULATED.has(spec.type)) {
      skipped.push({ name: spec.name, reason: `map type ${spec.type} is not emulated` });
      continue;
    }
    gadget.maps.declare(runtimeMapSpec(spec));
    maps.set(spec.name, spec);
  }
  const tracers = new Map(object.tracers.map((t) => [t.name, tracerSource(gadget, t)]));
  return { tracers, maps, skipped };
}
