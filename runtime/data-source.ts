/**
 * A data source: its fields, the layout of its records, its subscribers.
 *
 * Record layout: each fixed-size field gets an offset aligned to its size,
 * in the order fields were added; the record size is rounded up to 8 so every
 * record in a slab keeps that alignment. Variable-length fields get the
 * offset of their value descriptor instead, which precedes the record, so a
 * negative one: -16, -32, ... in the order they were added (see RecordSlab);
 * so adding a field never moves an earlier field of either kind. The layout may change only while no
 * record of the data source is alive: adding a field then replaces the slab,
 * and the old slab's chunks go back to host memory for reuse.
 */
import { DataSourceType, FieldKind, FieldKindSize, SubscriptionType } from "../generated/constants.js";
import { fail } from "./errors.js";
import type { HostMemory } from "./host-memory.js";
import { descriptorOffset, RecordSlab } from "./record-slab.js";

export class Field {
  /** Insertion-ordered, so adding a tag is O(1) whatever the count. */
  readonly tags = new Set<string>();
  constructor(
    /** Global field id (index in DataSources.fields). */
    readonly id: number,
    readonly ds: DataSource,
    readonly name: string,
    readonly kind: FieldKind,
    /**
     * Byte offset from the record's address: of the value (fixed-size kinds), or of the value's
     * descriptor (variable-length kinds: negative, descriptors precede the record; RecordSlab).
     */
    readonly offset: number,
    /** Byte size; 0 for variable-length kinds. */
    readonly size: number,
  ) {}

  get variable(): boolean {
    return this.size === 0;
  }

  /** Adds a tag once (IG's FieldAccessor.AddTags keeps duplicates out the same way for the guest's fieldAddTag). */
  addTag(tag: string): void {
    if (tag === "") fail(`field "${this.name}": empty tag`);
    this.tags.add(tag);
  }
}

/** Who receives a data source's packets. */
export interface Subscription {
  readonly prio: number;
  readonly seq: number;
  readonly type: SubscriptionType;
  /** Guest subscriptions: the callback ID and the data-source handle given at subscribe time. */
  readonly cbID: bigint;
  readonly dsHandle: number;
  /** JS subscriptions; null for guest ones. */
  readonly js: ((ds: DataSource, slotOrArray: number | DataArray) => void) | null;
}

/** The records of an array packet (or of callback data of an Array subscription). */
export class DataArray {
  slots: number[] = [];
  /** Records from dataArrayNew not yet appended or released. */
  pending = 0;
  constructor(readonly ds: DataSource) {}
  get length(): number {
    return this.slots.length;
  }
}

let subscriptionSeq = 0;

/**
 * Whether two strings are equal under simple case folding, code point by code
 * point (Go's strings.EqualFold): a case mapping that changes the number of
 * code points ("ß" -> "SS") does not make two strings equal.
 */
function equalFold(a: string, b: string): boolean {
  if (a === b) return true;
  const ascii = asciiEqualFold(a, b);
  if (ascii !== null) return ascii;
  const x = Array.from(a);
  const y = Array.from(b);
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) {
    if (x[i] !== y[i] && !sameSingleCase(x[i].toLowerCase(), y[i].toLowerCase()) && !sameSingleCase(x[i].toUpperCase(), y[i].toUpperCase())) return false;
  }
  return true;
}

/**
 * equalFold of two ASCII strings without allocating (for ASCII, Unicode's
 * simple folding is A-Z <-> a-z); null when either string is not ASCII.
 */
function asciiEqualFold(a: string, b: string): boolean | null {
  let folded = a.length === b.length;
  for (let i = 0; i < a.length; i++) {
    const p = a.charCodeAt(i);
    if (p >= 0x80) return null;
    if (!folded || i >= b.length) continue;
    const q = b.charCodeAt(i);
    if (q >= 0x80) return null;
    const lp = p | 0x20;
    if (p !== q && !(lp === (q | 0x20) && lp >= 0x61 && lp <= 0x7a)) folded = false;
  }
  for (let i = a.length; i < b.length; i++) if (b.charCodeAt(i) >= 0x80) return null;
  return folded;
}

function sameSingleCase(p: string, q: string): boolean {
  return p === q && Array.from(p).length === 1;
}

