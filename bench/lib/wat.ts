/** Compiles the bench's WAT modules with wabt (loaded once). */
import { readFileSync } from "node:fs";

type Wabt = Awaited<ReturnType<typeof import("wabt")>>;
let wabt: Promise<Wabt> | null = null;

export async function watToWasm(name: string, text: string): Promise<Uint8Array<ArrayBuffer>> {
  wabt ??= import("wabt").then((m) => m.default());
  const mod = (await wabt).parseWat(name, text);
  try {
    mod.resolveNames();
    mod.validate();
    return new Uint8Array(mod.toBinary({ log: false }).buffer);
  } finally {
    mod.destroy();
  }
}

/** Compiles a WAT file that sits next to the caller (`new URL("x.wat", import.meta.url)`). */
export async function watFile(url: URL): Promise<Uint8Array<ArrayBuffer>> {
  return watToWasm(url.pathname.split("/").pop() ?? "module.wat", readFileSync(url, "utf8"));
}
