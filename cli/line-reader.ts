/**
 * Reads a file line by line with synchronous reads of one fixed-size chunk:
 * memory stays at one chunk plus the longest line, whatever the file's size.
 * A chunk is decoded up to its last newline; the bytes after it (a partial
 * line, maybe a partial UTF-8 character) wait for the next chunk.
 */
import { closeSync, readSync } from "node:fs";

export class LineReader {
  private readonly buf: Buffer;
  /** Bytes after the last newline read so far. */
  private carry: Buffer = Buffer.alloc(0);
  private text = "";
  private pos = 0;
  private eof = false;
  /** 1-based number of the line `next` returned last. */
  lineNo = 0;

  constructor(
    private readonly fd: number,
    chunkBytes = 1 << 20,
  ) {
    this.buf = Buffer.allocUnsafe(chunkBytes);
  }

  /** The next line without its line ending, or null at the end of the file. */
  next(): string | null {
    for (;;) {
      const nl = this.text.indexOf("\n", this.pos);
      if (nl >= 0) {
        const end = nl > this.pos && this.text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
        const line = this.text.slice(this.pos, end);
        this.pos = nl + 1;
        this.lineNo++;
        return line;
      }
      if (this.eof) {
        if (this.pos >= this.text.length) return null;
        const line = this.text.slice(this.pos);
        this.pos = this.text.length;
        this.lineNo++;
        return line.endsWith("\r") ? line.slice(0, -1) : line;
      }
      this.fill();
    }
  }

  close(): void {
    closeSync(this.fd);
  }

  private fill(): void {
    const n = readSync(this.fd, this.buf, 0, this.buf.length, null);
    if (n === 0) {
      this.eof = true;
      this.text = this.carry.toString("utf8");
      this.pos = 0;
      this.carry = Buffer.alloc(0);
      return;
    }
    const bytes = this.carry.length > 0 ? Buffer.concat([this.carry, this.buf.subarray(0, n)]) : this.buf.subarray(0, n);
    const last = bytes.lastIndexOf(10);
    if (last < 0) {
      // No line end yet: keep everything (a copy, the chunk buffer is reused).
      this.carry = Buffer.from(bytes);
      this.text = "";
      this.pos = 0;
      return;
    }
    this.text = bytes.toString("utf8", 0, last + 1);
    this.pos = 0;
    this.carry = Buffer.from(bytes.subarray(last + 1));
  }
}
