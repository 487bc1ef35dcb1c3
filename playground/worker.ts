/**
 * The playground's worker: opens a gadget (inspect) or runs it, with the same
 * cli/ code as `igwasm inspect` and `igwasm run`, and reports back message by
 * message, so what a run printed before it hung or failed is on the page.
 */
import { gadgetSourceFromBytes, type GadgetSource } from "../cli/gadget-bytes.js";
import { readSourceObject } from "../cli/image-run.js";
import { formatReport, inspectModule } from "../cli/inspect.js";
import { cellText, jsonLine } from "../cli/packet-text.js";
import { callbackFailureText, columnsOf, kernelLoadOptions, runWithEvents } from "../cli/run-events.js";
import { loadGadget, logLevelName, type LogLevel } from "../runtime/index.js";
import type { Job, Report, RunJob } from "./protocol.js";

// The worker global, typed by hand: the project's lib is DOM, not WebWorker.
const scope = self as unknown as { onmessage: ((e: MessageEvent<Job>) => void) | null; postMessage(report: Report): void };
const post = (report: Report): void => scope.postMessage(report);

function inspect(source: GadgetSource): void {
  const report = inspectModule(source.wasm, source.label, source.kind);
  post({ kind: "opened", source, profile: report.release.first === report.release.last ? `IG ${report.release.first}` : `IG ${report.release.first} - ${report.release.last}`, profileReason: report.profileReason, problems: report.problems, inspectText: formatReport(report) });
}

async function run(job: RunJob): Promise<void> {
  const ebpf = readSourceObject(job.source);
  // Strict, as igwasm run: a trap in a guest's data-source callback fails the run.
  const trapped: string[] = [];
  const gadget = await loadGadget(job.source.wasm as Uint8Array<ArrayBuffer>, {
    onCallbackFailure: (f) => trapped.push(callbackFailureText(f)),
    // The events file's kernel state: params (under the page's), kallsyms, mount namespaces, syscall arch.
    ...kernelLoadOptions(job.events, job.params),
    paramSpecs: job.source.paramSpecs,
    logLevel: job.logLevel as LogLevel,
    logSink: (level, message) => post({ kind: "log", level: logLevelName(level), message }),
    ...(job.trace ? { trace: (line: string) => post({ kind: "trace", line }), traceDecoded: true } : {}),
  });
  let failure: string | null = null;
  try {
    runWithEvents(
      gadget,
      job.events,
      (ds, packet) => {
        const columns = columnsOf(ds);
        const records = Array.isArray(packet) ? packet : [packet];
        const rows = records.map((r) => columns.map((c) => (r[c] === undefined ? "" : cellText(r[c], "base64"))));
        post({ kind: "packet", ds: ds.name, columns, rows, json: jsonLine(ds.name, packet, "base64") });
      },
      { ebpf },
    );
  } catch (e) {
    failure = (e as Error).message;
  }
  const problems = failure === null ? trapped : [...trapped, failure];
  if (problems.length > 0) throw new Error(problems.join("\n"));
}

scope.onmessage = (e) => {
  const job = e.data;
  Promise.resolve()
    .then(() => (job.job === "run" ? run(job) : inspect(job.job === "inspect" ? job.source : gadgetSourceFromBytes(job.bytes, job.name))))
    .then(
      () => post({ kind: "done" }),
      (err: unknown) => post({ kind: "failed", error: err instanceof Error ? err.message : String(err) }),
    );
};
