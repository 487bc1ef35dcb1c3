/**
 * The fast paths of `igwasm run`'s streaming: event lines parsed from their
 * bytes (cli/event-line-parser.ts) and compact JSON records written as bytes
 * (jsonRecordWriter in cli/ig-json.ts). Each must give exactly what the
 * general path gives, or (the parser) decline the line.
 */
import { describe, expect, it } from "vitest";
import { EventLineParser } from "../cli/event-line-parser.js";
import { jsonLineEvent, type DataSourceDecl, type InputEvent } from "../cli/events.js";
import { jsonFormatter, jsonRecordWriter, type ByteOutput } from "../cli/ig-json.js";
import { loadGadget, type EventView, type FieldValue } from "../runtime/index.js";
import { wat } from "./helpers/wat.js";

const EVENTS: DataSourceDecl = {
  name: "events",
  type: "single",
  fields: { pid: "uint32", comm: "string", neg: "int8", big: "uint64", s64: "int64", ok: "bool", f: "float64", g: "float32", c: "cstring", raw: "bytes" },
};
const BATCH: DataSourceDecl = { name: "batch", type: "array", fields: { n: "uint32" } };
const TRACER: DataSourceDecl = { name: "tracer", type: "single", fields: { pid: "uint32" } };

const utf8 = new TextEncoder();
const text = new TextDecoder();

/** What the general path makes of a line: its event, or its error message. */
function general(line: string, decls: readonly DataSourceDecl[]): InputEvent | string | null {
  try {
    return jsonLineEvent(line, new Map(decls.map((d) => [d.name, d])), () => "f:1");
  } catch (e) {
    return (e as Error).message;
  }
}

/**
 * Values as the record gets them: strings as text (the fast path hands over their bytes), 64-bit
 * integers as numbers (the fast path gives numbers while exact; the fill writes the same bytes).
 */
function comparable(ev: InputEvent | null): unknown {
  if (ev === null) return null;
  const values = ev.values as Record<string, FieldValue>;
  const plain = (v: FieldValue): unknown => (v instanceof Uint8Array ? text.decode(v) : typeof v === "bigint" ? Number(v) : v);
  return { ds: ev.ds, values: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, plain(v)])) };
}

function fast(line: string, decls: readonly DataSourceDecl[] = [EVENTS, BATCH, TRACER], fastNames = ["events", "batch"]): InputEvent | null {
  // The line sits inside a larger buffer, as in the reader's chunk.
  const bytes = utf8.encode(`xx\n${line}\nyy`);
  return new EventLineParser(decls, new Set(fastNames)).parse(bytes, 3, bytes.length - 3);
}

describe("EventLineParser", () => {
  const TAKEN = [
    '{"ds":"events","values":{"pid":4294967295,"comm":"bash","neg":-128}}',
    '{"values":{"comm":"a b:c,d}e{f[g]","pid":0},"ds":"events"}',
    ' { "ds" : "events" ,\t"values" : { "pid" : 7 , "ok" : true , "c" : "x" } } \r',
    '{"ds":"events","values":{"big":9007199254740991,"s64":-9007199254740991,"ok":false}}',
    '{"ds":"events","values":{"f":-1.5e-3,"g":3.25,"pid":10}}',
    '{"ds":"events","values":{"f":0,"g":-0.0}}',
    '{"ds":"events","values":{}}',
  ];
  it.each(TAKEN)("takes %s, with the general path's values", (line) => {
    const ev = fast(line);
    expect(ev).not.toBeNull();
    expect(comparable(ev)).toEqual(comparable(general(line.trim(), [EVENTS, BATCH, TRACER]) as InputEvent));
  });

  it("takes an event without ds when one data source exists, and hands strings over as bytes", () => {
    const ev = fast('{"values":{"pid":1,"comm":"sh"}}', [EVENTS], ["events"])!;
    expect(ev.ds).toBe("events");
    expect((ev.values as Record<string, FieldValue>).comm).toEqual(utf8.encode("sh"));
  });

  // Each declined line goes to the general path, which reads it or reports it.
  const DECLINED = [
    '{"ds":"events","values":{"comm":"tab\\there"}}', // an escape
    '{"ds":"events","values":{"comm":"héllo"}}', // non-ASCII
    '{"ds":"events","values":{"pid":1.0}}', // a fraction for an integer field
    '{"ds":"events","values":{"pid":1e3}}',
    '{"ds":"events","values":{"pid":"12"}}', // a decimal string
    '{"ds":"events","values":{"pid":4294967296}}', // out of range
    '{"ds":"events","values":{"neg":-129}}',
    '{"ds":"events","values":{"big":9007199254740992}}', // past 2^53: BigInt on the general path
    '{"ds":"events","values":{"big":-1}}',
    '{"ds":"events","values":{"pid":01}}', // not JSON
    '{"ds":"events","values":{"pid":1,"pid":2}}', // a repeated key
    '{"ds":"events","values":{"nope":1}}', // an unknown field
    '{"ds":"events","values":{"pid":1},"extra":1}', // an unknown key
    '{"ds":"events","ds":"events","values":{}}',
    '{"ds":"events","values":{"raw":"AQID"}}', // bytes
    '{"ds":"events","values":{"ok":1}}',
    '{"ds":"events","values":{"pid":null}}',
    '{"ds":"events","values":{"pid":1}} x', // trailing text
    '{"ds":"events","values":{"pid":1}', // cut short
    '{"ds":"events","values":{"pid":1,}}',
    '{"ds":"events"}', // no values
    '{"ds":"batch","values":[{"n":1}]}', // an array data source
    '{"ds":"tracer","values":{"pid":1}}', // not a fast data source
    '{"ds":"nope","values":{}}',
    '{"values":{"pid":1}}', // no ds, several data sources
    '{"dataSource":{"name":"late","fields":{"a":"uint8"}}}',
    "# a comment",
    "",
    "{}",
    '{"ds":"events","values":{"g":1e39}}', // float32 out of range: the general path's error
  ];
  it.each(DECLINED)("declines %s", (line) => {
    expect(fast(line)).toBeNull();
  });
});

