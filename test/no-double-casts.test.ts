/**
 * The runtime and the generated host shims are typed without double casts
 * (issue 12): a value that needs `as unknown as` to fit its type is a value
 * whose type the code does not know, so it is validated instead (a checked
 * lookup, a function that returns the typed value) or typed where it is made.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "..");
const CHECKED_DIRS = ["runtime", "generated/host"];
const DOUBLE_CAST = /\bas\s+unknown\s+as\b/g;

/** `file:line` of every double cast in `text` (a cast may span lines). */
function doubleCasts(file: string, text: string): string[] {
  return [...text.matchAll(DOUBLE_CAST)].map((m) => `${file}:${text.slice(0, m.index).split("\n").length}`);
}

function typeScriptFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(".ts"))
    .map((name) => join(dir, name))
    .sort();
}

describe("no `as unknown as` in runtime/ or generated/host/", () => {
  it("finds a double cast, also across lines, and says where", () => {
    expect(doubleCasts("a.ts", "const x = 1;\nconst y = x as unknown as string;\nconst z = y as\n  unknown\n  as number;\n")).toEqual(["a.ts:2", "a.ts:3"]);
    expect(doubleCasts("a.ts", "const x = y as unknown;\nconst hasUnknownAs = 1;\n")).toEqual([]);
  });

  it("finds none in the checked directories", () => {
    const files = CHECKED_DIRS.flatMap(typeScriptFiles);
    // The walk itself works: both directories hold the files the casts used to be in.
    expect(files).toContain(join("runtime", "budgets.ts"));
    expect(files).toContain(join("runtime", "fast-path", "field-fast-path.ts"));
    expect(files.some((f) => f.startsWith(join("generated", "host")))).toBe(true);
    expect(files.flatMap((file) => doubleCasts(file, readFileSync(join(ROOT, file), "utf8")))).toEqual([]);
  });
});
