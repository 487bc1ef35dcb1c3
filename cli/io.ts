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
  /** Writes UTF-8 bytes to stdout (valid only during the call); without it, the bytes are decoded for `stdout`. */
  stdoutBytes?(bytes: Uint8Array): void;
  stderr(text: string): void;
  /** Whether stdout is a terminal, and its width in characters (0 otherwise). */
  readonly terminalWidth?: number;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Writes all of `text` (or its UTF-8 bytes) to `fd`, waiting while a non-blocking pipe is full. */
export function writeAllSync(fd: number, text: string | Uint8Array): void {
  const bytes = typeof text === "string" ? Buffer.from(text, "utf8") : text;
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
  stdoutBytes: (bytes) => writeAllSync(1, bytes),
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
 * Collects output in one byte buffer and hands it to `sink` in chunks of
 * about `chunkBytes` (one write per chunk instead of one per line). Text is
 * encoded into the buffer as it comes; compiled formatters write bytes
 * straight into it (`reserve`, `pos`). A chunk always ends between two
 * writes, so it never cuts a UTF-8 character; the bytes `sink` gets are
 * valid only during the call.
 */
export class BatchedWriter {
  /** Where the next byte goes in `buf`. */
  pos = 0;
  private buf: Buffer;

  constructor(
    private readonly sink: (bytes: Uint8Array) => void,
    private readonly chunkBytes = 1 << 16,
  ) {
    this.buf = Buffer.allocUnsafe(chunkBytes);
  }

  /** Appends `text`, UTF-8 encoded. */
  write(text: string): void {
    // At most 3 bytes per UTF-16 unit.
    const buf = this.reserve(text.length * 3);
    this.pos += buf.write(text, this.pos);
    if (this.pos >= this.chunkBytes) this.flush();
  }

  /** The buffer, with room for `bytes` more at `pos` (written out first when it has not). Set `pos` past what you write, then call `done`. */
  reserve(bytes: number): Buffer {
    if (this.pos + bytes > this.buf.length) {
      this.flush();
      if (bytes > this.buf.length) this.buf = Buffer.allocUnsafe(bytes);
    }
    return this.buf;
  }

  /** After writing into the buffer `reserve` gave: writes a chunk out once one is full. */
  done(): void {
    if (this.pos >= this.chunkBytes) this.flush();
  }

  flush(): void {
    if (this.pos === 0) return;
    const bytes = this.buf.subarray(0, this.pos);
    this.pos = 0;
    this.sink(bytes);
  }
}
