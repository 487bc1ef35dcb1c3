/**
 * `igwasm run`'s output modes, field selection, filters and sorting, checked
 * against what IG prints. The expected texts are written from IG's code and
 * tests at aeac857:
 *   json/jsonpretty  pkg/datasource/formatters/json/json.go
 *   yaml             pkg/operators/cli/clioperator_test.go (TestCliOperators' expectedYaml)
 *   columns          pkg/columns/formatter/textcolumns/{output,scaler}.go, pkg/datasource/columns.go
 *   --filter         pkg/operators/filter/filter.go (extractFilter's cases in filter_test.go)
 *   --sort           pkg/operators/sort/sort.go
 *   --fields         pkg/operators/cli/clioperator.go parseFields
 * The gadget is a WAT module that does nothing: every packet comes from the
 * host data sources the events file declares.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { bufferIO, main } from "../cli/main.js";
import { YAML_MAX_BYTES } from "../cli/events.js";
import { goQuoteInner, scaleWidths } from "../cli/ig-columns.js";
import { parseRule } from "../cli/ig-filter.js";
import { wat } from "./helpers/wat.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const BUILD = join(ROOT, "test/.build/cli-output");
let gadget = "";

/** An events file (JSON lines) with the given declarations and events. */
function events(name: string, lines: readonly object[]): string {
  const file = join(BUILD, name);
  writeFileSync(file, lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
  return file;
}

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  return runOn(0, ...argv);
}

async function runOn(terminalWidth: number, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = bufferIO(terminalWidth);
  const code = await main(["run", gadget, ...argv], io);
  return { code, out: io.out, err: io.err };
}

const KINDS = { zeta: "string", alpha: "uint64", mid: "float32", raw: "bytes", flag: "bool", neg: "int8" };
let kinds = "";
let procs = "";
let batch = "";

beforeAll(async () => {
  mkdirSync(BUILD, { recursive: true });
  gadget = join(BUILD, "nothing.wasm");
  writeFileSync(gadget, await wat(`(module (memory (export "memory") 1) (func (export "gadgetAPIVersion") (result i64) (i64.const 1)))`));
  kinds = events("kinds.jsonl", [
    { dataSource: { name: "k", fields: KINDS } },
    { ds: "k", values: { zeta: 'a"b\\c\u0001<>&\u2028', alpha: "18446744073709551615", mid: 0.1, raw: "AQL/", flag: true, neg: -128 } },
  ]);
  procs = events("procs.jsonl", [
    { dataSource: { name: "procs", fields: { pid: "uint32", comm: "string", ppid: "uint32", root: "bool", load: "float64" } } },
    { ds: "procs", values: { pid: 1, comm: "systemd", ppid: 0, root: true, load: 0.5 } },
    { ds: "procs", values: { pid: 300, comm: "dnsmasq", ppid: 1, root: false, load: 2.5 } },
    { ds: "procs", values: { pid: 4242, comm: "bash", ppid: 1, root: false, load: 1.25 } },
    { ds: "procs", values: { pid: 4243, comm: "a very long command name", ppid: 4242, root: false, load: -3 } },
  ]);
  batch = events("batch.jsonl", [
    { dataSource: { name: "procs", fields: { pid: "uint32", comm: "string" } } },
    { dataSource: { name: "batch", type: "array", fields: { n: "int32", name: "string" } } },
    { ds: "batch", values: [{ n: 2, name: "b" }, { n: -1, name: "c" }, { n: 2, name: "a" }] },
    { ds: "batch", values: [] },
    { ds: "procs", values: { pid: 7, comm: "x" } },
  ]);
});

