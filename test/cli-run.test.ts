/**
 * `igwasm run`: each example gadget built from examples/<name>/gadget.ts and
 * run on its events.yaml must print exactly examples/<name>/expected.jsonl;
 * the same through a gadget image tarball built here, through the embedded
 * copy, and in a child process. Bad input gives a one-line error and a
 * non-zero exit.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { embeddedExamples } from "../cli/embedded/examples.js";
import { cli } from "./helpers/cli.js";
import { writeGadgetImage } from "../cli/tar-writer.js";
import { buildExample, exampleNames } from "../scripts/build-examples.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const BUILD = join(ROOT, "test/.build/cli-run");
const EXAMPLES = ["enricher", "filter", "emitter"] as const;
const built = new Map<string, string>();

const ex = (name: string, file: string): string => join(ROOT, "examples", name, file);
const expected = (name: string): string => readFileSync(ex(name, "expected.jsonl"), "utf8");


beforeAll(async () => {
  mkdirSync(BUILD, { recursive: true });
  for (const name of exampleNames()) {
    const out = join(BUILD, `${name}.wasm`);
    await buildExample(name, out);
    built.set(name, out);
  }
});

describe("igwasm run: examples", () => {
  it("has the three examples", () => {
    expect(exampleNames()).toEqual([...EXAMPLES].sort());
  });

  for (const name of EXAMPLES) {
    it(`${name}: prints exactly expected.jsonl`, async () => {
      const r = await cli("run", built.get(name)!, "--events", ex(name, "events.yaml"), "--metadata", ex(name, "gadget.yaml"));
      expect(r.err).not.toMatch(/^(error|warn):/m);
      expect(r.code).toBe(0);
      expect(r.out).toBe(expected(name));
    });

    it(`${name}: the embedded copy is the current build and prints the same`, async () => {
      const embedded = embeddedExamples.find((e) => e.name === name)!;
      expect(Buffer.from(embedded.wasmBase64, "base64").equals(readFileSync(built.get(name)!)), "cli/embedded/examples.ts is stale: run npm run build:examples").toBe(true);
      expect(embedded.eventsYaml).toBe(readFileSync(ex(name, "events.yaml"), "utf8"));
      const r = await cli("run", "--example", name);
      expect(r.code).toBe(0);
      expect(r.out).toBe(expected(name));
    });
  }

  it("runs the enricher without arguments", async () => {
    const r = await cli("run");
    expect(r.code).toBe(0);
    expect(r.out).toBe(expected("enricher"));
    expect(r.err).toBe("info: enricher ready\n");
  });

  it("passes params; a param overrides the metadata default", async () => {
    const r = await cli("run", built.get("filter")!, "--events", ex("filter", "events.yaml"), "--metadata", ex("filter", "gadget.yaml"), "--param", "min_pid=2000");
    expect(r.code).toBe(0);
    expect(r.out).toBe('{"ds":"filtered","data":{"comm":"curl","pid":4242}}\n');
    const noMeta = await cli("run", built.get("filter")!, "--events", ex("filter", "events.yaml"), "-p", "min_pid=1");
    expect(noMeta.out.split("\n").filter(Boolean)).toHaveLength(4);
  });

  it("prints unreferenced data sources with --all", async () => {
    const r = await cli("run", "--example", "filter", "--all");
    expect(r.code).toBe(0);
    expect(r.out.split("\n").filter((l) => l.startsWith('{"ds":"events"'))).toHaveLength(4);
  });

  it("prints IG's columns with -o columns (and -o table, its old name)", async () => {
    const r = await cli("run", "--example", "emitter", "-o", "columns", "--param", "count=2");
    expect(r.code).toBe(0);
    const cell = (s: string): string => s.padEnd(16);
    // Single data source: the header once, after init; array packets: the header before each packet.
    expect(r.out).toBe(
      [
        [cell("SEQ"), cell("LABEL"), cell("EVEN"), cell("RATIO")].join(" "),
        [cell("0"), cell("event #0"), cell("true"), cell("0")].join(" "),
        [cell("1"), cell("event #1"), cell("false"), cell("0")].join(" "),
        [cell("INDEX"), cell("SQUARE"), cell("DELTA")].join(" "),
        [cell("0"), cell("0"), cell("-1")].join(" "),
        [cell("1"), cell("1"), cell("0")].join(" "),
        "",
      ].join("\n"),
    );
    expect((await cli("run", "--example", "emitter", "-o", "table", "--param", "count=2")).out).toBe(r.out);
  });

  it("reads events as JSON lines, with 64-bit values and bytes", async () => {
    const file = join(BUILD, "events.jsonl");
    writeFileSync(
      file,
      [
        '{"dataSource": {"name": "events", "fields": {"pid": "uint32", "comm": "string", "ppid": "uint32"}}}',
        '{"dataSource": {"name": "other", "type": "array", "fields": {"big": "uint64", "raw": "bytes"}}}',
        '{"ds": "events", "values": {"pid": 10, "comm": "a", "ppid": 20}}',
        '{"ds": "other", "values": [{"big": "18446744073709551615", "raw": "AQID"}, {"big": 7, "raw": [255]}]}',
      ].join("\n"),
    );
    const r = await cli("run", built.get("enricher")!, "--events", file);
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      '{"ds":"events","data":{"comm":"a","comm_upper":"A","pid":10,"pid_plus_ppid":30,"ppid":20}}\n' +
        '{"ds":"other","data":[{"big":18446744073709551615,"raw":"010203"},{"big":7,"raw":"ff"}]}\n',
    );
  });

  it("logs at the requested level to stderr", async () => {
    const quiet = await cli("run", "--example", "filter", "--log-level", "error");
    expect(quiet.err).toBe("");
    const verbose = await cli("run", "--example", "filter", "--log-level", "debug");
    expect(verbose.err).toContain("debug: min_pid is 1000\n");
    expect(verbose.err).toContain("info: filter ready: min_pid=1000\n");
  });

  it("traces host calls with --trace", async () => {
    const r = await cli("run", "--example", "emitter", "--trace", "--param", "count=0");
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/ig\.newDataSource/);
  });
});

describe("igwasm run: gadget images", () => {
  const image = (name: string, extra: { multiArch?: string[] } = {}): Uint8Array =>
    writeGadgetImage({ wasm: readFileSync(built.get(name)!), metadataYaml: readFileSync(ex(name, "gadget.yaml"), "utf8"), ref: `ghcr.io/example/${name}:latest`, ...extra });

  it("runs the wasm layer of an OCI image tarball, with the image's param defaults", async () => {
    const tar = join(BUILD, "filter.tar");
    writeFileSync(tar, image("filter"));
    const r = await cli("run", tar, "--events", ex("filter", "events.yaml"));
    expect(r.code).toBe(0);
    expect(r.out).toBe(expected("filter"));
  });

  it("picks the host's architecture from a multi-arch image, and reads gzipped tarballs", async () => {
    const tar = join(BUILD, "emitter-multiarch.tar.gz");
    writeFileSync(tar, gzipSync(image("emitter", { multiArch: ["arm64", "amd64"] })));
    const r = await cli("run", tar, "--events", ex("emitter", "events.yaml"));
    expect(r.code).toBe(0);
    expect(r.out).toBe(expected("emitter"));
  });

  it("rejects a param the image does not declare", async () => {
    const tar = join(BUILD, "filter.tar");
    writeFileSync(tar, image("filter"));
    const r = await cli("run", tar, "--param", "nope=1");
    expect(r.code).toBe(2);
    expect(r.err).toBe(`igwasm: unknown param "nope": ${tar} declares min_pid\n`);
  });

  it("explains an image without a wasm layer", async () => {
    const { writeTar } = await import("../cli/tar-writer.js");
    const tar = join(BUILD, "empty.tar");
    writeFileSync(tar, writeTar([{ name: "oci-layout", data: "{}" }, { name: "index.json", data: '{"schemaVersion":2,"manifests":[]}' }]));
    const r = await cli("run", tar);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`igwasm: ${tar}: index.json lists no manifests\n`);
  });
});

describe("igwasm run: errors", () => {
  it("a missing file", async () => {
    const r = await cli("run", join(BUILD, "nope.wasm"));
    expect(r.code).toBe(1);
    expect(r.err).toBe(`igwasm: gadget ${join(BUILD, "nope.wasm")} does not exist\n`);
  });

  it("a file that is neither wasm nor a tarball", async () => {
    const file = join(BUILD, "garbage.wasm");
    writeFileSync(file, "hello, world\n");
    const r = await cli("run", file);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`igwasm: ${file} is neither a wasm module (no \\0asm header) nor a gadget image tarball\n`);
  });

  it("malformed wasm", async () => {
    const file = join(BUILD, "truncated.wasm");
    writeFileSync(file, readFileSync(built.get("emitter")!).subarray(0, 100));
    const r = await cli("run", file);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(`^igwasm: cannot load ${file}: not a valid wasm module: .+\\n$`));
    expect(r.err.trim().split("\n")).toHaveLength(1);
  });

  it("a bad --param", async () => {
    for (const [arg, message] of [
      ["min_pid", 'bad --param "min_pid": expected key=value'],
      ["=3", 'bad --param "=3": expected key=value'],
    ]) {
      const r = await cli("run", "--example", "filter", "--param", arg);
      expect(r.code).toBe(2);
      expect(r.err).toBe(`igwasm: ${message}\n`);
    }
  });

  it("a param the gadget rejects fails init", async () => {
    const r = await cli("run", "--example", "filter", "--param", "min_pid=abc");
    expect(r.code).toBe(1);
    expect(r.err).toBe("error: min_pid must be a number between 0 and 4294967295, got abc\nigwasm: example filter: init failed: gadgetInit returned 1\n");
  });

  it("bad options", async () => {
    expect((await cli("run", "--output", "xml")).err).toBe('igwasm: --output: unknown mode "xml" (modes: columns, json, jsonpretty, yaml, none, envelope)\n');
    expect((await cli("run", "--log-level", "loud")).err).toBe('igwasm: --log-level must be one of error, warn, info, debug, trace; got "loud"\n');
    expect((await cli("run", "--bogus")).err).toBe("igwasm: unknown option --bogus (see igwasm run --help)\n");
    expect((await cli("run", "--example", "nope")).err).toBe('igwasm: unknown example "nope" (built in: emitter, enricher, filter)\n');
    expect((await cli("run", "--events")).code).toBe(2);
  });

  it("a bad events file names the file, the event and the field", async () => {
    const file = join(BUILD, "bad-events.yaml");
    writeFileSync(file, "dataSources:\n  - { name: events, fields: { pid: uint32 } }\nevents:\n  - { ds: events, values: { pid: -1 } }\n");
    const r = await cli("run", built.get("enricher")!, "--events", file);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`igwasm: ${file}:4:5: events[0]: field pid: expected an integer in the uint32 range 0..4294967295, got -1\n`);
    writeFileSync(file, "dataSources:\n  - { name: events, fields: { pid: uint33 } }\n");
    expect((await cli("run", built.get("enricher")!, "--events", file)).err).toMatch(/^igwasm: .*bad-events\.yaml:2:5: dataSources\[0\] \(events\): field pid: unknown field kind "uint33"/);
    writeFileSync(file, "events:\n  - { ds: nope, values: {} }\n");
    expect((await cli("run", built.get("enricher")!, "--events", file)).err).toBe(`igwasm: ${file}:2:5: events[0]: data source nope is not declared (declared: none)\n`);
    // Malformed input is reported where it stands: a YAML syntax error, a bad JSON line.
    writeFileSync(file, "events:\n  - { ds: events, values: { pid: 1 }\n  - x: [\n");
    expect((await cli("run", built.get("enricher")!, "--events", file)).err).toMatch(new RegExp(`^igwasm: ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\\d+:\\d+: not valid YAML: `));
    const jsonl = join(BUILD, "bad-events.jsonl");
    writeFileSync(jsonl, '{"dataSource": {"name": "events", "fields": {"pid": "uint32"}}}\n{"ds": "events", "values": {"pid": 1}}\n{"ds": "events", "values": \n');
    // JSON lines are streamed: the events before the bad line have been delivered when it is reached.
    const streamed = await cli("run", "--example", "emitter", "--param", "count=0", "--events", jsonl);
    expect(streamed.code).toBe(1);
    expect(streamed.out).toContain('{"ds":"events","data":{"pid":1}}\n');
    expect(streamed.err).toMatch(new RegExp(`\\nigwasm: .*bad-events\\.jsonl:3: not valid JSON: [^\\n]+\\n$`));
  });

  it("a gadget that fails in init because the events lack its data source", async () => {
    const r = await cli("run", built.get("enricher")!);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`error: no data source named events\nigwasm: ${built.get("enricher")}: init failed: gadgetInit returned 1\n`);
  });
});

describe("igwasm run: as a process", () => {
  it("exits 0 and prints the embedded example's output", () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "cli/main.ts"), "run", "--example", "emitter"], { cwd: ROOT, encoding: "utf8" });
    expect(r.stderr).toBe("info: emitted 3 counter events and a batch of 3\n");
    expect(r.stdout).toBe(expected("emitter"));
    expect(r.status).toBe(0);
  });

  it("exits non-zero with a one-line message on a bad path", () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "cli/main.ts"), "run", "/no/such/gadget.wasm"], { cwd: ROOT, encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe("igwasm: gadget /no/such/gadget.wasm does not exist\n");
    expect(r.stdout).toBe("");
  });
});
