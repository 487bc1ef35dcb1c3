/**
 * A malformed spec fails with `file:line:col: what is wrong`, for every
 * problem found, not only the first.
 */
import { describe, expect, it } from "vitest";
import type { AbiSpec } from "../codegen/model.js";
import { parseSpec, SpecError } from "../codegen/parse.js";

// Two releases, both served under module "test"; functions start on line 20.
const BASE = `abi: t
apiVersion: 1
releases:
  - { tag: v1.0.0, date: 2024-01-01, commit: 1111111 }
  - { tag: v2.0.0, date: 2024-02-01, commit: 6e3099093 }
modules:
  - { name: test, releases: "v1.0.0 -", source: [wasm.go@1111111] }
handleTypes:
  - { name: Thing, doc: A thing. }
enums:
  - name: Color
    releases: "v1.0.0 -"
    doc: Colors.
    values:
      - { name: Red, value: 1, doc: Red. }
      - { name: Blue, value: 2, doc: Blue. }
families:
  - family: { name: misc }
    functions:
`;

/** Where a function's facts are read (every function needs one). */
const SRC = "source: [fields.go@abcdef0]";

function problems(functions: string, base = BASE): readonly string[] {
  try {
    parseSpec([{ file: "t.yaml", text: base + functions }]);
  } catch (e) {
    if (e instanceof SpecError) return e.problems;
    throw e;
  }
  return [];
}

/** The parsed spec (parseSpec throws a SpecError listing the problems when there are any). */
function parse(functions: string, base = BASE): AbiSpec {
  return parseSpec([{ file: "t.yaml", text: base + functions }]);
}

const fn = (body: string): string => `      - ${body}\n`;
const OK = fn(`{ name: ok, releases: "v1.0.0 -", ${SRC}, doc: Fine., params: [], returns: { type: status, onError: 1 } }`);

