/**
 * Reading IG gadget images as `ig image export` writes them: a tar (optionally
 * gzipped) of an OCI image layout (`oci-layout`, `index.json`,
 * `blobs/sha256/<hex>`). The manifest's wasm layer is the module; the gadget
 * metadata (the manifest's config or one of its layers) is `gadget.yaml`; the
 * eBPF object is another layer. Media types: IG pkg/oci/build.go (aeac857).
 *
 * Browser-safe: tar (nanotar), gunzip (fflate) and sha256 (@noble/hashes) are
 * pure JS and synchronous, so reading an image is one synchronous call in Node
 * and in a browser alike.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { gunzipSync } from "fflate";
import { parseTar } from "nanotar";
import type { ParamSpec } from "../gadget.js";
import { ImageError } from "./errors.js";
import { ebpfParamSpecs, wasmParamSpecs } from "./gadget-yaml.js";

export const WASM_LAYER_MEDIA_TYPE = "application/vnd.gadget.wasm.program.v1+binary";
export const EBPF_LAYER_MEDIA_TYPE = "application/vnd.gadget.ebpf.program.v1+binary";
export const METADATA_MEDIA_TYPE = "application/vnd.gadget.config.v1+yaml";
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
const DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";

export { ImageError };

// ---- tar --------------------------------------------------------------------

export interface TarEntry {
  readonly name: string;
  /** "file", "directory", or another nanotar entry type ("symbolicLink", ...). */
  readonly type: string;
  readonly data: Uint8Array;
}

const isGzip = (bytes: Uint8Array): boolean => bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;

/** Whether `bytes` look like a tar archive (the ustar magic at offset 257) or a gzip stream. */
export function looksLikeTar(bytes: Uint8Array): boolean {
  if (isGzip(bytes)) return true;
  if (bytes.length < 512) return false;
  return new TextDecoder().decode(bytes.subarray(257, 262)) === "ustar";
}

/** Reads every entry of a tar archive (gunzipping it first when it is gzipped). */
export function readTar(input: Uint8Array): TarEntry[] {
  let bytes = input;
  if (isGzip(bytes)) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw new ImageError(`malformed gzip stream: ${(e as Error).message}`);
    }
  }
  // nanotar reads `data.buffer` from offset 0: give it a buffer of its own.
  if (bytes.byteOffset !== 0 || bytes.byteLength !== bytes.buffer.byteLength) bytes = bytes.slice();
  let items;
  try {
    items = parseTar(bytes);
  } catch (e) {
    throw new ImageError(`malformed tar: ${(e as Error).message}`);
  }
  return items.map((item) => {
    const name = item.name.replace(/^(\.\/)+/, "");
    const type = item.type === "contiguousFile" ? "file" : item.type ?? "file";
    if (type === "file" && Number.isNaN(item.size)) throw new ImageError(`malformed tar: entry "${name}" has no valid size`);
    return { name: type === "directory" ? name.replace(/\/$/, "") + "/" : name, type, data: item.data ?? new Uint8Array(0) };
  });
}

// ---- OCI image layout ---------------------------------------------------------

interface Descriptor {
  readonly mediaType?: string;
  readonly digest: string;
  readonly size?: number;
  readonly platform?: { readonly architecture?: string; readonly os?: string };
  readonly annotations?: Readonly<Record<string, string>>;
}

interface Manifest {
  readonly mediaType?: string;
  readonly config?: Descriptor;
  readonly layers?: readonly Descriptor[];
  readonly manifests?: readonly Descriptor[];
}

export interface ImageLayer {
  readonly mediaType: string;
  readonly data: Uint8Array;
}

export interface GadgetImage {
  readonly wasm: Uint8Array;
  /** The gadget.yaml text, when the image has one. */
  readonly metadataYaml: string | null;
  /** `params.wasm` of gadget.yaml, with IG's metadata: what the module reads with getParamValue. */
  readonly paramSpecs: readonly ParamSpec[];
  /** `params.ebpf` of gadget.yaml (metadata for the eBPF program's own params). */
  readonly ebpfParamSpecs: readonly ParamSpec[];
  /** The image reference annotation of the chosen manifest, if any. */
  readonly ref: string | null;
  /** Every layer blob of the chosen manifest, in manifest order (digests verified). */
  readonly layers: readonly ImageLayer[];
  /** The eBPF object layer (EBPF_LAYER_MEDIA_TYPE), when the image has one. */
  readonly ebpf: Uint8Array | null;
}

