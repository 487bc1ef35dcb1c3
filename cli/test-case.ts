/**
 * The case files of `igwasm test` (`*.test.yaml`): a gadget, its inputs and
 * what it must output, for any guest language.
 *
 *   gadget: gadget.wasm          # .wasm, image tarball or build directory (relative to this file)
 *   metadata: gadget.yaml        # optional: declares the params of a bare .wasm
 *   events: events.yaml          # optional: default input for every case
 *   timeout: 10s                 # optional: per case (default 10s)
 *   cases:
 *     - name: keeps pids from 1000
 *       params: { min_pid: "1000" }
 *       events: other.yaml       # an events file (see igwasm run --help), relative to this file
 *       replay: capture.jsonl    # optional: what `ig run -o json` printed, replayed after the events
 *       replayDs: events         # the data source of the capture (igwasm run --replay-ds)
 *       leaks: true              # optional: report the handles open at gadgetStop (igwasm run --leaks) in errors
 *       logLevel: info           # logs compared at this level and above (default warn)
 *       expect:
 *         exit: 0                # default 0
 *         output:                # every packet printed, in order: {ds, <field>: <value>, ...}
 *           - { ds: filtered, pid: 1200, comm: bash }
 *         logs: ["info: ready"]  # optional: compared only when given
 *         errors: [...]          # optional: igwasm's own stderr lines ("igwasm: ...")
 *         config: { key: value } # optional: what the gadget set with setConfig
 *
 * Every error names the file, line and column.
 */
import { isMap, isNode, isSeq, LineCounter, parseDocument, type Document } from "yaml";
import { LogLevel } from "../generated/constants.js";
import { orList } from "../runtime/errors.js";
import { LOG_LEVEL_NAMES, logLevelName } from "../runtime/logger.js";
import { parseDuration } from "./duration.js";

export class CaseFileError extends Error {
  override readonly name = "CaseFileError";
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface Expectation {
  readonly exit: number;
  readonly output: readonly JsonValue[];
  readonly logs?: readonly string[];
  readonly errors?: readonly string[];
  readonly config?: Readonly<Record<string, string>>;
}

export interface TestCase {
  readonly name: string;
  /** Index in `cases`, for --update. */
  readonly index: number;
  readonly params: Readonly<Record<string, string>>;
  /** The events file (absolute path), if any. */
  readonly events: string | null;
  /** A capture of `ig run -o json` to replay (absolute path), and its data source, if any. */
  readonly replay: string | null;
  readonly replayDs: string | null;
  /** Run with --leaks: the handles open at gadgetStop are part of the errors. */
  readonly leaks: boolean;
  readonly logLevel: string;
  readonly timeoutMs: number;
  readonly expect: Expectation | null;
  /** `file:line:col` of the case. */
  readonly where: string;
}

export interface CaseFile {
  readonly path: string;
  readonly gadget: string;
  readonly metadata: string | null;
  readonly cases: readonly TestCase[];
  /** The parsed document, kept for --update (comments and order survive). */
  readonly document: Document;
}

const CASE_KEYS = ["name", "params", "events", "replay", "replayDs", "leaks", "logLevel", "timeout", "expect"];
const EXPECT_KEYS = ["exit", "output", "logs", "errors", "config"];
const FILE_KEYS = ["gadget", "metadata", "events", "timeout", "cases"];
const DEFAULT_TIMEOUT_MS = 10_000;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function stringList(v: unknown, where: string): string[] {
  if (!Array.isArray(v) || !v.every((s) => typeof s === "string")) throw new CaseFileError(`${where}: expected a list of strings`);
  return v;
}

/** Parses a case file; `resolve` makes a path in it absolute. */
export function parseCaseFile(text: string, path: string, resolve: (p: string) => string): CaseFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const pos = e.linePos?.[0] ?? lines.linePos(e.pos[0]);
    throw new CaseFileError(`${path}:${pos.line}:${pos.col}: not valid YAML: ${e.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "")}`);
  }
  const at = (p: (string | number)[]): string => {
    const node = doc.getIn(p, true);
    const pos = lines.linePos(isNode(node) && node.range ? node.range[0] : 0);
    return `${path}:${pos.line}:${pos.col}`;
  };
  const top: unknown = doc.toJS();
  if (!isObject(top)) throw new CaseFileError(`${path}: expected a mapping with gadget and cases`);
  for (const k of Object.keys(top)) if (!FILE_KEYS.includes(k)) throw new CaseFileError(`${at([k])}: unknown key ${k} (expected ${FILE_KEYS.join(", ")})`);
  if (typeof top.gadget !== "string" || top.gadget === "") throw new CaseFileError(`${at(["gadget"])}: gadget must name a .wasm, an image tarball or a build directory`);
  if (top.metadata !== undefined && typeof top.metadata !== "string") throw new CaseFileError(`${at(["metadata"])}: metadata must be a path`);
  if (!Array.isArray(top.cases) || top.cases.length === 0) throw new CaseFileError(`${at(["cases"])}: cases must be a non-empty list`);
  const fileTimeout = top.timeout === undefined ? DEFAULT_TIMEOUT_MS : parseDuration(String(top.timeout), `${at(["timeout"])}: timeout`);
  // Events live in their own files, so their errors keep their own line numbers.
  const inputFile = (raw: unknown, p: (string | number)[], key: string, what: string): string | null => {
    if (raw === undefined || raw === null) return null;
    if (typeof raw === "string" && raw !== "") return resolve(raw);
    throw new CaseFileError(`${at(p)}: ${key} must be the path of ${what}`);
  };
  const events = (raw: unknown, p: (string | number)[]): string | null => inputFile(raw, p, "events", "an events file");
  const fileEvents = events(top.events, ["events"]);
  const names = new Set<string>();
  const cases = top.cases.map((raw, index): TestCase => {
    const where = at(["cases", index]);
    if (!isObject(raw)) throw new CaseFileError(`${where}: a case must be a mapping with name and expect`);
    for (const k of Object.keys(raw)) if (!CASE_KEYS.includes(k)) throw new CaseFileError(`${at(["cases", index, k])}: unknown key ${k} (expected ${CASE_KEYS.join(", ")})`);
    if (typeof raw.name !== "string" || raw.name === "") throw new CaseFileError(`${where}: name must be a non-empty string`);
    if (names.has(raw.name)) throw new CaseFileError(`${where}: a case named "${raw.name}" exists already`);
    names.add(raw.name);
    const params: Record<string, string> = {};
    if (raw.params !== undefined) {
      if (!isObject(raw.params)) throw new CaseFileError(`${at(["cases", index, "params"])}: params must map keys to values`);
      for (const [k, v] of Object.entries(raw.params)) {
        if (typeof v === "object" && v !== null) throw new CaseFileError(`${at(["cases", index, "params", k])}: the value of param ${k} must be a scalar`);
        params[k] = String(v);
      }
    }
    const logLevel = raw.logLevel === undefined ? logLevelName(LogLevel.Warn) : String(raw.logLevel);
    if (!LOG_LEVEL_NAMES.includes(logLevel)) {
      throw new CaseFileError(`${at(["cases", index, "logLevel"])}: logLevel must be ${orList(LOG_LEVEL_NAMES)}`);
    }
    if (raw.replayDs !== undefined && (typeof raw.replayDs !== "string" || raw.replayDs === "")) throw new CaseFileError(`${at(["cases", index, "replayDs"])}: replayDs must name a data source`);
    if (raw.replayDs !== undefined && raw.replay === undefined) throw new CaseFileError(`${at(["cases", index, "replayDs"])}: replayDs names the data source of a replay capture: give replay too`);
    if (raw.leaks !== undefined && typeof raw.leaks !== "boolean") throw new CaseFileError(`${at(["cases", index, "leaks"])}: leaks must be true or false`);
    const timeoutMs = raw.timeout === undefined ? fileTimeout : parseDuration(String(raw.timeout), `${at(["cases", index, "timeout"])}: timeout`);
    return {
      name: raw.name,
      index,
      params,
      events: raw.events === undefined ? fileEvents : events(raw.events, ["cases", index, "events"]),
      replay: inputFile(raw.replay, ["cases", index, "replay"], "replay", "a capture of ig run -o json"),
      replayDs: typeof raw.replayDs === "string" ? raw.replayDs : null,
      leaks: raw.leaks === true,
      logLevel,
      timeoutMs,
      expect: raw.expect === undefined || raw.expect === null ? null : expectation(raw.expect, (p) => at(["cases", index, "expect", ...p])),
      where,
    };
  });
  return {
    path,
    gadget: resolve(top.gadget),
    metadata: typeof top.metadata === "string" ? resolve(top.metadata) : null,
    cases,
    document: doc,
  };
}

