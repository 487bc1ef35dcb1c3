// Kernel symbols, mount namespace filter, and handles.
import { kallsymsSymbolExists as rawKallsymsSymbolExists, shouldDiscardMntnsID as rawShouldDiscardMntnsID } from "../generated/guest/assemblyscript/v0.43/kernel";
import { releaseHandle as rawReleaseHandle } from "../generated/guest/assemblyscript/v0.43/handle";
import { packStr } from "./internal";

/** Whether the kernel has the symbol (from /proc/kallsyms). */
export function kallsymsSymbolExists(symbol: string): bool {
  return rawKallsymsSymbolExists(packStr(symbol)) == 1;
}

/** Whether events of mount namespace `mntnsID` should be dropped (false when no filter is set). */
export function shouldDiscardMntnsID(mntnsID: u64): bool {
  return rawShouldDiscardMntnsID(mntnsID) == 1;
}

/** Releases any handle (Data, Field, DataSource, Map, ...) by its raw value. false on error. */
export function releaseHandle(handle: u32): bool {
  return rawReleaseHandle(handle) == 0;
}
