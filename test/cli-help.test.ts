/** igwasm --help, --version, each command's --help, and usage errors. */
import { describe, expect, it } from "vitest";
import { DIFF_HELP } from "../cli/diff.js";
import { BUILD_HELP, GEN_HELP, INSPECT_HELP, MAIN_HELP } from "../cli/main.js";
import { cli } from "./helpers/cli.js";
import { RUN_HELP } from "../cli/run.js";

describe("igwasm help", () => {
  it("prints the main help", async () => {
    for (const args of [["--help"], ["-h"], ["help"]]) {
      expect(await cli(...args)).toEqual({ code: 0, out: MAIN_HELP + "\n", err: "" });
    }
    expect(MAIN_HELP).toMatch(/^usage: igwasm <command> \[options\]/);
    for (const command of ["run", "inspect", "diff", "build", "gen"]) expect(MAIN_HELP).toContain(`  ${command} `);
  });

  it("prints each command's help", async () => {
    const helps: [string, string][] = [
      ["run", RUN_HELP],
      ["inspect", INSPECT_HELP],
      ["diff", DIFF_HELP],
      ["build", BUILD_HELP],
      ["gen", GEN_HELP],
    ];
    for (const [command, text] of helps) {
      expect(await cli(command, "--help")).toEqual({ code: 0, out: text + "\n", err: "" });
      expect(await cli("help", command)).toEqual({ code: 0, out: text + "\n", err: "" });
      expect(text).toMatch(new RegExp(`^usage: igwasm ${command}`));
    }
    expect(RUN_HELP).toContain("--events <file>");
    expect(RUN_HELP).toContain("--param <k=v>");
    expect(RUN_HELP).toContain("--log-level <level>");
    expect(RUN_HELP).toContain("--ig-version <release>");
    expect(INSPECT_HELP).toContain("--json");
    expect(INSPECT_HELP).toContain("--ig-version <release>");
    expect(DIFF_HELP).toContain("Exit status: 0 when nothing breaking changed, 1 when something did");
  });

  it("prints the version", async () => {
    const r = await cli("--version");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^igwasm \d+\.\d+\.\d+\n$/);
    expect((await cli("-V")).out).toBe(r.out);
  });

  it("fails with usage errors", async () => {
    expect(await cli()).toEqual({ code: 2, out: "", err: MAIN_HELP + "\n" });
    expect(await cli("frobnicate")).toEqual({ code: 2, out: "", err: 'igwasm: unknown command "frobnicate" (commands: run, test, inspect, diff, build, gen)\n' });
    expect(await cli("--bogus")).toEqual({ code: 2, out: "", err: "igwasm: unknown option --bogus (see igwasm --help)\n" });
    expect((await cli("gen", "--bogus")).code).toBe(2);
    expect((await cli("build")).err).toBe("igwasm: build needs a gadget source file (see igwasm build --help)\n");
    expect(await cli("diff", "v0.37.0")).toEqual({ code: 2, out: "", err: "igwasm: diff: give two IG releases, e.g. igwasm diff v0.37.0 v0.39.0\n" });
    expect(await cli("diff", "v0.37.0", "v9.9.9")).toEqual({ code: 2, out: "", err: 'igwasm: diff: unknown IG release "v9.9.9" (known: pre-release, v0.30.0 ... v0.55.1)\n' });
    expect(await cli("inspect", "x.wasm", "--ig-version")).toMatchObject({ code: 2, out: "" });
  });
});