/** A host data source with every kind, and the JS values of a few events for it. */
const KINDS = { s: "string", c: "cstring", raw: "bytes", u8: "uint8", i16: "int16", u32: "uint32", i32: "int32", u64: "uint64", i64: "int64", f32: "float32", f64: "float64", ok: "bool" } as const;
const RECORDS: Record<string, FieldValue>[] = [
  { s: "plain", c: "cstr", raw: new Uint8Array([0, 1, 0xab, 0xff]), u8: 255, i16: -32768, u32: 4294967295, i32: -2147483648, u64: 18446744073709551615n, i64: -9223372036854775808n, f32: 0.1, f64: 1e21, ok: true },
  { s: 'q"b\\s\n\t\u0001<>&\u2028\u2029é😀', c: "a\u0000b", raw: new Uint8Array(), u8: 0, i16: 0, u32: 0, i32: -1, u64: 9007199254740993n, i64: -9007199254740991n, f32: -0, f64: NaN, ok: false },
  { s: "", c: "", f32: 3.4028234663852886e38, f64: -Infinity, u32: 1234567890, f64x: undefined } as unknown as Record<string, FieldValue>,
  { s: new Uint8Array([0x61, 0xff, 0xfe, 0x62]), c: new Uint8Array([0xc3, 0x28]), f64: 5e-7, i64: 123456789012345n },
];

describe("jsonRecordWriter", () => {
  it("writes what jsonFormatter writes, for every kind, escapes and invalid UTF-8 included, in a buffer that fills up", async () => {
    const gadget = await loadGadget(await wat(`(module (memory (export "memory") 1) (func (export "gadgetAPIVersion") (result i64) (i64.const 1)))`), { logSink: () => {} });
    const ds = gadget.dataSources.declare("k", { fields: KINDS });
    const accessors = ds.accessors();
    const formatter = jsonFormatter(accessors, false);
    const writer = jsonRecordWriter(accessors, '{"ds":"k","data":', "}\n");
    // A small buffer, written out often: records never straddle two chunks.
    const chunks: string[] = [];
    let buf = Buffer.alloc(64);
    const out: ByteOutput = {
      pos: 0,
      reserve(bytes) {
        if (out.pos + bytes > buf.length) {
          chunks.push(buf.toString("utf8", 0, out.pos));
          out.pos = 0;
          if (bytes > buf.length) buf = Buffer.alloc(bytes);
        }
        return buf;
      },
      done() {},
    };
    const expected: string[] = [];
    ds.subscribe((ev: EventView) => {
      expected.push(`{"ds":"k","data":${formatter.record(ev)}}\n`);
      writer(ev, out);
    });
    for (const r of RECORDS) ds.emit(Object.fromEntries(Object.entries(r).filter(([k]) => k in KINDS)));
    chunks.push(buf.toString("utf8", 0, out.pos));
    expect(chunks.join("")).toBe(expected.join(""));
    expect(expected[1]).toContain('"s":"q\\"b\\\\s\\n\\t\\u0001<>&\\u2028\\u2029é😀"');
    expect(expected[3]).toContain('"s":"a\uFFFD\uFFFDb"');
    expect(() => ds.field("u32").storedBytes({ slot: 0, addr: 0 })).toThrow('field "u32" is Uint32, not a variable-length field');
  });
});
