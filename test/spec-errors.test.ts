/**
 * A malformed spec fails with `file:line:col: what is wrong`, for every
 * problem found, not only the first.
 */
import { describe, expect, it } from "vitest";
import { parseSpec, SpecError } from "../codegen/parse.js";

const BASE = `abi: t
apiVersion: 1
profiles:
  - { id: one, module: test }
  - { id: two, module: test }
handleTypes:
  - { name: Thing, doc: A thing. }
enums:
  - name: Color
    doc: Colors.
    values:
      - { name: Red, value: 1, doc: Red. }
      - { name: Blue, value: 2, doc: Blue. }
families:
  - family: { name: misc }
    functions:
`;

function problems(functions: string, base = BASE): readonly string[] {
  try {
    parseSpec([{ file: "t.yaml", text: base + functions }]);
  } catch (e) {
    if (e instanceof SpecError) return e.problems;
    throw e;
  }
  return [];
}

const fn = (body: string): string => `      - ${body}\n`;

describe("malformed specs", () => {
  it("accepts the base spec with a valid function (control)", () => {
    expect(problems(fn(`{ name: ok, profiles: [one], doc: Fine., params: [], returns: { type: status, onError: 1 } }`))).toEqual([]);
  });

  it("reports a YAML syntax error with its position", () => {
    // The unclosed flow collections are noticed where the input ends; nothing else is reported.
    expect(problems(fn(`{ name: ok, profiles: [one`))).toEqual([
      "t.yaml:18:1: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]",
      "t.yaml:18:1: YAML syntax error: Flow map in block collection must be sufficiently indented and end with a }",
    ]);
    // A duplicate key is reported where it stands.
    expect(problems(fn(`{ name: ok, name: again, profiles: [one], doc: D., params: [], returns: { type: status, onError: 1 } }`))).toEqual([
      "t.yaml:17:21: YAML syntax error: Map keys must be unique",
    ]);
  });

  it("reports an unknown parameter type", () => {
    expect(problems(fn(`{ name: f, profiles: [one], doc: D., params: [{ name: x, type: u33, doc: X. }], returns: { type: status, onError: 1 } }`))).toEqual([
      't.yaml:17:68: function "f" parameter "x": unknown type "u33" (expected one of: u32, i32, u64, i64, bool, str, buf, dst, errPtr, outPtr, kindValue, handle<T>, enum<E>)',
    ]);
  });

  it("reports unknown handle types and enums", () => {
    expect(problems(fn(`{ name: f, profiles: [one], doc: D., params: [{ name: x, type: "handle<Nope>", doc: X. }, { name: y, type: "enum<Hue>", doc: Y. }], returns: { type: status, onError: 1 } }`))).toEqual([
      't.yaml:17:68: function "f" parameter "x": unknown handle type "Nope"',
      't.yaml:17:112: function "f" parameter "y": unknown enum "Hue"',
    ]);
  });

  it("reports a duplicate function in a shared profile, and allows variants in disjoint profiles", () => {
    const a = fn(`{ name: f, profiles: [one], doc: D., params: [], returns: { type: status, onError: 1 } }`);
    const b = fn(`{ name: f, profiles: [one, two], doc: D., params: [], returns: { type: status, onError: 1 } }`);
    const c = fn(`{ name: f, profiles: [two], doc: D., params: [], returns: { type: status, onError: 1 } }`);
    expect(problems(a + b)).toEqual(['t.yaml:18:9: duplicate function "f" in profile one (first at t.yaml:17:9)']);
    expect(problems(a + c)).toEqual([]);
  });

  it("reports missing fields", () => {
    expect(problems(fn(`{ name: f, profiles: [one], params: [] }`))).toEqual([
      't.yaml:17:9: function "f": missing "doc"',
      't.yaml:17:9: function "f": missing "returns"',
    ]);
    expect(problems(fn(`{ name: f, profiles: [one], doc: D., params: [], returns: { type: u32 } }`))).toEqual([
      't.yaml:17:63: function "f" result: missing "onError" (a number, none, or { errPtr: <param> })',
    ]);
  });

  it("reports bad enum values", () => {
    const spec = BASE.replace("{ name: Blue, value: 2, doc: Blue. }", "{ name: Blue, value: 1, doc: Blue. }\n      - { name: Green, value: two, doc: Green. }");
    expect(problems(fn(`{ name: ok, profiles: [one], doc: Fine., params: [], returns: { type: status, onError: 1 } }`), spec)).toEqual([
      't.yaml:13:30: enum "Color": value 1 of "Blue" is also "Red"',
      't.yaml:14:31: enum "Color" value "Green": "value" must be an integer',
    ]);
  });

  it("reports unknown profiles and unknown keys (typos are not ignored)", () => {
    expect(problems(fn(`{ name: f, profiles: [three], doc: D., parms: [], returns: { type: status, onError: 1 } }`))).toEqual([
      't.yaml:17:44: unknown key "parms" in function "f" (expected one of: name, profiles, since, doc, params, returns, replaces, replacedBy)',
      't.yaml:17:26: function "f": unknown profile "three" (known: one, two)',
      't.yaml:17:9: function "f": missing "params" (use [] for none)',
    ]);
  });

  it("checks error conventions against the parameters", () => {
    expect(problems(fn(`{ name: f, profiles: [one], doc: D., params: [{ name: err, type: errPtr, doc: E. }], returns: { type: u64, onError: { errPtr: nope } } }`))).toEqual([
      't.yaml:17:121: function "f" onError: "nope" is not an errPtr parameter',
      't.yaml:17:9: function "f": parameter "err" (errPtr) must be named by onError: { errPtr: err }',
    ]);
  });

  it("lists every problem of every file in one run", () => {
    const bad = fn(`{ name: f, profiles: [one], doc: D., params: [{ name: x, type: u33, doc: X. }], returns: { type: status, onError: 1 } }`);
    let error: unknown;
    try {
      parseSpec([
        { file: "a.yaml", text: BASE + bad },
        { file: "b.yaml", text: "family: { name: other }\nfunctions:\n  - { name: g, profiles: [one], doc: G., params: [], returns: { type: wat, onError: 1 } }\n" },
      ]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SpecError);
    expect((error as SpecError).message).toBe(
      "the ABI spec has 2 problems:\n" +
        'a.yaml:17:68: function "f" parameter "x": unknown type "u33" (expected one of: u32, i32, u64, i64, bool, str, buf, dst, errPtr, outPtr, kindValue, handle<T>, enum<E>)\n' +
        'b.yaml:3:67: function "g" result: unknown type "wat" (expected one of: none, status, u32, i32, u64, bool, bytesToDst, scalarOrMalloc, handle<T>)',
    );
  });
});
