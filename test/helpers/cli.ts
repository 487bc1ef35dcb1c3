/** Runs the igwasm CLI in this process and collects its exit status and output. */
import { bufferIO, main } from "../../cli/main.js";

export async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = bufferIO();
  const code = await main(argv, io);
  return { code, out: io.out, err: io.err };
}