export interface ReadImageOptions {
  /** The architecture to pick from a multi-arch index (Go's names: amd64, arm64). Default: this machine's. */
  readonly arch?: string;
}

/** This machine's architecture in Go's naming, or amd64 where it cannot be known (a browser). */
function defaultArch(): string {
  const arch = (globalThis as { process?: { arch?: string } }).process?.arch ?? "amd64";
  return arch === "x64" ? "amd64" : arch;
}

/** Reads the wasm module, metadata and layers of a gadget image tarball. */
export function readGadgetImage(tarBytes: Uint8Array, options: ReadImageOptions = {}): GadgetImage {
  const files = new Map<string, Uint8Array>();
  for (const e of readTar(tarBytes)) if (e.type === "file") files.set(e.name, e.data);
  if (!files.has("index.json")) {
    throw new ImageError(`not an OCI image layout: the archive has no index.json${files.has("manifest.json") ? " (it looks like a docker save archive)" : ""}`);
  }
  const blob = (d: Descriptor, what: string): Uint8Array => {
    const m = /^sha256:([0-9a-f]{64})$/.exec(d.digest ?? "");
    if (!m) throw new ImageError(`${what}: unsupported digest "${String(d.digest)}"`);
    const data = files.get(`blobs/sha256/${m[1]}`);
    if (data === undefined) throw new ImageError(`${what}: blob ${d.digest} is missing from the archive`);
    const actual = bytesToHex(sha256(data));
    if (actual !== m[1]) throw new ImageError(`${what}: blob ${d.digest} has digest sha256:${actual}`);
    return data;
  };
  const json = (data: Uint8Array, what: string): Manifest => {
    try {
      return JSON.parse(new TextDecoder().decode(data)) as Manifest;
    } catch (e) {
      throw new ImageError(`${what} is not valid JSON: ${(e as Error).message}`);
    }
  };

  // Walk index.json (and nested indexes) down to one manifest.
  let manifest = json(files.get("index.json")!, "index.json");
  let ref: string | null = null;
  const arch = options.arch ?? defaultArch();
  for (let depth = 0; manifest.manifests !== undefined || manifest.mediaType === OCI_INDEX || manifest.mediaType === DOCKER_LIST; depth++) {
    if (depth > 4) throw new ImageError("index.json: image indexes nest too deeply");
    const list = manifest.manifests ?? [];
    if (list.length === 0) throw new ImageError("index.json lists no manifests");
    const chosen = list.find((d) => d.platform?.architecture === arch) ?? list.find((d) => d.platform === undefined) ?? list[0];
    ref = chosen.annotations?.["org.opencontainers.image.ref.name"] ?? chosen.annotations?.["io.containerd.image.name"] ?? ref;
    manifest = json(blob(chosen, "manifest"), `manifest ${chosen.digest}`);
  }

  const descriptors = [...(manifest.layers ?? [])];
  const layerName = (d: Descriptor, i: number): string =>
    d.mediaType === WASM_LAYER_MEDIA_TYPE ? "wasm layer" : d.mediaType === EBPF_LAYER_MEDIA_TYPE ? "eBPF layer" : `layer ${i} (${d.mediaType ?? "no media type"})`;
  const layers = descriptors.map((d, i) => ({ mediaType: d.mediaType ?? "", data: blob(d, layerName(d, i)) }));
  const wasm = layers.find((l) => l.mediaType === WASM_LAYER_MEDIA_TYPE);
  if (wasm === undefined) {
    const types = descriptors.map((l) => l.mediaType ?? "?").join(", ") || "none";
    throw new ImageError(`the image has no wasm layer (${WASM_LAYER_MEDIA_TYPE}); its layers: ${types}`);
  }
  const metaDesc = manifest.config?.mediaType === METADATA_MEDIA_TYPE ? manifest.config : undefined;
  const metaBytes = metaDesc ? blob(metaDesc, "gadget metadata") : layers.find((l) => l.mediaType === METADATA_MEDIA_TYPE)?.data;
  const metadataYaml = metaBytes ? new TextDecoder().decode(metaBytes) : null;
  return {
    wasm: wasm.data,
    metadataYaml,
    paramSpecs: metadataYaml === null ? [] : wasmParamSpecs(metadataYaml, "gadget.yaml"),
    ebpfParamSpecs: metadataYaml === null ? [] : ebpfParamSpecs(metadataYaml, "gadget.yaml"),
    ref,
    layers,
    ebpf: layers.find((l) => l.mediaType === EBPF_LAYER_MEDIA_TYPE)?.data ?? null,
  };
}
