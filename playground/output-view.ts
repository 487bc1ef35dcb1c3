/**
 * The run's output on the page: a table per data source, the JSON lines, the
 * log and the host-call trace, each capped so a chatty guest cannot swamp the
 * page.
 */
const MAX_ROWS = 5_000;
const MAX_LINES = 20_000;

const isNumber = (text: string): boolean => /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(text);

/** A <pre> that takes lines; its placeholder shows while it is empty (style.css). */
class LineSink {
  private shown = 0;
  private dropped = 0;
  private more: Text | null = null;

  constructor(private readonly pre: HTMLElement) {}

  clear(placeholder: string): void {
    this.shown = 0;
    this.dropped = 0;
    this.more = null;
    this.pre.textContent = "";
    this.pre.dataset.placeholder = placeholder;
  }

  add(line: string): void {
    if (this.shown < MAX_LINES) {
      this.shown++;
      this.pre.append(line + "\n");
      return;
    }
    this.dropped++;
    this.more ??= this.pre.appendChild(document.createTextNode(""));
    this.more.textContent = `… ${this.dropped} more line${this.dropped === 1 ? "" : "s"} not shown\n`;
  }

  get count(): number {
    return this.shown + this.dropped;
  }
}

export class OutputView {
  readonly json: LineSink;
  readonly log: LineSink;
  readonly trace: LineSink;
  private readonly tables = new Map<string, { table: HTMLTableElement; heading: HTMLElement; rows: number; columns: string[] }>();

  constructor(private readonly tablesBox: HTMLElement, json: HTMLElement, log: HTMLElement, trace: HTMLElement) {
    this.json = new LineSink(json);
    this.log = new LineSink(log);
    this.trace = new LineSink(trace);
  }

  clear(traceOn: boolean): void {
    this.tables.clear();
    this.tablesBox.textContent = "";
    this.json.clear("No packets.");
    this.log.clear("The gadget logged nothing.");
    this.trace.clear(traceOn ? "No host calls." : "The trace was not recorded: tick \"record host-call trace\" and run again.");
  }

  /** Adds a packet's records as rows of its data source's table. */
  addRows(ds: string, columns: readonly string[], rows: readonly (readonly string[])[]): void {
    let t = this.tables.get(ds);
    if (t === undefined) {
      const section = document.createElement("section");
      section.dataset.ds = ds;
      const heading = document.createElement("h3");
      const table = document.createElement("table");
      const head = table.createTHead().insertRow();
      for (const c of columns) head.append(Object.assign(document.createElement("th"), { textContent: c.toUpperCase() }));
      table.createTBody();
      section.append(heading, table);
      this.tablesBox.append(section);
      t = { table, heading, rows: 0, columns: [...columns] };
      this.tables.set(ds, t);
    }
    // A field the table has not seen yet gets a new column.
    for (const c of columns) {
      if (t.columns.includes(c)) continue;
      t.columns.push(c);
      t.table.tHead!.rows[0].append(Object.assign(document.createElement("th"), { textContent: c.toUpperCase() }));
    }
    for (const r of rows) {
      t.rows++;
      if (t.rows > MAX_ROWS) continue;
      const tr = t.table.tBodies[0].insertRow();
      for (const c of t.columns) {
        const i = columns.indexOf(c);
        const text = i < 0 ? "" : (r[i] ?? "");
        const td = tr.insertCell();
        td.textContent = text;
        if (isNumber(text)) td.className = "num";
      }
    }
    t.heading.textContent = `${ds} (${t.rows} row${t.rows === 1 ? "" : "s"}${t.rows > MAX_ROWS ? `, first ${MAX_ROWS} shown` : ""})`;
  }

  get tableCount(): number {
    return this.tables.size;
  }

  get rowCount(): number {
    let n = 0;
    for (const t of this.tables.values()) n += t.rows;
    return n;
  }
}
