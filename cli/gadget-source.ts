/**
 * Resolving the `<gadget>` argument of `igwasm run` and `igwasm inspect`: a
 * wasm module, or an IG gadget image tarball (OCI image layout, as
 * `ig image export` writes it).
 */
import { readFileSync, statSync } from "node:fs";
import { gadgetSourceFromBytes, GadgetSourceError, type GadgetSource } from "./gadget-bytes.js";

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

/** Reads a gadget from a .wasm file or an image tarball. */
export function loadGadgetSource(path: string): GadgetSource {
  return gadgetSourceFromBytes(readFileOrFail(path, "gadget"), path);
}
