/**
 * Replaying `ig run -o json` captures (issue 10 item 4): `igwasm run
 * --replay` streams a capture in IG's format into a data source, with nested
 * fields flattened, hex bytes decoded, 64-bit integers exact and unknown
 * fields reported once; malformed lines are reported with file:line.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { captureEvent } from "../cli/replay.js";
import { buildExample } from "../scripts/build-examples.js";
import { cli } from "./helpers/cli.js";

const BUILD = "test/.build/cli-replay";
const FIXTURES = "test/fixtures/replay";
let enricher = "";

beforeAll(async () => {
  mkdirSync(BUILD, { recursive: true });
  enricher = join(BUILD, "enricher.wasm");
  await buildExample("enricher", enricher);
});

describe("igwasm run --replay", () => {
  it("emits each captured line into the data source; the fields the gadget adds are reported once and ignored", async () => {
    const capture = `${FIXTURES}/enricher-capture.jsonl`;
    const r = await cli("run", enricher, "--events", `${FIXTURES}/events.yaml`, "--replay", capture);
    expect(r.err.split("\n")).toEqual([
      "info: enricher ready",
      `igwasm: ${capture}:1: field comm_upper is not a field of events; ignored (reported once)`,
      `igwasm: ${capture}:1: field k8s.namespace is not a field of events; ignored (reported once)`,
      `igwasm: ${capture}:1: field k8s.node is not a field of events; ignored (reported once)`,
      `igwasm: ${capture}:1: field k8s.podName is not a field of events; ignored (reported once)`,
      `igwasm: ${capture}:1: field pid_plus_ppid is not a field of events; ignored (reported once)`,
      "",
    ]);
    // The gadget computes again what the capture had: replaying IG's output gives IG's output.
    expect(r.out).toBe(
      '{"ds":"events","data":{"comm":"bash","comm_upper":"BASH","pid":1200,"pid_plus_ppid":1201,"ppid":1}}\n' +
        '{"ds":"events","data":{"comm":"curl","comm_upper":"CURL","pid":4242,"pid_plus_ppid":5442,"ppid":1200}}\n' +
        '{"ds":"events","data":{"comm":"12345678901234567890","comm_upper":"12345678901234567890","pid":4294967295,"pid_plus_ppid":8589934590,"ppid":4294967295}}\n',
    );
    expect(r.code).toBe(0);
  });

  it("replays after the events of --events; an array data source takes a JSON array a line, uint64 exact, bytes from hex", async () => {
    const events = join(BUILD, "both.yaml");
    writeFileSync(
      events,
      [
        "dataSources:",
        "  - { name: events, fields: { pid: uint32, comm: string, ppid: uint32 } }",
        "  - { name: other, type: array, fields: { big: uint64, raw: bytes } }",
        "events:",
        "  - { ds: events, values: { pid: 1, comm: init, ppid: 0 } }",
      ].join("\n"),
    );
    const capture = join(BUILD, "other.jsonl");
    writeFileSync(capture, '[{"big":18446744073709551615,"raw":"010203"},{"big":9007199254740993,"raw":""}]\n\n[]\n');
    const r = await cli("run", enricher, "--events", events, "--replay", capture, "--replay-ds", "other");
    expect(r.err).toBe("info: enricher ready\n");
    expect(r.out).toBe(
      '{"ds":"events","data":{"comm":"init","comm_upper":"INIT","pid":1,"pid_plus_ppid":1,"ppid":0}}\n' +
        '{"ds":"other","data":[{"big":18446744073709551615,"raw":"010203"},{"big":9007199254740993,"raw":""}]}\n' +
        '{"ds":"other","data":[]}\n',
    );
    expect(r.code).toBe(0);
  });

  it("is streamed: a malformed line fails the run with file:line after the lines before it were emitted", async () => {
    const capture = join(BUILD, "bad.jsonl");
    writeFileSync(capture, '{"pid":7,"comm":"a","ppid":1}\n{"pid":8,"comm":"b",\n{"pid":9,"comm":"c","ppid":1}\n');
    const r = await cli("run", enricher, "--events", `${FIXTURES}/events.yaml`, "--replay", capture);
    expect(r.out).toBe('{"ds":"events","data":{"comm":"a","comm_upper":"A","pid":7,"pid_plus_ppid":8,"ppid":1}}\n');
    expect(r.err).toMatch(new RegExp(`^info: enricher ready\\nigwasm: ${capture}:2: not valid JSON: [^\\n]+\\n$`));
    expect(r.code).toBe(1);
  });

  it("names the line, the field and what IG prints for a value that does not fit", async () => {
    const capture = join(BUILD, "bad-values.jsonl");
    const events = `${FIXTURES}/events.yaml`;
    writeFileSync(capture, '{"pid":1,"comm":"a","ppid":1}\n# a comment\n[{"pid":1}]\n');
    let r = await cli("run", enricher, "--events", events, "--replay", capture);
    expect(r.err).toBe(`info: enricher ready\nigwasm: ${capture}:3: expected one JSON object a line, as ig run -o json prints for a single data source\n`);
    expect(r.code).toBe(1);
    writeFileSync(capture, '{"pid":-1,"comm":"a","ppid":1}\n');
    r = await cli("run", enricher, "--events", events, "--replay", capture);
    expect(r.err).toBe(`info: enricher ready\nigwasm: ${capture}:1: field pid: expected an integer in the uint32 range 0..4294967295, got -1\n`);
    expect(r.code).toBe(1);
  });

  it("needs --replay-ds when the capture could be of several data sources, and refuses an unknown one", async () => {
    const events = join(BUILD, "two.yaml");
    writeFileSync(events, "dataSources:\n  - { name: events, fields: { pid: uint32, comm: string, ppid: uint32 } }\n  - { name: other, fields: { n: uint8 } }\n");
    const capture = `${FIXTURES}/enricher-capture.jsonl`;
    let r = await cli("run", enricher, "--events", events, "--replay", capture);
    expect(r).toEqual({ code: 2, out: "", err: "igwasm: --replay needs --replay-ds: ig run -o json lines do not name their data source, and the gadget has 2 input data sources (events, other)\n" });
    r = await cli("run", enricher, "--events", events, "--replay", capture, "--replay-ds", "nope");
    expect(r.err).toBe("igwasm: --replay-ds nope: no such input data source (events, other: the image's tracers and those the events file declares)\n");
    r = await cli("run", enricher, "--events", events, "--replay", join(BUILD, "missing.jsonl"), "--replay-ds", "events");
    expect(r).toEqual({ code: 1, out: "", err: `igwasm: capture ${join(BUILD, "missing.jsonl")} does not exist\n` });
    r = await cli("run", enricher, "--replay-ds", "events");
    expect(r.code).toBe(2);
  });
});

describe("a capture line", () => {
  const decl = { name: "ev", type: "single" as const, fields: { big: "int64" as const, s: "string" as const, "a.b": "bytes" as const, f: "float64" as const } };

  it("keeps long integers exact outside strings only, flattens nested objects and decodes hex", () => {
    const unknown: string[] = [];
    const ev = captureEvent('{"a":{"b":"00ff"},"big":-9223372036854775808,"f":12345678901234567.5,"s":"x\\"1234567890123456789","z":{"y":1}}', "c:1", decl, new Set(), (f) => unknown.push(f));
    expect(ev).toEqual({ ds: "ev", values: { "a.b": Uint8Array.of(0, 255), big: -9223372036854775808n, f: 12345678901234567.5, s: 'x"1234567890123456789' } });
    expect(unknown).toEqual(["z.y"]);
    expect(() => captureEvent('{"a":{"b":"0g"}}', "c:2", decl, new Set(), () => {})).toThrow('c:2: field a.b: expected hex text, as ig run -o json prints bytes, got "0g"');
  });
});
