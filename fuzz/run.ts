/**
 * `npm run fuzz -- [--calls N] [--seed S] [--profile P]... [--function F]... [--js-fast-path | --js-path] [--quiet]`
 * (`--help` says what each does)
 *
 * Fuzzes every host function of every profile with N calls each (the
 * documented full run: --calls 100000) and prints `N calls, N findings`,
 * then the first findings. Exits 1 when there is any.
 */
import { parseArgs } from "node:util";
import type { ProfileId } from "../generated/constants.js";
import { fuzz, PROFILES } from "./fuzzer.js";

// The host reports every refused call by throwing a HostCallError; stack traces are of no use here and cost
// more than the call itself.
Error.stackTraceLimit = 0;

const USAGE = `usage: npm run fuzz -- [--calls N] [--seed S] [--profile P]... [--function F]... [--js-fast-path | --js-path] [--quiet]

  --calls N       calls per host function (default 1000; the documented full run: 100000)
  --seed S        the random seed (default 1): the same seed makes the same calls
  --profile P     only this profile (repeatable; default: all of them)
  --function F    only this host function (repeatable)
  --js-fast-path  through the JS form of the field fast path, not the wasm one
  --js-path       through the generated JS shims only, without either fast path
  --quiet         no progress lines on stderr`;

function usageError(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

let parsed;
try {
  parsed = parseArgs({
    options: {
      calls: { type: "string", default: "1000" },
      seed: { type: "string", default: "1" },
      profile: { type: "string", multiple: true },
      function: { type: "string", multiple: true },
      quiet: { type: "boolean", default: false },
      "js-fast-path": { type: "boolean", default: false },
      "js-path": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
} catch (e) {
  usageError(`fuzz: ${e instanceof Error ? e.message : String(e)}`);
}
const { values } = parsed;
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const callsPerFunction = Number(values.calls);
const seed = Number(values.seed);
if (!Number.isSafeInteger(callsPerFunction) || callsPerFunction < 1 || !Number.isSafeInteger(seed)) {
  usageError(`fuzz: --calls must be a positive integer and --seed an integer (got ${values.calls}, ${values.seed})`);
}
if (values["js-path"] && values["js-fast-path"]) usageError("fuzz: --js-path and --js-fast-path exclude each other");
const fastPath = values["js-path"] ? false : values["js-fast-path"] ? "js" : true;
const profiles = (values.profile ?? [...PROFILES]) as ProfileId[];
const unknown = profiles.filter((p) => !PROFILES.includes(p));
if (unknown.length > 0) usageError(`fuzz: unknown profile ${unknown.join(", ")} (known: ${PROFILES.join(", ")})`);
const started = Date.now();
const report = await fuzz({
  callsPerFunction,
  seed,
  profiles,
  functions: values.function,
  fastPath,
  progress: values.quiet ? undefined : (line) => console.error(line),
});
console.log(`${report.calls} calls, ${report.findings} findings`);
console.error(`${report.sessions.length} functions across ${profiles.length} profiles, seed ${seed}, ${fastPath === false ? "JS field shims" : fastPath === "js" ? "JS fast path" : "wasm fast path"}, ${((Date.now() - started) / 1000).toFixed(1)} s`);
for (const f of report.examples) console.log(`  ${f.profile} ${f.fn} #${f.call} ${f.called}(${f.args}): ${f.problem}`);
process.exit(report.findings > 0 ? 1 : 0);
