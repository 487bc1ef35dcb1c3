/**
 * In-memory emulation of eBPF maps with Linux's semantics (pure TypeScript,
 * no Node-only APIs).
 *
 * Data structures, and why:
 * - Array / PercpuArray: ONE contiguous zero-filled `Uint8Array` of
 *   `maxEntries * valueSize` bytes, indexed by the little-endian u32 key. This
 *   is what "pre-sized, zero-filled" means in Linux, lookups are a single
 *   `set` from a computed offset, and there is one allocation for the map's
 *   whole life. Its size is capped by `MAX_ARRAY_MAP_BYTES` so a guest cannot
 *   make the host allocate gigabytes.
 * - Hash / PercpuHash / LruHash: a JS `Map` keyed by a string with one char
 *   (code 0..255) per key byte. Strings compare by value, `Map` lookup is
 *   O(1), and the conversion is a single `String.fromCharCode.apply` (hash
 *   keys are at most 512 bytes, as Linux's MAX_BPF_STACK limit). Each entry
 *   keeps a copy of the key bytes (for `entries()`) and owns its value buffer;
 *   replacing a value copies into that buffer instead of allocating. `Map`
 *   keeps insertion order, which gives LRU for free: an update re-inserts the
 *   entry (most recent at the end) and eviction removes the first entry.
 * - ArrayOfMaps: a sparse `Map<number, BpfMap>` (slots start empty, as Linux's
 *   fd arrays; no up-front allocation for big `maxEntries`).
 * - HashOfMaps: the same string-keyed `Map` as Hash, holding inner maps.
 * - PerfEventArray: no storage; the map only anchors perf readers
 *   (see runtime/perf/perf-reader.ts).
 *
 * Maps the guest creates carry a MapBudget (the gadget's mapEntries and
 * mapBytes): Array storage is charged at creation, a hash or map-of-maps
 * entry when it is inserted, and given back on delete and `releaseBudget`.
 *
 * Every operation validates everything before mutating anything, so a throw
 * (always a `HostCallError`) leaves the map unchanged. Values and keys are
 * always copied in and out: callers' buffers are often views into guest
 * memory that change later.
 */
import type { Budget } from "../budgets.js";
import { fail, orList } from "../errors.js";
import { MapType, MapUpdateFlags as MapUpdateFlag } from "../../generated/constants.js";

export interface MapSpec {
  name: string;
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
}

/** Largest key of a hash-type map (Linux: MAX_BPF_STACK, E2BIG beyond). */
export const MAX_HASH_KEY_SIZE = 512;
/** Largest `maxEntries * valueSize` of an Array map (its storage is allocated up front). */
export const MAX_ARRAY_MAP_BYTES = 256 * 1024 * 1024;

const U32_MAX = 0xffff_ffff;

/**
 * Bytes a hash or map-of-maps entry costs in mapBytes besides its key and
 * value: an estimate of the JS objects behind it (the entry, its key string,
 * two small typed arrays), measured with fuzz/exhaust.ts.
 */
export const MAP_ENTRY_OVERHEAD = 384;

/** The budgets a guest-created map charges (shared by all maps of a gadget). */
export interface MapBudget {
  readonly entries: Budget;
  readonly bytes: Budget;
}

/** Storage families (several map types share one). */
const Kind = { Array: 0, Hash: 1, ArrayOfMaps: 2, HashOfMaps: 3, PerfEventArray: 4 } as const;
type Kind = (typeof Kind)[keyof typeof Kind];

interface HashEntry {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
}

interface InnerEntry {
  readonly key: Uint8Array;
  map: BpfMap;
}

/** BPF_MAP_TYPE_LRU_PERCPU_HASH: an LRU hash; with the emulation's single CPU, one value per key. */
const LRU_PERCPU_HASH = 10;

function kindOf(type: number): Kind | undefined {
  switch (type) {
    case MapType.Hash:
    case MapType.PercpuHash:
    case MapType.LruHash:
    case LRU_PERCPU_HASH:
      return Kind.Hash;
    case MapType.Array:
    case MapType.PercpuArray:
      return Kind.Array;
    case MapType.ArrayOfMaps:
      return Kind.ArrayOfMaps;
    case MapType.HashOfMaps:
      return Kind.HashOfMaps;
    case MapType.PerfEventArray:
      return Kind.PerfEventArray;
    default:
      return undefined;
  }
}

