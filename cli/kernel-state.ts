/**
 * Kernel state in an events file: what the kernel side of a gadget would
 * have provided. Top-level keys of the YAML form (or one `{"kernel": {...}}`
 * line in JSON lines):
 *
 *   maps:                        # contents of the image's maps, set before init
 *     pid_creds:                 # map name (from the eBPF object)
 *       - key: 42                # an integer (little-endian, the key's size), a list of
 *         value: { uid: 1000 }   #   byte values, base64 text, or fields by name when BTF
 *                                #   gives the key/value a struct
 *     per_mntns:                 # a map of maps: each entry holds an inner map's contents
 *       - key: 4026531840
 *         map: [ { key: 1, value: 2 } ]
 *   perfRecords:                 # records for a perf event array, written after start
 *     events:                    #   (fields of the tracer's struct that uses the map, or bytes)
 *       - { pid: 42, comm: bash }
 *   kallsyms: [security_bprm_check]
 *   mntnsFilter: [4026531840]    # mount namespaces to keep (shouldDiscardMntnsID)
 *   params: { min_pid: "10" }    # param values (--param wins)
 *   syscallArch: x86_64          # or arm64
 *
 * Every value is checked against the map's spec; errors carry file:line:col.
 */
import { MapType } from "../runtime/index.js";
import type { EbpfMapSpec, EbpfObject, EbpfStruct } from "../runtime/image/ebpf-object.js";
import { encodeStruct } from "../runtime/image/struct-codec.js";
import type { FieldValue } from "../runtime/index.js";

export const KERNEL_KEYS = ["maps", "perfRecords", "kallsyms", "mntnsFilter", "params", "syscallArch"] as const;

export interface MapEntry {
  readonly key: Uint8Array;
  /** Data maps: the value bytes. */
  readonly value?: Uint8Array;
  /** Maps of maps: the inner map's entries. */
  readonly inner?: readonly MapEntry[];
}

export interface KernelState {
  readonly maps: ReadonlyMap<string, readonly MapEntry[]>;
  readonly perfRecords: ReadonlyMap<string, readonly Uint8Array[]>;
  readonly kallsyms: readonly string[] | null;
  readonly mntnsFilter: readonly bigint[] | null;
  readonly params: Readonly<Record<string, string>>;
  readonly syscallArch: "x86_64" | "arm64" | null;
}

export const NO_KERNEL_STATE: KernelState = { maps: new Map(), perfRecords: new Map(), kallsyms: null, mntnsFilter: null, params: {}, syscallArch: null };

export class KernelStateError extends Error {
  override readonly name = "KernelStateError";
}

/** Where a value is: `file:line:col` of a path in the document. */
export type At = (path: readonly (string | number)[]) => string;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** An integer, byte list, base64 text or struct fields as `size` bytes. */
function toBytes(raw: unknown, size: number, st: EbpfStruct | undefined, where: string): Uint8Array {
  if (typeof raw === "number" || typeof raw === "bigint") {
    const n = BigInt(raw);
    if (n < 0n || n >= 1n << BigInt(8 * size)) throw new KernelStateError(`${where}: ${n} does not fit in ${size} bytes`);
    return Uint8Array.from({ length: size }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));
  }
  let bytes: Uint8Array;
  if (Array.isArray(raw)) {
    if (!raw.every((b) => (typeof b === "number" || typeof b === "bigint") && Number(b) >= 0 && Number(b) <= 255)) throw new KernelStateError(`${where}: expected byte values 0..255`);
    bytes = Uint8Array.from(raw.map(Number));
  } else if (typeof raw === "string") {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(raw)) throw new KernelStateError(`${where}: expected base64 text`);
    bytes = Uint8Array.from(atob(raw), (c) => c.charCodeAt(0));
  } else if (isObject(raw)) {
    if (st === undefined) throw new KernelStateError(`${where}: fields by name need a struct type in the BTF; give an integer or bytes`);
    try {
      return encodeStruct(st, raw as Record<string, FieldValue>);
    } catch (e) {
      throw new KernelStateError(`${where}: ${(e as Error).message}`);
    }
  } else {
    throw new KernelStateError(`${where}: expected an integer, byte values, base64 text or fields`);
  }
  if (bytes.length !== size) throw new KernelStateError(`${where}: ${bytes.length} bytes, the map needs ${size}`);
  return bytes;
}

