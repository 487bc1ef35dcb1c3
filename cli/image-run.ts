/**
 * What `igwasm run` and `igwasm test` take from a gadget's eBPF object: its
 * tracers as data sources the events file may name without declaring them,
 * the maps and data sources made in the gadget before init, and the kernel
 * state of the events file (map contents, perf records).
 */
import { readEbpfObject, type EbpfObject } from "../runtime/image/ebpf-object.js";
import { newInnerMap, type EbpfSetup } from "../runtime/image/ebpf-setup.js";
import { fieldKindName, PerfBuffer, type FieldKind, type Gadget } from "../runtime/index.js";
import type { KernelState } from "./kernel-state.js";
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

/** Fills the image's maps with the events file's contents (before init); a map that refuses an entry fails the run. */
export function fillMaps(gadget: Gadget, setup: EbpfSetup | null, kernel: KernelState): void {
  for (const [name, list] of kernel.maps) {
    const map = gadget.maps.get(name);
    const spec = setup?.maps.get(name);
    if (map === undefined || spec === undefined) throw new Error(`map ${name} is not emulated (${setup?.skipped.find((s) => s.name === name)?.reason ?? "unknown map"})`);
    list.forEach((entry, i) => {
      try {
        if (entry.inner !== undefined) {
          const inner = newInnerMap(spec);
          for (const e of entry.inner) inner.update(e.key, e.value!, 0);
          map.updateMap(entry.key, inner, 0);
        } else {
          map.update(entry.key, entry.value!, 0);
        }
      } catch (e) {
        throw new Error(`map ${name}, entry ${i + 1}: ${(e as Error).message}`, { cause: e });
      }
    });
  }
}

/** Writes the events file's perf records to their maps' open readers (after start). */
export function writePerfRecords(gadget: Gadget, kernel: KernelState): void {
  for (const [name, records] of kernel.perfRecords) {
    const buffer = PerfBuffer.of(gadget.maps.get(name)!);
    for (const r of records) buffer.write(r);
  }
}
