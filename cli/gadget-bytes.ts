/**
 * A gadget as bytes, whatever it came from (a file, a page's upload, the
 * built-in examples). Browser-safe.
 */
import type { ParamSpec } from "../runtime/index.js";
import { looksLikeTar, readGadgetImage, wasmParamSpecs } from "../runtime/image/index.js";
import { bytesFromBase64 } from "./bytes-text.js";
import type { EmbeddedExample } from "./embedded/examples.js";

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

/** A wasm module or an image tarball (`ig image export`); `label` names it in messages. */
export function gadgetSourceFromBytes(bytes: Uint8Array, label: string): GadgetSource {
  if (isWasm(bytes)) return { label, kind: "wasm", wasm: bytes, paramSpecs: [], metadataYaml: null };
  if (looksLikeTar(bytes)) {
    try {
      const image = readGadgetImage(bytes);
      return { label, kind: "image", wasm: image.wasm, ebpf: image.ebpf, paramSpecs: image.paramSpecs, metadataYaml: image.metadataYaml };
    } catch (e) {
      throw new GadgetSourceError(`${label}: ${(e as Error).message}`);
    }
  }
  throw new GadgetSourceError(`${label} is neither a wasm module (no \\0asm header) nor a gadget image tarball`);
}

/** A built-in example gadget, with the params its gadget.yaml declares. */
export function exampleSource(ex: EmbeddedExample): GadgetSource {
  const label = `example ${ex.name}`;
  return {
    label,
    kind: "embedded",
    wasm: bytesFromBase64(ex.wasmBase64),
    paramSpecs: ex.metadataYaml ? wasmParamSpecs(ex.metadataYaml, `${label} gadget.yaml`) : [],
    metadataYaml: ex.metadataYaml || null,
  };
}
