/**
 * `npm run fuzz -- --calls N --seed S [--profile P] [--function F] [--js-path] [--quiet]`
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

const { values } = parseArgs({
  options: {
    calls: { type: "string", default: "1000" },
    seed: { type: "string", default: "1" },
    profile: { type: "string", multiple: true },
    function: { type: "string", multiple: true },
    quiet: { type: "boolean", default: false },
    "js-path": { type: "boolean", default: false },
  },
});
const callsPerFunction = Number(values.calls);
const seed = Number(values.seed);
if (!Number.isSafeInteger(callsPerFunction) || callsPerFunction < 1 || !Number.isSafeInteger(seed)) {
  console.error("usage: npm run fuzz -- --calls N --seed S [--profile P]... [--function F]... [--js-path] [--quiet]");
  process.exit(2);
}
const profiles = (values.profile ?? [...PROFILES]) as ProfileId[];
const unknown = profiles.filter((p) => !PROFILES.includes(p));
if (unknown.length > 0) {
  console.error(`unknown profile ${unknown.join(", ")} (known: ${PROFILES.join(", ")})`);
  process.exit(2);
}
const started = Date.now();
const report = await fuzz({
  callsPerFunction,
  seed,
  profiles,
  functions: values.function,
  fastPath: !values["js-path"],
  progress: values.quiet ? undefined : (line) => console.error(line),
});
console.log(`${report.calls} calls, ${report.findings} findings`);
console.error(`${report.sessions.length} functions across ${profiles.length} profiles, seed ${seed}, ${values["js-path"] ? "JS field shims" : "wasm fast path"}, ${((Date.now() - started) / 1000).toFixed(1)} s`);
for (const f of report.examples) console.log(`  ${f.profile} ${f.fn} #${f.call} ${f.called}(${f.args}): ${f.problem}`);
process.exit(report.findings > 0 ? 1 : 0);
