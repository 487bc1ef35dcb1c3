/** Compiling WAT test guests with the `wabt` package (wat2wasm in JS). */
import wabtInit from "wabt";

let wabt: Awaited<ReturnType<typeof wabtInit>> | undefined;

export async function wat(text: string, name = "guest.wat"): Promise<Uint8Array> {
  wabt ??= await wabtInit();
  const module = wabt.parseWat(name, text, { mutable_globals: true, sat_float_to_int: true, sign_extension: true, bulk_memory: true });
  try {
    module.resolveNames();
    module.validate();
    return new Uint8Array(module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}
