/**
 * `igwasm/abi`: the contract between the generated import shims and any host
 * that runs them. Stateless, and free of igwasm's runtime: a host that is not
 * igwasm implements the generated `...Host` interfaces, makes a ShimContext
 * (`createShimContext`, or its own) and links the shims to a module with
 * `bindTrampolines`. docs/runtime-api.md shows it from scratch.
 */
export { type GuestMemoryAccess, viewsOf, checkRange, readString, readBytes, writeInto, writeU32, writeU64Words, readU32 } from "./memory.js";
export { type WideSlot, createWideSlot, returnHalves, returnWide, joinU64, joinI64, wideToNumber, wideValue, splitWide } from "./wide.js";
export { type ShimContext, type ShimContextOptions, createShimContext, failureMessage, setErrorWord, asBytes, mallocCopy } from "./context.js";
export { kindValue, type KindDecoding } from "./kind-value.js";
export { MISS, type Miss } from "./miss.js";
export { type TrampolineSet, type ShimFunction, bindTrampolines } from "./trampolines.js";
export { wireAdapters } from "./bigint-adapters.js";
export { HostCallError, GuestAbortError, ExpectedError, NotFoundError, DestinationTooSmallError } from "../errors.js";
export { type HostFnDescriptorOf, type GuestExportDescriptorOf, type ProfileModuleDescriptor, type WireParamDescriptor, deepFreeze, ofProfile } from "./descriptors.js";
export { checkImportsAgainst, wireSignature, readWasmSignatures, type WasmSignatures } from "./check-imports.js";
