/**
 * Kernel symbols and the mount-namespace filter, from what the host was given.
 *
 * Different from IG: the filter applies from load. IG picks the filter map up
 * in its Start (pkg/operators/wasm/wasm.go, aeac857), so shouldDiscardMntnsID
 * answers 0 for everything in gadgetInit and gadgetPreStart there.
 */
export class KernelOps {
  constructor(
    private readonly kallsyms: ReadonlySet<string>,
    /** null: no filter, nothing is discarded. */
    private readonly mntnsFilter: ReadonlySet<bigint> | null,
  ) {}

  kallsymsSymbolExists(symbol: string): boolean {
    return this.kallsyms.has(symbol);
  }

  shouldDiscardMntnsID(mntnsID: bigint): boolean {
    return this.mntnsFilter !== null && !this.mntnsFilter.has(BigInt.asUintN(64, mntnsID));
  }
}
