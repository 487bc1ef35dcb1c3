/**
 * What a generated host-import shim needs from the runtime. Shims only decode
 * wire arguments, call the typed implementation and encode its result or its
 * error (codegen/lowering.ts decides how); everything stateful is here.
 */
import type { GuestMemory } from "./guest-memory.js";

export interface ShimContext {
  /** The calling guest's memory. */
  readonly mem: GuestMemory;
  /** Records that host function `fn` failed with `err` (a HostCallError or any exception): logs it. */
  fail(fn: string, err: unknown): void;
  /** Writes the u32 1 at `ptr` when `ptr` is not 0 (the errPtr convention). */
  setErrorWord(ptr: number): void;
  /** Decodes a value whose meaning depends on a FieldKind: a view of a packed buffer for String/CString/Bytes, the raw bits otherwise. */
  kindValue(kind: number, value: bigint): bigint | Uint8Array;
  /** Low 64 bits of an i64 as a number. */
  u64ToNumber(value: bigint): number;
  /** Copies bytes (or text as UTF-8) into memory from the guest's `malloc` (malloc(0) for no bytes, as IG) and returns them packed. */
  mallocCopy(bytes: Uint8Array | string): bigint;
}
