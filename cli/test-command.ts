/**
 * `igwasm test [DIR|FILE]`: runs every case of every `*.test.yaml` through
 * `igwasm run` (in a worker thread, bounded by the case's timeout), compares
 * what it printed with the case's expectation, prints a diff per mismatch and
 * `N passed, N failed`; `--update` writes what was observed as the new
 * expectations.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { createTwoFilesPatch } from "diff";
import { flag, parseArgs, UsageError, type OptionSpec } from "./args.js";
import { parseJsonExact } from "./exact-json.js";
import { BoundedRunner } from "./bounded-run.js";
import { bufferIO, type CliIO } from "./io.js";
import { CaseFileError, parseCaseFile, setExpectation, type CaseFile, type Expectation, type JsonValue, type TestCase } from "./test-case.js";

export const TEST_HELP = `usage: igwasm test [DIR|FILE] [options]

Runs the test cases of a gadget: every *.test.yaml under DIR (default: the
current directory), or one FILE. Each case runs the gadget with its params and
events (as igwasm run does, bounded by its timeout) and compares the packets
it printed, its exit status and, when the case lists them, its logs, igwasm's
errors and the config it set. A mismatch prints a diff (- expected, + actual).
The case format is in docs/testing.md.

Options:
  --update     write what each case observed as its expectation
  -h, --help   show this help

Exit status: 0 when every case passed (or was updated), 1 when a case failed
or a case file is malformed, 2 on a usage error.`;

const TEST_OPTIONS: readonly OptionSpec[] = [{ name: "update" }, { name: "help", short: "h" }];

const LOG_LINE = /^(error|warn|info|debug|trace): /;

/** Every *.test.yaml under `dir` (sorted; node_modules and dot directories skipped). */
function findCaseFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...findCaseFiles(path));
    else if (entry.name.endsWith(".test.yaml")) out.push(path);
  }
  return out;
}

/** The `igwasm run` arguments of a case. */
function runArgs(file: CaseFile, c: TestCase): string[] {
  return [
    file.gadget,
    ...(file.metadata ? ["--metadata", file.metadata] : []),
    ...(c.events ? ["--events", c.events] : []),
    ...(c.replay ? ["--replay", c.replay] : []),
    ...(c.replayDs ? ["--replay-ds", c.replayDs] : []),
    ...(c.leaks ? ["--leaks"] : []),
    ...Object.entries(c.params).flatMap(([k, v]) => ["--param", `${k}=${v}`]),
    "--log-level", c.logLevel,
    "--show-config",
  ];
}

/** Runs one case and reads what it printed. */
async function observe(runner: BoundedRunner, file: CaseFile, c: TestCase): Promise<Expectation> {
  const io = bufferIO();
  const exit = await runner.run(runArgs(file, c), io, { timeoutMs: c.timeoutMs });
  const output: JsonValue[] = [];
  let config: Record<string, string> | undefined;
  for (const line of io.out.split("\n")) {
    if (line === "") continue;
    let value: JsonValue;
    try {
      // 64-bit values stay exact: integers of more than 15 digits are compared as their decimal text.
      value = parseJsonExact(line) as JsonValue;
    } catch {
      value = line;
    }
    if (value !== null && typeof value === "object" && !Array.isArray(value) && "config" in value && !("ds" in value)) config = value.config as Record<string, string>;
    else output.push(flatPacket(value));
  }
  const stderr = io.err.split("\n").filter((l) => l !== "");
  // The case's files as the case file names them, so expectations do not depend on where the repository is.
  const inputs = [file.gadget, c.events, c.replay].filter((p): p is string => p !== null);
  const relabel = (l: string): string => inputs.reduce((text, p) => text.replaceAll(p, relative(dirname(file.path), p) || "."), l);
  return {
    exit,
    output,
    logs: stderr.filter((l) => LOG_LINE.test(l)),
    errors: stderr.filter((l) => !LOG_LINE.test(l)).map(relabel),
    ...(config ? { config } : {}),
  };
}

/**
 * A packet as test cases write it: `{ds, <field>: <value>, ...}`, or `{ds, records: [...]}` for an
 * array packet. igwasm run prints `{"ds": ..., "data": <record or list>}` lines when not on a terminal.
 */