describe("-o json: IG's JSON", () => {
  it("sorts fields by name, writes 64-bit integers exactly, Bytes as hex, float32 shortest, Go's escapes", async () => {
    const r = await run("--events", kinds, "-o", "json");
    expect(r.err).toBe("");
    expect(r.out).toBe('{"alpha":18446744073709551615,"flag":true,"mid":0.1,"neg":-128,"raw":"0102ff","zeta":"a\\"b\\\\c\\u0001<>&\\u2028"}\n');
  });

  it("prints an array packet as a JSON array, [] when empty", async () => {
    const r = await run("--events", batch, "-o", "batch:json,procs:none");
    expect(r.out).toBe('[{"n":2,"name":"b"},{"n":-1,"name":"c"},{"n":2,"name":"a"}]\n[]\n');
  });

  it("-o jsonpretty indents by two spaces; array elements one level deeper", async () => {
    const r = await run("--events", batch, "-o", "jsonpretty");
    expect(r.out).toBe(
      "[\n  {\n    \"n\": 2,\n    \"name\": \"b\"\n  },\n  {\n    \"n\": -1,\n    \"name\": \"c\"\n  },\n  {\n    \"n\": 2,\n    \"name\": \"a\"\n  }\n]\n" +
        "[]\n" +
        '{\n  "comm": "x",\n  "pid": 7\n}\n',
    );
  });
});

describe("-o envelope and the default in a pipe", () => {
  it("wraps the record under data, so a field named ds or data cannot collide", async () => {
    const file = events("collide.jsonl", [{ dataSource: { name: "net", fields: { ds: "string", data: "uint32" } } }, { ds: "net", values: { ds: "eth0", data: 7 } }]);
    const r = await run("--events", file);
    expect(r.out).toBe('{"ds":"net","data":{"data":7,"ds":"eth0"}}\n');
    expect((await run("--events", file, "-o", "envelope")).out).toBe(r.out);
  });
});

describe("-o yaml", () => {
  it("prints each record as a document; strings that read as other types are quoted (IG's TestCliOperators)", async () => {
    const file = events("strings.jsonl", [
      { dataSource: { name: "t", fields: { test0: "string", test1: "string", test2: "string" } } },
      { ds: "t", values: { test0: "value1", test1: "", test2: "value2" } },
      { ds: "t", values: { test0: "123", test1: "456", test2: "789" } },
    ]);
    const r = await run("--events", file, "-o", "yaml");
    expect(r.out).toBe('---\ntest0: value1\ntest1: ""\ntest2: value2\n---\ntest0: "123"\ntest1: "456"\ntest2: "789"\n');
  });

  it("prints each element of an array packet as its own document", async () => {
    const r = await run("--events", batch, "-o", "batch:yaml,procs:none");
    expect(r.out).toBe("---\nn: 2\nname: b\n---\nn: -1\nname: c\n---\nn: 2\nname: a\n");
  });
});

describe("-o columns", () => {
  const cell = (s: string): string => s.padEnd(16);
  const row = (...cells: string[]): string => cells.map(cell).join(" ") + "\n";

  it("in a pipe: every column 16 wide, left-aligned, cut with an ellipsis, floats without decimals, halves to even", async () => {
    const r = await run("--events", procs, "-o", "columns");
    expect(r.out).toBe(
      row("PID", "COMM", "PPID", "ROOT", "LOAD") +
        row("1", "systemd", "0", "true", "0") +
        row("300", "dnsmasq", "1", "false", "2") +
        row("4242", "bash", "1", "false", "1") +
        row("4243", "a very long com…", "4242", "false", "-3"),
    );
  });

  it("quotes what a terminal would interpret, and shows Bytes as their length", async () => {
    const r = await run("--events", kinds, "-o", "columns", "--fields", "zeta,raw");
    // The quoted text is 20 characters: cut to 15 and an ellipsis.
    expect(r.out).toBe(row("ZETA", "RAW") + row('a\\"b\\\\c\\x01<>&\\…', "<3 bytes>"));
    expect(goQuoteInner("tab\there é\u00a0\u{1f600}")).toBe("tab\\there é\\u00a0😀");
  });

  it("on a terminal: widths scaled by weight, integer columns capped at their type's width", async () => {
    // pid, ppid (uint32) are capped at 10; comm takes the rest: 80 - 10 - 10 - 2 dividers.
    expect(scaleWidths([{ width: 16, maxWidth: 10 }, { width: 16, maxWidth: 0 }, { width: 16, maxWidth: 10 }].map((c) => ({ accessor: null!, ...c })), 80)).toEqual([10, 58, 10]);
    // Leftover characters go one by one from the left: floor(16/48*40) = 13 each, 1 left.
    expect(scaleWidths([0, 0, 0].map(() => ({ accessor: null!, width: 16, maxWidth: 0 })), 42)).toEqual([14, 13, 13]);
    const r = await runOn(40, "--events", procs, "--fields", "pid,comm");
    expect(r.out.split("\n")[0]).toBe("PID".padEnd(10) + " " + "COMM".padEnd(29));
  });

  it("prints an array data source's header before every packet", async () => {
    const r = await run("--events", batch, "-o", "batch:columns,procs:none");
    expect(r.out).toBe(row("N", "NAME") + row("2", "b") + row("-1", "c") + row("2", "a") + row("N", "NAME"));
  });
});

