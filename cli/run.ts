/**
 * `igwasm run [<gadget>]`: runs a gadget's whole lifecycle on igwasm's host,
 * feeding it the events of `--events` after start, and prints every packet
 * emitted on every (referenced) data source.
 */
import { GuestExport, WasiModule } from "../generated/constants.js";
import { KallsymsSymbolExistsName } from "../generated/host/descriptors.js";
import {
  loadGadget,
  LogLevel,
  logLevelName,
  parseLogLevel,
  type CallbackFailure,
  type Gadget,
  type GadgetOptions,
  type HostDataSource,
  type OpenHandle,
  type ParamSpec,
} from "../runtime/index.js";
import { flag, listOption, parseArgs, parseParams, stringOption, UsageError, type OptionSpec, type ParsedArgs } from "./args.js";
import { EventsError, eventsReader, parseEventsFile, type EventsContext, type EventsReader } from "./events.js";
import { openEventsFile, withCaptureAfter } from "./events-file.js";
import { captureTarget } from "./replay.js";
import { fillMaps, readSourceObject, tracerDecls, writePerfRecords } from "./image-run.js";
import { KernelStateError } from "./kernel-state.js";
import { callbackFailureText, emitInputEvent, kernelLoadOptions, openHandlesText } from "./run-events.js";
import { setUpEbpfObject } from "../runtime/image/ebpf-setup.js";
import type { EbpfObject } from "../runtime/image/ebpf-object.js";
import { FilterError, parseRules, type FilterRule } from "./ig-filter.js";
import { parseSortSpec, SortError, type SortKey } from "./ig-sort.js";
import { GadgetSourceError, loadGadgetSource, readFileOrFail, type GadgetSource } from "./gadget-source.js";
import { ImageError } from "../runtime/image/errors.js";
import { readWasmSignatures } from "../runtime/wasm-signatures.js";
import { loadGadgetNode, readKallsyms } from "../runtime/node/index.js";
import { BatchedWriter, type CliIO } from "./io.js";
import { Printer } from "./output.js";
import { parseFieldsSpec, parseOutputModes, type OutputMode } from "./output-options.js";

export const RUN_HELP = `usage: igwasm run [<gadget>] [options]

Runs a gadget: init, preStart, start, then emits the input events, then stop
and postStop. Prints what the gadget emits on its data sources to stdout, as
\`ig run\` does, and the gadget's log to stderr.

<gadget> is a .wasm module, an IG gadget image tarball (OCI image layout,
as \`ig image export\` writes it) or a gadget's build directory (gadget.yaml,
a .wasm module and optionally the eBPF object). The eBPF object's maps and
tracer data sources are created before init, as IG's eBPF operator does; the
events file may emit into a tracer by its name, and give kernel state (maps,
perfRecords, kallsyms, mntnsFilter, params, syscallArch; docs/testing.md).
Without <gadget>, runs an example gadget built into igwasm (--example;
default enricher) with its own events.
\`igwasm run <gadget> --help\` also lists the gadget's own params.

Options:
  --events <file>        input events: JSON lines (.jsonl, streamed) or YAML/JSON
                         ({dataSources, events}, up to 8 MiB); see docs/authoring.md
  --replay <file>        also emit, after --events, the lines \`ig run -o json\`
                         printed for one data source (streamed; docs/testing.md)
  --replay-ds <name>     the data source the capture is of (default: the only
                         tracer of the image or data source of --events)
  -p, --param <k=v>      a gadget param (repeatable)
  --metadata <file>      gadget.yaml declaring the params (params.wasm); an
                         image's own gadget.yaml is used otherwise
  -o, --output <mode>    columns (default when stdout is a terminal), json
                         (default otherwise), jsonpretty, yaml, none, or
                         envelope ({"ds":"<name>","data":<json>} a line); per
                         data source: -o events:json,stats:columns
  --fields <list>        fields to print: f1,f2 (exactly these), +f / -f (add
                         to / remove from all fields); per data source:
                         'ds1:f1,f2;ds2:+f3'
  --filter <rules>       print only records matching every rule (comma =
                         AND): f==v f!=v f>v f>=v f<v f<=v f~regex f!~regex
                         (repeatable); --filter.<ds> <rules> for one data source
  --sort <keys>          sort each array packet: f1,-f2 (- = descending); per
                         data source: 'ds1:f1;ds2:-f2'
  --log-level <level>    error, warn, info (default), debug or trace
  --all                  also print data sources the gadget unreferenced
  --trace                print every host call and its result to stderr, decoded:
                         strings, data-source/field/map names next to handles,
                         enum names (ig.getDataSource(name="events"))
  --trace-raw            the same with the raw wire values (name=25769804800)
  --leaks                once ${GuestExport.gadgetStop} returned, list the handles the gadget
                         still holds, each with the host call that made it
                         and its phase (to stderr; the exit status is kept)
  --ig-version <release> run with the ABI and host behaviours of this IG release
                         (v0.37.0, v0.37); detected from the module by default
  --show-config          print the config the gadget set (setConfig) as a JSON line
  --timeout <duration>   stop the run after this long (1s, 500ms, 2m): the gadget
                         runs in a worker that is terminated; exit status 124
  --example <name>       the built-in example to run without <gadget>:
                         enricher, filter or emitter
  -h, --help             show this help

Exit status: 0 when every phase succeeded, 1 when the gadget failed to load,
a phase failed or a data-source callback trapped, 2 on a usage error, 124
when --timeout was hit. When the reader of the output goes away (| head),
the run stops emitting events and stops the gadget, quietly.`;

