/**
 * IG caps a module's memory at 256 pages (WithMemoryLimitPages(256),
 * pkg/operators/wasm/wasm.go@7a3e62698): memory.grow past it fails in the
 * guest. The loader rewrites the module's memory limits to get the same.
 */
import { describe, expect, it } from "vitest";
import { GuestMemoryMaxPages } from "../generated/constants.js";
import { capMemoryPages } from "../runtime/memory-cap.js";
import { loadWat } from "./helpers/guest.js";
import { wat } from "./helpers/wat.js";

const guest = (memory: string) => `(module
  (memory (export "memory") ${memory})
  (func (export "gadgetAPIVersion") (result i64) (i64.const 1))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))`;

describe("guest memory is capped at IG's 256 pages", () => {
  it.each([
    ["no maximum", "1"],
    ["a larger maximum", "1 1000"],
  ])("%s: growing to 256 pages works, one page more returns -1", async (_what, memory) => {
    const g = await loadWat(guest(memory), { igVersion: "v0.55.1" });
    expect(g.call<number>("grow", GuestMemoryMaxPages - 1)).toBe(1);
    expect(g.call<number>("grow", 1)).toBe(-1);
    expect((g.gadget.exports.memory as WebAssembly.Memory).buffer.byteLength).toBe(GuestMemoryMaxPages * 65536);
  });

  it("a smaller maximum is kept", async () => {
    const g = await loadWat(guest("1 4"), { igVersion: "v0.55.1" });
    expect(g.call<number>("grow", 4)).toBe(-1);
    expect(g.call<number>("grow", 3)).toBe(1);
  });

  it("rewrites only the memory limits: the same module, with a maximum", async () => {
    const bytes = await wat(guest("1"));
    const { bytes: out, capped } = capMemoryPages(bytes, 256);
    expect(capped).toBe(true);
    expect(out.length).toBe(bytes.length + 2); // flags 0 -> 1, plus the LEB128 of 256 (two bytes)
    expect(WebAssembly.Module.exports(new WebAssembly.Module(out as Uint8Array<ArrayBuffer>))).toEqual(WebAssembly.Module.exports(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>)));
    expect(capMemoryPages(out, 256).capped).toBe(false);
  });

  it("leaves malformed input alone (compilation reports it)", () => {
    const junk = Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 5, 0xff);
    expect(capMemoryPages(junk, 256)).toEqual({ bytes: junk, capped: false });
  });
});
