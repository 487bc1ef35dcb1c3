/**
 * A guest written in C against the generated header (generated/guest/c)
 * runs on the host: compiled with clang for wasm32 without libc against
 * igwasm_v0.43.h, it is detected as a build for IG v0.39.0 and later, links to
 * the v0.43 shims, subscribes, reads and writes fields. Skipped, with a
 * message, when clang or wasm-ld is missing (CI installs both).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadGadget } from "../runtime/gadget.js";

const BUILD = "test/.build/guest-c";
const clang = spawnSync("clang", ["--version"], { encoding: "utf8" });
const haveClang = clang.status === 0;
if (!haveClang) console.warn("guest-c: skipping: clang is not available; CI installs it.");

function buildC(source: string, out: string): void {
  mkdirSync(BUILD, { recursive: true });
  const r = spawnSync(
    "clang",
    ["--target=wasm32", "-O2", "-nostdlib", "-std=c11", "-Wall", "-Wextra", "-Werror", "-Igenerated/guest/c", "-Wl,--no-entry", "-o", out, source],
    { encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(`clang failed:\n${r.stderr}`);
}

describe("a C guest", () => {
  it.skipIf(!haveClang)("built from the generated header, enriches host events", async () => {
    const out = join(BUILD, "enricher.wasm");
    buildC("test/fixtures/c/enricher.c", out);
    const logs: string[] = [];
    const g = await loadGadget(readFileSync(out), { logSink: (_l, m) => logs.push(m) });
    expect(g.profile).toBe("v0.43");
    // Its imports (ig.fieldGetScalar with an error word, ...) exist since the ig module of v0.39.0.
    expect([g.resolution.first, g.resolution.last, g.release]).toEqual(["v0.39.0", "v0.55.1", "v0.55.1"]);
    const events = g.dataSources.declare("events", { fields: { pid: "uint32", comm: "string" } });
    const seen: unknown[] = [];
    g.dataSources.subscribe("events", (ev) => seen.push((ev as import("../runtime/index.js").EventView).toJSON()), { priority: 100 });
    g.run(() => {
      events.emit({ pid: 4242, comm: "curl" });
      events.emit({ pid: 0xffffffff, comm: "héllo" });
    });
    expect(logs).toEqual(["c enricher ready"]);
    expect(seen).toEqual([
      { pid: 4242, comm: "curl", pid_x2: 8484n, comm_len: 4 },
      { pid: 0xffffffff, comm: "héllo", pid_x2: 0x1fffffffen, comm_len: 6 },
    ]);
  });
});
