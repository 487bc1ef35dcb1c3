import { defineConfig } from "vitest/config";

/** Tests that drive guests through the loader; they run on both field paths. */
const HOST_TESTS = ["test/host-*.test.ts", "test/public-api.test.ts"];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    projects: [
      // Everything, with the default field path (the wasm fast path).
      { extends: true, test: { name: "default", include: ["test/**/*.test.ts"] } },
      // The host tests again with the JS shims for fieldGetScalar/fieldSet.
      { extends: true, test: { name: "js-path", include: HOST_TESTS, env: { IGWASM_FAST_PATH: "off" } } },
    ],
  },
});
