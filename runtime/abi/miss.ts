/**
 * An expected "not found" as a value. Lookups that gadgets probe with
 * (getDataSource, dataSourceGetField, getMap, mapLookup, getParamValue,
 * getSyscallID, getSyscallDeclaration: the spec marks them with `onMiss`)
 * may return `MISS` instead of throwing. The shim maps it to the function's
 * error value and builds the debug line only when it will be printed, so a
 * miss costs about what a hit does. Throwing stays for real failures.
 */
export const MISS: unique symbol = Symbol("igwasm.miss");
export type Miss = typeof MISS;
