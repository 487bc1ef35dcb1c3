/**
 * A vitest reporter that checks the in-browser run against the Node run: for
 * every file the browser project ("chromium") ran, the "default" project (Node) must
 * have passed the same number of tests. Prints one line, writes
 * .tmp/browser-counts.json for .ci/run, and fails the run on a mismatch.
 * Says nothing when the chromium project did not run.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { relative } from "node:path";
import type { Reporter, TestModule } from "vitest/node";

export interface BrowserCounts {
  readonly files: number;
  readonly chromiumPassed: number;
  readonly nodePassed: number;
  /** Files whose counts differ (or that Node did not run): file -> [chromium, node]. */
  readonly mismatches: Readonly<Record<string, readonly [number, number | null]>>;
}

function passedByFile(modules: readonly TestModule[], inProject: (m: TestModule) => boolean): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of modules) {
    if (!inProject(m)) continue;
    out.set(relative(process.cwd(), m.moduleId), [...m.children.allTests("passed")].length);
  }
  return out;
}

export function compareCounts(modules: readonly TestModule[]): BrowserCounts | null {
  const chromium = passedByFile(modules, (m) => m.project.config.browser.enabled);
  if (chromium.size === 0) return null;
  const node = passedByFile(modules, (m) => m.project.name === "default");
  const mismatches: Record<string, [number, number | null]> = {};
  let chromiumPassed = 0;
  let nodePassed = 0;
  for (const [file, n] of chromium) {
    const m = node.get(file) ?? null;
    chromiumPassed += n;
    nodePassed += m ?? 0;
    if (m !== n) mismatches[file] = [n, m];
  }
  return { files: chromium.size, chromiumPassed, nodePassed, mismatches };
}

export default class BrowserCountReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const counts = compareCounts(modules);
    if (counts === null) return;
    mkdirSync(".tmp", { recursive: true });
    writeFileSync(".tmp/browser-counts.json", JSON.stringify(counts, null, 2) + "\n");
    const bad = Object.entries(counts.mismatches);
    console.log(`\nin Chromium: ${counts.chromiumPassed} tests passed in ${counts.files} files; in Node, the same files: ${counts.nodePassed} passed${bad.length ? "" : " (equal)"}`);
    for (const [file, [c, n]] of bad) console.log(`  ${file}: ${c} in Chromium, ${n === null ? "not run" : n} in Node`);
    if (bad.length > 0) process.exitCode = 1;
  }
}
