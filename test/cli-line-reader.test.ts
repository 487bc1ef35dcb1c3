/**
 * The events reader's line splitting over fixed-size chunks: a line or a
 * UTF-8 character cut by a chunk boundary comes out whole, CRLF endings are
 * dropped, a last line without a newline is kept, a line longer than a chunk
 * is read whole.
 */
import { mkdirSync, openSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { LineReader } from "../cli/line-reader.js";

const BUILD = join(dirname(fileURLToPath(import.meta.url)), ".build/line-reader");

function readAll(text: string, chunk: number): string[] {
  mkdirSync(BUILD, { recursive: true });
  const file = join(BUILD, `lines-${chunk}.txt`);
  writeFileSync(file, text);
  const r = new LineReader(openSync(file, "r"), chunk);
  const lines: string[] = [];
  for (let l = r.next(); l !== null; l = r.next()) lines.push(`${r.lineNo}:${l}`);
  r.close();
  return lines;
}

describe("LineReader", () => {
  const text = "héllo\r\nwörld ünïcode 😀\n\nlast line without newline";
  const expected = ["1:héllo", "2:wörld ünïcode 😀", "3:", "4:last line without newline"];

  it("gives the same lines for every chunk size, 1 byte up", () => {
    for (const chunk of [1, 2, 3, 5, 7, 64, 1 << 20]) expect(readAll(text, chunk), `chunk ${chunk}`).toEqual(expected);
  });

  it("reads a line longer than the chunk", () => {
    const long = "x".repeat(10_000);
    expect(readAll(`${long}\nb\n`, 100)).toEqual([`1:${long}`, "2:b"]);
  });

  it("an empty file has no lines", () => {
    expect(readAll("", 16)).toEqual([]);
  });
});
