/**
 * Per-gadget budgets: how much of the host one gadget may take.
 *
 * Every resource a guest can make the host hold has a limit here, so a
 * gadget that tries to exhaust the host gets error values (and a log line
 * per refused call) instead of taking the process down. The defaults keep a
 * small machine (2 cores, 24 GiB, several gadgets) safe: all budgets of one
 * gadget together stay well under 1 GiB. docs/limits.md lists every limit
 * and what happens at it.
 */
import { fail } from "./errors.js";

export interface Limits {
  /** Bytes of host memory for packet records (the host's WebAssembly.Memory, handle table included). */
  readonly hostMemoryBytes: number;
  /** Entries stored in maps the guest created with newMap, summed over all of them. */
  readonly mapEntries: number;
  /** Bytes of keys and values in maps the guest created (Array maps: all of their storage), summed. */
  readonly mapBytes: number;
  /** Bytes of the rings of all open perf readers. */
  readonly perfRingBytes: number;
  /** Keys the guest may set with setConfig. */
  readonly configEntries: number;
  /** Bytes of keys and values set with setConfig. */
  readonly configBytes: number;
  /** Subscriptions one data source may have (guest and JS together; only the guest is refused). */
  readonly subscriptionsPerDataSource: number;
  /** Distinct tags one field may have. */
  readonly tagsPerField: number;
  /** Bytes of what the guest declares: data sources, fields, tags, subscriptions (each costs its name's length plus MetadataCost). */
  readonly metadataBytes: number;
  /** Deliveries that may be in progress inside one another (a subscriber that emits starts a nested one). */
  readonly callbackDepth: number;
}

export const DEFAULT_LIMITS: Limits = Object.freeze({
  hostMemoryBytes: 256 * 1024 * 1024,
  mapEntries: 1_000_000,
  mapBytes: 256 * 1024 * 1024,
  perfRingBytes: 256 * 1024 * 1024,
  configEntries: 1024,
  configBytes: 1024 * 1024,
  subscriptionsPerDataSource: 1024,
  tagsPerField: 256,
  metadataBytes: 16 * 1024 * 1024,
  callbackDepth: 16,
});

/**
 * What each declared thing costs in metadataBytes besides its name's bytes:
 * an estimate of the JS objects behind it (a data source has a record slab
 * with its typed arrays; measured with fuzz/exhaust.ts).
 */
export const MetadataCost = { DataSource: 2048, Field: 256, Tag: 64, Subscription: 128 } as const;

/** What a data source, field or tag named `text` costs in the metadataBytes budget. */
export function metadataCost(kind: keyof typeof MetadataCost, text = ""): number {
  return text.length + MetadataCost[kind];
}

/** Every limit at its default unless given; rejects values that are not non-negative integers. */
export function resolveLimits(given: Partial<Limits> = {}): Limits {
  const out: { -readonly [K in keyof Limits]: number } = { ...DEFAULT_LIMITS };
  for (const [key, value] of Object.entries(given)) {
    if (!isLimitName(key)) throw new RangeError(`unknown limit "${key}" (known: ${Object.keys(DEFAULT_LIMITS).join(", ")})`);
    if (value === undefined) continue;
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`limit ${key} must be a non-negative integer, got ${String(value)}`);
    }
    out[key] = value;
  }
  return Object.freeze(out);
}

function isLimitName(key: string): key is keyof Limits {
  return Object.hasOwn(DEFAULT_LIMITS, key);
}

/** A counted resource with a ceiling. Charging checks first, so a refused charge changes nothing. */
export class Budget {
  private usedNow = 0;

  constructor(
    /** Names the limit in error messages (`mapEntries`, ...). */
    readonly name: string,
    readonly limit: number,
  ) {}

  get used(): number {
    return this.usedNow;
  }

  /** Fails, changing nothing, unless `amount` more fits. */
  check(amount: number, what: string): void {
    if (this.usedNow + amount > this.limit) {
      fail(`${what}: the gadget's ${this.name} budget is exhausted (${this.usedNow} + ${amount} > ${this.limit})`);
    }
  }

  charge(amount: number, what: string): void {
    this.check(amount, what);
    this.usedNow += amount;
  }

  refund(amount: number): void {
    this.usedNow = Math.max(0, this.usedNow - amount);
  }
}

/** The budgets of one gadget, one per shared limit (per-object limits are read from `limits`). */
export class Budgets {
  readonly mapEntries: Budget;
  readonly mapBytes: Budget;
  readonly perfRingBytes: Budget;
  readonly configEntries: Budget;
  readonly configBytes: Budget;
  readonly metadataBytes: Budget;

  constructor(readonly limits: Limits) {
    this.mapEntries = new Budget("mapEntries", limits.mapEntries);
    this.mapBytes = new Budget("mapBytes", limits.mapBytes);
    this.perfRingBytes = new Budget("perfRingBytes", limits.perfRingBytes);
    this.configEntries = new Budget("configEntries", limits.configEntries);
    this.configBytes = new Budget("configBytes", limits.configBytes);
    this.metadataBytes = new Budget("metadataBytes", limits.metadataBytes);
  }
}
