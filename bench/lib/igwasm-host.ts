/**
 * Loads a bench guest on igwasm's host through the public loader, with or
 * without the wasm field fast path (`loadGadgetSync(wasm, { fastPath })`).
 */
import { LogLevel } from "../../generated/constants.js";
import { type Gadget, loadGadgetSync } from "../../runtime/gadget.js";

export interface BenchLoadOptions {
  readonly fastPath: boolean | "js";
  /** Receives log lines (default: kept in `lines`, so a failing guest can be diagnosed). */
  readonly lines?: string[];
}

export function loadBenchGadget(wasm: Uint8Array<ArrayBuffer>, options: BenchLoadOptions): Gadget {
  const lines = options.lines ?? [];
  const logSink = (level: LogLevel, message: string): void => void lines.push(`${level}: ${message}`);
  return loadGadgetSync(wasm, { logSink, logLevel: LogLevel.Warn, igVersion: "v0.55.1", fastPath: options.fastPath });
}
