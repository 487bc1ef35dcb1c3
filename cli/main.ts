#!/usr/bin/env node
/**
 * igwasm: run, inspect and build Inspektor Gadget wasm gadgets.
 *
 *   igwasm run [<gadget>]      run a gadget on igwasm's host, print what it emits
 *   igwasm inspect <gadget>    profile, imports and exports checked against the ABI spec
 *   igwasm build <gadget.ts>   compile an AssemblyScript gadget with the right asc flags
 *   igwasm gen                 regenerate generated/ from spec/ (npm run gen)
 *
 * Runs as `node dist/cli/main.js` (the package's bin) or `npx tsx cli/main.ts`.
 */
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { GuestExport } from "../generated/constants.js";
import { flag, parseArgs, stringOption, UsageError, type OptionSpec } from "./args.js";
import { processIO, type CliIO } from "./io.js";
// Every command's own modules are imported when it runs: a cold start loads only what it needs.

export { bufferIO, processIO, type CliIO } from "./io.js";

export const MAIN_HELP = `usage: igwasm <command> [options]

Run and check Inspektor Gadget wasm gadgets without a kernel.

Commands:
  run [<gadget>]       run a gadget (.wasm or image tarball) and print what it
                       emits; without <gadget>, run a built-in example
  test [DIR|FILE]      run a gadget's test cases (*.test.yaml): diff per
                       mismatch, "N passed, N failed"; --update records
  inspect <gadget>     show the gadget's ABI profile and check its imports and
                       exports against the spec
  diff <A> <B>         what changed in IG's wasm ABI between two IG releases
  build <gadget.ts>    compile an AssemblyScript gadget with asc
  gen                  regenerate generated/ from spec/ (same as npm run gen)

Options:
  -h, --help           show this help (igwasm <command> --help for a command's)
  -V, --version        print igwasm's version

Examples:
  igwasm run
  igwasm run gadget.wasm --events events.yaml --param min_pid=1000
  igwasm run my-gadget.tar -o table
  igwasm inspect gadget.wasm --json
  igwasm diff v0.37.0 v0.39.0
  igwasm build gadget.ts -o gadget.wasm`;

export const INSPECT_HELP = `usage: igwasm inspect <gadget> [options]

Reads a gadget (.wasm or image tarball) without running it and reports:
  - the IG releases it can have been built for ("built for IG v0.35.0 -
    v0.36.1"), the ABI profile of those releases, and why;
  - every import, checked against the profile's host functions: unknown modules
    or functions, and wire signatures that differ from the spec's;
  - the profile's exports: required ones missing, wrong signatures, optional
    ones present or absent, and any other exports;
  - its API version: ${GuestExport.gadgetAPIVersion} is called on an instance with stub
    imports (which fail if called), unless --no-call.

Options:
  --json                  print the report as JSON
  --ig-version <release>  check against this IG release (v0.37.0, or v0.37 for
                          its newest patch) instead of the detected ones
  --no-call               do not instantiate the module to call ${GuestExport.gadgetAPIVersion}
  -h, --help              show this help

Exit status: 0 when no problem was found, 1 when problems were found or the
file cannot be read, 2 on a usage error.`;

export const BUILD_HELP = `usage: igwasm build <gadget.ts> [options]

Compiles an AssemblyScript gadget written with igwasm/assemblyscript with asc
(npm install -D assemblyscript), adding the flags an IG host needs:
--use abort=<igwasm's abort handler> (aborts are logged through the host
instead of importing env.abort), --runtime incremental, -O3.

Options:
  -o, --out <file>       output module (default: <gadget>.wasm beside the source)
  -t, --text <file>      also write the text format
  --runtime <variant>    incremental (default), minimal or stub
  --no-optimize          skip -O3
  --asc <arg>            pass an argument to asc (repeatable)
  -h, --help             show this help`;

export const GEN_HELP = `usage: igwasm gen [--check] [--spec DIR] [--out DIR] [--syscalls DIR]

Regenerates the host interfaces and import shims, constants, guest bindings,
syscall tables and reference docs from the ABI spec (the same as npm run gen;
run it in the igwasm repository). --check writes nothing and exits 1 with a
diff when generated/ is stale.`;

