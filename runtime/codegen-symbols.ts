/**
 * The runtime symbols that generated code imports, each with the module that
 * exports it (a path from the repository root). The generator computes every
 * import specifier from this table and the emitted file's own location, so
 * codegen holds no relative path literal, and moving a runtime module means
 * changing one line here (protobuf-es's `symbols`).
 */
const ABI = "runtime/abi/index.js";

export const codegenSymbols = {
  /** What the generated import shims need from the host (igwasm/abi). */
  ShimContext: { module: ABI, typeOnly: true },
  /** The pure helpers and values the shims call (igwasm/abi). */
  abi: { module: ABI, typeOnly: false },
  /** The shapes and helpers of the generated descriptors. */
  descriptors: { module: "runtime/abi/descriptors.js", typeOnly: false },
} as const;
