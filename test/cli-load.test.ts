/**
 * How `igwasm run` loads a module: from its bytes, so that the loader applies
 * IG's guest memory cap (256 pages) and detects the release from the import
 * signatures, as it does for an embedder. (The run used to compile the module
 * itself to look at its imports, and a precompiled module cannot be capped.)
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { bufferIO, main } from "../cli/main.js";
import { wat } from "./helpers/wat.js";

const BUILD = join(dirname(fileURLToPath(import.meta.url)), ".build/cli-load");

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
