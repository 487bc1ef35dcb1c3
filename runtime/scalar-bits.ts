/**
 * Fixed-size field values in host memory as the ABI carries them: 64 bits,
 * here as two u32 halves, so that neither reading nor writing one makes a
 * BigInt.
 *
 * A read extends the value to 64 bits as IG's host does: signed kinds
 * sign-extended, unsigned kinds zero-extended, floats as their bits, Bool 1
 * only for the byte 1 (pkg/datasource/accessors.go, aeac857). A write keeps
 * the value's low `size` bytes (Bool: 1 for any non-zero value, high bits
 * too). FieldOps (the shims' implementation) and the JS form of the field
 * fast path both use these, so the two agree by construction.
 *
 * Every value read or written here is aligned to its size: a fixed-size
 * field's offset is (data-source.ts), records are 8-aligned and value blocks
 * 16-aligned (record-slab.ts, host-memory.ts). So 4- and 8-byte values go
 * through host memory's Uint32Array, a plain load or store where a DataView
 * access costs its own bounds and byte-order handling (~1.5 ns each, bench
 * field-access); 1- and 2-byte ones through the DataView.
 */
import { FieldKind } from "../generated/constants.js";
import type { HostMemory } from "./host-memory.js";

export interface ScalarBits {
  /**
   * Reads the value of fixed-size `kind` at host address `at`: returns its
   * low half (a number whose low 32 bits are the half; signed kinds may give
   * a negative one) and leaves the high half in `high[0]`.
   */
  read(at: number, kind: number): number;
  /** Writes the low `size` bytes of the 64-bit value with halves `lo` and `hi` at host address `at`. */
  write(at: number, size: number, kind: number, lo: number, hi: number): void;
}

/**
 * ScalarBits over `mem`, leaving read results' high halves in `high`.
 * Closures per caller, as createFlatResolver's (handles.ts) and for the
 * same reason: the JS fast path of each guest gets code of its own.
 */
export function createScalarBits(mem: HostMemory, high: Uint32Array): ScalarBits {
  return {
    read(at, kind) {
      switch (kind) {
        case FieldKind.Bool:
          high[0] = 0;
          return mem.u8[at] === 1 ? 1 : 0;
        case FieldKind.Int8: {
          const v = mem.view.getInt8(at);
          high[0] = v >> 31;
          return v;
        }
        case FieldKind.Int16: {
          const v = mem.view.getInt16(at, true);
          high[0] = v >> 31;
          return v;
        }
        case FieldKind.Int32: {
          const v = mem.u32[at >>> 2] | 0;
          high[0] = v >> 31;
          return v;
        }
        case FieldKind.Uint8:
          high[0] = 0;
          return mem.u8[at];
        case FieldKind.Uint16:
          high[0] = 0;
          return mem.view.getUint16(at, true);
        case FieldKind.Uint32:
        case FieldKind.Float32:
          high[0] = 0;
          return mem.u32[at >>> 2];
        default: {
          // Int64, Uint64, Float64
          const u32 = mem.u32;
          const w = at >>> 2;
          high[0] = u32[w + 1];
          return u32[w];
        }
      }
    },
    write(at, size, kind, lo, hi) {
      switch (size) {
        case 1:
          mem.u8[at] = kind === FieldKind.Bool ? ((lo | hi) !== 0 ? 1 : 0) : lo;
          return;
        case 2:
          mem.view.setUint16(at, lo & 0xffff, true);
          return;
        case 4:
          mem.u32[at >>> 2] = lo;
          return;
        default: {
          const u32 = mem.u32;
          const w = at >>> 2;
          u32[w] = lo;
          u32[w + 1] = hi;
        }
      }
    },
  };
}
