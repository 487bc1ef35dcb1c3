// igwasm/assemblyscript: write Inspektor Gadget wasm gadgets (the ABI of IG v0.43.0 and later) in
// AssemblyScript, with an API in the shape of IG's Go wrapper (wasmapi/go).
//
// A gadget's entry file must re-export the exports the host calls:
//   export { gadgetAPIVersion, dataSourceCallback } from "igwasm/assemblyscript";
// and be built with
//   asc gadget.ts --use abort=~lib/igwasm/assemblyscript/index/abort -O3 -o gadget.wasm
// See docs/authoring.md.
import { ApiVersion } from "../generated/guest/assemblyscript/constants";
import { abortHandler } from "./abort";

export * from "../generated/guest/assemblyscript/constants";
export { Data, DataArray, Packet, PacketArray, PacketSingle } from "./data";
export { Field } from "./field";
export { DataSource, dataSourceCallback } from "./datasource";
export { ArrayCallback, DataCallback, PacketCallback } from "./datasource";
export { debug, error, info, log, shouldLog, trace, warn } from "./log";
export { getParamUint, getParamValue, parseUint, setConfig } from "./config";
export { GadgetMap, Map } from "./map";
export { PerfReader } from "./perf";
export { SyscallDeclaration, SyscallParam, getSyscallDeclaration, getSyscallID, getSyscallName } from "./syscall";
export { kallsymsSymbolExists, releaseHandle, shouldDiscardMntnsID } from "./kernel";

/** The `gadgetAPIVersion` export (always 1). Re-export it from the gadget's entry file. */
export function gadgetAPIVersion(): u64 {
  return ApiVersion;
}

/**
 * The abort handler: logs the message through the host at Error level, then
 * traps. asc uses it only when told to: `--use abort=~lib/igwasm/assemblyscript/index/abort`
 * (or `--use abort=assemblyscript/index/abort` inside the igwasm repository);
 * otherwise the module imports `env.abort`, which IG hosts do not provide.
 */
export function abort(message: string | null, fileName: string | null, lineNumber: u32, columnNumber: u32): void {
  abortHandler(message, fileName, lineNumber, columnNumber);
}
