/**
 * Reads a file line by line with synchronous reads into one buffer: memory
 * stays at one chunk plus the longest line, whatever the file's size.
 *
 * Lines are found in the bytes and decoded only when asked for (`text`,
 * `next`): the events reader parses most lines from their bytes
 * (cli/event-line-parser.ts), and decoding every chunk to a string first cost
 * more than splitting it. Lines are cut at newline bytes only, so a UTF-8
 * character is never split.
 */
import { closeSync, readSync } from "node:fs";

export class LineReader {
  /** The bytes read and not yet split are `bytes[pos, end)`. */
  private buf: Buffer;
  private pos = 0;
  private end = 0;
  private eof = false;
  private closed = false;
  /** 1-based number of the line found last. */
  lineNo = 0;
  /** The line found last is `bytes[lineStart, lineEnd)`, without its line ending; valid until the next line is asked for. */
  lineStart = 0;
  lineEnd = 0;

  constructor(
    private readonly fd: number,
    chunkBytes = 1 << 20,
  ) {
    this.buf = Buffer.allocUnsafe(Math.max(chunkBytes, 1));
  }

  /** The buffer the current line's bytes are in (it changes when a line outgrows it). */
  get bytes(): Buffer {
    return this.buf;
  }

  /** Finds the next line (its bytes: `bytes`, `lineStart`, `lineEnd`); false at the end of the file. */
  nextLine(): boolean {
    for (;;) {
      const nl = this.pos < this.end ? this.buf.indexOf(10, this.pos) : -1;
      if (nl !== -1 && nl < this.end) {
        this.take(nl);
        this.pos = nl + 1;
        return true;
      }
      if (this.eof) {
        if (this.pos >= this.end) return false;
        this.take(this.end);
        this.pos = this.end;
        return true;
      }
      this.fill();
    }
  }

  /** The current line, decoded. */
  text(): string {
    return this.buf.toString("utf8", this.lineStart, this.lineEnd);
  }

  /** The next line without its line ending, or null at the end of the file. */
  next(): string | null {
    return this.nextLine() ? this.text() : null;
  }

  /** Closes the file; closing again does nothing. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }

  /** Makes `[pos, stop)` the current line, without a CR before `stop`. */
  private take(stop: number): void {
    this.lineStart = this.pos;
    this.lineEnd = stop > this.pos && this.buf[stop - 1] === 13 ? stop - 1 : stop;
    this.lineNo++;
  }

  /** Moves the unsplit bytes to the front (growing the buffer when they fill it) and reads more after them. */
  private fill(): void {
    const rest = this.end - this.pos;
    if (rest === this.buf.length) {
      const bigger = Buffer.allocUnsafe(this.buf.length * 2);
      this.buf.copy(bigger, 0, this.pos, this.end);
      this.buf = bigger;
    } else if (rest > 0) {
      this.buf.copy(this.buf, 0, this.pos, this.end);
    }
    this.pos = 0;
    this.end = rest;
    const n = readSync(this.fd, this.buf, rest, this.buf.length - rest, null);
    if (n === 0) this.eof = true;
    this.end += n;
  }
}
