/**
 * `igwasm run [<gadget>]`: runs a gadget's whole lifecycle on igwasm's host,
 * feeding it the events of `--events` after start, and prints every packet
 * emitted on every (referenced) data source.
 */
import { readFileSync } from "node:fs";
import { loadGadget, LogLevel, logLevelName, parseLogLevel, type CallbackFailure, type Gadget, type GadgetOptions, type ParamSpec } from "../runtime/index.js";
import { flag, listOption, parseArgs, parseParams, stringOption, UsageError, type OptionSpec } from "./args.js";
import { EventsError, parseEventsFile, type EventsFile } from "./events.js";
import { exampleSource } from "./gadget-bytes.js";
import { GadgetSourceError, loadGadgetSource, readFileOrFail, type GadgetSource } from "./gadget-source.js";
import { ImageError, wasmParamSpecs } from "./oci.js";
import { readSourceObject, tracerDecls } from "./image-run.js";
import { KernelStateError } from "./kernel-state.js";
import type { EbpfObject } from "../runtime/image/ebpf-object.js";
import { jsonLine, TableCollector, type BytesFormat } from "./output.js";
import { callbackFailureText, columnsOf, kernelLoadOptions, runWithEvents } from "./run-events.js";
import type { CliIO } from "./io.js";

export const RUN_HELP = `usage: igwasm run [<gadget>] [options]

Runs a gadget: init, preStart, start, then emits the input events, then stop
and postStop. Prints every packet emitted on every data source to stdout and
the gadget's log to stderr.

<gadget> is a .wasm module, an IG gadget image tarball (OCI image layout,
as \`ig image export\` writes it) or a gadget's build directory (gadget.yaml,
a .wasm module and optionally the eBPF object). The eBPF object's maps and
tracer data sources are created before init, as IG's eBPF operator does; the
events file may emit into a tracer by its name. Without <gadget>, runs an
example gadget built into igwasm (--example; default enricher) with its own
events.

Options:
  --events <file>        input events: YAML/JSON ({dataSources, events}) or JSON
                         lines (.jsonl); see docs/authoring.md
  -p, --param <k=v>      a gadget param (repeatable)
  --metadata <file>      gadget.yaml declaring the params (params.wasm); an
                         image's own gadget.yaml is used otherwise
  -o, --output <fmt>     json (default): one JSON line per packet,
                           {"ds":"<name>","<field>":<value>,...}; array packets
                           {"ds":"<name>","records":[...]}; 64-bit integers as
                           numbers when safe, else strings
                         table: one aligned table per data source, at the end
  --bytes <enc>          Bytes fields as base64 (default) or hex
  --log-level <level>    error, warn, info (default), debug or trace
  --all                  also print data sources the gadget unreferenced
  --trace                print every host call and its result to stderr
  --example <name>       the built-in example to run without <gadget>:
                         enricher, filter or emitter
  --show-config          print the config the gadget set (setConfig) as a
                         last JSON line: {"config":{"<key>":"<value>",...}}
  --timeout <duration>   stop the run after this long (500ms, 2s, 1m; a
                         number is seconds): the guest runs in a worker
                         thread that is terminated, even inside a loop
  -h, --help             show this help

Exit status: 0 when every phase succeeded, 1 when the gadget failed to load,
a phase failed or a data-source callback trapped (each named on stderr with
its phase and data source), 2 on a usage error, 124 when --timeout was hit.`;

const RUN_OPTIONS: readonly OptionSpec[] = [
  { name: "events", value: true },
  { name: "param", short: "p", value: true, repeat: true },
  { name: "metadata", value: true },
  { name: "output", short: "o", value: true, choices: ["json", "table"] },
  { name: "bytes", value: true, choices: ["base64", "hex"] },
  { name: "log-level", value: true },
  { name: "all" },
  { name: "trace" },
  { name: "example", value: true },
  { name: "timeout", value: true },
  { name: "show-config" },
  { name: "help", short: "h" },
];

async function embeddedSource(name: string | undefined): Promise<{ source: GadgetSource; events: EventsFile }> {
  const { embeddedExamples, defaultExample } = await import("./embedded/examples.js");
  const wanted = name ?? defaultExample;
  const ex = embeddedExamples.find((e) => e.name === wanted);
  if (ex === undefined) throw new UsageError(`unknown example "${wanted}" (built in: ${embeddedExamples.map((e) => e.name).join(", ")})`);
  const source = exampleSource(ex);
  return { source, events: parseEventsFile(ex.eventsYaml, `${source.label} events.yaml`) };
}

/** Kernel symbols for kallsymsSymbolExists: /proc/kallsyms when readable. */
function readKallsyms(): Set<string> {
  try {
    return new Set(
      readFileSync("/proc/kallsyms", "utf8")
        .split("\n")
        .map((line) => line.split(/\s+/)[2])
        .filter((name): name is string => !!name),
    );
  } catch {
    return new Set();
  }
}

/**
 * Loads with the Node entry (node:wasi) only for modules that import WASI:
 * importing node:wasi prints an ExperimentalWarning, which AssemblyScript
 * gadgets (no WASI) should not see.
 */
