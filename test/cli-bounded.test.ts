/**
 * Strict and bounded runs (issue 10 item 5): a trap in a data-source callback
 * fails the run with its phase, data source and the guest's message; with
 * --timeout the guest runs in a worker thread that is terminated when the
 * time is up, even while it loops in gadgetStart or in a callback (exit 124).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cli } from "./helpers/cli.js";
import { parseDuration } from "../cli/duration.js";
import { wat } from "./helpers/wat.js";

const BUILD = "test/.build/cli-bounded";


/** A guest that subscribes to `events` and runs `callback` on each, and `start` in gadgetStart. */
function guest(callback: string, start = ""): string {
  return `(module
    (import "ig" "getDataSource" (func $getDataSource (param i64) (result i32)))
    (import "ig" "dataSourceSubscribe" (func $subscribe (param i32 i32 i32 i64) (result i32)))
    (memory (export "memory") 1)
    (data (i32.const 16) "events")
    (func (export "gadgetAPIVersion") (result i64) (i64.const 1))
    (func (export "gadgetInit") (result i32)
      (drop (call $subscribe (call $getDataSource (i64.const ${(6n << 32n) | 16n})) (i32.const 1) (i32.const 0) (i64.const 9)))
      (i32.const 0))
    (func (export "gadgetStart") (result i32) ${start} (i32.const 0))
    (func (export "dataSourceCallback") (param i64 i32 i32) ${callback}))`;
}

const files: Record<string, string> = {};
beforeAll(async () => {
  mkdirSync(BUILD, { recursive: true });
  const guests = {
    trap: guest("(unreachable)"),
    "loop-callback": guest("(loop $l (br $l))"),
    "loop-start": guest("", "(loop $l (br $l))"),
    fine: guest(""),
  };
  for (const [name, text] of Object.entries(guests)) {
    files[name] = join(BUILD, `${name}.wasm`);
    writeFileSync(files[name], await wat(text));
  }
  files.events = join(BUILD, "events.yaml");
  writeFileSync(files.events, "dataSources:\n  - name: events\n    fields: { pid: uint32 }\nevents:\n  - values: { pid: 1 }\n");
});

describe("strict runs", () => {
  it("a trapping callback exits 1 naming the phase, the data source and the guest's message", async () => {
    const r = await cli("run", files.trap, "--events", files.events);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`igwasm: ${files.trap}: running: the callback of data source events (subscriber 9) trapped: unreachable`);
    // The event itself was still printed (the printer runs after the guest's subscriber).
    expect(r.out).toBe('{"ds":"events","data":{"pid":1}}\n');
  });

  it("a gadget whose callbacks do not trap exits 0", async () => {
    const r = await cli("run", files.fine, "--events", files.events);
    expect([r.code, r.err]).toEqual([0, ""]);
  });
});

describe("--timeout", () => {
  it("stops a guest that loops forever in gadgetStart: exit 124, the phase named", async () => {
    // 3s, not 1s: from source the worker compiles igwasm's TypeScript while the limit runs, on a busy machine.
    const r = await cli("run", files["loop-start"], "--events", files.events, "--timeout", "3s");
    expect(r.code).toBe(124);
    expect(r.err).toBe("igwasm: time limit of 3000 ms hit during start: the guest was stopped\n");
  }, 60_000);

  it("stops a guest that loops forever in a callback", async () => {
    const r = await cli("run", files["loop-callback"], "--events", files.events, "--timeout=3s");
    expect(r.code).toBe(124);
    expect(r.err).toBe("igwasm: time limit of 3000 ms hit during running: the guest was stopped\n");
  }, 60_000);

  it("a run within its limit gives the same output and status as without one", async () => {
    const free = await cli("run", "--example", "enricher");
    const bounded = await cli("run", "--example", "enricher", "--timeout", "60s");
    expect(bounded).toEqual(free);
    const trap = await cli("run", files.trap, "--events", files.events, "--timeout", "60s");
    expect(trap.code).toBe(1);
    expect(trap.err).toContain("running: the callback of data source events (subscriber 9) trapped: unreachable");
  }, 120_000);

  it("durations", async () => {
    expect([parseDuration("500ms", "--timeout"), parseDuration("2s", "--timeout"), parseDuration("1.5m", "--timeout"), parseDuration("3", "--timeout")]).toEqual([500, 2000, 90_000, 3000]);
    const r = await cli("run", files.fine, "--timeout", "soon");
    expect(r.code).toBe(2);
    expect(r.err).toBe('igwasm: --timeout must be a duration such as 500ms, 2s or 1m; got "soon"\n');
  });
});