/**
 * One char per byte; keys are <= MAX_HASH_KEY_SIZE bytes, so passing every
 * byte as an argument is safe. Reflect.apply takes the bytes as they are (an
 * array-like); spreading them into the call costs several times as much.
 */
function keyString(key: Uint8Array): string {
  const text: string = Reflect.apply(String.fromCharCode, null, key);
  return text;
}

function keyIndex(key: Uint8Array): number {
  return (key[0] | (key[1] << 8) | (key[2] << 16) | (key[3] << 24)) >>> 0;
}

function indexKey(index: number): Uint8Array {
  const k = new Uint8Array(4);
  k[0] = index & 0xff;
  k[1] = (index >>> 8) & 0xff;
  k[2] = (index >>> 16) & 0xff;
  k[3] = (index >>> 24) & 0xff;
  return k;
}

function describe(name: string): string {
  return name === "" ? "unnamed map" : `map ${JSON.stringify(name)}`;
}

function checkU32(spec: MapSpec, field: "keySize" | "valueSize" | "maxEntries"): void {
  const v = spec[field];
  if (typeof v !== "number" || !Number.isInteger(v) || v <= 0 || v > U32_MAX) {
    fail(`${describe(spec.name)}: ${field} must be an integer in 1..${U32_MAX}, got ${String(v)}`);
  }
}

/** The update flags as the messages list them: `0 Any, 1 NoExist, 2 Exist or 4 Lock` (from the spec's MapUpdateFlags). */
const FLAG_LIST = orList(Object.entries(MapUpdateFlag).flatMap(([name, value]) => (typeof value === "number" ? [`${value} ${name}`] : [])));

function parseFlags(flags: number | bigint, label: string): number {
  // A bigint beyond 32 bits is no flag; below, Number() is exact.
  const f = typeof flags === "bigint" ? (flags >= 0n && flags <= 0xffffffffn ? Number(flags) : -1) : flags;
  if (f === MapUpdateFlag.Any || f === MapUpdateFlag.NoExist || f === MapUpdateFlag.Exist) return f;
  if (f === MapUpdateFlag.Lock) {
    // BPF_F_LOCK, a guest-visible flag (IG's wasmapi UpdateLock) that IG passes to the kernel. Linux refuses it (EINVAL)
    // for a map whose value holds no bpf_spin_lock; emulated maps have no BTF, so none has one.
    return fail(`update flag ${f} (Lock) needs a value with a bpf_spin_lock, which ${label} does not have (Linux: EINVAL)`);
  }
  return fail(`invalid update flags ${String(flags)} for ${label} (expected ${FLAG_LIST})`);
}

function specSummary(s: Readonly<MapSpec>): string {
  return `type ${s.type}, key size ${s.keySize}, value size ${s.valueSize}, maxEntries ${s.maxEntries}`;
}

export class BpfMap {
  readonly spec: Readonly<MapSpec>;
  readonly #kind: Kind;
  readonly #lru: boolean;
  readonly #label: string;
  readonly #array: Uint8Array | undefined;
  readonly #hash: Map<string, HashEntry> | undefined;
  readonly #slots: Map<number, BpfMap> | undefined;
  readonly #inner: Map<string, InnerEntry> | undefined;
  /** Shape every inner map must have; fixed by the first `updateMap` (Linux fixes it at creation). */
  #innerTemplate: Readonly<MapSpec> | undefined;
  /** What this map charges; undefined for maps the embedder made, and after releaseBudget. */
  #budget: MapBudget | undefined;
  /** Stored in a map of maps at least once: it may outlive its handles, so its budget is never given back. */
  #pinned = false;

