/**
 * Compiling an AssemblyScript gadget with asc and the flags an IG host needs:
 *   --use abort=<igwasm's abort>   abort logs through the host (no env.abort import)
 *   --runtime incremental          the default GC, so per-event strings are freed
 *   -O3                            optimized
 * The abort element's name depends on how the gadget reaches the library:
 * `~lib/igwasm/assemblyscript/index/abort` through node_modules, the path
 * relative to the base directory otherwise (inside this repository:
 * `assemblyscript/index/abort`).
 */
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

export interface BuildOptions {
  /** The gadget's entry file (.ts). */
  readonly entry: string;
  /** Where to write the wasm module. */
  readonly outFile: string;
  /** asc's base directory (default: the current directory). */
  readonly baseDir?: string;
  /** Also write the text format here. */
  readonly textFile?: string;
  /** Optimize (-O3; default true). */
  readonly optimize?: boolean;
  /** asc runtime variant (default incremental). */
  readonly runtime?: "incremental" | "minimal" | "stub";
  /** Use igwasm's abort handler (default true). */
  readonly igwasmAbort?: boolean;
  /** More asc arguments. */
  readonly extraArgs?: readonly string[];
}

export interface BuildResult {
  readonly ok: boolean;
  /** asc's diagnostics. */
  readonly output: string;
  readonly args: readonly string[];
}

/** Directory of the igwasm package (the one holding assemblyscript/index.ts). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, "assemblyscript", "index.ts")) && existsSync(join(dir, "package.json"))) return dir;
    dir = dirname(dir);
  }
  throw new Error("cannot find the igwasm package root (assemblyscript/index.ts)");
}

const PACKAGE_ELEMENT = "~lib/igwasm/assemblyscript/index/abort";

/**
 * The `--use abort=...` element for igwasm's abort handler: the package path
 * when the entry imports "igwasm/assemblyscript" (or igwasm lives in
 * node_modules), else the library's path relative to `baseDir`.
 */
export function abortElement(baseDir: string, entry?: string): string {
  if (entry !== undefined && existsSync(entry) && /from\s+["']igwasm\/assemblyscript(\/index)?["']/.test(readFileSync(entry, "utf8"))) return PACKAGE_ELEMENT;
  const lib = realpathSync(join(packageRoot(), "assemblyscript", "index.ts"));
  if (lib.split(sep).includes("node_modules")) return PACKAGE_ELEMENT;
  const rel = relative(realpathSync(baseDir), lib).split(sep).join("/");
  return `${rel.replace(/\.ts$/, "")}/abort`;
}

export function ascArgs(options: BuildOptions): string[] {
  const baseDir = resolve(options.baseDir ?? ".");
  const args = [relative(baseDir, resolve(options.entry)), "-o", relative(baseDir, resolve(options.outFile)), "--runtime", options.runtime ?? "incremental", "--baseDir", baseDir];
  if (options.textFile) args.push("-t", relative(baseDir, resolve(options.textFile)));
  if (options.optimize !== false) args.push("-O3");
  if (options.igwasmAbort !== false) args.push("--use", `abort=${abortElement(baseDir, resolve(options.entry))}`);
  args.push(...(options.extraArgs ?? []));
  return args;
}

/** Compiles a gadget with asc (which must be installed: npm install -D assemblyscript). */
export async function buildGadget(options: BuildOptions): Promise<BuildResult> {
  let asc: { main(argv: string[], options?: object): Promise<{ error: Error | null }> };
  try {
    asc = (await import("assemblyscript/asc")).default as typeof asc;
  } catch (e) {
    throw new Error(`cannot load the AssemblyScript compiler (npm install -D assemblyscript): ${(e as Error).message}`);
  }
  const args = ascArgs(options);
  let output = "";
  const stream = {
    write(chunk: string | Uint8Array): void {
      output += typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk);
    },
  };
  const result = await asc.main(args, { stdout: stream, stderr: stream });
  return { ok: result.error === null, output, args };
}
