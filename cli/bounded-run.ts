/**
 * Runs bounded in time (`igwasm run --timeout`, `igwasm test`): each run
 * happens in a worker thread; when its time is up the worker is terminated
 * (which stops wasm even inside a loop) and the run exits with TIMEOUT_EXIT,
 * naming the phase it was in. A runner reuses its worker for the next run
 * until one is stopped.
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
function startWorker(): Worker {
  if (!import.meta.url.endsWith(".ts")) return new Worker(new URL("./run-worker.js", import.meta.url));
  const source = new URL("./run-worker.ts", import.meta.url).href;
  const boot = `import("tsx/esm/api").then((api) => { api.register(); return import(${JSON.stringify(source)}); });`;
  return new Worker(boot, { eval: true });
}

export class BoundedRunner {
  #worker: Worker | null = null;

  /** Runs `igwasm run <argv>` in the worker, at most `timeoutMs` from the gadget's load; returns the exit status. */
  run(argv: readonly string[], io: CliIO, options: BoundedRunOptions): Promise<number> {
    const worker = (this.#worker ??= startWorker());
    let phase = "load";
    return new Promise<number>((resolve) => {
      let settled = false;
      const finish = (code: number): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        worker.off("message", onMessage);
        worker.off("error", onError);
        worker.off("exit", onExit);
        resolve(code);
      };
      const stop = (message: string): void => {
        this.#worker = null;
        worker.off("exit", onExit);
        void worker.terminate().then(() => {
          io.stderr(message);
          finish(TIMEOUT_EXIT);
        });
      };
      let timer = setTimeout(() => stop(`igwasm: the run did not get to loading the gadget within ${BOOT_LIMIT_MS} ms\n`), BOOT_LIMIT_MS);
      const onMessage = (m: WorkerMessage): void => {
        if (m.type === "stdout") io.stdout(m.text);
        else if (m.type === "stderr") io.stderr(m.text);
        else if (m.type === "phase") {
          if (m.phase === "load") {
            clearTimeout(timer);
            timer = setTimeout(() => stop(`igwasm: time limit of ${options.timeoutMs} ms hit during ${phase}: the guest was stopped\n`), options.timeoutMs);
          }
          phase = m.phase;
        } else if (m.type === "exit") finish(m.code);
      };
      const onError = (e: Error): void => {
        this.#worker = null;
        io.stderr(`igwasm: the run's worker failed: ${e.message}\n`);
        finish(1);
      };
      const onExit = (code: number): void => {
        this.#worker = null;
        io.stderr(`igwasm: the run's worker exited with ${code}\n`);
        finish(1);
      };
      worker.on("message", onMessage);
      worker.on("error", onError);
      worker.on("exit", onExit);
      worker.postMessage({ argv: [...argv] });
    });
  }

  /** Ends the worker (call when done). */
  async close(): Promise<void> {
    const w = this.#worker;
    this.#worker = null;
    await w?.terminate();
  }
}

/** One bounded run in a worker of its own. */
export async function runBounded(argv: readonly string[], io: CliIO, options: BoundedRunOptions): Promise<number> {
  const runner = new BoundedRunner();
  try {
    return await runner.run(argv, io, options);
  } finally {
    await runner.close();
  }
}
