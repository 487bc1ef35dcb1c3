/**
 * Writing tar archives (ustar) and IG gadget image layouts: the counterpart of
 * oci.ts, used by tests and by anyone who wants to package a gadget built
 * with igwasm the way `ig image export` does. (Kept rather than nanotar's
 * createTar, which cuts names longer than 100 bytes without a word.)
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { EBPF_LAYER_MEDIA_TYPE, METADATA_MEDIA_TYPE, WASM_LAYER_MEDIA_TYPE } from "./oci.js";

export interface TarFile {
  readonly name: string;
  readonly data: Uint8Array | string;
}

function writeString(block: Uint8Array, offset: number, length: number, text: string): void {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length > length) throw new RangeError(`tar: "${text}" does not fit in ${length} bytes`);
  block.set(bytes, offset);
}

function writeOctal(block: Uint8Array, offset: number, length: number, value: number): void {
  writeString(block, offset, length, value.toString(8).padStart(length - 1, "0") + "\0");
}

function header(name: string, size: number, type: "0" | "5" | "x"): Uint8Array {
  const block = new Uint8Array(512);
  writeString(block, 0, 100, name);
  writeOctal(block, 100, 8, type === "5" ? 0o755 : 0o644);
  writeOctal(block, 108, 8, 0);
  writeOctal(block, 116, 8, 0);
  writeOctal(block, 124, 12, size);
  writeOctal(block, 136, 12, 0);
  block.fill(0x20, 148, 156);
  block[156] = type.charCodeAt(0);
  writeString(block, 257, 6, "ustar\0");
  writeString(block, 263, 2, "00");
  let sum = 0;
  for (const b of block) sum += b;
  writeString(block, 148, 8, sum.toString(8).padStart(6, "0") + "\0 ");
  return block;
}

/** A PAX extended header whose `path` record carries a name longer than the 100 bytes of a ustar header. */
function paxPath(name: string): Uint8Array[] {
  const record = (len: number): string => `${len} path=${name}\n`;
  let len = new TextEncoder().encode(record(0)).length;
  while (new TextEncoder().encode(record(len)).length !== len) len = new TextEncoder().encode(record(len)).length;
  const body = new TextEncoder().encode(record(len));
  const pad = (512 - (body.length % 512)) % 512;
  return [header("PaxHeader", body.length, "x"), body, new Uint8Array(pad)];
}

function entry(name: string, size: number, type: "0" | "5"): Uint8Array[] {
  if (new TextEncoder().encode(name).length <= 100) return [header(name, size, type)];
  return [...paxPath(name), header(name.slice(0, 100).replace(/[\uD800-\uDBFF]$/, ""), size, type)];
}

/** A ustar archive of `files` (directories are added for every parent path). */
export function writeTar(files: readonly TarFile[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const dirs = new Set<string>();
  for (const f of files) {
    const segments = f.name.split("/");
    for (let i = 1; i < segments.length; i++) {
      const dir = segments.slice(0, i).join("/") + "/";
      if (!dirs.has(dir)) {
        dirs.add(dir);
        parts.push(...entry(dir, 0, "5"));
      }
    }
    const data = typeof f.data === "string" ? new TextEncoder().encode(f.data) : f.data;
    parts.push(...entry(f.name, data.length, "0"));
    parts.push(data);
    const pad = (512 - (data.length % 512)) % 512;
    if (pad) parts.push(new Uint8Array(pad));
  }
  parts.push(new Uint8Array(1024));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

export interface GadgetImageInput {
  readonly wasm: Uint8Array;
  /** The eBPF object (ELF), stored as IG's eBPF layer before the wasm layer, as IG's builder orders them. */
  readonly ebpf?: Uint8Array;
  /** gadget.yaml text (the image's metadata). */
  readonly metadataYaml: string;
  /** Reference annotation, e.g. "ghcr.io/me/my-gadget:latest". */
  readonly ref?: string;
  /** Wrap the manifest in an image index per architecture, as multi-arch `ig image export` does. */
  readonly multiArch?: readonly string[];
}

/** An OCI image layout tar of a gadget, in the shape `ig image export` writes (layout: IG pkg/oci/build.go, aeac857). */
export function writeGadgetImage(input: GadgetImageInput): Uint8Array {
  const blobs = new Map<string, Uint8Array>();
  const add = (data: Uint8Array | string, mediaType: string, extra: object = {}): { mediaType: string; digest: string; size: number } => {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    const hex = bytesToHex(sha256(bytes));
    blobs.set(hex, bytes);
    return { mediaType, digest: `sha256:${hex}`, size: bytes.length, ...extra };
  };
  const config = add(input.metadataYaml, METADATA_MEDIA_TYPE);
  const ebpfLayer = input.ebpf ? [add(input.ebpf, EBPF_LAYER_MEDIA_TYPE, { annotations: { "org.opencontainers.image.title": "program.bpf.o" } })] : [];
  const wasmLayer = add(input.wasm, WASM_LAYER_MEDIA_TYPE, { annotations: { "org.opencontainers.image.title": "program.wasm" } });
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config,
    layers: [...ebpfLayer, wasmLayer],
  });
  const annotations = input.ref ? { "org.opencontainers.image.ref.name": input.ref } : undefined;
  let top;
  if (input.multiArch && input.multiArch.length > 0) {
    const perArch = input.multiArch.map((architecture) =>
      add(manifest, "application/vnd.oci.image.manifest.v1+json", { platform: { architecture, os: "linux" } }),
    );
    top = add(JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: perArch }), "application/vnd.oci.image.index.v1+json", annotations ? { annotations } : {});
  } else {
    top = add(manifest, "application/vnd.oci.image.manifest.v1+json", annotations ? { annotations } : {});
  }
  const index = JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: [top] });
  return writeTar([
    { name: "oci-layout", data: JSON.stringify({ imageLayoutVersion: "1.0.0" }) },
    { name: "index.json", data: index },
    ...[...blobs].map(([hex, data]) => ({ name: `blobs/sha256/${hex}`, data })),
  ]);
}
