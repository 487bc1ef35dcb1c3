/**
 * The fast path of the JSON-lines events reader: an event line parsed
 * straight from its bytes, for the common case only.
 *
 * `JSON.parse` of a line makes its string (the line decoded), an object per
 * level, a string per key and per string value; then the record is checked
 * value by value, and each string is encoded back to bytes as the host stores
 * it. That was most of `igwasm run`'s time per event (bench/README.md, "The CLI
 * suite"). This parser reads `{"ds":"<name>","values":{...}}` (keys in any
 * order, `ds` optional when one data source exists) for data sources the file
 * declares as single, and checks each value against its field's kind as it
 * reads it: integers without fraction or exponent and in range, floats, true
 * and false for bool, strings of printable ASCII without escapes (handed over
 * as their bytes, which the host copies as they are).
 *
 * Anything else — an escape, a non-ASCII byte, a value of another type, an
 * unknown or repeated key, a number out of range, an array data source, a
 * tracer, a blank or comment line, malformed JSON — is not decided here: the
 * parser answers null and the caller reads the line the general way
 * (cli/events.ts), which gives the same events and every error message. So
 * the fast path only ever accepts lines the general path would turn into the
 * same values.
 */
import { fieldKindFromName, FieldKind, type FieldValue } from "../runtime/index.js";
import type { DataSourceDecl, InputEvent } from "./events.js";

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN = 0x7b;
const CLOSE = 0x7d;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;

/** A field as the parser matches it: its name's bytes, its kind, and the range of an integer kind. */
interface FieldInfo {
  readonly name: string;
  readonly key: Uint8Array;
  readonly kind: FieldKind;
  readonly min: number;
  readonly max: number;
}

interface SourceInfo {
  readonly name: string;
  readonly key: Uint8Array;
  readonly fields: readonly FieldInfo[];
  /** Makers of the values object, by the bit set of the fields a line gives (an object literal per set keeps one shape). */
  readonly makers: Map<number, Maker>;
  /** The set the last line gave, and its maker: most files give the same fields on every line. */
  lastMask: number;
  lastMaker: Maker | null;
}

type Maker = (v: readonly FieldValue[]) => Record<string, FieldValue>;

/** At most this many fields per data source (a bit each in a 31-bit set). */
const MAX_FIELDS = 31;

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
/** A name the parser matches byte for byte, and that an object literal can carry as a plain key. */
const isAsciiName = (s: string): boolean => /^[\x20-\x7e]*$/.test(s) && !s.includes('"') && !s.includes("\\") && s !== "__proto__";

