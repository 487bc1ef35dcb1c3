/**
 * The runtime symbols that generated code imports, each with the module that
 * exports it (a path from the repository root). The generator computes every
 * import specifier from this table and the emitted file's own location, so
 * codegen holds no relative path literal, and moving a runtime module means
 * changing one line here (protobuf-es's `symbols`).
 */
export const codegenSymbols = {
  /** What the generated import shims need from the runtime. */
  ShimContext: { module: "runtime/shim-context.js", typeOnly: true },
} as const;
