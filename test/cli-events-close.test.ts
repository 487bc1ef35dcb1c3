/**
 * `igwasm run` opens its events file and a replay capture before the gadget
 * loads (so a missing file fails first); whatever ends the run, they are
 * closed. `igwasm test` runs many cases in one process, so a file left open
 * per failed case would add up.
 */
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "./helpers/cli.js";

const openFds = (): number => readdirSync("/proc/self/fd").length;

describe("igwasm run closes its input files", () => {
  const dir = mkdtempSync(join(tmpdir(), "igwasm-close-"));
  const events = join(dir, "events.jsonl");
  writeFileSync(events, `{"dataSource":{"name":"events","fields":{"pid":"uint32"}}}\n{"ds":"events","values":{"pid":1}}\n`);
  const capture = join(dir, "capture.jsonl");
  writeFileSync(capture, `{"pid":2}\n`);
  const badWasm = join(dir, "bad.wasm");
  writeFileSync(badWasm, new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x05]));

  it.runIf(process.platform === "linux")("when the module cannot be loaded (events file and capture)", async () => {
    const before = openFds();
    for (let i = 0; i < 5; i++) {
      const r = await cli("run", badWasm, "--events", events, "--replay", capture);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/cannot load/);
    }
    expect(openFds()).toBe(before);
  });

  it.runIf(process.platform === "linux")("after a normal run (control: the run itself works)", async () => {
    const before = openFds();
    const r = await cli("run", "--example", "enricher");
    expect(r.code).toBe(0);
    expect(openFds()).toBe(before);
  });
});
