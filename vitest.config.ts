import { playwright } from "@vitest/browser-playwright";
import { defineConfig, type TestProjectInlineConfiguration } from "vitest/config";
import { CHROMIUM_ARGS, CHROMIUM_PATH, chromiumMissing } from "./test/browser/chromium.js";

/** Tests that drive guests through the loader; they run on the three field paths. */
const HOST_TESTS = ["test/host-*.test.ts", "test/public-api.test.ts"];

/**
 * The runtime's tests that need no Node built-in: they run in Chromium too,
 * and must pass there in the same number as in Node (.ci/run compares).
 */
export const IN_BROWSER_TESTS = ["test/public-api.test.ts", "test/host-*.test.ts", "test/runtime-core.test.ts", "test/utf8.test.ts", "test/maps.test.ts", "test/perf.test.ts"];
/** host-wasi needs node:wasi; host-v1-all compiles its guest with the AssemblyScript CLI. */
const NODE_ONLY = ["test/host-wasi.test.ts", "test/host-v1-all.test.ts"];

const missing = chromiumMissing();
if (missing !== null) console.warn(`vitest: ${missing} (project "chromium")`);

const chromium: TestProjectInlineConfiguration = {
  extends: true,
  test: {
    name: "chromium",
    include: IN_BROWSER_TESTS,
    exclude: NODE_ONLY,
    browser: {
      enabled: true,
      headless: true,
      provider: playwright({ launchOptions: { executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] } }),
      instances: [{ browser: "chromium" }],
    },
  },
};

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    reporters: ["default", "./test/browser/count-reporter.ts"],
    projects: [
      // Everything, with the default field path (the wasm fast path).
      { extends: true, test: { name: "default", include: ["test/**/*.test.ts"] } },
      // The host tests again with the JS form of the fast path for fieldGetScalar, fieldSet and fieldGetBuffer,
      // and with the JS shims alone.
      { extends: true, test: { name: "js-fast-path", include: HOST_TESTS, env: { IGWASM_FAST_PATH: "js" } } },
      { extends: true, test: { name: "js-path", include: HOST_TESTS, env: { IGWASM_FAST_PATH: "off" } } },
      // The runtime's browser-safe tests in real Chromium (skipped without it).
      ...(missing === null ? [chromium] : []),
    ],
  },
});