  private constructor(spec: Readonly<MapSpec>, kind: Kind, budget: MapBudget | undefined) {
    this.spec = spec;
    this.#budget = budget;
    this.#kind = kind;
    this.#lru = spec.type === MapType.LruHash || spec.type === LRU_PERCPU_HASH;
    this.#label = describe(spec.name);
    switch (kind) {
      case Kind.Array:
        budget?.bytes.charge(spec.maxEntries * spec.valueSize, "newMap");
        this.#array = new Uint8Array(spec.maxEntries * spec.valueSize);
        break;
      case Kind.Hash:
        this.#hash = new Map();
        break;
      case Kind.ArrayOfMaps:
        this.#slots = new Map();
        break;
      case Kind.HashOfMaps:
        this.#inner = new Map();
        break;
      case Kind.PerfEventArray:
        break;
    }
  }

  /**
   * Creates a map after validating its spec: sizes and maxEntries are integers
   * in 1..2^32-1; Array and ArrayOfMaps keys are 4 bytes (u32 index); map-of-maps
   * values are 4 bytes (a map fd in Linux); PerfEventArray is 4/4; hash keys are
   * at most 512 bytes; Array storage is at most MAX_ARRAY_MAP_BYTES.
   */
  static create(spec: MapSpec, budget?: MapBudget): BpfMap {
    if (spec === null || typeof spec !== "object") fail("map spec must be an object");
    const name = spec.name;
    if (typeof name !== "string") fail("map name must be a string");
    const label = describe(name);
    const kind = kindOf(spec.type);
    if (kind === undefined) fail(`${label}: unknown or unsupported map type ${String(spec.type)}`);
    checkU32(spec, "keySize");
    checkU32(spec, "valueSize");
    checkU32(spec, "maxEntries");
    const { keySize, valueSize, maxEntries } = spec;
    switch (kind) {
      case Kind.Array:
        if (keySize !== 4) fail(`${label}: array maps need key size 4, got ${keySize}`);
        if (maxEntries * valueSize > MAX_ARRAY_MAP_BYTES) {
          fail(
            `${label}: array of ${maxEntries} values of ${valueSize} bytes exceeds the ${MAX_ARRAY_MAP_BYTES}-byte limit`,
          );
        }
        break;
      case Kind.ArrayOfMaps:
        if (keySize !== 4) fail(`${label}: array-of-maps maps need key size 4, got ${keySize}`);
        if (valueSize !== 4) fail(`${label}: map-of-maps maps need value size 4, got ${valueSize}`);
        break;
      case Kind.HashOfMaps:
        if (valueSize !== 4) fail(`${label}: map-of-maps maps need value size 4, got ${valueSize}`);
        if (keySize > MAX_HASH_KEY_SIZE) {
          fail(`${label}: key size ${keySize} exceeds the hash map limit of ${MAX_HASH_KEY_SIZE}`);
        }
        break;
      case Kind.Hash:
        if (keySize > MAX_HASH_KEY_SIZE) {
          fail(`${label}: key size ${keySize} exceeds the hash map limit of ${MAX_HASH_KEY_SIZE}`);
        }
        break;
      case Kind.PerfEventArray:
        if (keySize !== 4 || valueSize !== 4) {
          fail(`${label}: perf event array maps need key size 4 and value size 4, got ${keySize} and ${valueSize}`);
        }
        break;
    }
    const frozen: Readonly<MapSpec> = Object.freeze({ name, type: spec.type, keySize, valueSize, maxEntries });
    return new BpfMap(frozen, kind, budget);
  }

  /** Live entries: Array maps always hold maxEntries; PerfEventArray holds none. */
  get size(): number {
    switch (this.#kind) {
      case Kind.Array:
        return this.spec.maxEntries;
      case Kind.Hash:
        return this.#hash!.size;
      case Kind.ArrayOfMaps:
        return this.#slots!.size;
      case Kind.HashOfMaps:
        return this.#inner!.size;
      case Kind.PerfEventArray:
        return 0;
    }
  }

  /** True for ArrayOfMaps and HashOfMaps. */
  get isMapOfMaps(): boolean {
    return this.#kind === Kind.ArrayOfMaps || this.#kind === Kind.HashOfMaps;
  }

