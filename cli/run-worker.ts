/**
 * The worker thread of bounded runs: for each `{argv}` it is sent, runs
 * `igwasm run` and posts its output, its phases and its exit status to the
 * parent, which terminates this thread when a run's time is up (synchronous
 * wasm cannot be interrupted any other way). Runs are sequential; a thread
 * serves many (igwasm test) until one is stopped.
 */
import { parentPort } from "node:worker_threads";
import { runCommand } from "./run.js";
import { UsageError } from "./args.js";

export type WorkerMessage =
  | { readonly type: "stdout" | "stderr"; readonly text: string }
  | { readonly type: "phase"; readonly phase: string }
  | { readonly type: "exit"; readonly code: number };

const port = parentPort!;
const post = (m: WorkerMessage): void => port.postMessage(m);

port.on("message", async ({ argv }: { argv: string[] }) => {
  let code: number;
  try {
    code = await runCommand(argv, { stdout: (text) => post({ type: "stdout", text }), stderr: (text) => post({ type: "stderr", text }) }, {
      onPhase: (phase) => post({ type: "phase", phase }),
    });
  } catch (e) {
    post({ type: "stderr", text: e instanceof UsageError ? `igwasm: ${e.message}\n` : `igwasm: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n` });
    code = e instanceof UsageError ? 2 : 1;
  }
  post({ type: "exit", code });
});