const INT_RANGE: Partial<Record<FieldKind, readonly [number, number]>> = {
  [FieldKind.Int8]: [-(2 ** 7), 2 ** 7 - 1],
  [FieldKind.Int16]: [-(2 ** 15), 2 ** 15 - 1],
  [FieldKind.Int32]: [-(2 ** 31), 2 ** 31 - 1],
  [FieldKind.Uint8]: [0, 2 ** 8 - 1],
  [FieldKind.Uint16]: [0, 2 ** 16 - 1],
  [FieldKind.Uint32]: [0, 2 ** 32 - 1],
  // 64-bit integers as numbers only while exact; larger ones take the general path (BigInt).
  [FieldKind.Int64]: [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  [FieldKind.Uint64]: [0, Number.MAX_SAFE_INTEGER],
};

function sourceInfo(d: DataSourceDecl): SourceInfo | null {
  const names = Object.keys(d.fields);
  if (d.type !== "single" || names.length > MAX_FIELDS || !isAsciiName(d.name) || !names.every(isAsciiName)) return null;
  const fields = names.map((name): FieldInfo => {
    const kind = fieldKindFromName(d.fields[name]);
    const range = INT_RANGE[kind] ?? [0, 0];
    return { name, key: ascii(name), kind, min: range[0], max: range[1] };
  });
  return { name: d.name, key: ascii(d.name), fields, makers: new Map(), lastMask: -1, lastMaker: null };
}

/** The function that builds a values object with the fields of bit set `mask`, in declaration order. */
function makerFor(info: SourceInfo, mask: number): Maker {
  if (mask === info.lastMask) return info.lastMaker!;
  let make = info.makers.get(mask);
  if (make === undefined) {
    const props = info.fields.flatMap((f, i) => ((mask >>> i) & 1 ? [`${JSON.stringify(f.name)}: v[${i}]`] : []));
    make = new Function("v", `return { ${props.join(", ")} };`) as Maker;
    info.makers.set(mask, make);
  }
  info.lastMask = mask;
  info.lastMaker = make;
  return make;
}

const isSpace = (b: number): boolean => b === 0x20 || b === 0x09 || b === 0x0d || b === 0x0a;

/**
 * Parses event lines from bytes. `sources` are every data source an event may
 * name (the file's declarations and predeclared ones); `fast` the names of
 * those whose events this parser reads (the file's single data sources: a
 * tracer's events go through the general path).
 */
export class EventLineParser {
  private readonly infos: (SourceInfo | null)[];
  /** The data source of an event without `ds`: the only one, when there is one. */
  private readonly only: SourceInfo | null;
  private readonly values: FieldValue[] = [];
  /** Parse position, and the start and end of the last string or number read. */
  private p = 0;
  private s = 0;

  constructor(sources: readonly DataSourceDecl[], fast: ReadonlySet<string>) {
    this.infos = sources.map((d) => (fast.has(d.name) ? sourceInfo(d) : null));
    this.only = sources.length === 1 ? this.infos[0] : null;
  }

  /** Whether any data source has a fast path. */
  get useful(): boolean {
    return this.infos.some((i) => i !== null);
  }

  /** The event of line `b[start, end)`, or null when the line is not one this parser decides (see above). */
  parse(b: Uint8Array, start: number, end: number): InputEvent | null {
    this.p = start;
    if (this.skip(b, end) !== OPEN) return null;
    this.p++;
    let info: SourceInfo | null = null;
    let values: Record<string, FieldValue> | null = null;
    /** Where the values object starts when it came before ds (it is read once ds is known). */
    let valuesAt = -1;
    for (let first = true; ; first = false) {
      let c = this.skip(b, end);
      if (c === CLOSE && first) return null;
      if (!first) {
        if (c === CLOSE) break;
        if (c !== COMMA) return null;
        this.p++;
        c = this.skip(b, end);
      }
      if (c !== QUOTE || !this.string(b, end)) return null;
      const keyStart = this.s;
      const keyLength = this.p - 1 - keyStart;
      if (this.skip(b, end) !== COLON) return null;
      this.p++;
      if (keyLength === 2 && b[keyStart] === 0x64 && b[keyStart + 1] === 0x73) {
        // "ds"
        if (info !== null || this.skip(b, end) !== QUOTE || !this.string(b, end)) return null;
        info = this.sourceNamed(b, this.s, this.p - 1);
        if (info === null) return null;
      } else if (keyLength === 6 && equalsAt(b, keyStart, VALUES_KEY)) {
        if (values !== null || valuesAt !== -1 || this.skip(b, end) !== OPEN) return null;
        if (info !== null) {
          values = this.record(b, end, info);
          if (values === null) return null;
        } else {
          valuesAt = this.p;
          if (!this.skipObject(b, end)) return null;
        }
      } else {
        return null;
      }
    }
    this.p++;
    if (this.skip(b, end) !== -1) return null;
    if (values === null) {
      if (valuesAt === -1) return null;
      info ??= this.only;
      if (info === null) return null;
      this.p = valuesAt;
      values = this.record(b, end, info);
      if (values === null) return null;
    }
    return { ds: info!.name, values };
  }

  /** The byte at the first non-space position from `p` (p moves there), or -1 at `end`. */
  private skip(b: Uint8Array, end: number): number {
    let p = this.p;
    while (p < end && isSpace(b[p])) p++;
    this.p = p;
    return p < end ? b[p] : -1;
  }

  /**
   * Reads a string at `p` (a quote) of printable ASCII without escapes: its
   * bytes are `[s, p - 1)` after, p past the closing quote. False otherwise.
   */
  private string(b: Uint8Array, end: number): boolean {
    let p = this.p + 1;
    this.s = p;
    for (; p < end; p++) {
      const c = b[p];
      if (c === QUOTE) {
        this.p = p + 1;
        return true;
      }
      if (c === BACKSLASH || c < 0x20 || c > 0x7e) return false;
    }
    return false;
  }

  /** Skips an object of flat values (the values object, before ds is known): false on anything nested or odd. */
  private skipObject(b: Uint8Array, end: number): boolean {
    this.p++;
    while (this.p < end) {
      const c = b[this.p];
      if (c === CLOSE) {
        this.p++;
        return true;
      }
      if (c === QUOTE) {
        if (!this.string(b, end)) return false;
      } else if (c === OPEN || c === 0x5b || c > 0x7e) {
        return false;
      } else {
        this.p++;
      }
    }
    return false;
  }

  private sourceNamed(b: Uint8Array, start: number, stop: number): SourceInfo | null {
    const infos = this.infos;
    for (let i = 0; i < infos.length; i++) {
      const info = infos[i];
      if (info !== null && info.key.length === stop - start && equalsAt(b, start, info.key)) return info;
    }
    return null;
  }

  /** Reads the values object at `p` (its `{`) into a fresh values object; null when a key or value is not for the fast path. */
  private record(b: Uint8Array, end: number, info: SourceInfo): Record<string, FieldValue> | null {
    const fields = info.fields;
    const values = this.values;
    let mask = 0;
    this.p++;
    for (let first = true; ; first = false) {
      let c = this.skip(b, end);
      if (c === CLOSE) break;
      if (!first) {
        if (c !== COMMA) return null;
        this.p++;
        c = this.skip(b, end);
      }
      if (c !== QUOTE || !this.string(b, end)) return null;
      const i = fieldAt(fields, b, this.s, this.p - 1);
      if (i === -1 || (mask >>> i) & 1) return null;
      if (this.skip(b, end) !== COLON) return null;
      this.p++;
      this.skip(b, end);
      const v = this.value(b, end, fields[i]);
      if (v === undefined) return null;
      values[i] = v;
      mask |= 1 << i;
    }
    this.p++;
    return makerFor(info, mask)(values);
  }

  /** The value at `p` for field `f`, or undefined when it is not one the fast path takes. */
  private value(b: Uint8Array, end: number, f: FieldInfo): FieldValue | undefined {
    const c = b[this.p];
    switch (f.kind) {
      case FieldKind.String:
      case FieldKind.CString:
        if (c !== QUOTE || !this.string(b, end)) return undefined;
        return copyOf(b, this.s, this.p - 1);
      case FieldKind.Bool:
        if (c === 0x74 && this.word(b, end, TRUE)) return true;
        if (c === 0x66 && this.word(b, end, FALSE)) return false;
        return undefined;
      case FieldKind.Float32:
      case FieldKind.Float64: {
        if (!this.number(b, end, true)) return undefined;
        let text = "";
        for (let i = this.s; i < this.p; i++) text += String.fromCharCode(b[i]);
        const n = Number(text);
        // A float32 out of its range is the general path's error to give.
        if (f.kind === FieldKind.Float32 && Number.isFinite(n) && !Number.isFinite(Math.fround(n))) return undefined;
        return n;
      }
      case FieldKind.Bytes:
        return undefined;
      default: {
        if (!this.number(b, end, false)) return undefined;
        const negative = b[this.s] === MINUS;
        let n = 0;
        for (let i = negative ? this.s + 1 : this.s; i < this.p; i++) n = n * 10 + (b[i] - ZERO);
        if (negative) n = -n;
        return n >= f.min && n <= f.max ? n : undefined;
      }
    }
  }

  /** Whether `word` is at `p` and ends there; p moves past it. */
  private word(b: Uint8Array, end: number, word: Uint8Array): boolean {
    if (this.p + word.length > end || !equalsAt(b, this.p, word)) return false;
    this.p += word.length;
    return this.ends(b, end);
  }

  /**
   * A JSON number at `p` (`[s, p)` after): integers of at most 16 digits
   * unless `fraction`, no leading zero; it must end at a delimiter.
   */
  private number(b: Uint8Array, end: number, fraction: boolean): boolean {
    let p = this.p;
    this.s = p;
    if (p < end && b[p] === MINUS) p++;
    const digits = p;
    if (p >= end || b[p] < ZERO || b[p] > NINE) return false;
    if (b[p] === ZERO) p++;
    else while (p < end && b[p] >= ZERO && b[p] <= NINE) p++;
    // 16 digits hold every exact integer; a larger value computes above the largest exact one, out of range.
    if (!fraction && p - digits > 16) return false;
    if (fraction) {
      if (p < end && b[p] === 0x2e) {
        p++;
        const at = p;
        while (p < end && b[p] >= ZERO && b[p] <= NINE) p++;
        if (p === at) return false;
      }
      if (p < end && (b[p] === 0x65 || b[p] === 0x45)) {
        p++;
        if (p < end && (b[p] === 0x2b || b[p] === MINUS)) p++;
        const at = p;
        while (p < end && b[p] >= ZERO && b[p] <= NINE) p++;
        if (p === at) return false;
      }
    }
    this.p = p;
    return this.ends(b, end);
  }

  /** Whether a value ends at `p`: a space, a comma or the closing brace follows. */
  private ends(b: Uint8Array, end: number): boolean {
    if (this.p >= end) return false;
    const c = b[this.p];
    return c === COMMA || c === CLOSE || isSpace(c);
  }
}

const VALUES_KEY = ascii("values");
const TRUE = ascii("true");
const FALSE = ascii("false");

/**
 * A copy of `b[start, stop)`: the line's buffer is reused once the event is
 * emitted. (A short copy costs less than a view into the large buffer.)
 */
function copyOf(b: Uint8Array, start: number, stop: number): Uint8Array {
  const out = new Uint8Array(stop - start);
  for (let i = start; i < stop; i++) out[i - start] = b[i];
  return out;
}

function equalsAt(b: Uint8Array, at: number, key: Uint8Array): boolean {
  for (let i = 0; i < key.length; i++) if (b[at + i] !== key[i]) return false;
  return true;
}

/** The index of the field named by `b[start, stop)`, or -1. */
function fieldAt(fields: readonly FieldInfo[], b: Uint8Array, start: number, stop: number): number {
  const length = stop - start;
  for (let i = 0; i < fields.length; i++) {
    const key = fields[i].key;
    if (key.length === length && equalsAt(b, start, key)) return i;
  }
  return -1;
}