function expectation(raw: unknown, at: (p: (string | number)[]) => string): Expectation {
  if (!isObject(raw)) throw new CaseFileError(`${at([])}: expect must be a mapping with exit, output, logs, errors or config`);
  for (const k of Object.keys(raw)) if (!EXPECT_KEYS.includes(k)) throw new CaseFileError(`${at([k])}: unknown key ${k} (expected ${EXPECT_KEYS.join(", ")})`);
  const exit = raw.exit ?? 0;
  if (typeof exit !== "number" || !Number.isInteger(exit) || exit < 0) throw new CaseFileError(`${at(["exit"])}: exit must be an exit status (0, 1, 124, ...)`);
  const output = raw.output ?? [];
  if (!Array.isArray(output)) throw new CaseFileError(`${at(["output"])}: output must be a list of packets ({ds: <name>, <field>: <value>, ...})`);
  output.forEach((o, i) => {
    if (!isObject(o) || typeof o.ds !== "string") throw new CaseFileError(`${at(["output", i])}: a packet must be a mapping with ds and its fields`);
  });
  const out: { exit: number; output: JsonValue[]; logs?: string[]; errors?: string[]; config?: Record<string, string> } = { exit, output: output as JsonValue[] };
  if (raw.logs !== undefined) out.logs = stringList(raw.logs, at(["logs"]));
  if (raw.errors !== undefined) out.errors = stringList(raw.errors, at(["errors"]));
  if (raw.config !== undefined) {
    if (!isObject(raw.config)) throw new CaseFileError(`${at(["config"])}: config must map keys to values`);
    out.config = Object.fromEntries(Object.entries(raw.config).map(([k, v]) => [k, String(v)]));
  }
  return out;
}

/** Writes `observed` as the expectation of case `index` (--update), keeping the rest of the document. */
export function setExpectation(doc: Document, index: number, observed: Expectation): void {
  const value: Record<string, unknown> = { exit: observed.exit, output: observed.output };
  if (observed.logs && observed.logs.length > 0) value.logs = observed.logs;
  if (observed.errors && observed.errors.length > 0) value.errors = observed.errors;
  if (observed.config && Object.keys(observed.config).length > 0) value.config = observed.config;
  const node = doc.createNode(value);
  // Packets on one line each: `- { ds: x, pid: 1 }` reads like the JSON lines igwasm run prints.
  const packets = node.get("output", true);
  if (isSeq(packets)) for (const item of packets.items) if (isMap(item)) item.flow = true;
  doc.setIn(["cases", index, "expect"], node);
}
