/**
 * Reading gadget images (browser-safe): `ig image export` tarballs,
 * gadget.yaml, and the eBPF object's maps and types. `igwasm/image`.
 */
export { ImageError } from "./errors.js";
export {
  readGadgetImage, readTar, looksLikeTar, WASM_LAYER_MEDIA_TYPE, EBPF_LAYER_MEDIA_TYPE, METADATA_MEDIA_TYPE,
  type GadgetImage, type ImageLayer, type ReadImageOptions, type TarEntry,
} from "./oci.js";
export { wasmParamSpecs, ebpfParamSpecs, parseGadgetYaml } from "./gadget-yaml.js";
export { readElfSections, isElf, type ElfSection } from "./elf.js";
export { Btf, BtfKind, type BtfType, type BtfMember } from "./btf.js";
export { readEbpfObject, type EbpfObject, type EbpfMapSpec, type EbpfStruct, type EbpfField, type EbpfTracer } from "./ebpf-object.js";
export { encodeStruct, decodeStruct, decodeField, StructValueError } from "./struct-codec.js";
export { setUpEbpfObject, runtimeMapSpec, newInnerMap, type EbpfSetup, type TracerSource } from "./ebpf-setup.js";
