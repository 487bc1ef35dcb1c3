/**
 * A gadget's build directory as `igwasm run` and `igwasm inspect` read it
 * (gadget.yaml, a .wasm module and optionally the eBPF object, as
 * `ig image build` takes them). Loaded only for a directory argument.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { isElf } from "../runtime/image/elf.js";
import { GadgetSourceError, isWasm, type GadgetSource } from "./gadget-kind.js";
import { readFileOrFail } from "./gadget-source.js";
import { wasmParamSpecs } from "./oci.js";

/** The one file of `dir` that `pick` accepts, preferring `preferred`; null when none. */
function onlyFile(dir: string, what: string, preferred: string, pick: (name: string, bytes: Uint8Array) => boolean): { name: string; bytes: Uint8Array } | null {
  const found = readdirSync(dir)
    .filter((name) => statSync(join(dir, name)).isFile())
    .map((name) => ({ name, bytes: new Uint8Array(readFileSync(join(dir, name))) }))
    .filter((f) => pick(f.name, f.bytes));
  if (found.length > 1) {
    const chosen = found.find((f) => f.name === preferred);
    if (chosen) return chosen;
    throw new GadgetSourceError(`${dir} has ${found.length} ${what}s (${found.map((f) => f.name).join(", ")}); keep one or name it ${preferred}`);
  }
  return found[0] ?? null;
}

/** A gadget's build directory: gadget.yaml, one wasm module, and at most one eBPF object. */
export function loadGadgetDirectory(dir: string): GadgetSource {
  const yamlPath = join(dir, "gadget.yaml");
  const metadataYaml = new TextDecoder().decode(readFileOrFail(yamlPath, "gadget metadata"));
  const wasm = onlyFile(dir, "wasm module", "program.wasm", (_n, b) => isWasm(b));
  if (wasm === null) throw new GadgetSourceError(`${dir} has no wasm module`);
  const ebpf = onlyFile(dir, "eBPF object", "program.bpf.o", (_n, b) => isElf(b));
  return { label: dir, kind: "directory", wasm: wasm.bytes, ebpf: ebpf?.bytes ?? null, paramSpecs: wasmParamSpecs(metadataYaml, yamlPath), metadataYaml };
}
