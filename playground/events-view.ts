/**
 * The events editor: the text of an events file in the CLI's formats (YAML or
 * JSON, or JSON lines; kernel state too), checked as it is typed with the
 * CLI's parser; its
 * file:line:col error is shown under the editor, and a click on the error
 * selects that line.
 */
import { EventsError, parseEventsFile, type DataSourceDecl, type EventsFile } from "../cli/events.js";
import { readSourceObject, tracerDecls } from "../cli/image-run.js";
import type { GadgetSource } from "../cli/gadget-bytes.js";
import { KernelStateError } from "../cli/kernel-state.js";
import type { EbpfObject } from "../runtime/image/ebpf-object.js";

const JSON_LINES = /\.(jsonl|ndjson)$/i;

export class EventsView {
  /** The file name the text came from; it names the file in errors and picks the format. */
  private name = "events.yaml";
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The gadget's eBPF object (an image's): kernel state is checked against its maps, and events may name its tracers undeclared. */
  private object: EbpfObject | null = null;
  private predeclared: readonly DataSourceDecl[] = [];

  constructor(
    private readonly text: HTMLTextAreaElement,
    private readonly format: HTMLSelectElement,
    private readonly nameLabel: HTMLElement,
    private readonly error: HTMLElement,
  ) {
    text.addEventListener("input", () => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.parse(), 250);
    });
    format.addEventListener("change", () => {
      this.name = format.value;
      this.nameLabel.textContent = "";
      this.parse();
    });
    error.addEventListener("click", () => this.selectErrorLine());
  }

  /** Puts a file's text in the editor; its extension picks the format, as on the command line. */
  load(text: string, name: string): void {
    this.name = name;
    this.format.value = JSON_LINES.test(name) ? "events.jsonl" : "events.yaml";
    this.nameLabel.textContent = name;
    this.text.value = text;
    this.parse();
  }

  /** Checks the text against a newly opened gadget (null: none) from now on. */
  setGadget(source: GadgetSource | null): void {
    try {
      this.object = source ? readSourceObject(source) : null;
    } catch {
      this.object = null; // the worker reports a malformed object when the gadget runs
    }
    this.predeclared = tracerDecls(this.object);
    this.parse();
  }

  /** The parsed events, or null with the error shown. */
  parse(): EventsFile | null {
    clearTimeout(this.timer);
    try {
      const events = parseEventsFile(this.text.value, this.name, { predeclared: this.predeclared, object: this.object });
      this.error.hidden = true;
      this.error.textContent = "";
      return events;
    } catch (e) {
      if (!(e instanceof EventsError || e instanceof KernelStateError)) throw e;
      this.error.hidden = false;
      this.error.textContent = e.message;
      return null;
    }
  }

  private selectErrorLine(): void {
    const m = /:(\d+)(?::\d+)?: /.exec(this.error.textContent ?? "");
    if (!m) return;
    const lines = this.text.value.split("\n");
    const line = Math.min(Number(m[1]), lines.length) - 1;
    const start = lines.slice(0, line).reduce((n, l) => n + l.length + 1, 0);
    this.text.focus();
    this.text.setSelectionRange(start, start + lines[line].length);
  }
}
