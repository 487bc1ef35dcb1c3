/**
 * The gadget's logger. Levels are the ABI's: 0 Error (most severe) .. 4 Trace;
 * a message is written when its level is at most the logger's level.
 */
import { LogLevel } from "../generated/constants.js";
import { errorText } from "./errors.js";

export type LogSink = (level: LogLevel, message: string) => void;

/** The spec's LogLevel names in lower case, indexed by level: error, warn, info, debug, trace. */
export const LOG_LEVEL_NAMES: readonly string[] = Object.entries(LogLevel).reduce<string[]>((names, [name, level]) => {
  if (typeof level === "number") names[level] = name.toLowerCase();
  return names;
}, []);

export function logLevelName(level: number): string {
  return LOG_LEVEL_NAMES[level] ?? `level(${level})`;
}

/** Parses a level's name (`error`, `warn`, `info`, `debug`, `trace`) or its number (0-4); undefined when unknown. */
export function parseLogLevel(text: string): LogLevel | undefined {
  const i = LOG_LEVEL_NAMES.indexOf(text.toLowerCase());
  if (i !== -1) return i as LogLevel;
  return /^\d+$/.test(text) && LOG_LEVEL_NAMES[Number(text)] !== undefined ? (Number(text) as LogLevel) : undefined;
}

export class Logger {
  constructor(
    private readonly sink: LogSink,
    public level: LogLevel = LogLevel.Info,
  ) {}

  shouldLog(level: number): boolean {
    return level >= LogLevel.Error && level <= this.level;
  }

  /** Writes a line; a sink that throws is reported on the console instead of failing the caller (often a host call). */
  log(level: LogLevel, message: string): void {
    if (!this.shouldLog(level)) return;
    try {
      this.sink(level, message);
    } catch (e) {
      consoleSink(level, `${message} (the log sink failed: ${errorText(e)})`);
    }
  }

  error(message: string): void {
    this.log(LogLevel.Error, message);
  }

  warn(message: string): void {
    this.log(LogLevel.Warn, message);
  }

  info(message: string): void {
    this.log(LogLevel.Info, message);
  }

  debug(message: string): void {
    this.log(LogLevel.Debug, message);
  }
}

/** A sink that writes `level: message` lines to the console. */
export const consoleSink: LogSink = (level, message) => {
  console.error(`${logLevelName(level)}: ${message}`);
};
