/**
 * The guest's linear memory, attached after instantiation.
 *
 * Data structure design: we cache one Uint8Array and one DataView over the
 * guest's `memory.buffer`. Reading `memory.buffer` costs ~20 ns per access
 * (DESIGN.md), a cached view ~0.5 ns. When the guest's memory grows, its old
 * ArrayBuffer is detached and every view over it reports length 0; `u8()` and
 * `view()` check that one field and rebuild only then. This also covers growth
 * inside a nested guest call (a `malloc` or a callback): every accessor checks
 * again, so no caller ever holds a stale view across a guest call.
 *
 * It is the `GuestMemoryAccess` of igwasm/abi: reads, writes and bounds checks
 * are the pure functions of runtime/abi/memory.ts. Nothing here keeps the
 * result of one call for the next.
 */
import { HostCallError } from "./errors.js";
import type { GuestMemoryAccess } from "./abi/memory.js";

const EMPTY = new Uint8Array(0);

export class GuestMemory implements GuestMemoryAccess {
  private memory: WebAssembly.Memory | null = null;
  private u8Cache: Uint8Array = EMPTY;
  private viewCache: DataView = new DataView(new ArrayBuffer(0));

  /** Attaches the guest's exported memory (after instantiation). */
  attach(memory: WebAssembly.Memory): void {
    this.memory = memory;
    this.refresh();
  }

  get attached(): boolean {
    return this.memory !== null;
  }

  /** The guest memory as bytes; valid until the next guest call or growth. */
  u8(): Uint8Array {
    const u8 = this.u8Cache;
    if (u8.length !== 0) return u8;
    return this.refresh();
  }

  /** The guest memory as a DataView; valid until the next guest call or growth. */
  view(): DataView {
    if (this.u8Cache.length === 0) this.refresh();
    return this.viewCache;
  }

  /** Current size of guest memory in bytes. */
  get byteLength(): number {
    return this.u8().length;
  }

  private refresh(): Uint8Array {
    if (this.memory === null) throw new HostCallError("guest memory is not attached yet");
    const buffer = this.memory.buffer as ArrayBuffer;
    this.u8Cache = new Uint8Array(buffer);
    this.viewCache = new DataView(buffer);
    return this.u8Cache;
  }
}
