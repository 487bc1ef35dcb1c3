/**
 * Gadget image reading for the CLI: the browser-safe reader in
 * runtime/image/ (the playground uses the same code).
 */
export {
  ImageError, readGadgetImage, readTar, looksLikeTar, wasmParamSpecs, ebpfParamSpecs,
  WASM_LAYER_MEDIA_TYPE, EBPF_LAYER_MEDIA_TYPE, METADATA_MEDIA_TYPE,
  type GadgetImage, type ImageLayer, type ReadImageOptions, type TarEntry,
} from "../runtime/image/index.js";
