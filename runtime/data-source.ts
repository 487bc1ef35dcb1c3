/**
 * A data source: its fields, the layout of its records, its subscribers.
 *
 * Record layout: each fixed-size field gets an offset aligned to its size,
 * in the order fields were added; the record size is rounded up to 8 so every
 * record in a slab keeps that alignment. Variable-length fields get a slot
 * number instead (see RecordSlab.vars). The layout may change only while no
 * record of the data source is alive: adding a field then replaces the slab.
 * (The old slab's chunks stay allocated in host memory: this happens while a
 * gadget sets up, so the waste is bounded by the fields added.)
 */
import { DataSourceType, FieldKind, FieldKindSize, SubscriptionType } from "../generated/constants.js";
import { fail } from "./errors.js";
import type { HostMemory } from "./host-memory.js";
import { RecordSlab } from "./record-slab.js";

export class Field {
  readonly tags: string[] = [];
  constructor(
    /** Global field id (index in DataSources.fields). */
    readonly id: number,
    readonly ds: DataSource,
    readonly name: string,
    readonly kind: FieldKind,
    /** Fixed-size: byte offset in the record. Variable-length: slot number. */
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
    if (!this.tags.includes(tag)) this.tags.push(tag);
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

export class DataSource {
  readonly fields: Field[] = [];
  private readonly byName = new Map<string, Field>();
  /**
   * Replaced, never mutated, when a subscriber is added: a delivery iterates
   * the array it started with, so a subscriber added during a delivery first
   * runs for the next packet (and none runs twice).
   */
  subscriptions: readonly Subscription[] = [];
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

  /** Adds a field; `nextId` is its global id. */
  addField(name: string, kind: FieldKind, nextId: number): Field {
    if (!(kind >= FieldKind.Bool && kind <= FieldKind.Bytes)) fail(`unknown field kind ${kind}`);
    if (this.byName.has(name)) fail(`data source "${this.name}" already has a field "${name}"`);
    if (this.slab.live > 0) fail(`data source "${this.name}" has ${this.slab.live} live records; add fields before creating packets`);
    const size = FieldKindSize[kind];
    let offset: number;
    if (size === 0) {
      offset = this.varCount++;
    } else {
      offset = (this.fixedEnd + size - 1) & ~(size - 1);
      this.fixedEnd = offset + size;
    }
    const field = new Field(nextId, this, name, kind, offset, size);
    this.fields.push(field);
    this.byName.set(name, field);
    this.slab = new RecordSlab(this.mem, (this.fixedEnd + 7) & ~7, this.varCount);
    this.arrayPool.length = 0;
    return field;
  }

  /** Adds a subscriber, kept in priority order (ties: subscription order). */
  subscribe(sub: Omit<Subscription, "seq">): void {
    const entry: Subscription = { ...sub, seq: subscriptionSeq++ };
    const next = [...this.subscriptions];
    const i = next.findIndex((s) => s.prio > entry.prio);
    next.splice(i === -1 ? next.length : i, 0, entry);
    this.subscriptions = next;
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
