/**
 * What `igwasm run` and `igwasm test` take from a gadget's eBPF object: its
 * tracers as data sources the events file may name without declaring them,
 * and the maps and data sources made in the gadget before init.
 */
import { readEbpfObject, type EbpfObject } from "../runtime/image/ebpf-object.js";
import { fieldKindName, type FieldKind } from "../runtime/index.js";
import type { DataSourceDecl } from "./events.js";
import type { GadgetSource } from "./gadget-source.js";

/** The eBPF object of an image or directory, read (ImageError when malformed); null when there is none. */
export function readSourceObject(source: GadgetSource): EbpfObject | null {
  return source.ebpf ? readEbpfObject(source.ebpf, `${source.label}: eBPF object`) : null;
}

/** The tracers' data sources as events-file declarations. */
export function tracerDecls(object: EbpfObject | null): DataSourceDecl[] {
  return (object?.tracers ?? []).map((t) => ({
    name: t.name,
    type: "single",
    fields: Object.fromEntries(t.struct.fields.map((f) => [f.name, fieldKindName(f.kind as FieldKind)])),
  }));
}
