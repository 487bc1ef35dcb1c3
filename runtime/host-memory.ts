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
 * Data structure design: chunks are bump-allocated in power-of-two size
 * classes; a chunk given back (`freeChunk`, when a data source's layout
 * changes and its old slab goes) waits on its class's free list for the next
 * chunk of that class, so replaced layouts do not accumulate. Record slots
 * inside chunks are recycled by each data source's free list. Growth appends
 * pages and keeps addresses, so no record ever moves; JS views are rebuilt
 * right after `grow` (we are the only ones growing this memory). The memory
 * never grows past `limitBytes` (the gadget's hostMemoryBytes budget).
 *
 * Variable-length values (String, CString, Bytes) live here too, in value
 * blocks of power-of-two sizes from 16 bytes (`allocBlock`): blocks smaller
 * than a chunk are carved from one, and a block given back waits on its
 * size's free list. So a value costs host memory, and counts in the budget,
 * exactly while a record holds it, and copying one between the guest and a
 * record is a copy between two memories with no JS object in between.
 */
import { MaxHandles } from "../generated/constants.js";
import { HostCallError } from "./errors.js";

export const HANDLE_ENTRY_BYTES = 16;
export const HANDLE_TABLE_BYTES = (MaxHandles + 1) * HANDLE_ENTRY_BYTES;
const PAGE = 65536;
/** Chunks start 16-byte aligned so 8-byte fields stay aligned. */
const CHUNK_ALIGN = 16;
/** The smallest size class; smaller chunks take this much. */
const MIN_CHUNK = 1024;

/** The size class of a chunk of `bytes`: the next power of two, at least MIN_CHUNK. */
function chunkClass(bytes: number): number {
  return bytes <= MIN_CHUNK ? MIN_CHUNK : 2 ** Math.ceil(Math.log2(bytes));
}

/** log2 of the smallest value block (16 bytes: two 8-byte words, and as aligned as records). */
const MIN_BLOCK_LOG2 = 4;

/** log2 of the block size that holds `bytes` (> 0): the next power of two, at least 16. */
function blockLog2(bytes: number): number {
  return bytes <= 1 << MIN_BLOCK_LOG2 ? MIN_BLOCK_LOG2 : 32 - Math.clz32(bytes - 1);
}

/** The capacity of the block `allocBlock(bytes)` returns. */
export function blockCapacity(bytes: number): number {
  const log2 = blockLog2(bytes);
  return log2 < 31 ? 1 << log2 : 2 ** log2;
}

export class HostMemory {
  readonly memory: WebAssembly.Memory;
  u8!: Uint8Array;
  view!: DataView;
  u32!: Uint32Array;
  private top = HANDLE_TABLE_BYTES;
  /** Objects that keep `view` in a field of their own, re-armed after growth. */
  private readonly viewHolders = new Set<{ view: DataView }>();
  /** Chunks given back, by size class. */
  private readonly freeChunks = new Map<number, number[]>();
  /** Free value blocks, by log2 of their size. */
  private readonly freeBlocks: number[][] = Array.from({ length: 33 }, () => []);
  /** Bytes the memory may grow to: records, values and the handle table. */
  readonly limitBytes: number;

  constructor(limitBytes = 1024 * 1024 * 1024, initialPages = 4) {
    const maximumPages = Math.max(Math.ceil(limitBytes / PAGE), Math.ceil(HANDLE_TABLE_BYTES / PAGE));
    this.limitBytes = maximumPages * PAGE;
    this.memory = new WebAssembly.Memory({ initial: Math.min(initialPages, maximumPages), maximum: maximumPages });
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

  /**
   * Allocates at least `bytes` zeroed bytes (a whole size class); returns
   * their address. Reuses a chunk given back, else grows the memory. Fails
   * with a HostCallError, changing nothing, past the budget.
   */
  allocChunk(bytes: number): number {
    const size = chunkClass(bytes);
    const reused = this.freeChunks.get(size)?.pop();
    if (reused !== undefined) {
      this.u8.fill(0, reused, reused + size);
      return reused;
    }
    const addr = (this.top + CHUNK_ALIGN - 1) & ~(CHUNK_ALIGN - 1);
    const end = addr + size;
    if (end > this.limitBytes) this.exhausted(size);
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

  private exhausted(more: number): never {
    throw new HostCallError(
      `host memory budget (hostMemoryBytes, ${this.limitBytes} bytes) exhausted: ${this.top} bytes of records and values in use, ${more} more needed`,
    );
  }

  /**
   * A value block of at least `bytes` (> 0) bytes, `blockCapacity(bytes)` in
   * all, not zeroed; returns its address. Fails with a HostCallError,
   * changing nothing, past the budget.
   */
  allocBlock(bytes: number): number {
    const log2 = blockLog2(bytes);
    const free = this.freeBlocks[log2];
    if (free.length === 0) this.carveBlocks(log2);
    return free.pop()!;
  }

  /** Fills the free list of blocks of 2^log2 bytes: a chunk's worth of them, or one chunk-sized block. */
  private carveBlocks(log2: number): void {
    const size = 2 ** log2;
    const chunk = this.allocChunk(size);
    const free = this.freeBlocks[log2];
    // Pushed from the end, so blocks go out in ascending address order.
    for (let at = chunk + chunkClass(size) - size; at >= chunk; at -= size) free.push(at);
  }

  /** Gives back a block from allocBlock(`bytes`); nothing may use it afterwards. */
  freeBlock(addr: number, bytes: number): void {
    this.freeBlocks[blockLog2(bytes)].push(addr);
  }

  /** Gives back a chunk from allocChunk(`bytes`); nothing may use it afterwards. */
  freeChunk(addr: number, bytes: number): void {
    const size = chunkClass(bytes);
    let list = this.freeChunks.get(size);
    if (list === undefined) {
      list = [];
      this.freeChunks.set(size, list);
    }
    list.push(addr);
  }
}
