/**
 * Types as users write them: subscribe/subscribeAll callbacks are typed by
 * the subscription's `type` under tsc --strict, and the package's types
 * resolve from a CommonJS TypeScript project (moduleResolution node10, via
 * typesVersions) as well as from an ES module one (nodenext).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Type-checks `source` in a scratch project that depends on this package. */
function typecheck(source: string, compilerOptions: Record<string, unknown>, packageType: "module" | "commonjs"): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), "igwasm-types-"));
  dirs.push(dir);
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(ROOT, join(dir, "node_modules/igwasm"), "dir");
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "user", type: packageType }));
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { strict: true, noEmit: true, skipLibCheck: true, types: ["node"], typeRoots: [join(ROOT, "node_modules/@types")], ...compilerOptions }, files: ["user.ts"] }));
  writeFileSync(join(dir, "user.ts"), source);
  const r = spawnSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", dir], { encoding: "utf8" });
  return { status: r.status, output: r.stdout + r.stderr };
}

const USER_CODE = `
import { loadGadgetNode } from "igwasm/node";
import type { V0_43KernelHost } from "igwasm/generated";

export async function main(wasm: Uint8Array): Promise<number> {
  const gadget = await loadGadgetNode(wasm);
  const pid = gadget.dataSources.get("events")!.field("pid");
  let total = 0;
  gadget.dataSources.subscribe("events", (ev) => (total += pid.get(ev) as number));
  gadget.dataSources.subscribe("events", (ev) => ev.get("comm"), { type: "data" });
  gadget.dataSources.subscribe("batch", (arr) => (total += arr.length), { type: "array" });
  gadget.dataSources.subscribeAll((ev, ds) => console.log(ds.name, ev.get("pid")));
  gadget.dataSources.subscribeAll((arr) => arr.at(0), { type: "array", priority: 1 });
  gadget.dataSources.subscribeAll((ev) => ev.toJSON(), { type: "packet" });
  gadget.dataSources.get("events")!.subscribe((ev) => ev.get("pid"));
  const kernel: V0_43KernelHost = { kallsymsSymbolExists: () => false, shouldDiscardMntnsID: () => false };
  return total + (kernel.kallsymsSymbolExists("x") ? 1 : 0);
}
`;

describe("the package's types", () => {
  it("type callbacks by subscription type under --strict (ES module project, nodenext)", () => {
    const r = typecheck(USER_CODE, { module: "nodenext", moduleResolution: "nodenext" }, "module");
    expect(r.output).toBe("");
    expect(r.status).toBe(0);
  });

  it("resolve from a CommonJS project (module commonjs, moduleResolution node10)", () => {
    const r = typecheck(USER_CODE, { module: "commonjs", moduleResolution: "node10" }, "commonjs");
    expect(r.output).toBe("");
    expect(r.status).toBe(0);
  });

  it("an array callback is not an EventView: reading a field off it is a type error", () => {
    const r = typecheck(`import { loadGadget } from "igwasm";\nexport async function f(w: Uint8Array) { const g = await loadGadget(w); g.dataSources.subscribe("b", (arr) => arr.get("x"), { type: "array" }); }\n`, { module: "nodenext", moduleResolution: "nodenext" }, "module");
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/Property 'get' does not exist on type 'ArrayView'/);
  });
});
