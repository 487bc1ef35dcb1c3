/**
 * A gadget as bytes, whatever it came from (a file, a page's upload, the
 * built-in examples). Browser-safe.
 */
import type { ParamSpec } from "../runtime/index.js";
import { bytesFromBase64 } from "./bytes-text.js";
import type { EmbeddedExample } from "./embedded/examples.js";
import { wasmParamSpecs } from "./gadget-metadata.js";

export interface GadgetSource {
  /** What to call it in messages. */
  readonly label: string;
  readonly kind: "wasm" | "image" | "embedded";
  readonly wasm: Uint8Array;
  readonly paramSpecs: readonly ParamSpec[];
  readonly metadataYaml: string | null;
}

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];

export function isWasm(bytes: Uint8Array): boolean {
  return WASM_MAGIC.every((b, i) => bytes[i] === b);
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
