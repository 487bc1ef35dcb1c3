/**
 * Resolving the `<gadget>` argument of `igwasm run` and `igwasm inspect`: a
 * wasm module, an IG gadget image tarball (OCI image layout, as
 * `ig image export` writes it), or a gadget's build directory (gadget.yaml, a
 * .wasm module and optionally the eBPF object, as `ig image build` takes them).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { isElf } from "../runtime/image/elf.js";
import { gadgetSourceFromBytes, GadgetSourceError, isWasm, type GadgetSource } from "./gadget-bytes.js";
import { wasmParamSpecs } from "./oci.js";

export { GadgetSourceError, type GadgetSource };

export function readFileOrFail(path: string, what: string): Uint8Array {
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new GadgetSourceError(code === "ENOENT" ? `${what} ${path} does not exist` : `cannot read ${what} ${path}: ${(e as Error).message}`);
  }
  if (isDir) throw new GadgetSourceError(`${what} ${path} is a directory`);
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new GadgetSourceError(`cannot read ${what} ${path}: ${(e as Error).message}`);
  }
}

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
function loadGadgetDirectory(dir: string): GadgetSource {
  const yamlPath = join(dir, "gadget.yaml");
  const metadataYaml = new TextDecoder().decode(readFileOrFail(yamlPath, "gadget metadata"));
  const wasm = onlyFile(dir, "wasm module", "program.wasm", (_n, b) => isWasm(b));
  if (wasm === null) throw new GadgetSourceError(`${dir} has no wasm module`);
  const ebpf = onlyFile(dir, "eBPF object", "program.bpf.o", (_n, b) => isElf(b));
  return { label: dir, kind: "directory", wasm: wasm.bytes, ebpf: ebpf?.bytes ?? null, paramSpecs: wasmParamSpecs(metadataYaml, yamlPath), metadataYaml };
}

/** Reads a gadget from a .wasm file, an image tarball or a build directory. */
export function loadGadgetSource(path: string): GadgetSource {
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    // readFileOrFail reports it.
  }
  if (isDir) {
    try {
      return loadGadgetDirectory(path);
    } catch (e) {
      if (e instanceof GadgetSourceError) throw e;
      throw new GadgetSourceError(`${path}: ${(e as Error).message}`);
    }
  }
  return gadgetSourceFromBytes(readFileOrFail(path, "gadget"), path);
}
