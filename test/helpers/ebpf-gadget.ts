/**
 * Builds the test gadget of test/fixtures/ebpf/ at test time: the eBPF object
 * with `clang -target bpf -g -O2 -c` and the wasm side with clang for wasm32.
 * Without clang, `clangMissing` says why and the tests that need it skip.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const probe = spawnSync("clang", ["--version"], { encoding: "utf8" });
export const clangMissing: string | null = probe.status === 0 ? null : `clang is not available (${probe.error?.message ?? probe.stderr.trim()}); CI installs it`;

function clang(args: string[]): void {
  const r = spawnSync("clang", args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`clang ${args.join(" ")} failed:\n${r.stderr}`);
}

/** Compiles an eBPF C file to an object with BTF. */
export function buildBpf(source: string, out: string): Uint8Array {
  clang(["-target", "bpf", "-g", "-O2", "-c", source, "-o", out]);
  return new Uint8Array(readFileSync(out));
}

/** Compiles a C gadget against the generated header to wasm32. */
export function buildWasmC(source: string, out: string): Uint8Array {
  clang(["--target=wasm32", "-O2", "-nostdlib", "-std=c11", "-Wall", "-Wextra", "-Werror", "-Igenerated/guest/c", "-Wl,--no-entry", "-o", out, source]);
  return new Uint8Array(readFileSync(out));
}

/** The test gadget's two halves, built into `dir`. */
export function buildTestGadget(dir: string): { wasm: Uint8Array; ebpf: Uint8Array } {
  mkdirSync(dir, { recursive: true });
  return {
    ebpf: buildBpf("test/fixtures/ebpf/gadget.bpf.c", join(dir, "program.bpf.o")),
    wasm: buildWasmC("test/fixtures/ebpf/gadget.c", join(dir, "program.wasm")),
  };
}
