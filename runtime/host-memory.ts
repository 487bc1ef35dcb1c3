/**
 * Host-owned memory: one growable WebAssembly.Memory that holds the handle
 * table and every packet record, so that JS (through DataView) and host-side
 * wasm code (the scalar field fast path) read the same bytes.
 *
 * Layout (all little-endian):
 *
 *   0                        HANDLE_TABLE_BYTES                       byteLength
 *   +------------------------+----------------------------------------+
 *   | handle table           | record chunks, bump-allocated,         |
 *   | (MaxHandles+1) x 16 B  | never moved (a record's address is     |
 *   |                        | stable for the life of the memory)     |
 *   +------------------------+----------------------------------------+
 *
 * Data structure design: chunks are bump-allocated and never freed; record
 * slots inside them are recycled by each data source's free list. Growth
 * appends pages and keeps addresses, so no record ever moves; JS views are
 * rebuilt right after `grow` (we are the only ones growing this memory).
 */
import { MaxHandles } from "../generated/constants.js";
import { HostCallError } from "./errors.js";

export const HANDLE_ENTRY_BYTES = 16;
export const HANDLE_TABLE_BYTES = (MaxHandles + 1) * HANDLE_ENTRY_BYTES;
const PAGE = 65536;
/** Chunks start 16-byte aligned so 8-byte fields stay aligned. */
const CHUNK_ALIGN = 16;

export class HostMemory {
  readonly memory: WebAssembly.Memory;
  u8!: Uint8Array;
  view!: DataView;
  u32!: Uint32Array;
  private top = HANDLE_TABLE_BYTES;
  /** Objects that keep `view` in a field of their own, re-armed after growth. */
  private readonly viewHolders = new Set<{ view: DataView }>();

  constructor(initialPages = 4, maximumPages = 16384) {
    this.memory = new WebAssembly.Memory({ initial: initialPages, maximum: maximumPages });
    this.refresh();
  }

  private refresh(): void {
    const buffer = this.memory.buffer as ArrayBuffer;
    this.u8 = new Uint8Array(buffer);
    this.view = new DataView(buffer);
    this.u32 = new Uint32Array(buffer);
    for (const holder of this.viewHolders) holder.view = this.view;
  }

  /**
   * Keeps `holder.view` equal to `view` from now on. Hot readers (field
   * accessors) hold the DataView themselves, one load less per read than
   * `mem.view`; growth is the only time it changes, and it re-arms them.
   */
  holdView(holder: { view: DataView }): void {
    holder.view = this.view;
    this.viewHolders.add(holder);
  }

  /** Bytes allocated so far (handle table included). */
  get used(): number {
    return this.top;
  }

  /** Allocates `bytes` zeroed bytes; returns their address. Grows the memory as needed. */
  allocChunk(bytes: number): number {
    const addr = (this.top + CHUNK_ALIGN - 1) & ~(CHUNK_ALIGN - 1);
    const end = addr + bytes;
    if (end > this.u8.length) {
      const pages = Math.ceil((end - this.u8.length) / PAGE);
      try {
        this.memory.grow(pages);
      } catch {
        throw new HostCallError(`host memory exhausted: cannot grow to ${end} bytes`);
      }
      this.refresh();
    }
    this.top = end;
    return addr;
  }
}
