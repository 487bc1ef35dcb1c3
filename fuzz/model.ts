/**
 * The fuzzer's model of the guest's handles: which handle values it holds,
 * of which type, which it gave back (stale), and so how many the host must
 * have alive after each call. From it, the fuzzer knows when a call must
 * fail (a zero, stale or wrong-type handle; a creating call with the table
 * full) and by how much a successful call changes the live count.
 */
import type { HostFnDescriptor } from "../generated/host/descriptors.js";

/** A handle's type as the model tracks it (finer than the spec's: packets and maps have kinds). */
export type HandleKind = "DataSource" | "Field" | "PacketSingle" | "PacketArray" | "Data" | "Map" | "MapOfMaps" | "PerfReader";

/** Which tracked kinds a `handle<T>` parameter accepts. */
export const ACCEPTED: Readonly<Record<string, readonly HandleKind[]>> = {
  DataSource: ["DataSource"],
  Field: ["Field"],
  Packet: ["PacketSingle", "PacketArray"],
  Data: ["Data", "PacketSingle"],
  DataArray: ["PacketArray"],
  Map: ["Map", "MapOfMaps"],
  PerfReader: ["PerfReader"],
};

/** The T of `handle<T>`, or undefined. */
export function handleParamType(type: string): string | undefined {
  return /^handle<(\w+)>$/.exec(type)?.[1];
}

/** Whether a parameter takes a handle of any type (releaseHandle's). */
export function isAnyHandleParam(d: HostFnDescriptor, index: number): boolean {
  return d.name === "releaseHandle" && index === 0;
}

/** What the handle a successful call returns is, or undefined when it returns none the table holds. */
export function createdKind(d: HostFnDescriptor, args: readonly unknown[]): HandleKind | undefined {
  switch (d.name) {
    case "dataSourceNewPacketSingle":
      return "PacketSingle";
    case "dataSourceNewPacketArray":
      return "PacketArray";
    case "dataArrayNew":
      return "Data";
    case "dataArrayGet":
      return undefined; // element handles live in their array, not in the table
    case "newMap":
      return args[1] === 12 || args[1] === 13 ? "MapOfMaps" : "Map";
  }
  const t = handleParamType(d.result.type);
  return t === undefined ? undefined : (t as HandleKind);
}

/** Index of the parameter whose handle a successful call releases, or -1. */
export function releasedParam(d: HostFnDescriptor): number {
  switch (d.name) {
    case "releaseHandle":
    case "mapRelease":
    case "perfReaderClose":
      return 0;
    case "dataSourceRelease":
    case "dataSourceEmitAndRelease":
    case "dataArrayAppend":
    case "dataArrayRelease":
      return 1;
    default:
      return -1;
  }
}

export class HandleModel {
  readonly live = new Map<number, HandleKind>();
  /** The live handles in an array, for an O(1) random pick (removal swaps the last one in). */
  private readonly order: number[] = [];
  private readonly position = new Map<number, number>();
  readonly stale: number[] = [];
  /** Handles the guest saw but the model cannot judge (data-array elements). */
  readonly elements: number[] = [];

  get count(): number {
    return this.live.size;
  }

  /** A random live handle, of one of `kinds` when given (a few tries; undefined when none was found). */
  pick(rand: () => number, kinds?: readonly HandleKind[]): number | undefined {
    for (let tries = 0; tries < 16 && this.order.length > 0; tries++) {
      const h = this.order[Math.floor(rand() * this.order.length)];
      if (kinds === undefined || kinds.includes(this.live.get(h)!)) return h;
    }
    return undefined;
  }

  add(handle: number, kind: HandleKind): void {
    const h = handle >>> 0;
    if (this.live.has(h)) return;
    this.live.set(h, kind);
    this.position.set(h, this.order.length);
    this.order.push(h);
  }

  release(handle: number): void {
    const h = handle >>> 0;
    if (!this.live.delete(h)) return;
    const at = this.position.get(h)!;
    const last = this.order.pop()!;
    if (last !== h) {
      this.order[at] = last;
      this.position.set(last, at);
    }
    this.position.delete(h);
    this.stale.push(h);
    if (this.stale.length > 64) this.stale.shift();
  }

  /**
   * Why the call must fail, judged from its handle arguments alone, or null
   * when the model cannot tell: a zero handle, a stale one, one of a type the
   * parameter does not accept.
   */
  mustFail(d: HostFnDescriptor, args: readonly unknown[]): string | null {
    for (let i = 0; i < d.params.length; i++) {
      const t = handleParamType(d.params[i].type);
      if (t === undefined && !isAnyHandleParam(d, i)) continue;
      const h = (args[i] as number) >>> 0;
      if (h === 0) return `parameter ${d.params[i].name} is handle 0`;
      if (this.stale.includes(h) && !this.live.has(h)) return `parameter ${d.params[i].name} is the released handle ${h}`;
      const kind = this.live.get(h);
      if (t !== undefined && kind !== undefined && !ACCEPTED[t].includes(kind)) return `parameter ${d.params[i].name} is a ${kind} handle, not ${t}`;
    }
    return null;
  }

  /** Whether both handles of dataSourceEmitAndRelease are live of the right types (then the packet goes, success or not). */
  emitGivesUpPacket(args: readonly unknown[]): boolean {
    const ds = this.live.get((args[0] as number) >>> 0);
    const packet = this.live.get((args[1] as number) >>> 0);
    return ds === "DataSource" && (packet === "PacketSingle" || packet === "PacketArray");
  }
}
