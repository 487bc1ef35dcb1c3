/**
 * `igwasm run --timeout`: the run happens in a worker thread; when the time
 * is up the worker is terminated (which stops wasm even inside a loop) and
 * the run exits with TIMEOUT_EXIT, naming the phase it was in.
 */
import { Worker } from "node:worker_threads";
import type { CliIO } from "./io.js";
import type { WorkerMessage } from "./run-worker.js";

/** Exit status of a run stopped by its time limit (as GNU timeout's). */
export const TIMEOUT_EXIT = 124;

export interface BoundedRunOptions {
  /** Milliseconds the gadget may take, from when loading its module begins (the worker's start-up and reading input files are not counted). */
  readonly timeoutMs: number;
}

/** How long the worker may take to get to the gadget (starting, loading igwasm's code, reading input). */
const BOOT_LIMIT_MS = 120_000;

/**
 * The worker: run-worker.js beside this file when built; from source (tests,
 * `npx tsx cli/main.ts`), run-worker.ts loaded after registering tsx in the
 * worker (hooks registered in the parent do not reach worker threads).
 */
function startWorker(argv: readonly string[]): Worker {
  const workerData = { argv: [...argv] };
  if (!import.meta.url.endsWith(".ts")) return new Worker(new URL("./run-worker.js", import.meta.url), { workerData });
  const source = new URL("./run-worker.ts", import.meta.url).href;
  const boot = `import("tsx/esm/api").then((api) => { api.register(); return import(${JSON.stringify(source)}); });`;
  return new Worker(boot, { eval: true, workerData });
}

/** Runs `igwasm run <argv>` in a worker thread, at most `timeoutMs`; returns the exit status. */
export function runBounded(argv: readonly string[], io: CliIO, options: BoundedRunOptions): Promise<number> {
  const worker = startWorker(argv);
  let phase = "load";
  let timedOut = false;
  return new Promise<number>((resolve) => {
    let settled = false;
    const finish = (code: number): void => {
      if (settled) return;
      if (timedOut && code !== TIMEOUT_EXIT) return;
      settled = true;
      clearTimeout(timer);
      resolve(code);
    };
    const stop = (message: string): void => {
      timedOut = true;
      void worker.terminate().then(() => {
        io.stderr(message);
        finish(TIMEOUT_EXIT);
      });
    };
    let timer = setTimeout(() => stop(`igwasm: the run did not get to loading the gadget within ${BOOT_LIMIT_MS} ms\n`), BOOT_LIMIT_MS);
    worker.on("message", (m: WorkerMessage) => {
      if (m.type === "stdout") io.stdout(m.text);
      else if (m.type === "stderr") io.stderr(m.text);
      else if (m.type === "phase") {
        if (m.phase === "load") {
          clearTimeout(timer);
          timer = setTimeout(() => stop(`igwasm: time limit of ${options.timeoutMs} ms hit during ${phase}: the guest was stopped\n`), options.timeoutMs);
        }
        phase = m.phase;
      }
      else if (m.type === "exit") {
        finish(m.code);
        void worker.terminate();
      }
    });
    worker.on("error", (e) => {
      io.stderr(`igwasm: the run's worker failed: ${e.message}\n`);
      finish(1);
    });
    worker.on("exit", (code) => {
      if (!settled && !timedOut && code !== 0) {
        io.stderr(`igwasm: the run's worker exited with ${code}\n`);
        finish(1);
      }
    });
  });
}
