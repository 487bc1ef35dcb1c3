/** Parses a duration such as 500ms, 2s, 1.5m or a bare number of seconds; milliseconds. */
import { UsageError } from "./args.js";

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDuration(text: string, option: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (m === null) throw new UsageError(`${option} must be a duration such as 500ms, 2s or 1m; got "${text}"`);
  const ms = Number(m[1]) * UNITS[m[2] ?? "s"];
  if (ms <= 0) throw new UsageError(`${option} must be more than zero; got "${text}"`);
  return ms;
}