async function load(wasm: Uint8Array, options: GadgetOptions): Promise<Gadget> {
  let wasi = false;
  try {
    wasi = WebAssembly.Module.imports(new WebAssembly.Module(wasm as Uint8Array<ArrayBuffer>)).some((i) => i.module === "wasi_snapshot_preview1");
  } catch {
    // loadGadget reports malformed modules.
  }
  if (wasi) {
    const { loadGadgetNode } = await import("../runtime/node/index.js");
    return loadGadgetNode(wasm as Uint8Array<ArrayBuffer>, options);
  }
  return loadGadget(wasm as Uint8Array<ArrayBuffer>, { ...options, kallsyms: options.kallsyms ?? readKallsyms() });
}

/** What a caller of runCommand may watch (the worker that bounds a run reports phases to its parent). */
export interface RunHooks {
  readonly onPhase?: (phase: string) => void;
}

export async function runCommand(argv: readonly string[], io: CliIO, hooks: RunHooks = {}): Promise<number> {
  const args = parseArgs(argv, RUN_OPTIONS, "run");
  if (flag(args, "help")) {
    io.stdout(RUN_HELP + "\n");
    return 0;
  }
  if (args.positionals.length > 1) throw new UsageError(`run takes one gadget, got ${args.positionals.length}: ${args.positionals.join(" ")}`);
  const logLevelText = stringOption(args, "log-level") ?? "info";
  const logLevel = parseLogLevel(logLevelText);
  if (logLevel === undefined) throw new UsageError(`--log-level must be one of error, warn, info, debug, trace; got "${logLevelText}"`);
  const params = parseParams(listOption(args, "param"));
  const output = stringOption(args, "output") ?? "json";
  const bytes = (stringOption(args, "bytes") ?? "base64") as BytesFormat;
  const showAll = flag(args, "all");
  const gadgetPath = args.positionals[0];
  const example = stringOption(args, "example");
  if (gadgetPath !== undefined && example !== undefined) throw new UsageError("--example runs a built-in gadget: give it or a <gadget>, not both");

  let source: GadgetSource;
  let events: EventsFile = { dataSources: [], events: [] };
  let paramSpecs: readonly ParamSpec[];
  let ebpfObject: EbpfObject | null = null;
  try {
    if (gadgetPath === undefined) {
      const embedded = await embeddedSource(example);
      source = embedded.source;
      events = embedded.events;
    } else {
      source = loadGadgetSource(gadgetPath);
    }
    paramSpecs = source.paramSpecs;
    ebpfObject = readSourceObject(source);
    const metadata = stringOption(args, "metadata");
    if (metadata !== undefined) paramSpecs = wasmParamSpecs(new TextDecoder().decode(readFileOrFail(metadata, "metadata file")), metadata);
    const eventsPath = stringOption(args, "events");
    if (eventsPath !== undefined) events = parseEventsFile(new TextDecoder().decode(readFileOrFail(eventsPath, "events file")), eventsPath, tracerDecls(ebpfObject), ebpfObject);
  } catch (e) {
    if (e instanceof GadgetSourceError || e instanceof EventsError || e instanceof ImageError || e instanceof KernelStateError) {
      io.stderr(`igwasm: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  if (paramSpecs.length > 0) {
    for (const key of Object.keys(params)) {
      if (!paramSpecs.some((s) => s.key === key)) {
        throw new UsageError(`unknown param "${key}": ${source.label} declares ${paramSpecs.map((s) => s.key).join(", ")}`);
      }
    }
  }

  // Kernel state from the events file: its params under --param, its kallsyms instead of /proc/kallsyms.
  const kernel = kernelLoadOptions(events, params);
  let gadget: Gadget;
  // Strict: a trap in a guest callback fails the run (the host itself logs it and goes on, as IG's does).
  const callbackFailures: CallbackFailure[] = [];
  try {
    gadget = await load(source.wasm, {
      onCallbackFailure: (f) => callbackFailures.push(f),
      ...kernel,
      ...(hooks.onPhase ? { onPhase: hooks.onPhase } : {}),
      logSink: (level, message) => io.stderr(`${logLevelName(level)}: ${message}\n`),
      logLevel: logLevel as LogLevel,
      paramSpecs,
      ...(flag(args, "trace") ? { trace: (line: string) => io.stderr(`${line}\n`) } : {}),
    });
  } catch (e) {
    io.stderr(`igwasm: cannot load ${source.label}: ${(e as Error).message}\n`);
    return 1;
  }

  const table = output === "table" ? new TableCollector() : null;
  try {
    runWithEvents(
      gadget,
      events,
      (ds, packet) => {
        if (table) {
          const columns = columnsOf(ds);
          for (const r of Array.isArray(packet) ? packet : [packet]) table.add(ds.name, columns, r);
        } else io.stdout(jsonLine(ds.name, packet, bytes) + "\n");
      },
      { all: showAll, ebpf: ebpfObject },
    );
  } catch (e) {
    if (table) io.stdout(table.render(bytes));
    reportCallbackFailures(io, source.label, callbackFailures);
    io.stderr(`igwasm: ${source.label}: ${(e as Error).message}\n`);
    return 1;
  }
  if (table) io.stdout(table.render(bytes));
  if (flag(args, "show-config")) io.stdout(JSON.stringify({ config: Object.fromEntries(gadget.config) }) + "\n");
  return reportCallbackFailures(io, source.label, callbackFailures) ? 1 : 0;
}

/** One stderr line per trapped callback; whether there was any. */
function reportCallbackFailures(io: CliIO, label: string, failures: readonly CallbackFailure[]): boolean {
  for (const f of failures) {
    io.stderr(`igwasm: ${label}: ${callbackFailureText(f)}\n`);
  }
  return failures.length > 0;
}