describe("--fields", () => {
  it("an explicit list replaces the defaults and keeps its order; +f adds, -f removes", async () => {
    expect((await run("--events", procs, "-o", "columns", "--fields", "comm,pid")).out.split("\n")[0]).toBe("COMM".padEnd(16) + " " + "PID".padEnd(16));
    expect((await run("--events", procs, "-o", "columns", "--fields", "-comm,-load")).out.split("\n")[0]).toBe(["PID", "PPID", "ROOT"].map((s) => s.padEnd(16)).join(" "));
    expect((await run("--events", procs, "-o", "json", "--fields", "pid,+comm")).out.split("\n")[0]).toBe('{"comm":"systemd","pid":1}');
  });

  it("per data source, names case-insensitive", async () => {
    const r = await run("--events", batch, "-o", "json", "--fields", "batch:NAME;procs:pid");
    expect(r.out).toBe('[{"name":"b"},{"name":"c"},{"name":"a"}]\n[]\n{"pid":7}\n');
  });

  it("an unknown field is a usage error naming the fields there are", async () => {
    const r = await run("--events", procs, "--fields", "pid,nope");
    expect(r.code).toBe(2);
    expect(r.err).toBe('igwasm: --fields: data source procs has no field "nope" (it has pid, comm, ppid, root, load)\n');
  });
});

describe("--filter", () => {
  const pids = async (...filter: string[]): Promise<string> => {
    const r = await run("--events", procs, "-o", "json", "--fields", "pid", ...filter.flatMap((f) => ["--filter", f]));
    expect(r.err).toBe("");
    return r.out.trim().split("\n").filter(Boolean).map((l) => (JSON.parse(l) as { pid: number }).pid).join(",");
  };

  it("compares by the field's kind with each operator", async () => {
    expect(await pids("pid==300")).toBe("300");
    expect(await pids("pid=300")).toBe("300");
    expect(await pids("pid!=300")).toBe("1,4242,4243");
    expect(await pids("pid>300")).toBe("4242,4243");
    expect(await pids("pid>=300")).toBe("300,4242,4243");
    expect(await pids("pid<300")).toBe("1");
    expect(await pids("pid<=300")).toBe("1,300");
    expect(await pids("load<0")).toBe("4243");
    expect(await pids("root==true")).toBe("1");
    expect(await pids("root!=1")).toBe("300,4242,4243");
    expect(await pids("comm==bash")).toBe("4242");
    expect(await pids("comm>c")).toBe("1,300");
  });

  it("regular expressions match anywhere in a string; !~ negates; comma is AND; --filter repeats as AND", async () => {
    expect(await pids("comm~^d")).toBe("300");
    expect(await pids("comm~mas")).toBe("300");
    expect(await pids("comm!~s")).toBe("4243");
    expect(await pids("ppid==1,comm~sh$")).toBe("4242");
    expect(await pids("ppid==1", "pid>1000")).toBe("4242");
  });

  it("a rule for one data source with --filter.<ds>", async () => {
    const r = await run("--events", batch, "-o", "json", "--filter.batch", "n>0");
    expect(r.out).toBe('[{"n":2,"name":"b"},{"n":2,"name":"a"}]\n[]\n{"comm":"x","pid":7}\n');
  });

  it("rejects rules IG rejects", async () => {
    for (const [rule, message] of [
      ["pid", 'incomplete filter rule: "pid"'],
      ["pid==", 'incomplete filter rule: "pid=="'],
      ["pid===1", 'invalid operation "===" in filter rule "pid===1"'],
      ["pid!1", 'invalid operation "!" in filter rule "pid!1"'],
    ]) {
      const r = await run("--events", procs, "--filter", rule);
      expect(r.code, rule).toBe(2);
      expect(r.err).toBe(`igwasm: --filter: ${message}\n`);
    }
    for (const [rule, message] of [
      ["nope==1", 'field "nope" not found in data source procs (it has pid, comm, ppid, root, load)'],
      ["pid~1", "filter rule on procs.pid: regex based filtering can only be used on strings"],
      ["root>true", "filter rule on procs.root: boolean values can only be filtered by exact match"],
      ["pid==-1", "filter rule on procs.pid: -1 is outside the Uint32 range 0..4294967295"],
      ["pid==abc", 'filter rule on procs.pid: "abc" is not a decimal integer'],
      ["comm~(", 'filter rule on procs.comm: invalid regular expression: "("'],
    ]) {
      const r = await run("--events", procs, "--filter", rule);
      expect(r.code, rule).toBe(2);
      expect(r.out).toBe("");
      expect(r.err).toBe(`igwasm: --filter: ${message}\n`);
    }
    expect(parseRule("a!~b")).toEqual({ field: "a", op: "~", negate: true, value: "b" });
  });
});

