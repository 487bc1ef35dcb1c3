/**
 * igwasm's runtime: run Inspektor Gadget wasm gadgets without a kernel.
 * Browser-safe; `igwasm/node` adds WASI and /proc/kallsyms on Node.
 */
export { loadGadget, loadGadgetSync, Gadget, GadgetError, type GadgetOptions, type FamilyOverrides, type ParamSpec, type WasiProvider, type CallbackFailure, type Phase } from "./gadget.js";
export {
  DataSourceApi, HostDataSource, EventView, ArrayView, FieldAccessor, fieldKindFromName, fieldKindName,
  type FieldValue, type FieldKindName, type DeclareOptions, type SubscribeOptions, type EventCallback,
  type DataCallback, type ArrayCallback, type DataSubscribeOptions, type ArraySubscribeOptions,
} from "./data-source-api.js";
export { checkImports, parseIgRelease, resolveRelease, type ImportProblem, type ReleaseResolution } from "./release-detect.js";
export { behaviourOfRelease, igReleases, type HostBehaviour, type IgRelease } from "../generated/releases.js";
export { CURRENT_BEHAVIOUR } from "./host-behaviour.js";
export { DEFAULT_LIMITS, type Limits } from "./budgets.js";
export { Logger, consoleSink, logLevelName, parseLogLevel, type LogSink } from "./logger.js";
export { BpfMap, MapRegistry, type MapSpec } from "./maps/bpf-map.js";
export { PerfBuffer, PerfReader } from "./perf/perf-reader.js";
export { HostCallError } from "./errors.js";
export { Runtime } from "./runtime.js";
export { createProfileHost, importFactories, type HostImplOf } from "./profiles.js";
export { RuntimeShimContext } from "./runtime-shim-context.js";
export { traceImports, type TraceDecoding } from "./trace.js";
export { describeHandle, traceDecodingOf, type HandleDescription } from "./handle-query.js";
export type { OpenHandle } from "./leaks.js";
export { FieldKind, LogLevel, DataSourceType, SubscriptionType, MapType, MapUpdateFlags, type ProfileId } from "../generated/constants.js";