describe("malformed specs", () => {
  it("accepts the base spec with a valid function (control)", () => {
    expect(problems(OK)).toEqual([]);
  });

  it("reports a YAML syntax error with its position", () => {
    // The unclosed flow collections are noticed where the input ends; nothing else is reported.
    expect(problems(fn(`{ name: ok, releases: [v1.0.0`))).toEqual([
      "t.yaml:21:1: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]",
      "t.yaml:21:1: YAML syntax error: Flow map in block collection must be sufficiently indented and end with a }",
    ]);
    // A duplicate key is reported where it stands.
    expect(problems(fn(`{ name: ok, name: again, releases: v1.0.0, ${SRC}, doc: D., params: [], returns: { type: status, onError: 1 } }`))).toEqual([
      "t.yaml:20:21: YAML syntax error: Map keys must be unique",
    ]);
  });

  it("reports an unknown parameter type", () => {
    expect(problems(fn(`{ name: f, releases: v1.0.0, ${SRC}, doc: D., params: [{ name: x, type: u33, doc: X. }], returns: { type: status, onError: 1 } }`))).toEqual([
      't.yaml:20:102: function "f" parameter "x": unknown type "u33" (expected one of: u32, i32, u64, i64, bool, str, buf, dst, errPtr, outPtr, kindValue, handle<T>, enum<E>)',
    ]);
  });

  it("reports unknown handle types and enums", () => {
    expect(problems(fn(`{ name: f, releases: v1.0.0, ${SRC}, doc: D., params: [{ name: x, type: "handle<Nope>", doc: X. }, { name: y, type: "enum<Hue>", doc: Y. }], returns: { type: status, onError: 1 } }`))).toEqual([
      't.yaml:20:102: function "f" parameter "x": unknown handle type "Nope"',
      't.yaml:20:146: function "f" parameter "y": unknown enum "Hue"',
    ]);
  });

  it("reports two variants of a function that share a release, and allows variants in disjoint releases", () => {
    const a = fn(`{ name: f, releases: v1.0.0, ${SRC}, doc: D., params: [], returns: { type: status, onError: 1 } }`);
    const b = fn(`{ name: f, releases: "v1.0.0 - v2.0.0", ${SRC}, doc: D., params: [], returns: { type: status, onError: 1 } }`);
    const c = fn(`{ name: f, releases: "v2.0.0 -", ${SRC}, doc: D., params: [{ name: x, type: u32, doc: X. }], returns: { type: status, onError: 1 } }`);
    expect(problems(a + b)).toEqual(['t.yaml:21:9: duplicate function "f" in release v1.0.0 (first at t.yaml:20:9)']);
    const spec = parse(a + c);
    // Different signatures in the two releases: two profiles, named after their first release.
    expect(spec.profiles.map((p) => [p.id, p.releases])).toEqual([["v1.0", ["v1.0.0"]], ["v2.0", ["v2.0.0"]]]);
  });

  it("reports missing fields", () => {
    expect(problems(fn(`{ name: f, params: [] }`))).toEqual([
      't.yaml:20:9: function "f": missing "doc"',
      't.yaml:20:9: function "f": missing "releases" (a tag, "FIRST - LAST" or "FIRST -")',
      't.yaml:20:9: function "f": missing "source" (IG file@commit where the fact can be read)',
      't.yaml:20:9: function "f": missing "returns"',
    ]);
    expect(problems(fn(`{ name: f, releases: v1.0.0, ${SRC}, doc: D., params: [], returns: { type: u32 } }`))).toEqual([
      't.yaml:20:97: function "f" result: missing "onError" (a number, none, or { errPtr: <param> })',
    ]);
  });

  it("reports bad enum values", () => {
    const spec = BASE.replace("{ name: Blue, value: 2, doc: Blue. }", "{ name: Blue, value: 1, doc: Blue. }\n      - { name: Green, value: two, doc: Green. }");
    expect(problems(OK, spec)).toEqual([
      't.yaml:16:30: enum "Color": value 1 of "Blue" is also "Red"',
      't.yaml:17:31: enum "Color" value "Green": "value" must be an integer',
    ]);
  });

  it("reports unknown keys (typos are not ignored) and the keys the old era format used", () => {
    expect(problems(fn(`{ name: f, eras: [one], releases: v1.0.0, ${SRC}, doc: D., parms: [], returns: { type: status, onError: 1 } }`))).toEqual([
      't.yaml:20:20: unknown key "eras" in function "f" (expected one of: name, releases, source, doc, params, returns, replaces, replacedBy)',
      't.yaml:20:89: unknown key "parms" in function "f" (expected one of: name, releases, source, doc, params, returns, replaces, replacedBy)',
      't.yaml:20:9: function "f": missing "params" (use [] for none)',
    ]);
  });

  it("reports an unknown release and a range that ends before it starts", () => {
    expect(problems(fn(`{ name: f, releases: v3.0.0, ${SRC}, doc: D., params: [], returns: { type: status, onError: 1 } }`))).toEqual([
      't.yaml:20:30: function "f": unknown release "v3.0.0" (releases are listed in abi.yaml)',
    ]);
    expect(problems(fn(`{ name: f, releases: "v1.0.0 - v0.9.0", ${SRC}, doc: D., params: [], returns: { type: status, onError: 1 } }`))).toEqual([
      't.yaml:20:30: function "f": unknown release "v0.9.0" (releases are listed in abi.yaml)',
    ]);
    expect(problems(fn(`{ name: f, releases: "v2.0.0 - v1.0.0", ${SRC}, doc: D., params: [], returns: { type: status, onError: 1 } }`))).toEqual([
      't.yaml:20:30: function "f": release range "v2.0.0 - v1.0.0" ends before it starts',
    ]);
    expect(problems(fn(`{ name: f, releases: "v1.0.0 to v2.0.0", ${SRC}, doc: D., params: [], returns: { type: status, onError: 1 } }`))).toEqual([
      't.yaml:20:30: function "f": "releases" must be a tag, "FIRST - LAST" or "FIRST -", not "v1.0.0 to v2.0.0"',
    ]);
  });

  it("reports a missing source and a source that is not path@commit", () => {
    expect(problems(fn(`{ name: f, releases: v1.0.0, doc: D., params: [], returns: { type: status, onError: 1 } }`))).toEqual([
      't.yaml:20:9: function "f": missing "source" (IG file@commit where the fact can be read)',
    ]);
    expect(problems(fn(`{ name: f, releases: v1.0.0, source: [fields.go, "fields.go@main"], doc: D., params: [], returns: { type: status, onError: 1 } }`))).toEqual([
      't.yaml:20:46: function "f": source "fields.go" must be path@commit',
      't.yaml:20:46: function "f": source "fields.go@main" must be path@commit',
    ]);
  });

  it("reports a release no module serves, and a release two modules claim", () => {
    const oneModule = BASE.replace(`releases: "v1.0.0 -", source: [wasm.go@1111111]`, `releases: v1.0.0, source: [wasm.go@1111111]`);
    expect(problems(OK, oneModule)).toEqual(["modules: release v2.0.0 has no module"]);
    const twoModules = BASE.replace("modules:\n", `modules:\n  - { name: env, releases: v2.0.0, source: [wasm.go@6e30990] }\n`);
    expect(problems(OK, twoModules)).toEqual(["modules: release v2.0.0 has 2 modules"]);
  });

  it("checks the release list itself: tag, date and commit formats, duplicates", () => {
    const bad = BASE.replace("{ tag: v2.0.0, date: 2024-02-01, commit: 6e3099093 }", "{ tag: 2.0, date: 1 Feb 2024, commit: HEAD }\n  - { tag: v1.0.0, date: 2024-03-01, commit: 2222222 }");
    expect(problems(OK, bad)).toEqual([
      't.yaml:5:12: release "2.0": a tag is vMAJOR.MINOR.PATCH or pre-release',
      't.yaml:5:23: release "2.0": date must be YYYY-MM-DD',
      't.yaml:5:43: release "2.0": commit must be 7 to 40 hex digits',
      't.yaml:6:5: duplicate release "v1.0.0" (first at t.yaml:4:5)',
    ]);
  });

  it("keeps a commit that YAML would read as a number as written (6e3099093 is not Infinity)", () => {
    const spec = parse(OK);
    expect(spec.releases.map((r) => r.commit)).toEqual(["1111111", "6e3099093"]);
  });

  it("checks error conventions against the parameters", () => {
    expect(problems(fn(`{ name: f, releases: v1.0.0, ${SRC}, doc: D., params: [{ name: err, type: errPtr, doc: E. }], returns: { type: u64, onError: { errPtr: nope } } }`))).toEqual([
      't.yaml:20:155: function "f" onError: "nope" is not an errPtr parameter',
      't.yaml:20:9: function "f": parameter "err" (errPtr) must be named by onError: { errPtr: err }',
    ]);
  });

  it("lists every problem of every file in one run", () => {
    const bad = fn(`{ name: f, releases: v1.0.0, ${SRC}, doc: D., params: [{ name: x, type: u33, doc: X. }], returns: { type: status, onError: 1 } }`);
    let error: unknown;
    try {
      parseSpec([
        { file: "a.yaml", text: BASE + bad },
        { file: "b.yaml", text: `family: { name: other }\nfunctions:\n  - { name: g, releases: v2.0.0, ${SRC}, doc: G., params: [], returns: { type: wat, onError: 1 } }\n` },
      ]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SpecError);
    expect((error as SpecError).message).toBe(
      "the ABI spec has 2 problems:\n" +
        'a.yaml:20:102: function "f" parameter "x": unknown type "u33" (expected one of: u32, i32, u64, i64, bool, str, buf, dst, errPtr, outPtr, kindValue, handle<T>, enum<E>)\n' +
        'b.yaml:3:101: function "g" result: unknown type "wat" (expected one of: none, status, u32, i32, u64, bool, bytesToDst, bytesToMalloc, scalarOrMalloc, handle<T>)',
    );
  });
});

describe("export roles and agreed names", () => {
  const exp = (name: string, role: string, releases = "v1.0.0 -"): string =>
    `  - { name: ${name}, role: ${role}, releases: "${releases}", source: [wasm.go@1111111], params: [], returns: { type: i32 } }\n`;

  it("reads an export's role and a name with its source (control)", () => {
    const spec = parse(`${OK}exports:\n${exp("go", "start")}names:\n  - { name: WasiModule, value: wasi_x, source: [wasm.go@1111111], doc: WASI. }\n`);
    expect(spec.exports.map((e) => [e.name, e.role])).toEqual([["go", "start"]]);
    expect(spec.names).toEqual([{ kind: "name", name: "WasiModule", value: "wasi_x", doc: "WASI.", sources: ["wasm.go@1111111"] }]);
  });

  it("refuses an unknown role", () => {
    expect(problems(`${OK}exports:\n${exp("go", "begin")}`)).toEqual([
      expect.stringMatching(/^t\.yaml:\d+:\d+: export "go": unknown role "begin" \(expected wasiInitialize, .*postStop\)$/),
    ]);
  });

  it("refuses two exports of one release with the same role, and allows them in different releases", () => {
    expect(problems(`${OK}exports:\n${exp("go", "start")}${exp("run", "start", "v2.0.0 -")}`)).toEqual([
      expect.stringMatching(/: duplicate export role "start" in release v2\.0\.0 \(first at t\.yaml:/)
    ]);
    expect(problems(`${OK}exports:\n${exp("go", "start", "v1.0.0")}${exp("run", "start", "v2.0.0 -")}`)).toEqual([]);
  });

  it("refuses a name without a source", () => {
    expect(problems(`${OK}names:\n  - { name: WasiModule, value: wasi_x, doc: WASI. }\n`)).toEqual([
      expect.stringMatching(/: name "WasiModule": missing "source" \(IG file@commit where the fact can be read\)$/)
    ]);
  });
});
