/**
 * Docs that run: every fenced block of README.md and docs/*.md in a shell or
 * TypeScript language (sh, bash, ts) is either run here or marked, in an HTML
 * comment on the line before it, with why it is not:
 *
 *   <!-- doc-test: sh -->            run with bash in the doc's scratch directory
 *   <!-- doc-test: file NAME -->     written to NAME there (any language)
 *   <!-- doc-test: ts -->            written to a .mts file and run with tsx
 *   <!-- doc-test: skip REASON -->   not run; REASON says why
 *
 * Each document gets its own scratch directory (outside the repository) and
 * its blocks run in order, so a document is a script: docs/authoring.md
 * makes its project the documented way (npm init, npm install of this
 * checkout, which the test substitutes for /path/to/igwasm) and builds, runs
 * and tests its gadget there. A `cd` in one block carries over to the next.
 * A block fails the test when it exits non-zero.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const RUNNABLE = new Set(["sh", "bash", "ts", "typescript"]);

interface Block {
  readonly line: number;
  readonly lang: string;
  readonly text: string;
  /** The doc-test marker before the fence, without "doc-test:"; "" when there is none. */
  readonly marker: string;
}

export function fencedBlocks(markdown: string): Block[] {
  const lines = markdown.split("\n");
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i]);
    if (open === null) continue;
    const start = i;
    let end = i + 1;
    while (end < lines.length && lines[end] !== "```") end++;
    const marker = /^<!-- doc-test: (.*) -->$/.exec(lines[start - 1] ?? "")?.[1] ?? "";
    blocks.push({ line: start + 1, lang: open[1], text: lines.slice(start + 1, end).join("\n") + "\n", marker });
    i = end;
  }
  return blocks;
}

const DOCS = ["README.md", ...readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
const scratch: string[] = [];
afterAll(() => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

describe("every shell and TypeScript block is run or marked with a reason", () => {
  for (const doc of DOCS) {
    it(doc, () => {
      for (const b of fencedBlocks(readFileSync(join(ROOT, doc), "utf8"))) {
        if (!RUNNABLE.has(b.lang)) continue;
        const where = `${doc}:${b.line}`;
        expect(b.marker, `${where}: a ${b.lang} block needs a doc-test marker`).not.toBe("");
        expect(b.marker, `${where}: unknown marker`).toMatch(/^(sh|ts|file \S+|skip \(?\S.*)/);
        if (b.marker.startsWith("skip")) expect(b.marker.length, `${where}: say why the block is skipped`).toBeGreaterThan("skip ".length + 10);
      }
    });
  }
});

/** Runs a document's blocks in order in its scratch directory. */
function runDoc(doc: string): void {
  const base = mkdtempSync(join(tmpdir(), "igwasm-doc-"));
  scratch.push(base);
  const cwdFile = join(base, ".cwd");
  let cwd = base;
  const env = { ...process.env, npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" };
  for (const [i, b] of fencedBlocks(readFileSync(join(ROOT, doc), "utf8")).entries()) {
    const where = `${doc}:${b.line}`;
    const text = b.text.replaceAll("/path/to/igwasm", ROOT);
    if (b.marker.startsWith("file ")) {
      writeFileSync(join(cwd, b.marker.slice("file ".length).trim()), text);
    } else if (b.marker.startsWith("sh")) {
      const r = spawnSync("bash", ["-euo", "pipefail", "-c", `cd "$1"\n${text}\npwd > "$2"`, "doc", cwd, cwdFile], { env, encoding: "utf8", timeout: 300_000 });
      expect(r.status, `${where} failed:\n${text}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`).toBe(0);
      cwd = readFileSync(cwdFile, "utf8").trim();
    } else if (b.marker === "ts") {
      const file = join(cwd, `doc-snippet-${i}.mts`);
      writeFileSync(file, text);
      const r = spawnSync(process.execPath, ["--import", "tsx", file], { cwd, env, encoding: "utf8", timeout: 120_000 });
      expect(r.status, `${where} failed:\n${text}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`).toBe(0);
    }
  }
}

describe("the docs run as written", () => {
  for (const doc of DOCS) {
    const blocks = fencedBlocks(readFileSync(join(ROOT, doc), "utf8"));
    if (!blocks.some((b) => b.marker.startsWith("sh") || b.marker === "ts")) continue;
    it(doc, { timeout: 900_000 }, () => {
      expect(existsSync(join(ROOT, "dist/cli/main.js")), "build the package first (npm run build)").toBe(true);
      runDoc(doc);
    });
  }
});

describe("the extractor", () => {
  it("finds blocks, their language, line and marker", () => {
    const md = "text\n<!-- doc-test: file a.ts -->\n```ts\nconst a = 1;\n```\n```\nout\n```\n";
    expect(fencedBlocks(md)).toEqual([
      { line: 3, lang: "ts", text: "const a = 1;\n", marker: "file a.ts" },
      { line: 6, lang: "", text: "out\n", marker: "" },
    ]);
  });
});
