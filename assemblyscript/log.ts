// Logging through the host (`gadgetLog`, `gadgetShouldLog`).
import { gadgetLog, gadgetShouldLog } from "../generated/guest/assemblyscript/v0.43/log";
import { LogLevel } from "../generated/guest/assemblyscript/constants";
import { packStr } from "./internal";

/** Logs `msg` at `level` (LogLevel.Error .. LogLevel.Trace). The host decides whether it is shown. */
export function log(level: LogLevel, msg: string): void {
  gadgetLog(<u32>level, packStr(msg));
}

/** Logs at Error level. */
export function error(msg: string): void {
  gadgetLog(LogLevel.Error, packStr(msg));
}

/** Logs at Warn level. */
export function warn(msg: string): void {
  gadgetLog(LogLevel.Warn, packStr(msg));
}

/** Logs at Info level. */
export function info(msg: string): void {
  gadgetLog(LogLevel.Info, packStr(msg));
}

/** Logs at Debug level. */
export function debug(msg: string): void {
  gadgetLog(LogLevel.Debug, packStr(msg));
}

/**
 * Logs at Trace level. (Shadows AssemblyScript's global `trace`, which would
 * import `env.trace`, a function IG hosts do not provide.)
 */
export function trace(msg: string): void {
  gadgetLog(LogLevel.Trace, packStr(msg));
}

/**
 * Whether the host shows messages of `level`: check it before building an
 * expensive message. (IG v0.43.0 and later.)
 */
export function shouldLog(level: LogLevel): bool {
  return gadgetShouldLog(<u32>level) == 1;
}
