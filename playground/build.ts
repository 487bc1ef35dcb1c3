/**
 * Builds the playground into a static site: index.html, style.css, app.js
 * (the page, with the example gadgets) and worker.js (the runtime). esbuild
 * bundles for the browser, so a Node built-in anywhere in the page's imports
 * fails the build.
 */
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

export const PLAYGROUND_SRC = dirname(fileURLToPath(import.meta.url));
export const DEFAULT_OUT = join(PLAYGROUND_SRC, "..", "dist", "playground");

export async function buildPlayground(outdir = DEFAULT_OUT): Promise<string> {
  mkdirSync(outdir, { recursive: true });
  const common = { bundle: true, platform: "browser", target: "es2022", minify: true, sourcemap: true, logLevel: "warning", outdir } as const;
  // The page is a module; the worker a classic script (new Worker("worker.js")).
  await Promise.all([
    build({ ...common, entryPoints: [join(PLAYGROUND_SRC, "app.ts")], format: "esm" }),
    build({ ...common, entryPoints: [join(PLAYGROUND_SRC, "worker.ts")], format: "iife" }),
  ]);
  for (const f of ["index.html", "style.css"]) copyFileSync(join(PLAYGROUND_SRC, f), join(outdir, f));
  return outdir;
}
