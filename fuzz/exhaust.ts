/**
 * `npm run fuzz:exhaust`: a guest that tries to exhaust every budget with
 * the default limits (packets with large values, Array and hash maps, perf
 * readers, config, data sources, fields, tags, subscriptions, handles), one
 * after another until each is refused, keeping everything it got, so at the
 * end every budget is full at once. Checks that every refusal is an error
 * value and that the embedder's emit still works, and prints the process's
 * peak RSS next to the sum of the budgets (docs/limits.md).
 */
import { FieldKind, LogLevel, MapType, MaxHandles } from "../generated/constants.js";
import { DEFAULT_LIMITS } from "../runtime/budgets.js";
import { loadGadgetSync } from "../runtime/gadget.js";
import { DATA } from "./guest.js";
import { guestBytes } from "./fuzzer.js";
import { packed } from "./values.js";

const rssBefore = process.memoryUsage().rss;
const gadget = loadGadgetSync(await guestBytes("v0.43"), { igVersion: "v0.55.1", logLevel: LogLevel.Error, logSink: () => {} });
const memory = gadget.exports.memory as WebAssembly.Memory;
const call = (name: string, ...args: unknown[]): number => Number((gadget.exports[`f_${name}`] as (...a: unknown[]) => unknown)(...args));
const text = (at: number, value: string): bigint => {
  const bytes = new TextEncoder().encode(value);
  new Uint8Array(memory.buffer).set(bytes, at);
  return packed(at, bytes.length);
};
let scratch = 0;
/** A fresh name each time (for data sources, fields, tags, config keys). */
const name = (prefix: string): bigint => text(DATA, `${prefix}${scratch++}`);

/** Calls `step` until it returns false (refused); returns how many succeeded. */
function until(what: string, step: () => boolean, max = 10_000_000): number {
  let n = 0;
  while (n < max && step()) n++;
  console.log(`${what}: ${n} accepted, then refused`);
  return n;
}

const events = gadget.dataSources.declare("events", { fields: { pid: "uint32" } });
const seen: number[] = [];
events.subscribe((ev) => seen.push(Number((ev as { get(n: string): unknown }).get("pid"))));

const taken: number[] = [];
const keep = (h: number): boolean => {
  if (h !== 0) taken.push(h);
  return h !== 0;
};

// Six 40 KiB values per packet: the budget, not the handle table, ends this.
const ds = call("newDataSource", name("big"), 1);
const fields = Array.from({ length: 6 }, () => call("dataSourceAddField", ds, name("v"), FieldKind.String));
const tagged = call("dataSourceAddField", ds, name("t"), FieldKind.Uint32);
const big = text(DATA + 0x100, "x".repeat(40 * 1024));
until("packets with six 40 KiB string values (hostMemoryBytes)", () => {
  const p = call("dataSourceNewPacketSingle", ds);
  return keep(p) && fields.every((f) => call("fieldSet", f, p, FieldKind.String, big) === 0);
});
until("128 MiB Array maps (mapBytes)", () => keep(call("newMap", name("a"), MapType.Array, 4, 4096, 32768)));
// One Array map goes back (mapRelease returns its bytes): room for hash entries.
if (call("mapRelease", taken.pop()!) !== 0) throw new Error("mapRelease failed");
const hash = call("newMap", name("h"), MapType.Hash, 8, 8, 0xffffffff);
const key = DATA + 0x80;
until("hash map entries (mapEntries, mapBytes)", () => {
  new DataView(memory.buffer).setBigUint64(key, BigInt(scratch++), true);
  return call("mapUpdate", hash, packed(key, 8), packed(key, 8), 0n) === 0;
});
const perf = call("newMap", name("p"), MapType.PerfEventArray, 4, 4, 1);
until("64 MiB perf readers (perfRingBytes)", () => keep(call("newPerfReader", perf, 64 * 1024 * 1024, 0)));
const value = text(DATA + 0x100, "v".repeat(100));
until("config keys (configEntries, configBytes)", () => call("setConfig", name("k"), value, FieldKind.String) === 0);
until("subscriptions (subscriptionsPerDataSource)", () => call("dataSourceSubscribe", ds, 1, 0, 1n) === 0);
until("tags on one field (tagsPerField)", () => call("fieldAddTag", tagged, name("tag")) === 0);
until("data sources with 4 KiB names (metadataBytes)", () => {
  const h = call("newDataSource", text(DATA, `${scratch++}`.padEnd(4096, "n")), 1);
  if (h !== 0) call("releaseHandle", h);
  return h !== 0;
});
until(`handles (${MaxHandles})`, () => keep(call("getDataSource", text(DATA, "events"))));
events.emit({ pid: 42 });
for (const h of taken.splice(0)) call("releaseHandle", h);
events.emit({ pid: 43 });
if (seen.join(",") !== "42,43") throw new Error(`the embedder's emit did not deliver: ${seen.join(",")}`);

const budgetBytes = DEFAULT_LIMITS.hostMemoryBytes + DEFAULT_LIMITS.mapBytes + DEFAULT_LIMITS.perfRingBytes + DEFAULT_LIMITS.configBytes + DEFAULT_LIMITS.metadataBytes;
const peak = process.resourceUsage().maxRSS * 1024;
const mib = (n: number): string => `${(n / 1024 / 1024).toFixed(0)} MiB`;
console.log(`the embedder's emit delivered with every budget full and after; peak RSS ${mib(peak)}: ${mib(rssBefore)} at start + ${mib(peak - rssBefore)}; the budgets add up to ${mib(budgetBytes)}`);
