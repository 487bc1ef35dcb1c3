/**
 * Adversarial argument values, by the spec's parameter meaning: handles
 * (live of the right type, of another type, stale, zero, random, element-
 * shaped), packed strings and buffers and destinations (valid, empty, at the
 * very end of memory, one past it, outside it, wrapping past 2^32), kinds
 * and enum values (every valid one and invalid ones), integers at their edges.
 */
import * as constants from "../generated/constants.js";
import type { HostFnDescriptor } from "../generated/host/descriptors.js";
import { DATA, HEAP } from "./guest.js";
import { ACCEPTED, type HandleModel, handleParamType, isAnyHandleParam } from "./model.js";

/** A small deterministic PRNG (mulberry32), so a run replays from its seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function packed(ptr: number, len: number): bigint {
  return (BigInt(len >>> 0) << 32n) | BigInt(ptr >>> 0);
}

/** The numeric members of a generated enum, by the name in `enum<Name>`. */
function enumValues(name: string): number[] {
  const e = (constants as unknown as Record<string, Record<string, unknown>>)[name];
  if (e === undefined) return [];
  return Object.values(e).filter((v): v is number => typeof v === "number");
}

const INVALID_ENUM = [-1, 99, 255, 256, 0x7fffffff];
const U32_EDGES = [0, 1, 2, 4, 8, 16, 252, 4096, 32767, 32768, 65535, 65536, 0x7fffffff, 0x80000000, 0xffffffff];
const U64_EDGES = [0n, 1n, 2n, 42n, 0xffffffffn, 1n << 32n, 1n << 63n, (1n << 64n) - 1n];
const LENGTHS = [0, 1, 2, 4, 8, 16, 64, 252, 1024, 70000, 0xffffffff];

export class ValueSource {
  constructor(
    private readonly rand: () => number,
    private readonly model: HandleModel,
    /** Packed strings written into guest memory at setup (valid names and a few unknown ones). */
    private readonly strings: readonly bigint[],
    private readonly memorySize: () => number,
  ) {}

  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rand() * xs.length)];
  }

  chance(p: number): boolean {
    return this.rand() < p;
  }

  int(n: number): number {
    return Math.floor(this.rand() * n);
  }

  /** A pointer for a range of `len` bytes: inside the data area mostly, else at or past the end, or wrapping. */
  pointer(len: number): number {
    const size = this.memorySize();
    switch (this.int(8)) {
      case 0:
        return (size - len) >>> 0; // ends exactly at the end of memory
      case 1:
        return (size - len + 1) >>> 0; // one byte past the end
      case 2:
        return size;
      case 3:
        return (0x1_0000_0000 - Math.max(len, 1) + this.int(8)) >>> 0; // ptr + len wraps past 2^32
      case 4:
        return this.int(0x1_0000_0000);
      default:
        return DATA + this.int(HEAP - DATA - Math.min(len, HEAP - DATA));
    }
  }

  range(): bigint {
    const len = this.chance(0.7) ? this.pick(LENGTHS.slice(0, 8)) : this.pick(LENGTHS);
    return packed(this.pointer(len), len);
  }

  handle(type: string | undefined): number {
    const m = this.model;
    const roll = this.rand();
    if (type !== undefined && roll < 0.55) {
      const good = m.pick(this.rand, ACCEPTED[type]);
      if (good !== undefined) return good;
    }
    if (roll < 0.7) {
      const any = m.pick(this.rand);
      if (any !== undefined) return any;
    }
    if (roll < 0.78 && m.stale.length > 0) return this.pick(m.stale);
    if (roll < 0.84 && m.elements.length > 0) return this.pick(m.elements);
    if (roll < 0.9) return 0;
    return this.pick([this.int(0x1_0000_0000), 0xffffffff, 0x80000000, 1, 0x2001, 4096]);
  }

  /** Arguments for `d`, in wire order (numbers for i32, bigints for i64). */
  args(d: HostFnDescriptor): unknown[] {
    const out = d.params.map((p, i) => this.value(d, i, p.type, p.wire));
    // A value whose meaning depends on a kind: usually consistent with the kind given.
    const kindAt = d.params.findIndex((p) => p.type === "enum<FieldKind>");
    const valueAt = d.params.findIndex((p) => p.type === "kindValue");
    if (kindAt !== -1 && valueAt !== -1 && this.chance(0.7)) {
      out[valueAt] = constants.isBufferKind(out[kindAt] as number) ? this.pick(this.strings) : this.pick(U64_EDGES);
    }
    return out;
  }

  private value(d: HostFnDescriptor, index: number, type: string, wire: "i32" | "i64"): number | bigint {
    if (isAnyHandleParam(d, index)) return this.handle(undefined);
    const handleType = handleParamType(type);
    if (handleType !== undefined) return this.handle(handleType);
    const enumName = /^enum<(\w+)>$/.exec(type)?.[1];
    if (enumName !== undefined) {
      const v = this.chance(0.85) ? this.pick(enumValues(enumName)) : this.pick(INVALID_ENUM);
      return wire === "i64" ? BigInt(v) : v;
    }
    switch (type) {
      case "str":
        return this.chance(0.7) ? this.pick(this.strings) : this.range();
      case "buf":
      case "dst":
        return this.range();
      case "kindValue":
        return this.chance(0.5) ? this.range() : this.pick(U64_EDGES);
      case "errPtr":
        return this.chance(0.5) ? 0 : this.pointer(4);
      case "bool":
        return this.pick([0, 1, 1, 2, 0xffffffff]);
    }
    const outPtr = /^outPtr\[(\d+)\]$/.exec(type);
    if (outPtr !== null) {
      const ptr = this.pointer(Number(outPtr[1]));
      return wire === "i64" ? BigInt(ptr) : ptr;
    }
    if (wire === "i64") return this.pick(U64_EDGES);
    return this.chance(0.8) ? this.pick(U32_EDGES) : this.int(0x1_0000_0000);
  }
}
