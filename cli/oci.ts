/**
 * Reading IG gadget images as `ig image export` writes them: a tar (optionally
 * gzipped) of an OCI image layout (`oci-layout`, `index.json`,
 * `blobs/sha256/<hex>`). The manifest's wasm layer
 * (`application/vnd.gadget.wasm.program.v1+binary`) is the module; the
 * gadget metadata (`application/vnd.gadget.config.v1+yaml`, the manifest's
 * config or one of its layers) is `gadget.yaml`, whose `params.wasm` declares
 * the wasm params.
 *
 * The tar reader handles ustar/POSIX headers (name + prefix), PAX `path`
 * records and GNU long names; it has no dependency.
 */
import { createHash } from "node:crypto";
import { gunzipSync } from "node:zlib";
import type { ParamSpec } from "../runtime/index.js";
import { ImageError } from "./image-error.js";
import { wasmParamSpecs } from "./gadget-metadata.js";

export { ImageError, wasmParamSpecs };

export const WASM_LAYER_MEDIA_TYPE = "application/vnd.gadget.wasm.program.v1+binary";
export const METADATA_MEDIA_TYPE = "application/vnd.gadget.config.v1+yaml";
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
const DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";

// ---- tar --------------------------------------------------------------------

export interface TarEntry {
  readonly name: string;
  /** "file", "directory", or another ustar type flag character. */
  readonly type: "file" | "directory" | string;
  readonly data: Uint8Array;
}

function cString(bytes: Uint8Array, start: number, length: number): string {
  let end = start;
  while (end < start + length && bytes[end] !== 0) end++;
  return new TextDecoder().decode(bytes.subarray(start, end));
}

function octal(bytes: Uint8Array, start: number, length: number, what: string): number {
  // GNU base-256 encoding for large values: high bit of the first byte set.
  if (bytes[start] & 0x80) {
    let n = bytes[start] & 0x7f;
    for (let i = 1; i < length; i++) n = n * 256 + bytes[start + i];
    return n;
  }
  const text = cString(bytes, start, length).trim();
  if (text === "") return 0;
  if (!/^[0-7]+$/.test(text)) throw new ImageError(`malformed tar: bad ${what} field "${text}"`);
  return parseInt(text, 8);
}

function isZeroBlock(bytes: Uint8Array, start: number): boolean {
  for (let i = start; i < start + 512; i++) if (bytes[i] !== 0) return false;
  return true;
}

function parsePax(data: Uint8Array): Map<string, string> {
  const records = new Map<string, string>();
  const text = new TextDecoder().decode(data);
  let i = 0;
  while (i < text.length) {
    const space = text.indexOf(" ", i);
    if (space < 0) break;
    const len = Number(text.slice(i, space));
    if (!Number.isInteger(len) || len <= 0) break;
    const record = text.slice(space + 1, i + len - 1); // drop the trailing \n
    const eq = record.indexOf("=");
    if (eq > 0) records.set(record.slice(0, eq), record.slice(eq + 1));
    i += len;
  }
  return records;
}

function normalizeName(name: string): string {
  let n = name.replace(/^(\.\/)+/, "");
  while (n.startsWith("/")) n = n.slice(1);
  return n;
}

/** Whether `bytes` look like a tar archive (the ustar magic at offset 257) or a gzip stream. */
export function looksLikeTar(bytes: Uint8Array): boolean {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) return true;
  if (bytes.length < 512) return false;
  return cString(bytes, 257, 5) === "ustar";
}