  /**
   * Copies the value of `key` into `out[0..valueSize)` and returns true, or
   * returns false when the key is absent (Array: index >= maxEntries).
   */
  lookup(key: Uint8Array, out: Uint8Array): boolean {
    this.#requireData("lookup", "lookupMap");
    this.#checkKey(key);
    const vs = this.spec.valueSize;
    if (out.length < vs) {
      fail(`destination of ${out.length} bytes is too small for ${this.#label} value size ${vs}`);
    }
    if (this.#kind === Kind.Array) {
      const index = keyIndex(key);
      if (index >= this.spec.maxEntries) return false;
      const off = index * vs;
      out.set(this.#array!.subarray(off, off + vs));
      return true;
    }
    const entry = this.#hash!.get(keyString(key));
    if (entry === undefined) return false;
    out.set(entry.value);
    return true;
  }

  /**
   * Creates or replaces the value of `key` (a copy of `value` is stored).
   * `flags`: 0 Any, 1 NoExist, 2 Exist.
   */
  update(key: Uint8Array, value: Uint8Array, flags: number | bigint): void {
    this.#requireData("update", "updateMap");
    this.#checkKey(key);
    const vs = this.spec.valueSize;
    if (value.length !== vs) {
      fail(`value size ${value.length} does not match ${this.#label} value size ${vs}`);
    }
    const f = parseFlags(flags, this.#label);
    if (this.#kind === Kind.Array) {
      const index = this.#checkIndex(key);
      if (f === MapUpdateFlag.NoExist) {
        fail(`index ${index} already exists in ${this.#label} (array elements always exist; NoExist fails)`);
      }
      this.#array!.set(value, index * vs);
      return;
    }
    const hash = this.#hash!;
    const ks = keyString(key);
    const entry = hash.get(ks);
    if (entry !== undefined) {
      if (f === MapUpdateFlag.NoExist) fail(`key already exists in ${this.#label} (NoExist)`);
      entry.value.set(value);
      if (this.#lru) {
        // Most recently used goes to the end of the insertion order.
        hash.delete(ks);
        hash.set(ks, entry);
      }
      return;
    }
    if (f === MapUpdateFlag.Exist) fail(`key not found in ${this.#label} (Exist)`);
    if (hash.size >= this.spec.maxEntries) {
      if (!this.#lru) fail(`${this.#label} is full (maxEntries ${this.spec.maxEntries})`);
      // Evicting one entry makes room for this one: the budget does not change.
      const oldest = hash.keys().next();
      if (!oldest.done) hash.delete(oldest.value);
    } else {
      this.#chargeEntry();
    }
    hash.set(ks, { key: key.slice(), value: value.slice() });
  }

  /** Removes `key`; throws when it is absent. Array maps always throw (EINVAL, as Linux). */
  delete(key: Uint8Array): void {
    switch (this.#kind) {
      case Kind.PerfEventArray:
        fail(`${this.#label} is a perf event array: delete is not supported (open a perf reader on it)`);
      case Kind.Array:
        fail(`${this.#label} is an array map: its elements cannot be deleted`);
      case Kind.Hash:
        this.#checkKey(key);
        if (!this.#hash!.delete(keyString(key))) fail(`key not found in ${this.#label}`);
        this.#refundEntries(1);
        return;
      case Kind.ArrayOfMaps: {
        this.#checkKey(key);
        const index = this.#checkIndex(key);
        if (!this.#slots!.delete(index)) fail(`index ${index} of ${this.#label} holds no map`);
        this.#refundEntries(1);
        return;
      }
      case Kind.HashOfMaps:
        this.#checkKey(key);
        if (!this.#inner!.delete(keyString(key))) fail(`key not found in ${this.#label}`);
        this.#refundEntries(1);
        return;
    }
  }

  /** Map-of-maps only: the inner map stored at `key`, or undefined. */
  lookupMap(key: Uint8Array): BpfMap | undefined {
    this.#requireMapOfMaps("lookupMap", "lookup");
    this.#checkKey(key);
    if (this.#kind === Kind.ArrayOfMaps) return this.#slots!.get(keyIndex(key));
    return this.#inner!.get(keyString(key))?.map;
  }

  /**
   * Map-of-maps only: stores `inner` (by reference) at `key`.
   * HashOfMaps: flags as `update`. ArrayOfMaps: only Any (Linux rejects
   * NoExist/Exist on fd arrays with EINVAL). `inner` must not itself be a map
   * of maps, and must have the same type, sizes and maxEntries as the first
   * map ever stored (Linux checks inner maps against a template).
   */
  updateMap(key: Uint8Array, inner: BpfMap, flags: number | bigint): void {
    this.#requireMapOfMaps("updateMap", "update");
    this.#checkKey(key);
    const f = parseFlags(flags, this.#label);
    if (!(inner instanceof BpfMap)) fail(`inner value for ${this.#label} is not a map`);
    if (inner.isMapOfMaps) {
      fail(`cannot store ${inner.#label} in ${this.#label}: maps of maps cannot be nested`);
    }
    const t = this.#innerTemplate;
    const s = inner.spec;
    if (
      t !== undefined &&
      (t.type !== s.type || t.keySize !== s.keySize || t.valueSize !== s.valueSize || t.maxEntries !== s.maxEntries)
    ) {
      fail(
        `inner ${inner.#label} (${specSummary(s)}) does not match the inner maps of ${this.#label} (${specSummary(t)})`,
      );
    }
    if (this.#kind === Kind.ArrayOfMaps) {
      const index = this.#checkIndex(key);
      if (f !== MapUpdateFlag.Any) {
        fail(`${this.#label} is an array of maps: only update flag 0 (Any) is allowed, got ${f}`);
      }
      if (!this.#slots!.has(index)) this.#chargeEntry();
      this.#slots!.set(index, inner);
    } else {
      const map = this.#inner!;
      const ks = keyString(key);
      const entry = map.get(ks);
      if (entry !== undefined) {
        if (f === MapUpdateFlag.NoExist) fail(`key already exists in ${this.#label} (NoExist)`);
        entry.map = inner;
      } else {
        if (f === MapUpdateFlag.Exist) fail(`key not found in ${this.#label} (Exist)`);
        if (map.size >= this.spec.maxEntries) {
          fail(`${this.#label} is full (maxEntries ${this.spec.maxEntries})`);
        }
        this.#chargeEntry();
        map.set(ks, { key: key.slice(), map: inner });
      }
    }
    inner.#pinned = true;
    if (t === undefined) this.#innerTemplate = s;
  }

  /** Copies of every [key, value] (Array: every index). Not for maps of maps (use mapEntries). */
  entries(): IterableIterator<[Uint8Array, Uint8Array]> {
    this.#requireData("entries", "mapEntries");
    return this.#kind === Kind.Array ? this.#arrayEntries() : this.#hashEntries();
  }

  /** Maps of maps only: [copy of key, inner map] for every stored map. */
  mapEntries(): IterableIterator<[Uint8Array, BpfMap]> {
    this.#requireMapOfMaps("mapEntries", "entries");
    return this.#kind === Kind.ArrayOfMaps ? this.#slotEntries() : this.#innerEntries();
  }

  /** `update(key, value, Any)`. */
  set(key: Uint8Array, value: Uint8Array): void {
    this.update(key, value, MapUpdateFlag.Any);
  }

  /** A copy of the value of `key`, or undefined when absent. */
  get(key: Uint8Array): Uint8Array | undefined {
    const out = new Uint8Array(this.spec.valueSize);
    return this.lookup(key, out) ? out : undefined;
  }

  *#arrayEntries(): IterableIterator<[Uint8Array, Uint8Array]> {
    const vs = this.spec.valueSize;
    const array = this.#array!;
    for (let i = 0; i < this.spec.maxEntries; i++) {
      yield [indexKey(i), array.slice(i * vs, (i + 1) * vs)];
    }
  }

  *#hashEntries(): IterableIterator<[Uint8Array, Uint8Array]> {
    for (const e of this.#hash!.values()) yield [e.key.slice(), e.value.slice()];
  }

  *#slotEntries(): IterableIterator<[Uint8Array, BpfMap]> {
    const indices = [...this.#slots!.keys()].sort((a, b) => a - b);
    for (const i of indices) {
      const m = this.#slots!.get(i);
      if (m !== undefined) yield [indexKey(i), m];
    }
  }

  *#innerEntries(): IterableIterator<[Uint8Array, BpfMap]> {
    for (const e of this.#inner!.values()) yield [e.key.slice(), e.map];
  }

  /** Bytes one stored entry costs in mapBytes. */
  get #entryBytes(): number {
    return this.spec.keySize + (this.isMapOfMaps ? 4 : this.spec.valueSize) + MAP_ENTRY_OVERHEAD;
  }

  /** Charges one new entry, or fails changing nothing. */
  #chargeEntry(): void {
    const budget = this.#budget;
    if (budget === undefined) return;
    budget.entries.check(1, "mapUpdate");
    budget.bytes.charge(this.#entryBytes, "mapUpdate");
    budget.entries.charge(1, "mapUpdate");
  }

  #refundEntries(n: number): void {
    this.#budget?.entries.refund(n);
    this.#budget?.bytes.refund(n * this.#entryBytes);
  }

  /**
   * Gives back everything this map charged, when nothing can reach it any
   * more (its last handle went). A map ever stored in a map of maps may still
   * be reached through it, and keeps its charge. Returns whether it gave back.
   */
  releaseBudget(): boolean {
    if (this.#budget === undefined || this.#pinned) return false;
    if (this.#kind === Kind.Array) this.#budget.bytes.refund(this.spec.maxEntries * this.spec.valueSize);
    else this.#refundEntries(this.size);
    this.#budget = undefined;
    return true;
  }

  #checkKey(key: Uint8Array): void {
    if (key.length !== this.spec.keySize) {
      fail(`key size ${key.length} does not match ${this.#label} key size ${this.spec.keySize}`);
    }
  }

  /** For Array / ArrayOfMaps writes: the index, or E2BIG when out of range. */
  #checkIndex(key: Uint8Array): number {
    const index = keyIndex(key);
    if (index >= this.spec.maxEntries) {
      fail(`index ${index} is out of range for ${this.#label} (maxEntries ${this.spec.maxEntries})`);
    }
    return index;
  }

  #requireData(op: string, alternative: string): void {
    if (this.#kind === Kind.PerfEventArray) {
      fail(`${this.#label} is a perf event array: ${op} is not supported (open a perf reader on it)`);
    }
    if (this.#kind === Kind.ArrayOfMaps || this.#kind === Kind.HashOfMaps) {
      fail(`${this.#label} is a map of maps: use ${alternative} instead of ${op}`);
    }
  }

  #requireMapOfMaps(op: string, alternative: string): void {
    if (this.#kind !== Kind.ArrayOfMaps && this.#kind !== Kind.HashOfMaps) {
      fail(`${this.#label} is not a map of maps: use ${alternative} instead of ${op}`);
    }
  }
}

/** Maps declared by the embedding code, found by name (the guest's `getMap`). */
export class MapRegistry {
  readonly #maps = new Map<string, BpfMap>();

  /** Creates a map from `spec` and registers it; fails on an empty or duplicate name. */
  declare(spec: MapSpec): BpfMap {
    this.#checkName(spec?.name);
    const map = BpfMap.create(spec);
    this.#maps.set(map.spec.name, map);
    return map;
  }

  /** Registers an existing map under its name; fails on an empty or duplicate name. */
  add(map: BpfMap): void {
    if (!(map instanceof BpfMap)) fail("only a BpfMap can be added to a map registry");
    this.#checkName(map.spec.name);
    this.#maps.set(map.spec.name, map);
  }

  get(name: string): BpfMap | undefined {
    return this.#maps.get(name);
  }

  has(name: string): boolean {
    return this.#maps.has(name);
  }

  /** Unregisters `name`; returns whether it was registered. */
  delete(name: string): boolean {
    return this.#maps.delete(name);
  }

  get size(): number {
    return this.#maps.size;
  }

  names(): IterableIterator<string> {
    return this.#maps.keys();
  }

  #checkName(name: unknown): void {
    if (typeof name !== "string" || name === "") fail("a registered map needs a non-empty name");
    if (this.#maps.has(name)) fail(`a map named ${JSON.stringify(name)} is already declared`);
  }
}
