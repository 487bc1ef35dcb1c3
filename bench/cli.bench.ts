/**
 * The CLI end to end (issue 11): `igwasm run` of the example enricher on a
 * JSON-lines events file, output as JSON lines to /dev/null, against floors
 * measured in the same rounds:
 *
 *   cat            `cat events.jsonl > /dev/null`: the cost of reading the file
 *   node split     node starting, reading the file in 1 MiB chunks and
 *                  splitting it into lines (igwasm's own reader, nothing else)
 *   node parse     the same plus JSON.parse of every line
 *   node parse+stringify
 *                  the same plus JSON.stringify of each event's values, written
 *                  out in 64 KiB batches: a bare JSON-lines filter in Node, the
 *                  least any JSON-lines-in, JSON-lines-out tool does per event
 *   igwasm run     the whole CLI: read, parse, check, emit, the guest's
 *                  callback, format, write
 *
 * and cold starts: `igwasm run` of the embedded example and `igwasm inspect`
 * of a gadget, against `node -e 0`, each as wall time and as the process's
 * CPU time (on a machine shared with other work, the wall time measures the
 * scheduler as much as the process).
 *
 * Every case runs in a child process (dist/, as the installed CLI runs; run
 * `npm run build` first). Cases are interleaved: each round runs every case
 * once, in rotated order, so load from other processes on a shared machine
 * falls on all of them alike; figures are medians over the rounds, with the
 * spread (half the range, in % of the median) in the rme column. The child
 * reports its own CPU time and peak RSS (process.resourceUsage at exit).
 */
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { figureOf, single, type BenchSuite, type CaseResult, type RunOptions, type SuiteResult } from "./lib/harness.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const MAIN = join(ROOT, "dist/cli/main.js");
const LINE_READER = join(ROOT, "dist/cli/line-reader.js");

interface Sample {
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly rssBytes: number;
}

/** Node code run by a child: runs `body`, then writes its CPU time and peak RSS to fd 3 as JSON. */
function childScript(body: string): string {
  return `${body}
const u = process.resourceUsage();
require("node:fs").writeSync(3, JSON.stringify({ cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000, rssBytes: u.maxRSS * 1024 }));`;
}