/** Reads every entry of a tar archive (gunzipping it first when it is gzipped). */
export function readTar(input: Uint8Array): TarEntry[] {
  let bytes = input;
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = new Uint8Array(gunzipSync(bytes));
    } catch (e) {
      throw new ImageError(`malformed gzip stream: ${(e as Error).message}`);
    }
  }
  const entries: TarEntry[] = [];
  let pos = 0;
  let longName: string | null = null;
  let pax: Map<string, string> | null = null;
  while (pos + 512 <= bytes.length) {
    if (isZeroBlock(bytes, pos)) break;
    const header = pos;
    // Checksum: the header's bytes summed with the checksum field as spaces.
    const expected = octal(bytes, header + 148, 8, "checksum");
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : bytes[header + i];
    if (sum !== expected) throw new ImageError(`malformed tar: bad header checksum at byte ${header}`);
    const size = octal(bytes, header + 124, 12, "size");
    const flag = String.fromCharCode(bytes[header + 156] || 0x30);
    let name = cString(bytes, header, 100);
    if (cString(bytes, header + 257, 5) === "ustar") {
      const prefix = cString(bytes, header + 345, 155);
      if (prefix) name = `${prefix}/${name}`;
    }
    const dataStart = header + 512;
    if (dataStart + size > bytes.length) throw new ImageError(`malformed tar: entry "${name}" runs past the end of the archive`);
    const data = bytes.subarray(dataStart, dataStart + size);
    pos = dataStart + Math.ceil(size / 512) * 512;
    if (flag === "L") {
      longName = cString(data, 0, data.length);
      continue;
    }
    if (flag === "x") {
      pax = parsePax(data);
      continue;
    }
    if (flag === "g") continue;
    if (pax?.has("path")) name = pax.get("path")!;
    else if (longName !== null) name = longName;
    longName = null;
    pax = null;
    const type = flag === "0" || flag === "7" ? "file" : flag === "5" ? "directory" : flag;
    entries.push({ name: normalizeName(name), type, data });
  }
  return entries;
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

export interface GadgetImage {
  readonly wasm: Uint8Array;
  /** The gadget.yaml text, when the image has one. */
  readonly metadataYaml: string | null;
  /** `params.wasm` of gadget.yaml. */
  readonly paramSpecs: readonly ParamSpec[];
  /** The image reference annotation of the chosen manifest, if any. */
  readonly ref: string | null;
}

function hostArch(): string {
  return process.arch === "x64" ? "amd64" : process.arch;
}

/** Reads the wasm module and metadata of a gadget image tarball. */
export function readGadgetImage(tarBytes: Uint8Array): GadgetImage {
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
    const actual = createHash("sha256").update(data).digest("hex");
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
  for (let depth = 0; manifest.manifests !== undefined || manifest.mediaType === OCI_INDEX || manifest.mediaType === DOCKER_LIST; depth++) {
    if (depth > 4) throw new ImageError("index.json: image indexes nest too deeply");
    const list = manifest.manifests ?? [];
    if (list.length === 0) throw new ImageError("index.json lists no manifests");
    const arch = hostArch();
    const chosen = list.find((d) => d.platform?.architecture === arch) ?? list.find((d) => d.platform === undefined) ?? list[0];
    ref = chosen.annotations?.["org.opencontainers.image.ref.name"] ?? chosen.annotations?.["io.containerd.image.name"] ?? ref;
    manifest = json(blob(chosen, "manifest"), `manifest ${chosen.digest}`);
  }

  const candidates = [...(manifest.layers ?? [])];
  const wasmLayer = candidates.find((l) => l.mediaType === WASM_LAYER_MEDIA_TYPE);
  if (wasmLayer === undefined) {
    const types = candidates.map((l) => l.mediaType ?? "?").join(", ") || "none";
    throw new ImageError(`the image has no wasm layer (${WASM_LAYER_MEDIA_TYPE}); its layers: ${types}`);
  }
  const wasm = blob(wasmLayer, "wasm layer");
  const metaDesc = [manifest.config, ...candidates].find((d) => d?.mediaType === METADATA_MEDIA_TYPE);
  const metadataYaml = metaDesc ? new TextDecoder().decode(blob(metaDesc, "gadget metadata")) : null;
  return { wasm, metadataYaml, paramSpecs: metadataYaml === null ? [] : wasmParamSpecs(metadataYaml, "gadget.yaml"), ref };
}
