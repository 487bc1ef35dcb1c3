/**
 * Reading an events file from disk (Node only): JSON lines are streamed, an
 * event at a time, so memory does not grow with the file; YAML is parsed
 * whole (cli/events.ts, which stays browser-safe for the playground). A
 * capture of `ig run -o json` (cli/replay.ts) is streamed the same way.
 */
import { closeSync, fstatSync, openSync, readFileSync } from "node:fs";
import { LineReader } from "./line-reader.js";
import { forEachCaptureLine, type UnknownFieldSink } from "./replay.js";
import { EventLineParser } from "./event-line-parser.js";
import {
  EventsError,
  eventsReader,
  firstJsonLineEvent,
  isObject,
  jsonLineEvent,
  parseEventsFile,
  readJsonLinesHead,
  skippable,
  YAML_MAX_BYTES,
  type EventsContext,
  type EventsReader,
  type InputEvent,
  type JsonLinesHead,
  type DataSourceDecl,
} from "./events.js";

/** Opens `path` for reading; `what` names it in the errors ("events file", "capture"). */
function openOrFail(path: string, what: string): number {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new EventsError(code === "ENOENT" ? `${what} ${path} does not exist` : `cannot read ${what} ${path}: ${(e as Error).message}`);
  }
  if (fstatSync(fd).isDirectory()) {
    closeSync(fd);
    throw new EventsError(`${what} ${path} is a directory`);
  }
  return fd;
}

/** Whether a file that is not named .jsonl holds JSON lines: its first line is a JSON declaration or event. */
function looksLikeJsonLines(firstLine: string | null): boolean {
  if (firstLine === null || !firstLine.trimStart().startsWith("{")) return false;
  try {
    const obj: unknown = JSON.parse(firstLine);
    return isObject(obj) && ("dataSource" in obj || "ds" in obj || "values" in obj);
  } catch {
    return false;
  }
}

/**
 * Opens an events file. JSON lines (.jsonl, .ndjson, or a file whose first
 * line is a JSON declaration or event) are streamed: the declarations are
 * read now, each event when `forEach` reaches it, so memory does not grow
 * with the file. YAML is parsed whole and refused above YAML_MAX_BYTES.
 */
export function openEventsFile(path: string, ctx: EventsContext = {}): EventsReader {
  const fd = openOrFail(path, "events file");
  let reader: LineReader | null = new LineReader(fd);
  try {
    let jsonLines = /\.(jsonl|ndjson)$/i.test(path);
    let first: string | null = null;
    if (!jsonLines) {
      do first = reader.next();
      while (first !== null && skippable(first));
      jsonLines = looksLikeJsonLines(first);
    }
    if (!jsonLines) {
      const size = fstatSync(fd).size;
      if (size > YAML_MAX_BYTES) {
        throw new EventsError(
          `${path} is ${(size / 2 ** 20).toFixed(1)} MiB of YAML; YAML events files are limited to ${YAML_MAX_BYTES / 2 ** 20} MiB because they are parsed whole. ` +
            `Write large inputs as JSON lines (a .jsonl file, one declaration or event a line), which are streamed.`,
        );
      }
      reader.close();
      reader = null;
      const file = parseEventsFile(readFileSync(path, "utf8"), path, ctx);
      return eventsReader(file);
    }
    // Replay the line already read, then continue from the reader.
    const lines = reader;
    let replay = first;
    const next = (): string | null => {
      if (replay !== null) {
        const line = replay;
        replay = null;
        return line;
      }
      return lines.next();
    };
    const lineNo = (): number => lines.lineNo;
    const head = readJsonLinesHead(next, lineNo, path, ctx);
    return readOnce(head.declared, head.kernel, lines, (each) => forEachEventLine(head, lines, path, each));
  } catch (e) {
    reader?.close();
    throw e;
  }
}

/**
 * Opens a capture of `ig run -o json` to replay into `decl` after `before`'s
 * events: the file is opened now (so a missing one fails before the gadget
 * loads) and read a line at a time as the events are emitted.
 */
export function withCaptureAfter(before: EventsReader, path: string, decl: DataSourceDecl, onUnknown: UnknownFieldSink): EventsReader {
  const lines = new LineReader(openOrFail(path, "capture"));
  const reader = readOnce(before.dataSources, before.kernel, lines, (each) => {
    before.forEach(each);
    forEachCaptureLine(() => lines.next(), () => lines.lineNo, path, decl, onUnknown, each);
  });
  return {
    ...reader,
    close: () => {
      before.close();
      reader.close();
    },
  };
}

/** A reader whose events come from `read`, run once; the file is closed after it however it ends. */
function readOnce(dataSources: readonly DataSourceDecl[], kernel: EventsReader["kernel"], lines: LineReader, read: (each: (ev: InputEvent) => void) => void): EventsReader {
  let used = false;
  return {
    dataSources,
    kernel,
    forEach(each) {
      if (used) throw new Error("an events file is read once");
      used = true;
      try {
        read(each);
      } finally {
        lines.close();
      }
    },
    close: () => lines.close(),
  };
}

/**
 * Calls `each` for every event after the head: a line is parsed from its
 * bytes when the fast path takes it (cli/event-line-parser.ts), else decoded
 * and read the general way, which also gives every error.
 */
function forEachEventLine(head: JsonLinesHead, lines: LineReader, path: string, each: (ev: InputEvent) => void): void {
  const first = firstJsonLineEvent(head, path);
  if (first === null) return;
  each(first);
  const parser = new EventLineParser([...head.decls.values()], new Set(head.declared.map((d) => d.name)));
  const fast = parser.useful ? parser : null;
  const where = (): string => `${path}:${lines.lineNo}`;
  while (lines.nextLine()) {
    const ev = fast?.parse(lines.bytes, lines.lineStart, lines.lineEnd) ?? jsonLineEvent(lines.text(), head.decls, where);
    if (ev !== null) each(ev);
  }
}
