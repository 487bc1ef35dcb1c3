/** Moved to runtime/wasm-signatures.ts (the loader and inspect share it). */
export * from "../runtime/wasm-signatures.js";
