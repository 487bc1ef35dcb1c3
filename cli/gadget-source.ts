/**
 * Resolving the `<gadget>` argument of `igwasm run` and `igwasm inspect`: a
 * wasm module, an IG gadget image tarball (OCI image layout, as
 * `ig image export` writes it), or a gadget's build directory (gadget.yaml, a
 * .wasm module and optionally the eBPF object, as `ig image build` takes them).
 */
import { statSync, readFileSync } from "node:fs";
import { GadgetSourceError, isWasm, wasmSource, type GadgetSource } from "./gadget-kind.js";

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

/**
 * Reads a gadget from a .wasm file, an image tarball or a build directory.
 * The image reader (and the libraries it needs) is loaded only for an image
 * or a directory.
 */
export async function loadGadgetSource(path: string): Promise<GadgetSource> {
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    // readFileOrFail reports it.
  }
  if (isDir) {
    const { loadGadgetDirectory } = await import("./gadget-directory.js");
    try {
      return loadGadgetDirectory(path);
    } catch (e) {
      if (e instanceof GadgetSourceError) throw e;
      throw new GadgetSourceError(`${path}: ${(e as Error).message}`);
    }
  }
  const bytes = readFileOrFail(path, "gadget");
  if (isWasm(bytes)) return wasmSource(bytes, path);
  const { gadgetSourceFromBytes } = await import("./gadget-bytes.js");
  return gadgetSourceFromBytes(bytes, path);
}