describe("--sort", () => {
  it("sorts each array packet, stable, - for descending, several keys", async () => {
    expect((await run("--events", batch, "-o", "batch:json,procs:none", "--sort", "n")).out).toBe('[{"n":-1,"name":"c"},{"n":2,"name":"b"},{"n":2,"name":"a"}]\n[]\n');
    expect((await run("--events", batch, "-o", "batch:json,procs:none", "--sort", "-n,name")).out).toBe('[{"n":2,"name":"a"},{"n":2,"name":"b"},{"n":-1,"name":"c"}]\n[]\n');
    expect((await run("--events", batch, "-o", "batch:json,procs:none", "--sort", "batch:name")).out).toBe('[{"n":2,"name":"a"},{"n":2,"name":"b"},{"n":-1,"name":"c"}]\n[]\n');
  });

  it("only array data sources can be sorted, as in IG", async () => {
    const r = await run("--events", procs, "--sort", "pid");
    expect(r.code).toBe(2);
    expect(r.err).toBe("igwasm: --sort can only be used on array data sources; procs is a single data source\n");
  });
});

describe("data sources named on the command line", () => {
  it("warns at the end about names the gadget never made", async () => {
    const r = await run("--events", procs, "-o", "procs:json,prcos:columns");
    expect(r.code).toBe(0);
    expect(r.err).toBe("igwasm: warning: the gadget never made data source prcos (named in -o, --fields, --filter or --sort)\n");
  });

  it("-o mixing all and named data sources is an error, as in IG", async () => {
    const r = await run("--events", procs, "-o", "json,procs:yaml");
    expect(r.code).toBe(2);
    expect(r.err).toBe('igwasm: --output mixes values with and without a data source name: "json,procs:yaml"\n');
  });
});

describe("events files", () => {
  it("refuses YAML above the documented size, pointing to JSON lines", async () => {
    const file = join(BUILD, "big.yaml");
    writeFileSync(file, "# " + "x".repeat(YAML_MAX_BYTES) + "\ndataSources: []\n");
    const r = await run("--events", file);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `igwasm: ${file} is 8.0 MiB of YAML; YAML events files are limited to 8 MiB because they are parsed whole. Write large inputs as JSON lines (a .jsonl file, one declaration or event a line), which are streamed.\n`,
    );
  });

  it("takes a file not named .jsonl as JSON lines when its first line is a declaration", async () => {
    const file = join(BUILD, "events.txt");
    writeFileSync(file, '{"dataSource":{"name":"e","fields":{"n":"uint8"}}}\n{"ds":"e","values":{"n":5}}\n');
    expect((await run("--events", file, "-o", "json")).out).toBe('{"n":5}\n');
  });

  it("rejects a number for a string field and a float32 out of range", async () => {
    const file = events("types.jsonl", [{ dataSource: { name: "e", fields: { s: "string", f: "float32" } } }, { ds: "e", values: { s: 42 } }]);
    expect((await run("--events", file)).err).toBe(`igwasm: ${file}:2: field s: expected a string (quote it), got 42\n`);
    const f = events("f32.jsonl", [{ dataSource: { name: "e", fields: { s: "string", f: "float32" } } }, { ds: "e", values: { f: 1e40 } }]);
    expect((await run("--events", f)).err).toBe(`igwasm: ${f}:2: field f: expected a number in the float32 range, got 1e+40\n`);
  });
});