const MAIN_OPTIONS: readonly OptionSpec[] = [{ name: "help", short: "h" }, { name: "version", short: "V" }];
const INSPECT_OPTIONS: readonly OptionSpec[] = [{ name: "json" }, { name: "no-call" }, { name: "ig-version", value: true }, { name: "help", short: "h" }];
const BUILD_OPTIONS: readonly OptionSpec[] = [
  { name: "out", short: "o", value: true },
  { name: "text", short: "t", value: true },
  { name: "runtime", value: true, choices: ["incremental", "minimal", "stub"] },
  { name: "no-optimize" },
  { name: "asc", value: true, repeat: true },
  { name: "help", short: "h" },
];

/** igwasm's version, from the package.json above this file. */
export function version(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const p = join(dir, "package.json");
    if (existsSync(p)) {
      const pkg = JSON.parse(readFileSync(p, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "igwasm" && pkg.version) return pkg.version;
    }
    dir = dirname(dir);
  }
  return "unknown";
}

async function inspectCommand(argv: readonly string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, INSPECT_OPTIONS, "inspect");
  if (flag(args, "help")) {
    io.stdout(INSPECT_HELP + "\n");
    return 0;
  }
  if (args.positionals.length !== 1) throw new UsageError(args.positionals.length === 0 ? "inspect needs a gadget (see igwasm inspect --help)" : "inspect takes one gadget");
  const path = args.positionals[0];
  // Each command loads its own modules: a cold start reads only what it runs.
  const [{ GadgetSourceError, loadGadgetSource }, { formatReport, inspectModule }, { WasmParseError }] = await Promise.all([
    import("./gadget-source.js"),
    import("./inspect.js"),
    import("./wasm-imports.js"),
  ]);
  const igVersion = stringOption(args, "ig-version");
  if (igVersion !== undefined) {
    const { parseIgRelease } = await import("../runtime/release-detect.js");
    try {
      parseIgRelease(igVersion);
    } catch (e) {
      throw new UsageError(`--ig-version: ${(e as Error).message}`);
    }
  }
  let report;
  try {
    const source = await loadGadgetSource(path);
    report = inspectModule(source.wasm, path, source.kind, { callVersion: !flag(args, "no-call"), ...(igVersion !== undefined ? { igVersion } : {}) });
  } catch (e) {
    if (e instanceof GadgetSourceError || e instanceof WasmParseError) {
      io.stderr(`igwasm: ${e instanceof WasmParseError ? `${path}: ` : ""}${e.message}\n`);
      return 1;
    }
    if (e instanceof Error && /is not a valid wasm module/.test(e.message)) {
      io.stderr(`igwasm: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  io.stdout(flag(args, "json") ? JSON.stringify(report, null, 2) + "\n" : formatReport(report));
  return report.problems.length === 0 ? 0 : 1;
}

async function buildCommand(argv: readonly string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, BUILD_OPTIONS, "build");
  if (flag(args, "help")) {
    io.stdout(BUILD_HELP + "\n");
    return 0;
  }
  if (args.positionals.length !== 1) throw new UsageError(args.positionals.length === 0 ? "build needs a gadget source file (see igwasm build --help)" : "build takes one source file");
  const entry = args.positionals[0];
  if (!existsSync(entry)) {
    io.stderr(`igwasm: ${entry} does not exist\n`);
    return 1;
  }
  const outFile = stringOption(args, "out") ?? entry.replace(/\.ts$/, "") + ".wasm";
  const text = stringOption(args, "text");
  const runtime = stringOption(args, "runtime") as "incremental" | "minimal" | "stub" | undefined;
  const { buildGadget } = await import("./build.js");
  let result;
  try {
    result = await buildGadget({
      entry,
      outFile,
      ...(text ? { textFile: text } : {}),
      ...(runtime ? { runtime } : {}),
      optimize: !flag(args, "no-optimize"),
      extraArgs: (args.options.get("asc") as string[] | undefined) ?? [],
    });
  } catch (e) {
    if (!/^cannot load the AssemblyScript compiler/.test((e as Error).message)) throw e;
    io.stderr("igwasm: build needs the AssemblyScript compiler in your project: npm install -D assemblyscript@0.28\n");
    return 1;
  }
  if (result.output) io.stderr(result.output);
  if (!result.ok) {
    io.stderr(`igwasm: asc failed to build ${entry}\n`);
    // The abort handler is missing when the entry file does not pull in the library.
    if (/assemblyscript\/index\/abort' not found/.test(result.output)) {
      io.stderr(`igwasm: ${entry} must re-export the host's entry points: export { ${GuestExport.gadgetAPIVersion}, ${GuestExport.dataSourceCallback} } from "igwasm/assemblyscript";\n`);
    }
    return 1;
  }
  io.stderr(`built ${outFile}\n`);
  return 0;
}

