/**
 * The field fast path in JS: `fieldGetScalar`, `fieldSet` and
 * `fieldGetBuffer` at the wire level, for guests that do not get the wasm
 * form (field-fast-path.ts): `fastPath: "js"`, a guest the wasm form cannot
 * link to, and the releases whose variants the wasm form does not have. It
 * serves every release: the older getters' scalar case (v0.38's
 * fieldGetScalar without an error word, fieldGet before it, the branch's
 * fieldAccessorGet) is the same read, and a setter answers 0 or, before
 * v0.39.0, the field handle it was given (`JsFieldVariant`).
 *
 * The generated shims serve every case through typed implementations
 * (FieldOps), which take and return a 64-bit value as a number or, when its
 * bits are no safe integer (a double's never are), a BigInt; a call goes
 * through the shim, FieldOps and the step-by-step resolution. These three
 * functions instead take the trampolines' all-i32 arguments and answer the
 * plain success cases in one step over the handle table's words (a
 * FlatResolver of their own, handles.ts), moving 64-bit values as their two
 * halves (scalar-bits.ts; the high half of a result through the WideSlot, as
 * every shim returns one). Every other case (any error, element
 * handles, a fixed-size field read or written as bytes, a value that needs
 * a new block, a guest range outside memory) calls `fallback`, the shim, with
 * the same arguments: results, error values and log lines are the shims'.
 * The cases taken here are exactly the wasm form's (test/fast-path.test.ts
 * runs the same tests on both forms).
 *
 * Arguments arrive as wasm i32s, so a u32 above 2^31 is a negative number:
 * each is read as unsigned where that matters, and passed to the fallback
 * as it came.
 */
import { FieldKind, FieldKindSize } from "../../generated/constants.js";
import type { FieldGetBufferImport, FieldGetScalarImport, FieldSetImport } from "../../generated/host/shared/field.js";
import type { GuestMemoryAccess } from "../abi/memory.js";
import type { WideSlot } from "../abi/wide.js";
import type { DataSources } from "../data-sources.js";
import { createFlatResolver } from "../handles.js";
import type { HostMemory } from "../host-memory.js";
import { DescriptorWord, fitsInPlace } from "../record-slab.js";
import { createScalarBits } from "../scalar-bits.js";
import { createValueCopy } from "./value-copy.js";

/**
 * The field functions as JS shims are: every i64 split into two numbers, an
 * i64 result's high half in the WideSlot. Named by what they do, since the
 * releases name them differently (the loader maps them, link.ts).
 */
export interface FieldWireImports {
  /** fieldGetScalar; a getter without an error word (v0.38, fieldGet, fieldAccessorGet) has no `err`. */
  readonly getScalar: FieldGetScalarImport | ((field: number, data: number, kind: number) => number);
  /** fieldSet, fieldAccessorSet. */
  readonly set: FieldSetImport;
  /** fieldGetBuffer, from v0.38.0. */
  readonly getBuffer?: FieldGetBufferImport;
}

/** What a release's variants answer where they differ. */
export interface JsFieldVariant {
  /** The setter answers its field handle on success (releases before v0.39.0, the branch), else 0. */
  readonly setAnswersField: boolean;
}

/** What the JS fast path reads and writes: the runtime's records, the guest's memory, the shims' WideSlot. */
export interface JsFieldFastPathContext {
  readonly host: HostMemory;
  readonly sources: DataSources;
  readonly guest: GuestMemoryAccess;
  readonly wide: WideSlot;
}

function isValueKind(kind: number): boolean {
  return kind === FieldKind.String || kind === FieldKind.Bytes;
}

export function createJsFieldFastPath(context: JsFieldFastPathContext, fallback: FieldWireImports, variant: JsFieldVariant = { setAnswersField: false }): FieldWireImports {
  const { host, sources, guest } = context;
  const flat = createFlatResolver(host);
  const bits = createScalarBits(host, context.wide.words);
  const copy = createValueCopy(sources, host, guest);

  /** The guest memory's size in bytes; -1 before it is attached (a start function's calls), which the shims report. */
  function guestLength(): number {
    try {
      return guest.u8().length;
    } catch {
      return -1;
    }
  }

  const getFallback = fallback.getScalar as FieldGetScalarImport;
  const setAnswersField = variant.setAnswersField;

  // `err` is undefined for a getter without an error word; its shim ignores the extra argument.
  function getScalar(field: number, data: number, kind: number, err: number): number {
    const at = flat.scalarAddress(field, data, kind);
    return at !== -1 ? bits.read(at, kind) : getFallback(field, data, kind, err);
  }

  function set(field: number, data: number, kind: number, valueLo: number, valueHi: number): number {
    const at = flat.scalarAddress(field, data, kind);
    if (at !== -1) bits.write(at, FieldKindSize[kind], kind, valueLo, valueHi);
    // A value (ptr, len) stored in place when its block fits it; a new block is the shim's (RecordSlab.reserveVar).
    else if (!(isValueKind(kind) && setValueInPlace(field, data, valueLo >>> 0, valueHi >>> 0))) return fallback.set(field, data, kind, valueLo, valueHi);
    return setAnswersField ? field : 0;
  }

  function setValueInPlace(field: number, data: number, ptr: number, len: number): boolean {
    const d = flat.valueDescriptor(field, data);
    if (d === -1 || !fitsInPlace(len, host.u32[d + DescriptorWord.capacity]) || ptr + len > guestLength()) return false;
    copy.copyIn(ptr, len, host.u32[d + DescriptorWord.at]);
    host.u32[d + DescriptorWord.length] = len;
    return true;
  }

  const bufferFallback = fallback.getBuffer;

  function getBuffer(field: number, data: number, kind: number, dstPtr: number, dstLen: number): number {
    const d = isValueKind(kind) ? flat.valueDescriptor(field, data) : -1;
    if (d !== -1) {
      const len = host.u32[d + DescriptorWord.length];
      const ptr = dstPtr >>> 0;
      if (len <= dstLen >>> 0 && ptr + len <= guestLength()) {
        copy.copyOut(flat.fieldDataSource(field), d * 4, ptr);
        return len;
      }
    }
    return bufferFallback!(field, data, kind, dstPtr, dstLen);
  }

  return { getScalar, set, ...(bufferFallback !== undefined ? { getBuffer } : {}) };
}
