/**
 * The fuzzer's guest, built for one profile from the generated descriptors:
 * it imports every host function of the profile and exports a forwarder
 * `f_<name>` for each (so the fuzzer drives exact wire values), a bump
 * `malloc`, and a data-source callback whose behaviour the fuzzer picks
 * before each call through a control word: nothing, grow memory, emit a
 * packet into the callback's own data source (a re-entrant chain), release
 * the callback's data handle, or trap.
 *
 * Guest memory (1 page, may grow to MAX_PAGES):
 *
 *   0x0000  control: action u32, depth u32 (callbacks in progress), count u32
 *   0x0100  the fuzzer's strings (names the host knows, and some it does not)
 *   0x1000  data and destination area (sentinel-filled)
 *   0xc000  malloc heap (bump, starts over when full)
 */
import type { ProfileId } from "../generated/constants.js";
import { profileModules, guestExportsOfProfile, hostFunctionsOfProfile, type HostFnDescriptor } from "../generated/host/descriptors.js";

export const ACTION = 0x0;
export const DEPTH = 0x4;
export const CALLBACKS = 0x8;
export const CONTROL_END = 0x100;
export const STRINGS = 0x100;
export const DATA = 0x1000;
export const HEAP = 0xc000;
export const HEAP_END = 0x10000;
export const MAX_PAGES = 2;
/** Callbacks per call that may emit (see callbackWat). */
const MAX_EMITTING = 40;

/** What the callback does, chosen per call. */
export const CallbackAction = { None: 0, Grow: 1, Emit: 2, ReleaseData: 3, Trap: 4, GrowAndEmit: 5 } as const;

/** `(param ...) (result ...)` of a host function, from its descriptor. */
export function wireSignature(d: HostFnDescriptor): string {
  const params = d.params.length > 0 ? `(param ${d.params.map((p) => p.wire).join(" ")})` : "";
  const result = d.result.wire ? ` (result ${d.result.wire})` : "";
  return `${params}${result}`;
}

function has(profile: ProfileId, name: string): boolean {
  return hostFunctionsOfProfile(profile).some((f) => f.name === name);
}

function callbackWat(profile: ProfileId): string {
  const cb = guestExportsOfProfile(profile).find((e) => e.params.length === 3 && e.name.toLowerCase().includes("callback"));
  if (cb === undefined) return "";
  // Emits only during the first MAX_EMITTING callbacks of a call: with several subscribers a chain
  // fans out (k subscribers, depth d: k^d deliveries), and the fuzzer wants calls, not one long chain.
  const emit = `(if (i32.le_u (i32.load (i32.const ${CALLBACKS})) (i32.const ${MAX_EMITTING})) (then
        (local.set $p (call $dataSourceNewPacketSingle (local.get $ds)))
        (drop (call $dataSourceEmitAndRelease (local.get $ds) (local.get $p)))))`;
  const grow = `(if (i32.lt_u (memory.size) (i32.const ${MAX_PAGES})) (then (drop (memory.grow (i32.const 1)))))`;
  const release = has(profile, "releaseHandle") ? `(drop (call $releaseHandle (local.get $data)))` : "";
  return `  (func (export "${cb.name}") (param $cb i64) (param $ds i32) (param $data i32) (local $p i32) (local $a i32)
    (i32.store (i32.const ${DEPTH}) (i32.add (i32.load (i32.const ${DEPTH})) (i32.const 1)))
    (i32.store (i32.const ${CALLBACKS}) (i32.add (i32.load (i32.const ${CALLBACKS})) (i32.const 1)))
    (local.set $a (i32.load (i32.const ${ACTION})))
    (if (i32.eq (local.get $a) (i32.const ${CallbackAction.Grow})) (then ${grow}))
    (if (i32.eq (local.get $a) (i32.const ${CallbackAction.Emit})) (then ${emit}))
    (if (i32.eq (local.get $a) (i32.const ${CallbackAction.ReleaseData})) (then ${release}))
    (if (i32.eq (local.get $a) (i32.const ${CallbackAction.Trap})) (then unreachable))
    (if (i32.eq (local.get $a) (i32.const ${CallbackAction.GrowAndEmit})) (then ${grow} ${emit}))
    (i32.store (i32.const ${DEPTH}) (i32.sub (i32.load (i32.const ${DEPTH})) (i32.const 1))))`;
}

/** WAT text of the fuzz guest of `profile`. */
export function fuzzGuestWat(profile: ProfileId): string {
  const fns = hostFunctionsOfProfile(profile);
  const module = profileModules[profile].module;
  const exportsOf = guestExportsOfProfile(profile);
  const imports = fns.map((d) => `  (import "${module}" "${d.name}" (func $${d.name} ${wireSignature(d)}))`);
  const forwarders = fns.map((d) => {
    const gets = d.params.map((_, i) => `(local.get ${i})`).join(" ");
    return `  (func (export "f_${d.name}") ${wireSignature(d)} (call $${d.name} ${gets}))`;
  });
  const version = exportsOf.some((e) => e.name === "gadgetAPIVersion") ? `  (func (export "gadgetAPIVersion") (result i64) (i64.const 1))` : "";
  const malloc = `  (global $heap (mut i32) (i32.const ${HEAP}))
  (func (export "malloc") (param $n i32) (result i32) (local $p i32)
    (if (i32.gt_u (local.get $n) (i32.const ${HEAP_END - HEAP})) (then (return (i32.const 0))))
    (if (i32.gt_u (i32.add (global.get $heap) (local.get $n)) (i32.const ${HEAP_END})) (then (global.set $heap (i32.const ${HEAP}))))
    (local.set $p (global.get $heap))
    (global.set $heap (i32.and (i32.add (i32.add (local.get $p) (local.get $n)) (i32.const 7)) (i32.const -8)))
    (local.get $p))`;
  return [
    "(module",
    ...imports,
    `  (memory (export "memory") 1 ${MAX_PAGES})`,
    version,
    malloc,
    callbackWat(profile),
    ...forwarders,
    ")",
  ].join("\n");
}
