/**
 * JSON lines with 64-bit integers kept exact: igwasm run, like IG's json
 * output, prints a u64 as a plain number, which a double cannot hold above
 * 2^53. Integer tokens of more than 15 digits are read as their decimal text.
 */
/** A JSON integer token that a double cannot hold exactly: more than 15 digits. */
const LONG_INTEGER = /-?\d{16,}(?![.eE\d])/y;

/**
 * The line with integer tokens of more than 15 digits quoted, so JSON.parse
 * keeps them as decimal text (a 64-bit field converts that exactly). Scans
 * the text once, skipping string literals, so digits inside a string are left
 * alone.
 */
export function quoteLongIntegers(line: string): string {
  if (!/\d{16}/.test(line)) return line;
  let out = "";
  let from = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 34 /* " */) {
      for (i++; i < line.length && line.charCodeAt(i) !== 34; i++) if (line.charCodeAt(i) === 92 /* \ */) i++;
      continue;
    }
    if (c !== 45 /* - */ && (c < 48 || c > 57)) continue;
    LONG_INTEGER.lastIndex = i;
    const m = LONG_INTEGER.exec(line);
    if (m !== null) {
      out += `${line.slice(from, i)}"${m[0]}"`;
      from = i + m[0].length;
    }
    // Skip the rest of this number token.
    while (i + 1 < line.length && /[-+.\deE]/.test(line[i + 1])) i++;
  }
  return out + line.slice(from);
}

/** JSON.parse of one line, integers of more than 15 digits as decimal strings. */
export function parseJsonExact(line: string): unknown {
  return JSON.parse(quoteLongIntegers(line));
}
