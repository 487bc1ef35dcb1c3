/**
 * eBPF map types and update flags (Linux's `bpf_map_type` and BPF_ANY /
 * BPF_NOEXIST / BPF_EXIST). Kept in this one small file on purpose: it is to be
 * replaced by constants generated from spec/enums.yaml.
 */
export const MapType = {
  Hash: 1,
  Array: 2,
  PerfEventArray: 4,
  /** Emulated as a single-CPU Hash (values are valueSize bytes, not per-CPU arrays). */
  PercpuHash: 5,
  /** Emulated as a single-CPU Array (values are valueSize bytes, not per-CPU arrays). */
  PercpuArray: 6,
  /** Hash that evicts its least recently used entry instead of failing when full. */
  LruHash: 9,
  ArrayOfMaps: 12,
  HashOfMaps: 13,
} as const;
export type MapType = (typeof MapType)[keyof typeof MapType];

export const MapUpdateFlag = {
  /** Create or replace. */
  Any: 0,
  /** Create only; fails when the key exists. */
  NoExist: 1,
  /** Replace only; fails when the key is absent. */
  Exist: 2,
} as const;
export type MapUpdateFlag = (typeof MapUpdateFlag)[keyof typeof MapUpdateFlag];
