/**
 * `igwasm test` (issue 10 item 3): the filter example's own cases pass (CI
 * runs them here); purpose-made cases fail with a diff; --update records the
 * observed outputs; a malformed case file names its line.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cli } from "./helpers/cli.js";
import { wat } from "./helpers/wat.js";
import { buildExample } from "../scripts/build-examples.js";

const BUILD = "test/.build/cli-test";


beforeAll(async () => {
  mkdirSync(BUILD, { recursive: true });
  // The example's case file names gadget.wasm beside it, as npm run build:examples leaves it.
  await buildExample("filter");
  await buildExample("filter", join(BUILD, "gadget.wasm"));
  for (const f of ["gadget.yaml", "events.yaml"]) copyFileSync(join("examples/filter", f), join(BUILD, f));
}, 120_000);

const HEAD = "gadget: gadget.wasm\nmetadata: gadget.yaml\nevents: events.yaml\n";

describe("igwasm test", () => {
  it("the filter example's cases pass", async () => {
    const r = await cli("test", "examples/filter");
    expect(r.err).toBe("");
    expect(r.out.split("\n").slice(-2)).toEqual(["4 passed, 0 failed", ""]);
    expect(r.code).toBe(0);
  }, 120_000);

  it("a wrong expected value fails with a diff; the summary counts it", async () => {
    const file = join(BUILD, "wrong.test.yaml");
    writeFileSync(file, `${HEAD}cases:
  - name: right
    expect:
      output:
        - { ds: filtered, pid: 1200, comm: bash }
        - { ds: filtered, pid: 4242, comm: curl }
  - name: wrong comm
    expect:
      output:
        - { ds: filtered, pid: 1200, comm: zsh }
        - { ds: filtered, pid: 4242, comm: curl }
`);
    const r = await cli("test", file);
    expect(r.code).toBe(1);
    expect(r.out).toBe(
      [
        `PASS ${file}: right`,
        `FAIL ${file}: wrong comm (${file}:10:5)`,
        "    @@ -1,4 +1,4 @@",
        "     exit: 0",
        "     output:",
        '    -  {"ds":"filtered","comm":"zsh","pid":1200}',
        '    +  {"ds":"filtered","comm":"bash","pid":1200}',
        '       {"ds":"filtered","comm":"curl","pid":4242}',
        "1 passed, 1 failed",
        "",
      ].join("\n"),
    );
  }, 120_000);

  it("--update records exit, output and logs; the updated file then passes", async () => {
    const file = join(BUILD, "update.test.yaml");
    writeFileSync(file, `${HEAD}cases:
  # a comment that survives
  - name: bad param
    params: { min_pid: lots }
  - name: high min_pid
    params: { min_pid: 4000 }
    expect: { output: [] }
`);
    const u = await cli("test", file, "--update");
    expect(u.out).toBe(`UPDATED ${file}: bad param\nUPDATED ${file}: high min_pid\n2 passed, 0 failed\n`);
    const text = readFileSync(file, "utf8");
    expect(text).toContain("# a comment that survives");
    expect(text).toContain(`    expect:
      exit: 1
      output: []
      logs:
        - "error: min_pid must be a number between 0 and 4294967295, got lots"
      errors:
        - "igwasm: gadget.wasm: init failed: gadgetInit returned 1"`);
    expect(text).toContain("        - { ds: filtered, comm: curl, pid: 4242 }"); // igwasm run prints fields in name order, as IG's json output
    const r = await cli("test", file);
    expect(r.out.split("\n").slice(-2)).toEqual(["2 passed, 0 failed", ""]);
  }, 120_000);

  it("64-bit values are compared exactly: a u64 above 2^53 is its decimal text, one less fails", async () => {
    writeFileSync(join(BUILD, "minimal.wasm"), await wat(`(module
      (import "ig" "gadgetLog" (func (param i32 i64)))
      (memory (export "memory") 1)
      (func (export "gadgetAPIVersion") (result i64) (i64.const 1)))`));
    writeFileSync(join(BUILD, "big.jsonl"), [
      '{"dataSource":{"name":"events","fields":{"big":"uint64"}}}',
      '{"ds":"events","values":{"big":"18446744073709551615"}}',
      "",
    ].join("\n"));
    const file = join(BUILD, "big.test.yaml");
    writeFileSync(file, `gadget: minimal.wasm
events: big.jsonl
cases:
  - name: exact
    expect: { output: [{ ds: events, big: "18446744073709551615" }] }
  - name: one less
    expect: { output: [{ ds: events, big: "18446744073709551614" }] }
`);
    const r = await cli("test", file);
    expect(r.out).toContain(`PASS ${file}: exact`);
    expect(r.out).toContain(`FAIL ${file}: one less`);
    expect(r.out).toContain('    +  {"ds":"events","big":"18446744073709551615"}');
    expect(r.out.split("\n").slice(-2)).toEqual(["1 passed, 1 failed", ""]);
  }, 120_000);

  it("a case without expectation fails and says how to record one", async () => {
    const file = join(BUILD, "none.test.yaml");
    writeFileSync(file, `${HEAD}cases:\n  - name: nothing expected\n`);
    const r = await cli("test", file);
    expect(r.code).toBe(1);
    expect(r.out).toContain("no expectation: run igwasm test --update to record one");
  }, 120_000);

  it("a malformed case file names file, line and column; nothing runs", async () => {
    const file = join(BUILD, "bad.test.yaml");
    writeFileSync(file, `${HEAD}cases:\n  - name: x\n    expect:\n      exit: one\n`);
    const r = await cli("test", file);
    expect(r.code).toBe(1);
    expect(r.out).toBe(`FAIL ${file}: ${file}:7:13: exit must be an exit status (0, 1, 124, ...)\n0 passed, 1 failed\n`);
    writeFileSync(file, `${HEAD}cases:\n  - name: x\n    wat: 1\n`);
    expect((await cli("test", file)).out).toContain(`${file}:6:10: unknown key wat (expected name, params, events, replay, replayDs, leaks, logLevel, timeout, expect)`);
    writeFileSync(file, `${HEAD}cases:\n  - name: x\n    replayDs: events\n`);
    expect((await cli("test", file)).out).toContain(`${file}:6:15: replayDs names the data source of a replay capture: give replay too`);
  }, 60_000);
});
