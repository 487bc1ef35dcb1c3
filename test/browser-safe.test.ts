/**
 * runtime/ must run in a browser (DESIGN.md): bundling its entry for the
 * browser platform fails on any Node built-in it reaches, and the bundle then
 * loads and runs a guest with nothing but the web platform's globals.
 */
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { wat } from "./helpers/wat.js";

async function bundle(entry: string): Promise<{ errors: string[]; code: string }> {
  try {
    const result = await build({ entryPoints: [entry], bundle: true, platform: "browser", format: "esm", write: false, logLevel: "silent" });
    return { errors: [], code: result.outputFiles[0].text };
  } catch (e) {
    return { errors: (e as { errors?: { text: string }[] }).errors?.map((x) => x.text) ?? [String(e)], code: "" };
  }
}

describe("browser safety", () => {
  it("runtime/index.ts bundles for the browser with no Node built-in", async () => {
    const { errors, code } = await bundle("runtime/index.ts");
    expect(errors).toEqual([]);
    expect(code).not.toMatch(/from ["']node:|require\(["']node:/);
  });

  it("the Node entry does not (control: the check can fail)", async () => {
    const { errors } = await bundle("runtime/node/index.ts");
    expect(errors.join("\n")).toMatch(/node:fs|node:wasi/);
  });

  it("the browser bundle loads and runs a guest", async () => {
    const { code } = await bundle("runtime/index.ts");
    const mod = (await import(`data:text/javascript;base64,${Buffer.from(code).toString("base64")}`)) as typeof import("../runtime/index.js");
    const bytes = await wat(`(module
      (import "ig" "gadgetLog" (func $log (param i32 i64)))
      (memory (export "memory") 1)
      (data (i32.const 16) "hello")
      (func (export "gadgetAPIVersion") (result i64) (i64.const 1))
      (func (export "gadgetInit") (result i32) (call $log (i32.const 2) (i64.const 0x500000010)) (i32.const 0)))`);
    const lines: string[] = [];
    const g = await mod.loadGadget(bytes, { logSink: (_level, message) => lines.push(message) });
    g.init();
    expect(lines).toEqual(["hello"]);
  });
});

describe("browser safety of the image reader", () => {
  it("runtime/image/index.ts bundles for the browser with no Node built-in and reads an image", async () => {
    const { errors, code } = await bundle("runtime/image/index.ts");
    expect(errors).toEqual([]);
    expect(code).not.toMatch(/from ["']node:|require\(["']node:/);
    const mod = (await import(`data:text/javascript;base64,${Buffer.from(code).toString("base64")}`)) as typeof import("../runtime/image/index.js");
    const { writeGadgetImage } = await import("../cli/tar-writer.js");
    const wasm = Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0);
    const image = mod.readGadgetImage(writeGadgetImage({ wasm, ebpf: Uint8Array.of(0x7f, 0x45, 0x4c, 0x46), metadataYaml: "name: x\n" }));
    expect([...image.wasm]).toEqual([...wasm]);
    expect(image.layers.map((l) => l.mediaType)).toEqual([mod.EBPF_LAYER_MEDIA_TYPE, mod.WASM_LAYER_MEDIA_TYPE]);
    expect([...image.ebpf!]).toEqual([0x7f, 0x45, 0x4c, 0x46]);
  });
});
