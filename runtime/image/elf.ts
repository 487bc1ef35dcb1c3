/**
 * The section table of a 64-bit little-endian ELF file (what `clang -target
 * bpf` writes): names and bytes of each section, nothing more. Layout: the
 * System V ABI's ELF-64 object file format (e_shoff at 0x28, e_shentsize 0x3a,
 * e_shnum 0x3c, e_shstrndx 0x3e; 64-byte section headers).
 */
import { ImageError } from "./errors.js";

export interface ElfSection {
  readonly name: string;
  /** sh_type: 1 PROGBITS, 2 SYMTAB, 3 STRTAB, 8 NOBITS, ... */
  readonly type: number;
  /** The section's bytes (empty for NOBITS sections such as .bss). */
  readonly data: Uint8Array;
}

const SHT_NOBITS = 8;

export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

/** Reads the section table; `source` names the file in errors. */
export function readElfSections(bytes: Uint8Array, source: string): ElfSection[] {
  if (!isElf(bytes)) throw new ImageError(`${source}: not an ELF file (no \\x7fELF header)`);
  if (bytes.length < 64) throw new ImageError(`${source}: ELF header is truncated`);
  if (bytes[4] !== 2) throw new ImageError(`${source}: only 64-bit ELF objects are supported (EI_CLASS ${bytes[4]})`);
  if (bytes[5] !== 1) throw new ImageError(`${source}: only little-endian ELF objects are supported (EI_DATA ${bytes[5]})`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shoff = Number(view.getBigUint64(0x28, true));
  const shentsize = view.getUint16(0x3a, true);
  const shnum = view.getUint16(0x3c, true);
  const shstrndx = view.getUint16(0x3e, true);
  if (shentsize !== 64) throw new ImageError(`${source}: unexpected section header size ${shentsize}`);
  if (shoff + shnum * 64 > bytes.length) throw new ImageError(`${source}: section headers run past the end of the file`);
  const raw = Array.from({ length: shnum }, (_, i) => {
    const at = shoff + i * 64;
    const type = view.getUint32(at + 4, true);
    const offset = Number(view.getBigUint64(at + 24, true));
    const size = Number(view.getBigUint64(at + 32, true));
    if (type !== SHT_NOBITS && offset + size > bytes.length) throw new ImageError(`${source}: section ${i} runs past the end of the file`);
    return { nameOff: view.getUint32(at, true), type, data: type === SHT_NOBITS ? new Uint8Array(0) : bytes.subarray(offset, offset + size) };
  });
  const names = raw[shstrndx]?.data;
  if (names === undefined) throw new ImageError(`${source}: no section name table`);
  return raw.map((s) => ({ name: cString(names, s.nameOff), type: s.type, data: s.data }));
}

/** The NUL-terminated string at `offset` of a string table. */
export function cString(table: Uint8Array, offset: number): string {
  let end = offset;
  while (end < table.length && table[end] !== 0) end++;
  return new TextDecoder().decode(table.subarray(offset, end));
}