export class DataSource {
  readonly fields: Field[] = [];
  private readonly byName = new Map<string, Field>();
  /**
   * Sorted by priority (as stored: the guest's is a signed int32), then subscription order. While a delivery of
   * this data source is in progress (`delivering` > 0) a new subscriber goes
   * into a copy, so the delivery iterates the array it started with: a
   * subscriber added during a delivery first runs for the next packet (and
   * none runs twice). Otherwise it is inserted in place: O(log n) to find
   * the spot.
   */
  subscriptions: readonly Subscription[] = [];
  /** Deliveries of this data source in progress (nested ones count). */
  delivering = 0;
  referenced = true;
  private fixedEnd = 0;
  private varCount = 0;
  slab: RecordSlab;
  /** Array packets kept for reuse (their `slots` arrays keep their capacity). */
  readonly arrayPool: DataArray[] = [];

  constructor(
    /** Index in DataSources.sources; also stored in handle entries. */
    readonly index: number,
    readonly name: string,
    readonly type: DataSourceType,
    private readonly mem: HostMemory,
    /** Created by the guest (newDataSource) rather than declared by the host. */
    readonly ownedByGuest: boolean,
  ) {
    this.slab = new RecordSlab(mem, 0, 0);
  }

  get isArray(): boolean {
    return this.type === DataSourceType.Array;
  }

  field(name: string): Field | undefined {
    return this.byName.get(name);
  }

  /**
   * The first field, in the order they were added, whose name equals `name`
   * ignoring case (IG v0.49.0+, pkg/datasource/data.go GetField, 6dc616b41:
   * Go's strings.EqualFold). IG scans a Go map, so when several fields match
   * it returns any one of them; we return the first added.
   */
  fieldIgnoringCase(name: string): Field | undefined {
    return this.fields.find((f) => equalFold(f.name, name));
  }

  /**
   * Adds a field; `nextId` is its global id. As in IG (pkg/operators/wasm/
   * datasource.go dataSourceAddField, pkg/datasource/data.go AddField), kinds
   * 0 (Invalid) to 14 (Bytes) are accepted: an Invalid field holds an empty
   * value, like a variable-length field never set.
   *
   * Stricter than IG: no field may be added while records of the data source
   * are alive. IG adds it anyway, and a packet created before has no payload
   * for the new field, so touching it there panics the host call (a trap);
   * here the call fails instead, because the record layout is fixed while
   * records exist.
   */
  addField(name: string, kind: FieldKind, nextId: number): Field {
    if (!(kind >= FieldKind.Invalid && kind <= FieldKind.Bytes)) fail(`unknown field kind ${kind}`);
    if (this.byName.has(name)) fail(`data source "${this.name}" already has a field "${name}"`);
    if (this.slab.live > 0) fail(`data source "${this.name}" has ${this.slab.live} live records; add fields before creating packets`);
    const size = FieldKindSize[kind];
    let offset: number;
    if (size === 0) {
      offset = descriptorOffset(this.varCount++);
    } else {
      offset = (this.fixedEnd + size - 1) & ~(size - 1);
      this.fixedEnd = offset + size;
    }
    const field = new Field(nextId, this, name, kind, offset, size);
    this.fields.push(field);
    this.byName.set(name, field);
    this.slab.dispose();
    this.slab = new RecordSlab(this.mem, (this.fixedEnd + 7) & ~7, this.varCount);
    this.arrayPool.length = 0;
    return field;
  }

  /** Adds a subscriber, kept in priority order (ties: subscription order). */
  subscribe(sub: Omit<Subscription, "seq">): void {
    const entry: Subscription = { ...sub, seq: subscriptionSeq++ };
    const subs = (this.delivering > 0 ? [...this.subscriptions] : this.subscriptions) as Subscription[];
    const key = entry.prio;
    // Upper bound: after every subscriber of the same priority.
    let lo = 0;
    let hi = subs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (subs[mid].prio <= key) lo = mid + 1;
      else hi = mid;
    }
    subs.splice(lo, 0, entry);
    this.subscriptions = subs;
  }

  newArray(): DataArray {
    return this.arrayPool.pop() ?? new DataArray(this);
  }

  /**
   * Frees every record of an array and keeps the array for reuse, unless
   * records from dataArrayNew on it are still pending: those remember their
   * array by identity, so a reused object would let them join another array.
   */
  releaseArray(arr: DataArray): void {
    for (const slot of arr.slots) this.slab.free(slot);
    arr.slots.length = 0;
    if (arr.pending === 0) this.arrayPool.push(arr);
  }
}
