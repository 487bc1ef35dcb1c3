/**
 * A gadget as bytes, whatever it came from (a file, a page's upload, the
 * built-in examples). Browser-safe.
 */
import { looksLikeTar, readGadgetImage, wasmParamSpecs } from "../runtime/image/index.js";
import { bytesFromBase64 } from "./bytes-text.js";
import type { EmbeddedExample } from "./embedded/examples.js";
import { GadgetSourceError, isWasm, wasmSource, type GadgetSource } from "./gadget-kind.js";

export { GadgetSourceError, isWasm, type GadgetSource };

/** A wasm module or an image tarball (`ig image export`); `label` names it in messages. */
export function gadgetSourceFromBytes(bytes: Uint8Array, label: string): GadgetSource {
  if (isWasm(bytes)) return wasmSource(bytes, label);
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