const RUN_OPTIONS: readonly OptionSpec[] = [
  { name: "events", value: true },
  { name: "replay", value: true },
  { name: "replay-ds", value: true },
  { name: "param", short: "p", value: true, repeat: true },
  { name: "metadata", value: true },
  { name: "output", short: "o", value: true },
  { name: "fields", value: true },
  { name: "filter", short: "F", value: true, repeat: true },
  { name: "sort", value: true },
  { name: "log-level", value: true },
  { name: "all" },
  { name: "trace" },
  { name: "trace-raw" },
  { name: "leaks" },
  { name: "ig-version", value: true },
  { name: "show-config" },
  { name: "example", value: true },
  { name: "help", short: "h" },
];

export { parseParams } from "./args.js";

async function embeddedSource(name: string | undefined): Promise<{ source: GadgetSource; events: EventsReader }> {
  const { embeddedExamples, defaultExample } = await import("./embedded/examples.js");
  const wanted = name ?? defaultExample;
  const ex = embeddedExamples.find((e) => e.name === wanted);
  if (ex === undefined) throw new UsageError(`unknown example "${wanted}" (built in: ${embeddedExamples.map((e) => e.name).join(", ")})`);
  const label = `example ${ex.name}`;
  return {
    source: {
      label,
      kind: "embedded",
      wasm: new Uint8Array(Buffer.from(ex.wasmBase64, "base64")),
      // Both read from YAML when the examples were built: running one loads no YAML parser.
      paramSpecs: ex.paramSpecs,
      metadataYaml: ex.metadataYaml || null,
    },
    events: eventsReader(parseEventsFile(ex.eventsJsonLines, `${label} events.jsonl`)),
  };
}

/**
 * Loads the module with what it imports and nothing more: node:wasi only for
 * WASI modules (the Node entry imports it then, without Node's warning),
 * /proc/kallsyms only for modules that can ask for a kernel symbol.
 * The imports are read from the binary, not from a compiled module: the
 * bytes go to the loader, which compiles them once, with IG's memory cap.
 */
async function load(wasm: Uint8Array, options: GadgetOptions): Promise<Gadget> {
  let imports: readonly { module: string; name: string }[];
  try {
    imports = readWasmSignatures(wasm).imports;
  } catch {
    return loadGadget(wasm as Uint8Array<ArrayBuffer>, options); // reports the malformed module
  }
  const kallsyms = options.kallsyms ?? (imports.some((i) => i.name === KallsymsSymbolExistsName) ? readKallsyms() : []);
  if (imports.some((i) => i.module === WasiModule)) {
    return loadGadgetNode(wasm as Uint8Array<ArrayBuffer>, { ...options, kallsyms });
  }
  return loadGadget(wasm as Uint8Array<ArrayBuffer>, { ...options, kallsyms });
}

/** Thrown to end the input events early when nobody reads the output any more. */
const READER_GONE = Symbol("the output's reader is gone");

