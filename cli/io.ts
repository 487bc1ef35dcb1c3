/**
 * Where the CLI writes: the process's streams, or buffers in tests.
 *
 * The process's streams are written with blocking writes of whole chunks:
 * when stdout is a pipe whose reader is slow, a write waits until the pipe
 * has room (EAGAIN on a non-blocking pipe is retried after a short sleep), so
 * nothing queues up in memory behind it. Callers batch their output
 * (BatchedWriter) so that a write is large.
 */
import { writeSync } from "node:fs";
import { isatty } from "node:tty";

export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether stdout is a terminal, and its width in characters (0 otherwise). */
  readonly terminalWidth?: number;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Writes all of `text` to `fd`, waiting while a non-blocking pipe is full. */
export function writeAllSync(fd: number, text: string): void {
  const bytes = Buffer.from(text, "utf8");
  let off = 0;
  while (off < bytes.length) {
    try {
      off += writeSync(fd, bytes, off, bytes.length - off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EAGAIN") throw e;
      Atomics.wait(sleeper, 0, 0, 1);
    }
  }
}

export const processIO: CliIO = {
  stdout: (text) => writeAllSync(1, text),
  stderr: (text) => writeAllSync(2, text),
  get terminalWidth(): number {
    return isatty(1) ? (process.stdout.columns ?? 80) : 0;
  },
};

/** An IO that collects what is written (for tests and embedding). */
export function bufferIO(terminalWidth = 0): CliIO & { out: string; err: string } {
  const io = {
    out: "",
    err: "",
    terminalWidth,
    stdout(text: string): void {
      io.out += text;
    },
    stderr(text: string): void {
      io.err += text;
    },
  };
  return io;
}

/**
 * Collects output text and hands it to `sink` in chunks of at least
 * `chunkChars` characters (one write per chunk instead of one per line).
 */
export class BatchedWriter {
  private pending = "";

  constructor(
    private readonly sink: (text: string) => void,
    private readonly chunkChars = 1 << 16,
  ) {}

  write(text: string): void {
    this.pending += text;
    if (this.pending.length >= this.chunkChars) this.flush();
  }

  flush(): void {
    if (this.pending === "") return;
    const text = this.pending;
    this.pending = "";
    this.sink(text);
  }
}
