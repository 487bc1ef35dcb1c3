/**
 * How `igwasm run` loads a module: from its bytes, so that the loader applies
 * IG's guest memory cap (256 pages) and detects the release from the import
 * signatures, as it does for an embedder. (The run used to compile the module
 * itself to look at its imports, and a precompiled module cannot be capped.)
 * And how it ends when the reader of its output goes away.
 */
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { bufferIO, main } from "../cli/main.js";
import { wat } from "./helpers/wat.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const BUILD = join(ROOT, "test/.build/cli-load");

/** gadgetInit returns what memory.grow by `pages` returned: -1 when refused. */
const GROWER = (pages: number): string => `(module
  (memory (export "memory") 1)
  (func (export "gadgetAPIVersion") (result i64) (i64.const 1))
  (func (export "gadgetInit") (result i32) (i32.add (memory.grow (i32.const ${pages})) (i32.const 1))))`;

async function run(name: string, text: string): Promise<{ code: number; err: string }> {
  mkdirSync(BUILD, { recursive: true });
  const file = join(BUILD, `${name}.wasm`);
  writeFileSync(file, await wat(text));
  const io = bufferIO();
  const code = await main(["run", file], io);
  return { code, err: io.err.replace(file, "<file>") };
}

describe("igwasm run loads the module's bytes", () => {
  it("with IG's memory cap: growing past 256 pages fails in the guest", async () => {
    // -1 + 1 = 0: init succeeds only when the grow was refused.
    expect(await run("grow-past-cap", GROWER(256))).toEqual({ code: 0, err: "" });
  });

  it("growing within the cap works (so the case above can fail)", async () => {
    // The old size (1 page) + 1 = 2: init fails with that status.
    expect(await run("grow-within-cap", GROWER(255))).toEqual({ code: 1, err: "igwasm: <file>: init failed: gadgetInit returned 2\n" });
  });
});

describe("igwasm run when the output's reader goes away", () => {
  it("stops quietly (exit 0, no error per event) like `igwasm run ... | head -1`", async () => {
    mkdirSync(BUILD, { recursive: true });
    const { embeddedExamples } = await import("../cli/embedded/examples.js");
    const gadget = join(BUILD, "enricher.wasm");
    writeFileSync(gadget, Buffer.from(embeddedExamples.find((e) => e.name === "enricher")!.wasmBase64, "base64"));
    // Far more output than a pipe holds (~7 MB).
    const events = join(BUILD, "many.jsonl");
    const lines = ['{"dataSource":{"name":"events","fields":{"pid":"uint32","comm":"string","ppid":"uint32"}}}'];
    for (let i = 0; i < 100_000; i++) lines.push(`{"ds":"events","values":{"pid":${i},"comm":"bash","ppid":1}}`);
    writeFileSync(events, lines.join("\n") + "\n");
    const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "cli/main.ts"), "run", gadget, "--events", events, "-o", "json"], { cwd: ROOT });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const first = await new Promise<string>((resolve) => {
      let text = "";
      child.stdout.on("data", (d: Buffer) => {
        text += d.toString();
        if (text.includes("\n")) {
          child.stdout.destroy(); // the reader goes away after one line
          resolve(text.slice(0, text.indexOf("\n")));
        }
      });
    });
    const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
    expect(first).toBe('{"comm":"bash","comm_upper":"BASH","pid":0,"pid_plus_ppid":1,"ppid":1}');
    expect({ code, stderr }).toEqual({ code: 0, stderr: "info: enricher ready\n" });
  });
});
