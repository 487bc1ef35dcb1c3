/**
 * The events editor: the text of an events file in the CLI's formats (YAML or
 * JSON, or JSON lines), checked as it is typed with the CLI's parser; its
 * file:line:col error is shown under the editor, and a click on the error
 * selects that line.
 */
import { EventsError, parseEventsFile, type DataSourceDecl, type EventsFile } from "../cli/events.js";

const JSON_LINES = /\.(jsonl|ndjson)$/i;

export class EventsView {
  /** The file name the text came from; it names the file in errors and picks the format. */
  private name = "events.yaml";
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Data sources the gadget's image makes (eBPF tracers): events may name them undeclared. */
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

  /** Sets the gadget's own data sources (its image's tracers) and checks the text again. */
  setPredeclared(decls: readonly DataSourceDecl[]): void {
    this.predeclared = decls;
    this.parse();
  }

  /** The parsed events, or null with the error shown. */
  parse(): EventsFile | null {
    clearTimeout(this.timer);
    try {
      const events = parseEventsFile(this.text.value, this.name, this.predeclared);
      this.error.hidden = true;
      this.error.textContent = "";
      return events;
    } catch (e) {
      if (!(e instanceof EventsError)) throw e;
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
