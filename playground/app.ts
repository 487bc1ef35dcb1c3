/**
 * The playground page: pick or drop a gadget, see what `igwasm inspect` says,
 * edit params and events, run it in a worker, see tables, JSON, log and trace.
 * Everything it needs is in its bundle: once loaded it works offline.
 */
import { embeddedExamples } from "../cli/embedded/examples.js";
import { exampleSource, type GadgetSource } from "../cli/gadget-bytes.js";
import { LogLevel } from "../generated/constants.js";
import { parseLogLevel } from "../runtime/index.js";
import { LOG_LEVEL_NAMES, logLevelName } from "../runtime/logger.js";
import { EventsView } from "./events-view.js";
import { OutputView } from "./output-view.js";
import { ParamsView } from "./params-view.js";
import type { Report } from "./protocol.js";
import { JobRunner, type JobEnd } from "./worker-client.js";

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;

/** The worker's bundled source, put here by build.ts. */
declare const WORKER_SOURCE: string;
const runner = new JobRunner(URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "text/javascript" })));
const output = new OutputView($("out-tables"), $("out-json"), $("out-log"), $("out-trace"));
const params = new ParamsView($("params"));
const events = new EventsView($("events"), $("events-format"), $("events-name"), $("events-error"));
const runButton = $<HTMLButtonElement>("run");
// The log levels to choose from are the spec's (LogLevel), Info first selected.
for (const name of LOG_LEVEL_NAMES) $<HTMLSelectElement>("log-level").add(new Option(name, name, false, name === logLevelName(LogLevel.Info)));
const stopButton = $<HTMLButtonElement>("stop");
let gadget: GadgetSource | null = null;

function status(state: "idle" | "opening" | "running" | "done" | "failed" | "stopped", text: string): void {
  const el = $("status");
  el.dataset.state = state;
  el.textContent = text;
  const busy = state === "opening" || state === "running";
  stopButton.disabled = !busy;
  runButton.disabled = busy || gadget === null;
}

function showTab(name: string): void {
  for (const b of document.querySelectorAll<HTMLButtonElement>("#tabs button")) b.setAttribute("aria-selected", String(b.dataset.tab === name));
  for (const p of document.querySelectorAll<HTMLElement>(".tab-panel")) p.hidden = p.dataset.tab !== name;
}

/** Opens a gadget in a worker (inspect), then shows it; `then` runs after a successful open. */
function open(job: { job: "open-file"; name: string; bytes: Uint8Array } | { job: "inspect"; source: GadgetSource }, then?: () => void): void {
  gadget = null;
  status("opening", `Opening ${job.job === "inspect" ? job.source.label : job.name}…`);
  runner.start(
    job,
    (r) => {
      if (r.kind !== "opened") return;
      gadget = r.source;
      const problems = r.problems.length === 0 ? "no problems found" : `${r.problems.length} problem${r.problems.length === 1 ? "" : "s"}`;
      $("gadget-summary").textContent = `${r.source.label}: ${r.source.kind === "image" ? "gadget image, " : ""}${r.source.wasm.length} bytes, built for ${r.profile} (${r.profileReason}); ${problems}`;
      $("gadget-summary").classList.remove("muted");
      $("gadget-summary").classList.toggle("problems", r.problems.length > 0);
      $("inspect").textContent = r.inspectText;
      params.show(r.source.paramSpecs);
      events.setGadget(r.source);
    },
    (how, error) => {
      if (how !== "done" || gadget === null) {
        $("gadget-summary").textContent = how === "stopped" ? "Opening stopped." : `Cannot open it: ${error}`;
        $("gadget-summary").classList.replace("muted", "problems");
        $("inspect").textContent = "";
        params.show([]);
        events.setGadget(null);
        status(how === "stopped" ? "stopped" : "failed", how === "stopped" ? "Stopped." : `Failed: ${error}`);
        return;
      }
      status("idle", "Ready: edit params and events, then Run.");
      then?.();
    },
  );
}

function run(): void {
  if (gadget === null) return;
  const trace = $<HTMLInputElement>("trace").checked;
  output.clear(trace);
  const parsed = events.parse();
  if (parsed === null) {
    status("failed", "The events file has an error (shown under it); nothing ran.");
    return;
  }
  let values: Record<string, string>;
  try {
    values = params.values();
    $("params-error").hidden = true;
  } catch (e) {
    $("params-error").hidden = false;
    $("params-error").textContent = (e as Error).message;
    status("failed", "A param is malformed (shown under the params); nothing ran.");
    return;
  }
  const started = performance.now();
  status("running", `Running ${gadget.label}… (Stop ends it)`);
  const onReport = (r: Report): void => {
    if (r.kind === "packet") {
      output.addRows(r.ds, r.columns, r.rows);
      output.json.add(r.json);
    } else if (r.kind === "log") output.log.add(`${r.level}: ${r.message}`);
    else if (r.kind === "trace") output.trace.add(r.line);
  };
  const onEnd = (how: JobEnd, error?: string): void => {
    const ms = Math.round(performance.now() - started);
    const summary = `${output.rowCount} row${output.rowCount === 1 ? "" : "s"} in ${output.tableCount} data source${output.tableCount === 1 ? "" : "s"}, ${output.log.count} log line${output.log.count === 1 ? "" : "s"}`;
    if (how === "done") status("done", `Done in ${ms} ms: ${summary}.`);
    else if (how === "stopped") status("stopped", `Stopped after ${ms} ms (the worker was terminated): ${summary}.`);
    else {
      output.log.add(`igwasm: ${gadget!.label}: ${error}`);
      status("failed", `Failed: ${error}`);
    }
  };
  runner.start(
    { job: "run", source: gadget, params: values, events: parsed, logLevel: parseLogLevel($<HTMLSelectElement>("log-level").value)!, trace },
    onReport,
    onEnd,
  );
}

async function openFile(file: File): Promise<void> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (/\.(ya?ml|json|jsonl|ndjson)$/i.test(file.name)) events.load(new TextDecoder().decode(bytes), file.name);
  else open({ job: "open-file", name: file.name, bytes });
}

for (const ex of embeddedExamples) {
  const b = Object.assign(document.createElement("button"), { textContent: ex.name, title: ex.description });
  b.dataset.example = ex.name;
  b.addEventListener("click", () => {
    events.load(ex.eventsYaml, `${ex.name}/events.yaml`);
    open({ job: "inspect", source: exampleSource(ex) }, run);
  });
  $("examples").append(b);
}

runButton.addEventListener("click", run);
stopButton.addEventListener("click", () => runner.stop());
for (const b of document.querySelectorAll<HTMLButtonElement>("#tabs button")) b.addEventListener("click", () => showTab(b.dataset.tab!));
$<HTMLInputElement>("open-gadget").addEventListener("change", (e) => {
  const input = e.target as HTMLInputElement;
  if (input.files?.[0]) void openFile(input.files[0]);
  input.value = "";
});
$<HTMLInputElement>("open-events").addEventListener("change", (e) => {
  const input = e.target as HTMLInputElement;
  if (input.files?.[0]) void openFile(input.files[0]);
  input.value = "";
});
document.addEventListener("dragover", (e) => {
  e.preventDefault();
  document.body.classList.add("dragging");
});
document.addEventListener("dragleave", () => document.body.classList.remove("dragging"));
document.addEventListener("drop", (e) => {
  e.preventDefault();
  document.body.classList.remove("dragging");
  const file = e.dataTransfer?.files[0];
  if (file) void openFile(file);
});
output.clear(false);