/** A hint for load errors with a usual cause. */
function loadHint(message: string): string {
  if (/env\.abort/.test(message)) {
    return "\nigwasm: hint: env.abort is AssemblyScript's default abort handler, which IG hosts do not provide: build with `igwasm build`, or pass asc --use abort=~lib/igwasm/assemblyscript/index/abort";
  }
  return "";
}

/** `--filter.<ds> <rules>` options, taken out of argv (their names depend on the gadget's data sources). */
function takeDataSourceFilters(argv: readonly string[]): { rest: string[]; byDs: Map<string, FilterRule[]> } {
  const rest: string[] = [];
  const byDs = new Map<string, FilterRule[]>();
  for (let i = 0; i < argv.length; i++) {
    const m = /^--filter\.([^=]+)(?:=(.*))?$/s.exec(argv[i]);
    if (m === null) {
      if (argv[i] === "--") {
        rest.push(...argv.slice(i));
        break;
      }
      rest.push(argv[i]);
      continue;
    }
    let value = m[2];
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new UsageError(`--filter.${m[1]} needs a value (see igwasm run --help)`);
      value = argv[++i];
    }
    byDs.set(m[1], [...(byDs.get(m[1]) ?? []), ...filterRules(value)]);
  }
  return { rest, byDs };
}

function filterRules(text: string): FilterRule[] {
  try {
    return parseRules(text);
  } catch (e) {
    if (e instanceof FilterError) throw new UsageError(`--filter: ${e.message}`);
    throw e;
  }
}

function sortKeys(spec: string | undefined): Map<string, SortKey[]> {
  if (spec === undefined) return new Map();
  try {
    return parseSortSpec(spec);
  } catch (e) {
    if (e instanceof SortError) throw new UsageError(e.message);
    throw e;
  }
}

/** The gadget's params as `run <gadget> --help` lists them. */
export function formatParamHelp(label: string, specs: readonly ParamSpec[], known: boolean): string {
  if (!known) return `\n${label}: no metadata (gadget.yaml) found, so its params are unknown; give it with --metadata.\n`;
  if (specs.length === 0) return `\n${label} declares no params.\n`;
  const lines = [`\nParams of ${label} (--param key=value):`];
  for (const p of specs) {
    const facts = [p.isMandatory || p.mandatory ? "mandatory" : null, p.defaultValue !== undefined ? `default ${JSON.stringify(p.defaultValue)}` : null].filter((f) => f !== null);
    lines.push(`  ${p.key}${facts.length > 0 ? ` (${facts.join(", ")})` : ""}`);
    if (p.description) lines.push(`      ${p.description}`);
  }
  return lines.join("\n") + "\n";
}

interface Inputs {
  readonly source: GadgetSource;
  readonly events: EventsReader;
  readonly paramSpecs: readonly ParamSpec[];
  /** Whether the params are known (an image's or --metadata's gadget.yaml, or an example's). */
  readonly metadataKnown: boolean;
  /** The image's eBPF object (maps and tracers made before init), if it has one. */
  readonly ebpfObject: EbpfObject | null;
}

async function readInputs(args: ParsedArgs, io: CliIO): Promise<Inputs> {
  const gadgetPath = args.positionals[0];
  const example = stringOption(args, "example");
  if (gadgetPath !== undefined && example !== undefined) throw new UsageError("--example runs a built-in gadget: give it or a <gadget>, not both");
  let source: GadgetSource;
  let events: EventsReader = eventsReader({ dataSources: [], events: [] });
  if (gadgetPath === undefined) ({ source, events } = await embeddedSource(example));
  else source = await loadGadgetSource(gadgetPath);
  let paramSpecs = source.paramSpecs;
  let metadataKnown = source.metadataYaml !== null;
  const metadata = stringOption(args, "metadata");
  if (metadata !== undefined) {
    const { wasmParamSpecs } = await import("./oci.js");
    paramSpecs = wasmParamSpecs(new TextDecoder().decode(readFileOrFail(metadata, "metadata file")), metadata);
    metadataKnown = true;
  }
  const ebpfObject = readSourceObject(source);
  const ctx: EventsContext = { predeclared: tracerDecls(ebpfObject), object: ebpfObject };
  const eventsPath = stringOption(args, "events");
  if (eventsPath !== undefined) events = openEventsFile(eventsPath, ctx);
  const capture = stringOption(args, "replay");
  if (capture !== undefined) {
    const target = captureTarget([...(ctx.predeclared ?? []), ...events.dataSources], stringOption(args, "replay-ds"));
    if (typeof target === "string") throw new UsageError(target);
    events = withCaptureAfter(events, capture, target, (field, where) => io.stderr(`igwasm: ${where}: field ${field} is not a field of ${target.name}; ignored (reported once)\n`));
  } else if (stringOption(args, "replay-ds") !== undefined) throw new UsageError("--replay-ds names the data source of a --replay capture: give --replay too");
  return { source, events, paramSpecs, metadataKnown, ebpfObject };
}

