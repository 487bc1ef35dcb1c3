/**
 * igwasm's runtime: run Inspektor Gadget wasm gadgets without a kernel.
 * Browser-safe; `igwasm/node` adds WASI and /proc/kallsyms on Node.
 */
export { loadGadget, loadGadgetSync, Gadget, GadgetError, type GadgetOptions, type FamilyOverrides, type ParamSpec, type WasiProvider, type CallbackFailure, type Phase } from "./gadget.js";
export {
  DataSourceApi, HostDataSource, EventView, ArrayView, FieldAccessor, fieldKindFromName, fieldKindName,
  type FieldValue, type FieldKindName, type DeclareOptions, type SubscribeOptions, type EventCallback,
} from "./data-source-api.js";
export { detectEra, type EraEvidence } from "./era-detect.js";
export { Logger, consoleSink, logLevelName, parseLogLevel, type LogSink } from "./logger.js";
export { BpfMap, MapRegistry, type MapSpec } from "./maps/bpf-map.js";
export { PerfBuffer, PerfReader } from "./perf/perf-reader.js";
export { HostCallError } from "./errors.js";
export { Runtime } from "./runtime.js";
export { createIgV1Host, createEnvV1Host, createSeedHost } from "./eras.js";
export { RuntimeShimContext } from "./runtime-shim-context.js";
export { traceImports } from "./trace.js";
export { FieldKind, LogLevel, DataSourceType, SubscriptionType, MapType, MapUpdateFlags, type EraId } from "../generated/constants.js";
