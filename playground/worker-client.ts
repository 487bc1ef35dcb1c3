/**
 * One worker per job: the page starts a job and hears its reports until the
 * worker says done or failed; stop() terminates the worker, which is the only
 * way to end a guest that never returns.
 */
import type { Job, Report } from "./protocol.js";

export type JobEnd = "done" | "failed" | "stopped";

export class JobRunner {
  private worker: Worker | null = null;
  private end: ((how: JobEnd) => void) | null = null;

  constructor(private readonly workerUrl: string) {}

  get busy(): boolean {
    return this.worker !== null;
  }

  /** Starts `job` (stopping any job still running); `onReport` hears every report but the last. */
  start(job: Job, onReport: (r: Report) => void, onEnd: (how: JobEnd, error?: string) => void): void {
    this.stop();
    const worker = new Worker(this.workerUrl);
    this.worker = worker;
    const finish = (how: JobEnd, error?: string): void => {
      if (this.worker !== worker) return;
      worker.terminate();
      this.worker = null;
      this.end = null;
      onEnd(how, error);
    };
    this.end = finish;
    worker.onmessage = (e: MessageEvent<Report>) => {
      const r = e.data;
      if (r.kind === "done") finish("done");
      else if (r.kind === "failed") finish("failed", r.error);
      else if (this.worker === worker) onReport(r);
    };
    worker.onerror = (e) => {
      e.preventDefault();
      finish("failed", e.message || "the worker failed to start");
    };
    // The bytes are copied, not transferred: the page keeps its gadget for the next run.
    worker.postMessage(job);
  }

  /** Terminates the running job's worker, if any. */
  stop(): void {
    this.end?.("stopped");
  }
}
