/**
 * The runtime's ShimContext: how generated shims report errors, reach guest
 * memory and call the guest's malloc.
 */
import { GuestExport, isBufferKind } from "../generated/constants.js";
import { ExpectedError, GuestAbortError, HostCallError } from "./errors.js";
import type { GuestMemory } from "./guest-memory.js";
import type { ShimContext } from "./shim-context.js";
import type { Runtime } from "./runtime.js";
import { errorText } from "./data-sources.js";
import { encodeUtf8 } from "./utf8.js";

export class RuntimeShimContext implements ShimContext {
  readonly mem: GuestMemory;

  constructor(private readonly rt: Runtime) {
    this.mem = rt.guestMemory;
  }

  fail(fn: string, err: unknown): void {
    // A guest abort must reach the guest's caller, like a trap.
    if (err instanceof GuestAbortError) throw err;
    const text = errorText(err);
    const message = text.startsWith(`${fn}:`) ? text : `${fn}: ${text}`;
    if (err instanceof ExpectedError) this.rt.logger.debug(message);
    else if (err instanceof HostCallError) this.rt.logger.warn(message);
    // A trap in a guest function the host called back (its malloc): the call fails, as in IG.
    else if (err instanceof WebAssembly.RuntimeError) this.rt.logger.error(`${message} (the module trapped in a nested call)`);
    else this.rt.logger.error(`${message} (host error)`);
  }

  setErrorWord(ptr: number): void {
    if (ptr === 0) return;
    try {
      this.mem.writeU32(ptr, 1, "err");
    } catch (e) {
      // IG closes the module when it cannot report the error; we abort the guest's call.
      throw new GuestAbortError(`cannot write the error word: ${errorText(e)}`);
    }
  }

  kindValue(kind: number, value: bigint): bigint | Uint8Array {
    return isBufferKind(kind) ? this.mem.readBytes(value, "value") : value;
  }

  u64ToNumber(value: bigint): number {
    return this.mem.u64ToNumber(value);
  }

  /**
   * As IG's writeToGuestMemory (v0.37.0:pkg/operators/wasm/helpers.go), an
   * empty value calls malloc(0) too and returns `0 << 32 | ptr`: whatever the
   * guest's malloc(0) returns. Stricter than IG: a non-empty value for which
   * malloc returns 0 fails the call (IG writes it at address 0).
   */
  mallocCopy(value: Uint8Array | string): bigint {
    const bytes = typeof value === "string" ? encodeUtf8(value) : value;
    const malloc = this.rt.guest.malloc;
    if (malloc === null) throw new HostCallError(`the module exports no ${GuestExport.malloc} to return the value in`);
    const ptr = malloc(bytes.length) >>> 0;
    if (bytes.length === 0) return BigInt(ptr);
    if (ptr === 0) throw new HostCallError(`${GuestExport.malloc}(${bytes.length}) returned 0`);
    // malloc may have grown memory: writeInto checks bounds on the fresh view.
    this.mem.writeInto(ptr, bytes.length, bytes, GuestExport.malloc);
    return this.mem.pack(ptr, bytes.length);
  }
}