function entries(raw: unknown, spec: EbpfMapSpec, at: At, path: (string | number)[]): MapEntry[] {
  if (!Array.isArray(raw)) throw new KernelStateError(`${at(path)}: the contents of map ${spec.name} must be a list of {key, value}`);
  const ofMaps = spec.type === MapType.ArrayOfMaps || spec.type === MapType.HashOfMaps;
  return raw.map((e, i) => {
    const p = [...path, i];
    if (!isObject(e)) throw new KernelStateError(`${at(p)}: an entry must be a mapping with key and ${ofMaps ? "map" : "value"}`);
    const key = toBytes(e.key, spec.keySize, spec.keyStruct, `${at([...p, "key"])}: key of map ${spec.name}`);
    if (ofMaps) return { key, inner: entries(e.map, spec.inner!, at, [...p, "map"]) };
    return { key, value: toBytes(e.value, spec.valueSize, spec.valueStruct, `${at([...p, "value"])}: value of map ${spec.name}`) };
  });
}

/** Reads the kernel-state keys of an events document against the image's eBPF object. */
export function parseKernelState(doc: Record<string, unknown>, at: At, object: EbpfObject | null): KernelState {
  const maps = new Map<string, MapEntry[]>();
  const specs = new Map((object?.maps ?? []).map((m) => [m.name, m]));
  const known = (name: string, p: (string | number)[]): EbpfMapSpec => {
    const spec = specs.get(name);
    if (spec === undefined) throw new KernelStateError(`${at(p)}: no map ${name} in the gadget's eBPF object (it has ${[...specs.keys()].join(", ") || "none"})`);
    return spec;
  };
  if (doc.maps !== undefined) {
    if (!isObject(doc.maps)) throw new KernelStateError(`${at(["maps"])}: maps must map names to entries`);
    for (const [name, raw] of Object.entries(doc.maps)) maps.set(name, entries(raw, known(name, ["maps", name]), at, ["maps", name]));
  }
  const perfRecords = new Map<string, Uint8Array[]>();
  if (doc.perfRecords !== undefined) {
    if (!isObject(doc.perfRecords)) throw new KernelStateError(`${at(["perfRecords"])}: perfRecords must map perf event array names to records`);
    for (const [name, raw] of Object.entries(doc.perfRecords)) {
      const spec = known(name, ["perfRecords", name]);
      if (spec.type !== MapType.PerfEventArray) throw new KernelStateError(`${at(["perfRecords", name])}: map ${name} is not a perf event array`);
      if (!Array.isArray(raw)) throw new KernelStateError(`${at(["perfRecords", name])}: expected a list of records`);
      const st = object?.tracers.find((t) => t.mapName === name)?.struct;
      perfRecords.set(name, raw.map((r, i) => toBytes(r, Array.isArray(r) || typeof r === "string" ? bytesLength(r) : st?.size ?? 0, st, `${at(["perfRecords", name, i])}: record of ${name}`)));
    }
  }
  const stringList = (key: string): string[] | null => {
    const v = doc[key];
    if (v === undefined) return null;
    if (!Array.isArray(v) || !v.every((s) => typeof s === "string" && s !== "")) throw new KernelStateError(`${at([key])}: ${key} must be a list of names`);
    return v;
  };
  let mntnsFilter: bigint[] | null = null;
  if (doc.mntnsFilter !== undefined) {
    if (!Array.isArray(doc.mntnsFilter)) throw new KernelStateError(`${at(["mntnsFilter"])}: mntnsFilter must be a list of mount namespace ids`);
    mntnsFilter = doc.mntnsFilter.map((v, i) => {
      const ok = (typeof v === "bigint" || (typeof v === "number" && Number.isSafeInteger(v)) || (typeof v === "string" && /^\d+$/.test(v))) && BigInt(v) >= 0n && BigInt(v) < 1n << 64n;
      if (!ok) throw new KernelStateError(`${at(["mntnsFilter", i])}: a mount namespace id is an unsigned 64-bit integer`);
      return BigInt(v as bigint);
    });
  }
  const params: Record<string, string> = {};
  if (doc.params !== undefined) {
    if (!isObject(doc.params)) throw new KernelStateError(`${at(["params"])}: params must map keys to values`);
    for (const [k, v] of Object.entries(doc.params)) {
      if (typeof v === "object" && v !== null) throw new KernelStateError(`${at(["params", k])}: the value of param ${k} must be a scalar`);
      params[k] = String(v);
    }
  }
  const arch = doc.syscallArch;
  if (arch !== undefined && arch !== "x86_64" && arch !== "arm64") throw new KernelStateError(`${at(["syscallArch"])}: syscallArch must be x86_64 or arm64`);
  return { maps, perfRecords, kallsyms: stringList("kallsyms"), mntnsFilter, params, syscallArch: (arch as "x86_64" | "arm64" | undefined) ?? null };
}

function bytesLength(raw: unknown[] | string): number {
  return Array.isArray(raw) ? raw.length : Math.floor((raw.replace(/=+$/, "").length * 3) / 4);
}
