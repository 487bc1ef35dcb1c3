/**
 * What a gadget is once read, and telling a wasm module by its header:
 * nothing here imports the image reader, so reading a plain .wasm module
 * loads none of it (yaml, gzip, sha256, tar). Browser-safe.
 */
import type { ParamSpec } from "../runtime/index.js";

export class GadgetSourceError extends Error {
  override readonly name = "GadgetSourceError";
}

export interface GadgetSource {
  /** What to call it in messages. */
  readonly label: string;
  readonly kind: "wasm" | "image" | "directory" | "embedded";
  readonly wasm: Uint8Array;
  /** The eBPF object (ELF), when the image or directory has one. */
  readonly ebpf?: Uint8Array | null;
  readonly paramSpecs: readonly ParamSpec[];
  readonly metadataYaml: string | null;
}

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];

export function isWasm(bytes: Uint8Array): boolean {
  return WASM_MAGIC.every((b, i) => bytes[i] === b);
}

/** A plain wasm module: no metadata, so no params known. */
export function wasmSource(bytes: Uint8Array, label: string): GadgetSource {
  return { label, kind: "wasm", wasm: bytes, paramSpecs: [], metadataYaml: null };
}
