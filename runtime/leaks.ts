/**
 * What a gadget left open: every host function whose result is a handle
 * (the descriptors' `handle<T>` results) is wrapped at the import boundary,
 * and each handle it returns is remembered with the call that made it
 * (decoded, as the trace prints it) and the phase. At gadgetStop the
 * runtime says which of them are still live (handle-query.ts); those are the
 * open handles. Handles the host makes itself (the records and packets it
 * passes to the guest's callbacks) never cross the boundary as results, so
 * they are never reported. The handle table is not touched.
 */
import { DataArrayElementFlag, MaxHandles } from "../generated/constants.js";
import type { HostFnDescriptor } from "../generated/host/descriptors.js";
import { describeHandle, traceDecodingOf } from "./handle-query.js";
import type { Runtime } from "./runtime.js";
import { formatCall, type TraceDecoding } from "./trace.js";

/** A handle the guest still held when gadgetStop returned. */
export interface OpenHandle {
  readonly handle: number;
  /** DataSource, Field, Data, Packet, DataArray, Map or PerfReader. */
  readonly type: string;
  /** The data source, field or map it names (a packet's or record's data source); null for none. */
  readonly name: string | null;
  /** The host call that created it, with decoded arguments: `ig.dataSourceNewPacketSingle(ds=8193<events>)`. */
  readonly createdBy: string;
  /** The phase the call was made in: init, preStart, start, running (a callback after start), stop, ... */
  readonly phase: string;
}

type AnyFn = (...args: unknown[]) => unknown;

interface Creation {
  readonly call: string;
  readonly phase: string;
}

export class HandleCreations {
  /** Handle -> its creation, in creation order (a handle value is made again only after its slot's generation wraps). */
  readonly #made = new Map<number, Creation>();
  readonly #decoding: TraceDecoding;

  constructor(
    private readonly rt: Runtime,
    private readonly phaseNow: () => string,
  ) {
    this.#decoding = traceDecodingOf(rt);
  }

  /** `fns` with every handle-returning function wrapped to remember what it returns; the others as they are. */
  wrap<T extends object>(fns: T, module: string, descriptors: readonly HostFnDescriptor[]): T {
    const out: Record<string, unknown> = { ...(fns as Record<string, unknown>) };
    for (const desc of descriptors) {
      const fn = out[desc.name];
      if (!desc.result.type.startsWith("handle<") || typeof fn !== "function") continue;
      out[desc.name] = (...args: unknown[]) => {
        // The text first: the guest may reuse the memory of its arguments once the call returns.
        const call = formatCall(module, desc, desc.name, args, this.#decoding);
        const handle = (fn as AnyFn)(...args);
        if (typeof handle === "number") this.#record(handle >>> 0, call);
        return handle;
      };
    }
    return out as T;
  }

  #record(handle: number, call: string): void {
    // 0 is the error value; a data-array element handle names a slot of its array, not a handle of its own.
    if (handle === 0 || (handle & DataArrayElementFlag) !== 0) return;
    this.#made.delete(handle);
    this.#made.set(handle, { call, phase: this.phaseNow() });
    // At most MaxHandles are live: forget the released ones now and then, so a long run stays small.
    if (this.#made.size > 2 * MaxHandles) for (const h of this.#made.keys()) if (describeHandle(this.rt, h) === null) this.#made.delete(h);
  }

  /** The recorded handles that are live now, in creation order. */
  openNow(): OpenHandle[] {
    const open: OpenHandle[] = [];
    for (const [handle, { call, phase }] of this.#made) {
      const d = describeHandle(this.rt, handle);
      if (d !== null) open.push({ handle, type: d.type, name: d.name, createdBy: call, phase });
    }
    return open;
  }
}
