/** Where the CLI writes: the process's streams, or buffers in tests. */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
}

export const processIO: CliIO = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
};

/** An IO that collects what is written (for tests and embedding). */
export function bufferIO(): CliIO & { out: string; err: string } {
  const io = {
    out: "",
    err: "",
    stdout(text: string): void {
      io.out += text;
    },
    stderr(text: string): void {
      io.err += text;
    },
  };
  return io;
}
