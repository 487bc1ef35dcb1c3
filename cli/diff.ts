/**
 * `igwasm diff A B`: what changed in IG's wasm ABI between two releases, read
 * from the spec's release table (generated/releases.ts): host functions added,
 * removed or changed, the import module, guest exports the host requires or
 * calls, and recorded host behaviours. Each change says whether a guest built
 * for A can break on B.
 */
import { GuestExport } from "../generated/constants.js";
import { profileModules } from "../generated/host/descriptors.js";
import { behaviours, igReleases, variantReleases, type IgRelease, type ReleaseRangeDescriptor } from "../generated/releases.js";
import { parseIgRelease, profileOfRelease } from "../runtime/release-detect.js";

export interface AbiChange {
  readonly what: string;
  readonly breaking: boolean;
}

const TAGS = igReleases.map((r) => r.tag);

function holdsIn(r: ReleaseRangeDescriptor, tag: IgRelease): boolean {
  const i = TAGS.indexOf(tag);
  return i >= TAGS.indexOf(r.first) && i <= (r.last === null ? TAGS.length - 1 : TAGS.indexOf(r.last));
}

function variantsIn(tag: IgRelease, kind: "function" | "export") {
  return variantReleases.filter((v) => v.kind === kind && holdsIn(v.releases, tag));
}

/** The doc's first sentence on one line (docs are wrapped YAML text). */
function firstSentence(doc: string): string {
  const text = doc.replace(/\s+/g, " ").trim();
  return /^.*?[.!?](?=\s|$)/.exec(text)?.[0] ?? text;
}

/** The changes from release `a` to release `b`, in a fixed order: module, functions, exports, behaviours. */
export function diffReleases(a: IgRelease, b: IgRelease): AbiChange[] {
  const changes: AbiChange[] = [];
  const moduleA = profileModules[profileOfRelease(a)].module;
  const moduleB = profileModules[profileOfRelease(b)].module;
  if (moduleA !== moduleB) changes.push({ what: `import module renamed: "${moduleA}" -> "${moduleB}" (every host import of a ${a} guest stops linking)`, breaking: true });

  const fnA = variantsIn(a, "function");
  const fnB = variantsIn(b, "function");
  const names = [...new Set([...fnA, ...fnB].map((v) => v.name))];
  for (const name of names) {
    const wa = fnA.find((v) => v.name === name)?.wire;
    const wb = fnB.find((v) => v.name === name)?.wire;
    if (wa === undefined) changes.push({ what: `host function added: ${name} ${wb}`, breaking: false });
    else if (wb === undefined) changes.push({ what: `host function removed: ${name} ${wa}`, breaking: true });
    else if (wa !== wb) changes.push({ what: `host function signature changed: ${name} ${wa} -> ${wb}`, breaking: true });
    else {
      const va = fnA.find((v) => v.name === name)!;
      const vb = fnB.find((v) => v.name === name)!;
      if (va !== vb) changes.push({ what: `host function contract changed (same signature): ${name} (see ${vb.sources.join(", ")})`, breaking: true });
    }
  }

  const exA = variantsIn(a, "export");
  const exB = variantsIn(b, "export");
  for (const e of exB) {
    const before = exA.find((x) => x.name === e.name);
    if (before === undefined) changes.push({ what: `guest export now called: ${e.name}${e.required ? " (required: a module without it is refused)" : ""}`, breaking: e.required });
    else if (e.required && !before.required) changes.push({ what: `guest export now required: ${e.name}`, breaking: true });
  }
  for (const e of exA) {
    // A phase or callback the host stops calling silently stops the guest's code from running; malloc
    // served only the host's own returns, so a guest loses nothing when it is no longer called.
    if (!exB.some((x) => x.name === e.name)) changes.push({ what: `guest export no longer called: ${e.name}`, breaking: e.name !== GuestExport.malloc });
    else if (e.required && !exB.find((x) => x.name === e.name)!.required) changes.push({ what: `guest export no longer required: ${e.name}`, breaking: false });
  }

  for (const beh of behaviours) {
    const inA = holdsIn(beh.releases, a);
    const inB = holdsIn(beh.releases, b);
    if (inA === inB) continue;
    changes.push({ what: `behaviour ${inB ? "begins" : "ends"}: ${beh.id}: ${firstSentence(beh.doc)}`, breaking: beh.breaking });
  }
  return changes;
}

export const DIFF_HELP = `usage: igwasm diff <release A> <release B> [--json]

Lists what changed in IG's wasm ABI from release A to release B (tags such as
v0.37.0, or v0.37 for the newest patch of a minor, or pre-release): host
functions added, removed and changed, the import module, the guest exports IG
requires or calls, and recorded host behaviours. Each change is marked
BREAKING when a guest built for A can fail on B.

Exit status: 0 when nothing breaking changed, 1 when something did, 2 on a
usage error (such as an unknown release).`;

/** The human-readable list. */
export function formatDiff(a: IgRelease, b: IgRelease, changes: readonly AbiChange[]): string {
  const lines = [`IG ${a} -> IG ${b}: ${changes.length} change${changes.length === 1 ? "" : "s"}, ${changes.filter((c) => c.breaking).length} breaking`];
  for (const c of changes) lines.push(`  ${c.breaking ? "BREAKING" : "ok      "}  ${c.what}`);
  return lines.join("\n") + "\n";
}

export { parseIgRelease };