/** Runs node with `script` (CommonJS, `-e`), stdout to /dev/null; wall time measured here. */
function runNode(script: string, args: readonly string[] = []): Sample {
  const devNull = openSync("/dev/null", "w");
  try {
    const t0 = process.hrtime.bigint();
    // A first argument of its own: node reads `-e ... -- inspect` as its debugger command.
    const r = spawnSync(process.execPath, ["-e", script, "--", "igwasm", ...args], { stdio: ["ignore", devNull, "pipe", "pipe"], encoding: "utf8", maxBuffer: 1 << 24 });
    const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr}`);
    const usage = JSON.parse(String(r.output[3])) as { cpuMs: number; rssBytes: number };
    return { wallMs, ...usage };
  } finally {
    closeSync(devNull);
  }
}

function runCat(file: string): Sample {
  const devNull = openSync("/dev/null", "w");
  try {
    const t0 = process.hrtime.bigint();
    const r = spawnSync("cat", [file], { stdio: ["ignore", devNull, "inherit"] });
    if (r.status !== 0) throw new Error("cat failed");
    return { wallMs: Number(process.hrtime.bigint() - t0) / 1e6, cpuMs: NaN, rssBytes: NaN };
  } finally {
    closeSync(devNull);
  }
}

/** igwasm's CLI in the child, exiting with its status (what main.js does as the bin). */
const cliScript = childScript(`
(async () => {
  const { main } = await import(${JSON.stringify(MAIN)});
  const code = await main(process.argv.slice(2));
  if (code !== 0) process.exit(code);
})().then(() => {
`).replace(/\n$/, "") + "\n});";

/**
 * Node reading the file with igwasm's line reader: `split` only, `parse` also
 * JSON.parses each line, `stringify` also writes each event's values back as
 * a JSON line (64 KiB writes to stdout).
 */
const floorScript = (work: "split" | "parse" | "stringify"): string => {
  const perLine = {
    split: "n++;",
    parse: "if (JSON.parse(l) !== null) n++;",
    stringify: "const o = JSON.parse(l); if (o.values !== undefined) { out += JSON.stringify(o.values) + '\\n'; n++; if (out.length >= 65536) { fs.writeSync(1, out); out = ''; } }",
  }[work];
  return (
    childScript(`
(async () => {
  const fs = require("node:fs");
  const { LineReader } = await import(${JSON.stringify(LINE_READER)});
  const r = new LineReader(fs.openSync(process.argv[2], "r"));
  let n = 0;
  let out = "";
  for (let l = r.next(); l !== null; l = r.next()) { ${perLine} }
  fs.writeSync(1, out);
  if (n === 0) throw new Error("no lines");
})().then(() => {
`).replace(/\n$/, "") + "\n});"
  );
};

/** A JSON-lines events file for the enricher: pid, comm, ppid. */
function writeEvents(file: string, count: number): void {
  const fd = openSync(file, "w");
  const comms = ["systemd", "bash", "curl", "sshd", "kworker/0:1"];
  let text = '{"dataSource":{"name":"events","type":"single","fields":{"pid":"uint32","comm":"string","ppid":"uint32"}}}\n';
  for (let i = 0; i < count; i++) {
    text += `{"ds":"events","values":{"pid":${i},"comm":"${comms[i % comms.length]}","ppid":${i >>> 1}}}\n`;
    if (text.length > 1 << 20) {
      writeSync(fd, text);
      text = "";
    }
  }
  writeSync(fd, text);
  closeSync(fd);
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const spreadPercent = (xs: readonly number[]): number => {
  const m = median(xs);
  return m > 0 && xs.length > 1 ? ((Math.max(...xs) - Math.min(...xs)) / 2 / m) * 100 : 0;
};

/** Runs every case once per round, rotating the order each round. */
function interleave(cases: Readonly<Record<string, () => Sample>>, rounds: number): Map<string, Sample[]> {
  const names = Object.keys(cases);
  const samples = new Map(names.map((n) => [n, [] as Sample[]]));
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + r) % names.length];
      samples.get(name)!.push(cases[name]());
    }
  }
  return samples;
}

/** A case over wall time per operation, its ratio per round to `base` (same round order). */
function caseResult(name: string, samples: readonly Sample[], ops: number, base: readonly Sample[]): CaseResult {
  const samplesNs = samples.map((s) => (s.wallMs * 1e6) / ops);
  const ns = figureOf(samplesNs);
  const baseNs = base.map((s) => (s.wallMs * 1e6) / ops);
  const ratio = figureOf(samplesNs.map((v, i) => v / baseNs[i]));
  return { name, ns, nsPerOp: ns.median, opsPerSec: 1e9 / ns.median, spreadPercent: ns.median === 0 ? 0 : ((ns.high - ns.low) / 2 / ns.median) * 100, samplesNs, ratio };
}

export const cliSuite: BenchSuite = {
  name: "cli",
  title: "igwasm CLI end to end: enricher, JSON lines in and out, vs same-run floors",
  run(options: RunOptions): SuiteResult {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build first`);
    const dir = mkdtempSync(join(tmpdir(), "igwasm-cli-bench-"));
    try {
      const small = options.quick ? 2_000 : 1_000_000;
      const large = options.quick ? 5_000 : 10_000_000;
      const rounds = options.quick ? 1 : 5;
      const file = join(dir, "events.jsonl");
      writeEvents(file, small);
      const wasm = join(dir, "enricher.wasm");
      spawnSync(process.execPath, ["-e", `import(${JSON.stringify(join(ROOT, "dist/cli/embedded/examples.js"))}).then((m) => require("node:fs").writeFileSync(${JSON.stringify(wasm)}, Buffer.from(m.embeddedExamples.find((e) => e.name === "enricher").wasmBase64, "base64")))`]);
      const run = ["run", wasm, "--events", file, "-o", "json"];

      const throughput = interleave(
        {
          cat: () => runCat(file),
          "node split": () => runNode(floorScript("split"), [file]),
          "node parse": () => runNode(floorScript("parse"), [file]),
          "node parse+stringify": () => runNode(floorScript("stringify"), [file]),
          "igwasm run": () => runNode(cliScript, run),
        },
        rounds,
      );
      const coldRounds = options.quick ? 1 : 9;
      const cold = interleave(
        {
          "node -e 0": () => runNode(childScript("")),
          "cold igwasm run (embedded example)": () => runNode(cliScript, ["run"]),
          "cold igwasm inspect": () => runNode(cliScript, ["inspect", wasm]),
        },
        coldRounds,
      );

      // Peak memory over the large file: one run (it takes a while).
      const largeFile = join(dir, "large.jsonl");
      writeEvents(largeFile, large);
      const largeRun = runNode(cliScript, ["run", wasm, "--events", largeFile, "-o", "json"]);
      rmSync(largeFile);

      const catSamples = throughput.get("cat")!;
      const nodeSamples = cold.get("node -e 0")!;
      const cases: CaseResult[] = [
        ...[...throughput].map(([name, s]) => caseResult(`${name} (${small} events)`, s, small, catSamples)),
        ...[...cold].map(([name, s]) => caseResult(name, s, 1, nodeSamples)),
      ];
      const baseline = cases[0];
      const med = (m: Map<string, Sample[]>, name: string, f: (s: Sample) => number): number => median(m.get(name)!.map(f));
      const runWall = med(throughput, "igwasm run", (s) => s.wallMs);
      const runCpu = med(throughput, "igwasm run", (s) => s.cpuMs);
      const coldCpu = (name: string): number => med(cold, name, (s) => s.cpuMs);
      const nodeCpu = coldCpu("node -e 0");
      const measured: Record<string, number> = {
        "events/s end to end (wall)": Math.round(small / (runWall / 1000)),
        "events/s end to end (CPU time)": Math.round(small / (runCpu / 1000)),
        "events/s, node parse+stringify floor (CPU time)": Math.round(small / (med(throughput, "node parse+stringify", (s) => s.cpuMs) / 1000)),
        "igwasm run / cat (wall)": runWall / med(throughput, "cat", (s) => s.wallMs),
        "igwasm run / node split (wall)": runWall / med(throughput, "node split", (s) => s.wallMs),
        "igwasm run / node parse (CPU)": runCpu / med(throughput, "node parse", (s) => s.cpuMs),
        "igwasm run / node parse+stringify (CPU)": runCpu / med(throughput, "node parse+stringify", (s) => s.cpuMs),
        [`peak RSS, ${small} events (bytes)`]: med(throughput, "igwasm run", (s) => s.rssBytes),
        [`peak RSS, ${large} events (bytes)`]: largeRun.rssBytes,
        "peak RSS, 10^6 and 10^7 events, larger (bytes)": Math.max(med(throughput, "igwasm run", (s) => s.rssBytes), largeRun.rssBytes),
        "cold igwasm run (ms)": med(cold, "cold igwasm run (embedded example)", (s) => s.wallMs),
        "cold igwasm inspect (ms)": med(cold, "cold igwasm inspect", (s) => s.wallMs),
        "node -e 0 (ms)": med(cold, "node -e 0", (s) => s.wallMs),
        "cold igwasm run (ms, CPU time)": coldCpu("cold igwasm run (embedded example)"),
        "cold igwasm inspect (ms, CPU time)": coldCpu("cold igwasm inspect"),
        "node -e 0 (ms, CPU time)": nodeCpu,
        "cold igwasm run above node -e 0 (ms, CPU time)": coldCpu("cold igwasm run (embedded example)") - nodeCpu,
        "cold igwasm inspect above node -e 0 (ms, CPU time)": coldCpu("cold igwasm inspect") - nodeCpu,
      };
      const derived = Object.fromEntries(Object.entries(measured).map(([k, v]) => [k, single(v)]));
      return {
        name: "cli",
        title: cliSuite.title,
        baseline: baseline.name,
        rounds,
        cases,
        derived,
        notes: [
          `${rounds} interleaved rounds (cold starts: ${coldRounds}); medians; rme column = half the range over the rounds, in % of the median.`,
          `cold cases: ns/op is the whole process's wall time; their ratio is to node -e 0. Large run: ${large} events, ${(largeRun.wallMs / 1000).toFixed(1)} s wall, ${(largeRun.cpuMs / 1000).toFixed(1)} s CPU.`,
        ],
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
