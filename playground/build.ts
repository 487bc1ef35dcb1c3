/**
 * Builds the playground into a static site: index.html, style.css and app.js,
 * the page with the example gadgets and, as a string, its worker (the
 * runtime): the page starts workers from a blob, so once loaded it needs no
 * network. esbuild bundles for the browser, so a Node built-in anywhere in
 * the page's imports fails the build.
 */
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

export const PLAYGROUND_SRC = dirname(fileURLToPath(import.meta.url));
export const DEFAULT_OUT = join(PLAYGROUND_SRC, "..", "dist", "playground");

export async function buildPlayground(outdir = DEFAULT_OUT): Promise<string> {
  mkdirSync(outdir, { recursive: true });
  const common = { bundle: true, platform: "browser", target: "es2022", minify: true, logLevel: "warning" } as const;
  // The worker is a classic script (an IIFE), run from a blob URL.
  const worker = await build({ ...common, entryPoints: [join(PLAYGROUND_SRC, "worker.ts")], format: "iife", write: false });
  await build({
    ...common,
    entryPoints: [join(PLAYGROUND_SRC, "app.ts")],
    format: "esm",
    outdir,
    sourcemap: true,
    define: { WORKER_SOURCE: JSON.stringify(worker.outputFiles[0].text) },
  });
  for (const f of ["index.html", "style.css"]) copyFileSync(join(PLAYGROUND_SRC, f), join(outdir, f));
  return outdir;
}