function flatPacket(value: JsonValue): JsonValue {
  if (value === null || typeof value !== "object" || Array.isArray(value) || !("ds" in value) || !("data" in value)) return value;
  const { ds, data } = value;
  if (Array.isArray(data)) return { ds, records: data };
  return data !== null && typeof data === "object" ? { ds, ...data } : value;
}

/** A value with its keys in a fixed order (ds first, then sorted), for comparing and printing. */
function canonical(v: JsonValue): JsonValue {
  if (Array.isArray(v)) return v.map(canonical);
  if (v === null || typeof v !== "object") return v;
  const keys = Object.keys(v).sort((a, b) => (a === "ds" ? -1 : b === "ds" ? 1 : a.localeCompare(b)));
  return Object.fromEntries(keys.map((k) => [k, canonical(v[k])]));
}

/** The parts of `observed` that the expectation checks, as lines (what the diff shows). */
function render(e: Expectation, like: Expectation): string {
  const lines = [`exit: ${e.exit}`, "output:", ...e.output.map((o) => `  ${JSON.stringify(canonical(o))}`)];
  if (like.logs !== undefined) lines.push("logs:", ...(e.logs ?? []).map((l) => `  ${l}`));
  if (like.errors !== undefined) lines.push("errors:", ...(e.errors ?? []).map((l) => `  ${l}`));
  if (like.config !== undefined) lines.push("config:", ...Object.entries(e.config ?? {}).sort().map(([k, v]) => `  ${k}: ${v}`));
  return lines.join("\n") + "\n";
}

/** The diff of expected and observed, or null when they match. */
function compare(expected: Expectation, observed: Expectation): string | null {
  const a = render(expected, expected);
  const b = render(observed, expected);
  if (a === b) return null;
  const patch = createTwoFilesPatch("expected", "actual", a, b, "", "", { context: 3 });
  return patch.split("\n").slice(3).filter((l) => l !== "\\ No newline at end of file").join("\n").trimEnd();
}

function indent(text: string): string {
  return text.split("\n").map((l) => `    ${l}`).join("\n");
}

export async function testCommand(argv: readonly string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, TEST_OPTIONS, "test");
  if (flag(args, "help")) {
    io.stdout(TEST_HELP + "\n");
    return 0;
  }
  if (args.positionals.length > 1) throw new UsageError(`test takes one DIR or FILE, got ${args.positionals.length}`);
  const target = resolve(args.positionals[0] ?? ".");
  let isDir: boolean;
  try {
    isDir = statSync(target).isDirectory();
  } catch {
    throw new UsageError(`${args.positionals[0]} does not exist`);
  }
  const files = isDir ? findCaseFiles(target) : [target];
  if (files.length === 0) {
    io.stderr(`igwasm: no *.test.yaml under ${args.positionals[0] ?? "."}\n`);
    return 1;
  }
  const update = flag(args, "update");
  const runner = new BoundedRunner();
  try {
    const { passed, failed } = await runFiles(files, update, runner, io);
    io.stdout(`${passed} passed, ${failed} failed\n`);
    return failed === 0 ? 0 : 1;
  } finally {
    await runner.close();
  }
}

async function runFiles(files: readonly string[], update: boolean, runner: BoundedRunner, io: CliIO): Promise<{ passed: number; failed: number }> {
  let passed = 0;
  let failed = 0;
  for (const path of files) {
    const shown = relative(process.cwd(), path) || path;
    let file: CaseFile;
    try {
      file = parseCaseFile(readFileSync(path, "utf8"), shown, (p) => resolve(dirname(path), p));
    } catch (e) {
      if (!(e instanceof CaseFileError) && !(e instanceof UsageError)) throw e;
      io.stdout(`FAIL ${shown}: ${e.message}\n`);
      failed++;
      continue;
    }
    for (const c of file.cases) {
      const observed = await observe(runner, file, c);
      if (update) {
        setExpectation(file.document, c.index, observed);
        io.stdout(`UPDATED ${shown}: ${c.name}\n`);
        passed++;
        continue;
      }
      const diff = c.expect === null ? "no expectation: run igwasm test --update to record one" : compare(c.expect, observed);
      if (diff === null) {
        io.stdout(`PASS ${shown}: ${c.name}\n`);
        passed++;
      } else {
        io.stdout(`FAIL ${shown}: ${c.name} (${c.where})\n${indent(diff)}\n`);
        failed++;
      }
    }
    if (update) writeFileSync(path, file.document.toString());
  }
  return { passed, failed };
}