async function genCommand(argv: readonly string[], io: CliIO): Promise<number> {
  if (argv.includes("-h") || argv.includes("--help")) {
    io.stdout(GEN_HELP + "\n");
    return 0;
  }
  if (!argv.includes("--spec") && !existsSync("spec")) {
    io.stderr(
      "igwasm: gen regenerates igwasm's own bindings from spec/ and runs in the igwasm repository (npm run gen there); " +
        "there is no spec/ here. A gadget project does not need it: igwasm build compiles against the bindings the package ships.\n",
    );
    return 1;
  }
  let gen: { runGen(argv: readonly string[], root?: string): number; UsageError: new (...a: never[]) => Error };
  try {
    gen = await import("../codegen/gen.js");
  } catch (e) {
    io.stderr(`igwasm: the code generator is not available here (it needs the igwasm repository and its dev dependencies): ${(e as Error).message}\n`);
    return 1;
  }
  try {
    return gen.runGen(argv);
  } catch (e) {
    if (e instanceof gen.UsageError) throw new UsageError(`gen: ${e.message}`);
    throw e;
  }
}

async function diffCommand(argv: readonly string[], io: CliIO): Promise<number> {
  const { DIFF_HELP, diffReleases, formatDiff, parseIgRelease } = await import("./diff.js");
  if (argv.includes("-h") || argv.includes("--help")) {
    io.stdout(DIFF_HELP + "\n");
    return 0;
  }
  const json = argv.includes("--json");
  const positionals = argv.filter((a) => a !== "--json");
  if (positionals.length !== 2 || positionals.some((p) => p.startsWith("-"))) throw new UsageError("diff: give two IG releases, e.g. igwasm diff v0.37.0 v0.39.0");
  let a, b;
  try {
    [a, b] = positionals.map(parseIgRelease);
  } catch (e) {
    throw new UsageError(`diff: ${(e as Error).message}`);
  }
  const changes = diffReleases(a, b);
  io.stdout(json ? JSON.stringify({ from: a, to: b, changes }, null, 2) + "\n" : formatDiff(a, b, changes));
  return changes.some((c) => c.breaking) ? 1 : 0;
}

/** Runs the CLI; returns the exit status. */
export async function main(argv: readonly string[], io: CliIO = processIO): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "run": {
        // --timeout: the same run in a worker thread that can be stopped.
        const limit = takeOption(rest, "--timeout");
        if (limit === null) return await (await import("./run.js")).runCommand(rest, io);
        const [{ runBounded }, { parseDuration }] = await Promise.all([import("./bounded-run.js"), import("./duration.js")]);
        return await runBounded(limit.rest, io, { timeoutMs: parseDuration(limit.value, "--timeout") });
      }
      case "inspect":
        return await inspectCommand(rest, io);
      case "test":
        return await (await import("./test-command.js")).testCommand(rest, io);
      case "build":
        return await buildCommand(rest, io);
      case "gen":
        return await genCommand(rest, io);
      case "diff":
        return await diffCommand(rest, io);
      case "help":
        if (rest.length > 0) return await main([rest[0], "--help"], io);
        io.stdout(MAIN_HELP + "\n");
        return 0;
      case undefined:
        io.stderr(MAIN_HELP + "\n");
        return 2;
      default: {
        if (!command.startsWith("-")) throw new UsageError(`unknown command "${command}" (commands: run, test, inspect, diff, build, gen)`);
        const args = parseArgs(argv, MAIN_OPTIONS, "");
        if (flag(args, "version")) {
          io.stdout(`igwasm ${version()}\n`);
          return 0;
        }
        if (flag(args, "help")) {
          io.stdout(MAIN_HELP + "\n");
          return 0;
        }
        throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
      }
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`igwasm: ${e.message}\n`);
      return 2;
    }
    io.stderr(`igwasm: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
}

/** Removes `--name VALUE` / `--name=VALUE` from argv; null when absent. */
function takeOption(argv: readonly string[], name: string): { value: string; rest: string[] } | null {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--") break;
    if (argv[i] === name) {
      if (i + 1 >= argv.length) throw new UsageError(`${name} needs a value`);
      return { value: argv[i + 1], rest: [...argv.slice(0, i), ...argv.slice(i + 2)] };
    }
    if (argv[i].startsWith(`${name}=`)) return { value: argv[i].slice(name.length + 1), rest: [...argv.slice(0, i), ...argv.slice(i + 1)] };
  }
  return null;
}

function isMainModule(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMainModule()) {
  process.exitCode = await main(process.argv.slice(2));
}
