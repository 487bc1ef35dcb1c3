/**
 * The CLI says what to do where a new user goes wrong (the walkthrough of
 * 2026-11-29): plain `asc` output importing env.abort, `igwasm gen` outside
 * the repository, `run <gadget> --help` listing the gadget's params, an
 * unknown --param without metadata.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { cli } from "./helpers/cli.js";
import { wat } from "./helpers/wat.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const BUILD = join(ROOT, "test/.build/cli-hints");
const scratch = mkdtempSync(join(tmpdir(), "igwasm-hints-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const NOTHING = `(module (memory (export "memory") 1) (func (export "gadgetAPIVersion") (result i64) (i64.const 1)))`;

describe("hints", () => {
  it("a module importing env.abort (plain asc) gets the hint to use igwasm build", async () => {
    mkdirSync(BUILD, { recursive: true });
    const file = join(BUILD, "abort.wasm");
    writeFileSync(file, await wat(`(module (import "env" "abort" (func (param i32 i32 i32 i32))) (import "ig" "gadgetLog" (func (param i32 i64))) (memory (export "memory") 1) (func (export "gadgetAPIVersion") (result i64) (i64.const 1)))`));
    const r = await cli("run", file);
    expect(r.code).toBe(1);
    expect(r.err).toContain("igwasm: hint: env.abort is AssemblyScript's default abort handler, which IG hosts do not provide: build with `igwasm build`");
  });

  it("igwasm gen outside the repository says where it runs and that gadgets do not need it", () => {
    const r = spawnSync(process.execPath, [join(ROOT, "dist/cli/main.js"), "gen"], { cwd: scratch, encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^igwasm: gen regenerates igwasm's own bindings from spec\/ and runs in the igwasm repository/);
    expect(r.stderr).not.toMatch(/internal error|at /);
  });

  it("run <gadget> --help lists the gadget's params from its metadata", async () => {
    mkdirSync(BUILD, { recursive: true });
    const file = join(BUILD, "nothing.wasm");
    writeFileSync(file, await wat(NOTHING));
    const meta = join(BUILD, "gadget.yaml");
    writeFileSync(meta, 'params:\n  wasm:\n    min_pid: { key: min_pid, defaultValue: "1000", description: smallest pid to keep }\n    iface: { key: iface, isMandatory: true }\n');
    const r = await cli("run", file, "--metadata", meta, "--help");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^usage: igwasm run/);
    expect(r.out.endsWith(`\nParams of ${file} (--param key=value):\n  min_pid (default "1000")\n      smallest pid to keep\n  iface (mandatory)\n`)).toBe(true);
    const unknown = await cli("run", file, "--help");
    expect(unknown.out).toContain(`${file}: no metadata (gadget.yaml) found, so its params are unknown; give it with --metadata.`);
  });

  it("an unknown --param is an error with metadata and a warning without", async () => {
    const file = join(BUILD, "nothing.wasm");
    writeFileSync(file, await wat(NOTHING));
    const meta = join(BUILD, "gadget.yaml");
    writeFileSync(meta, "params:\n  wasm:\n    min_pid: { key: min_pid }\n");
    const withMeta = await cli("run", file, "--metadata", meta, "--param", "nosuch=1");
    expect(withMeta.code).toBe(2);
    expect(withMeta.err).toBe(`igwasm: unknown param "nosuch": ${file} declares min_pid\n`);
    const without = await cli("run", file, "--param", "nosuch=1");
    expect(without.code).toBe(0);
    expect(without.err).toBe("igwasm: warning: params are not checked (no gadget.yaml; give one with --metadata): nosuch\n");
  });
});