/** What a caller of runCommand may watch (the worker that bounds a run reports phases to its parent). */
export interface RunHooks {
  readonly onPhase?: (phase: string) => void;
}

export async function runCommand(argv: readonly string[], io: CliIO, hooks: RunHooks = {}): Promise<number> {
  const { rest, byDs: filterByDs } = takeDataSourceFilters(argv);
  const args = parseArgs(rest, RUN_OPTIONS, "run");
  if (args.positionals.length > 1) throw new UsageError(`run takes one gadget, got ${args.positionals.length}: ${args.positionals.join(" ")}`);
  const logLevelText = stringOption(args, "log-level") ?? "info";
  const logLevel = parseLogLevel(logLevelText);
  if (logLevel === undefined) throw new UsageError(`--log-level must be one of error, warn, info, debug, trace; got "${logLevelText}"`);
  const params = parseParams(listOption(args, "param"));
  const terminalWidth = io.terminalWidth ?? 0;
  const modes = parseOutputModes(stringOption(args, "output") ?? "");
  const fieldsSpec = stringOption(args, "fields");
  const printOptions = {
    modes,
    defaultMode: (terminalWidth > 0 ? "columns" : "envelope") as OutputMode,
    fields: fieldsSpec === undefined ? new Map<string, string>() : parseFieldsSpec(fieldsSpec),
    filter: listOption(args, "filter").flatMap(filterRules),
    filterByDs,
    sort: sortKeys(stringOption(args, "sort")),
    showAll: flag(args, "all"),
    terminalWidth,
    yaml: [...modes.values()].includes("yaml") ? (await import("./ig-yaml.js")).yamlFormatter : null,
  };

  let inputs: Inputs;
  try {
    if (flag(args, "help") && args.positionals.length === 0 && stringOption(args, "example") === undefined) {
      io.stdout(RUN_HELP + "\n");
      return 0;
    }
    inputs = await readInputs(args, io);
  } catch (e) {
    if (e instanceof GadgetSourceError || e instanceof EventsError || e instanceof ImageError || e instanceof KernelStateError) {
      io.stderr(`igwasm: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  // The events file (and a capture) were opened before the gadget loaded: closed however the run ends.
  try {
    const { source, events, paramSpecs, metadataKnown, ebpfObject } = inputs;
    if (flag(args, "help")) {
      io.stdout(RUN_HELP + "\n" + formatParamHelp(source.label, paramSpecs, metadataKnown));
      return 0;
    }
    const unknownParams = Object.keys(params).filter((key) => !paramSpecs.some((s) => s.key === key));
    if (metadataKnown && unknownParams.length > 0) {
      const declared = paramSpecs.length > 0 ? `declares ${paramSpecs.map((s) => s.key).join(", ")}` : "declares no params";
      throw new UsageError(`unknown param "${unknownParams[0]}": ${source.label} ${declared}`);
    }
    if (!metadataKnown && unknownParams.length > 0) {
      io.stderr(`igwasm: warning: params are not checked (no gadget.yaml; give one with --metadata): ${unknownParams.join(", ")}\n`);
    }

    const utf8 = new TextDecoder();
    const write = io.stdoutBytes ? (bytes: Uint8Array) => io.stdoutBytes!(bytes) : (bytes: Uint8Array) => io.stdout(utf8.decode(bytes));
    // When the reader of a pipe goes away (`igwasm run ... | head`), the rest of the output has nowhere to go:
    // it is dropped, no more input events are emitted, and the gadget is stopped as at the end of its events.
    let readerGone = false;
    const out = new BatchedWriter((bytes) => {
      if (readerGone) return;
      try {
        write(bytes);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EPIPE") throw e;
        readerGone = true;
      }
    });
    // Log lines go out right away; what the gadget printed before them goes first.
    const log = (text: string): void => {
      out.flush();
      io.stderr(text);
    };
    const callbackFailures: CallbackFailure[] = [];
    const kernel = events.kernel;
    let gadget: Gadget;
    try {
      gadget = await load(source.wasm, {
        logSink: (level, message) => log(`${logLevelName(level)}: ${message}\n`),
        logLevel: logLevel as LogLevel,
        // Kernel state from the events file: its params under --param, its kallsyms instead of /proc/kallsyms.
        ...kernelLoadOptions({ dataSources: [], events: [], kernel }, params),
        paramSpecs,
        onCallbackFailure: (f) => callbackFailures.push(f),
        ...(hooks.onPhase ? { onPhase: hooks.onPhase } : {}),
        ...(stringOption(args, "ig-version") !== undefined ? { igVersion: stringOption(args, "ig-version") } : {}),
        ...(flag(args, "trace") || flag(args, "trace-raw") ? { trace: (line: string) => log(`${line}\n`), traceDecoded: !flag(args, "trace-raw") } : {}),
        ...(flag(args, "leaks") ? { onLeaks: (open: readonly OpenHandle[]) => log(openHandlesText(open)) } : {}),
      });
    } catch (e) {
      io.stderr(`igwasm: cannot load ${source.label}: ${(e as Error).message}${loadHint((e as Error).message)}\n`);
      return 1;
    }

    const printer = new Printer(printOptions, out);
    const fail = (e: unknown): number => {
      out.flush();
      if (e instanceof UsageError) throw e;
      io.stderr(`igwasm: ${source.label}: ${(e as Error).message}\n`);
      return 1;
    };
    const declared = new Map<string, HostDataSource>();
    let ebpf: ReturnType<typeof setUpEbpfObject> | null = null;
    try {
      // What IG's eBPF operator would have made: maps and tracer data sources, before init.
      ebpf = ebpfObject ? setUpEbpfObject(gadget, ebpfObject) : null;
      fillMaps(gadget, ebpf, kernel);
      for (const d of events.dataSources) declared.set(d.name, gadget.dataSources.declare(d.name, { type: d.type, fields: d.fields }));
      gadget.dataSources.subscribeAll((ev, ds) => printer.packet(ev, ds), { type: "packet", priority: 2 ** 32 });
      gadget.init();
      gadget.preStart();
      printer.prepare(gadget.dataSources.names().map((n) => gadget.dataSources.get(n)!));
      gadget.start();
      writePerfRecords(gadget, kernel);
    } catch (e) {
      return fail(e);
    }
    let failure: unknown = null;
    let eventNo = 0;
    try {
      // A usage error (a --filter that does not fit a field) comes from printing: it stays one.
      events.forEach((ev) => {
        if (readerGone) throw READER_GONE;
        emitInputEvent(ev, ++eventNo, declared.get(ev.ds)!, ebpf, (e) => e instanceof UsageError);
      });
    } catch (e) {
      if (e !== READER_GONE) failure = e;
    }
    try {
      gadget.stop();
      gadget.postStop();
    } catch (e) {
      failure ??= e;
    }
    out.flush();
    const unused = printer.unusedNames(gadget.dataSources.names());
    if (unused.length > 0) io.stderr(`igwasm: warning: the gadget never made data source${unused.length > 1 ? "s" : ""} ${unused.join(", ")} (named in -o, --fields, --filter or --sort)\n`);
    if (flag(args, "show-config") && !readerGone) io.stdout(JSON.stringify({ config: Object.fromEntries(gadget.config) }) + "\n");
    // A trapped callback fails the run (IG only logs it; a test run must not pass over it).
    for (const f of callbackFailures) io.stderr(`igwasm: ${source.label}: ${callbackFailureText(f)}\n`);
    if (failure instanceof EventsError) {
      io.stderr(`igwasm: ${failure.message}\n`);
      return 1;
    }
    if (failure === null) return callbackFailures.length > 0 ? 1 : 0;
    return fail(failure);
  } finally {
    inputs.events.close();
  }
}
