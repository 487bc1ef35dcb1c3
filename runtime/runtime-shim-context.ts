/**
 * The runtime's ShimContext (igwasm/abi): how generated shims report
 * failures and misses through the runtime's logger, reach the guest's memory
 * and call the guest's malloc.
 */
import { GuestExport, LogLevel } from "../generated/constants.js";
import { createWideSlot, failureMessage, type ShimContext, type WideSlot } from "./abi/index.js";
import { ExpectedError, HostCallError } from "./errors.js";
import type { GuestMemory } from "./guest-memory.js";
import type { Runtime } from "./runtime.js";

export class RuntimeShimContext implements ShimContext {
  readonly memory: GuestMemory;
  readonly wide: WideSlot = createWideSlot();

  constructor(private readonly rt: Runtime) {
    this.memory = rt.guestMemory;
  }

  fail(fn: string, err: unknown): void {
    const message = failureMessage(fn, err);
    if (err instanceof ExpectedError) this.rt.logger.debug(message);
    else if (err instanceof HostCallError) this.rt.logger.warn(message);
    // A trap in a guest function the host called back (its malloc): the call fails, as in IG.
    else if (err instanceof WebAssembly.RuntimeError) this.rt.logger.error(`${message} (the module trapped in a nested call)`);
    else this.rt.logger.error(`${message} (host error)`);
  }

  get reportsMisses(): boolean {
    return this.rt.logger.shouldLog(LogLevel.Debug);
  }

  miss(message: string): void {
    this.rt.logger.debug(message);
  }

  malloc(size: number): number {
    const malloc = this.rt.guest.malloc;
    if (malloc === null) throw new HostCallError(`the module exports no ${GuestExport.malloc} to return the value in`);
    return malloc(size);
  }
}
