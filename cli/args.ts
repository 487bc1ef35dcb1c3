/**
 * Command-line parsing for igwasm: `--name value`, `--name=value`, short
 * aliases, boolean flags, repeatable options and positionals. No dependency.
 */

export class UsageError extends Error {
  override readonly name = "UsageError";
}

export interface OptionSpec {
  /** Long name without dashes. */
  readonly name: string;
  readonly short?: string;
  /** Takes a value (otherwise a boolean flag). */
  readonly value?: boolean;
  /** May be given more than once (values collected in order). */
  readonly repeat?: boolean;
  /** Allowed values. */
  readonly choices?: readonly string[];
}

export interface ParsedArgs {
  readonly options: ReadonlyMap<string, string | boolean | string[]>;
  readonly positionals: readonly string[];
}

export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[], command: string): ParsedArgs {
  const options = new Map<string, string | boolean | string[]>();
  const positionals: string[] = [];
  const byLong = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]));
  const seeHelp = command ? `(see igwasm ${command} --help)` : "(see igwasm --help)";
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    let spec: OptionSpec | undefined;
    let inline: string | undefined;
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      if (eq >= 0) inline = arg.slice(eq + 1);
      spec = byLong.get(name);
      if (spec === undefined) throw new UsageError(`unknown option --${name} ${seeHelp}`);
    } else {
      spec = byShort.get(arg.slice(1, 2));
      if (spec === undefined) throw new UsageError(`unknown option ${arg} ${seeHelp}`);
      if (arg.length > 2) inline = arg.slice(2);
    }
    const label = `--${spec.name}`;
    if (!spec.value) {
      if (inline !== undefined) throw new UsageError(`${label} takes no value`);
      options.set(spec.name, true);
      continue;
    }
    let value = inline;
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new UsageError(`${label} needs a value ${seeHelp}`);
      value = argv[++i];
    }
    if (spec.choices && !spec.choices.includes(value)) {
      throw new UsageError(`${label} must be one of ${spec.choices.join(", ")}; got "${value}"`);
    }
    if (spec.repeat) {
      const list = (options.get(spec.name) as string[] | undefined) ?? [];
      list.push(value);
      options.set(spec.name, list);
    } else {
      if (options.has(spec.name)) throw new UsageError(`${label} given twice`);
      options.set(spec.name, value);
    }
  }
  return { options, positionals };
}

export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const v = args.options.get(name);
  return typeof v === "string" ? v : undefined;
}

export function listOption(args: ParsedArgs, name: string): string[] {
  const v = args.options.get(name);
  return Array.isArray(v) ? v : [];
}

export function flag(args: ParsedArgs, name: string): boolean {
  return args.options.get(name) === true;
}

/** `key=value` strings to a record; a bad one is a usage error. */
export function parseParams(list: readonly string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (const p of list) {
    const eq = p.indexOf("=");
    if (eq <= 0) throw new UsageError(`bad --param "${p}": expected key=value`);
    const key = p.slice(0, eq);
    if (key in params) throw new UsageError(`--param ${key} given twice`);
    params[key] = p.slice(eq + 1);
  }
  return params;
}
