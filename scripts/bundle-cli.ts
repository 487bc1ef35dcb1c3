/**
 * Bundles the CLI after `tsc` (part of `npm run build`): dist/cli/main.js,
 * the package's bin, is replaced by one ES module with the code every command
 * needs, and each command's own code (and the libraries only it uses) goes to
 * a chunk in dist/cli/chunks/ that the command imports when it runs.
 *
 * Why: a cold `igwasm run` loaded ~170 ES modules one by one (the runtime,
 * the generated host shims of every IG release, the image reader, yaml), and
 * resolving, reading and compiling them took longer than the run itself
 * (bench/README.md, "The CLI suite"). The other files of dist/ stay as tsc
 * wrote them: the package's library entry points import those.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const CLI = join(ROOT, "dist", "cli");

export async function bundleCli(): Promise<void> {
  await build({
    // The worker of bounded runs is started by URL from the chunk that starts it (cli/bounded-run.ts).
    entryPoints: { main: join(CLI, "main.js"), "chunks/run-worker": join(CLI, "run-worker.js") },
    outdir: CLI,
    allowOverwrite: true,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    chunkNames: "chunks/[name]-[hash]",
    sourcemap: true,
    // Less source to read and compile at each start (about 40% less); names stay, for readable stack traces.
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: "warning",
    // Optional or development-only: the compiler for `igwasm build`, the code generator's tools
    // (`igwasm gen` runs in the repository, from dist/codegen).
    external: ["assemblyscript", "assemblyscript/*", "typescript", "ts-morph", "wabt", "../codegen/gen.js"],
    // yaml's ES module build (its Node build is CommonJS and requires "process", which an ES bundle cannot).
    alias: { yaml: join(ROOT, "node_modules", "yaml", "browser", "index.js") },
  });
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await bundleCli();
}
