/**
 * Syscall names, numbers and declarations for the host functions
 * `getSyscallName`, `getSyscallID` and `getSyscallDeclaration` (v1 ABI).
 *
 * The data is generated from `data/syscalls/*.tsv` (Linux 6.18) by
 * `codegen/syscalls/emit-syscall-tables.ts`; the lookup maps are built lazily,
 * once per architecture. No Node import: this module runs in a browser too.
 */
import { SyscallDeclarationSize, SyscallMaxParams, SyscallNameSize, SyscallParamIsPointer } from "../../generated/constants.js";
import { SYSCALL_NAMES as ARM64_NAMES } from "../../generated/syscalls/arm64.js";
import { SYSCALL_DECLARATIONS } from "../../generated/syscalls/declarations.js";
import { SYSCALL_NAMES as X86_64_NAMES } from "../../generated/syscalls/x86_64.js";

export type SyscallArch = "x86_64" | "arm64";

export interface SyscallParam {
  readonly name: string;
  readonly isPointer: boolean;
}

export interface SyscallDeclaration {
  readonly name: string;
  readonly params: readonly SyscallParam[];
}

/** Size of the guest struct written by `getSyscallDeclaration` (from the spec). */
export const SYSCALL_DECLARATION_SIZE = SyscallDeclarationSize;

/** Most parameters a syscall has, and slots in the guest struct (from the spec). */
export const SYSCALL_MAX_PARAMS = SyscallMaxParams;

/** `flags` bit 0 of a parameter: the parameter is a pointer (from the spec). */
export const SYSCALL_PARAM_IS_POINTER = SyscallParamIsPointer;

// The struct's layout: name[32], nrParams u8, pad[3], then params[6] { name[32], flags u32 }.
const NAME_FIELD_SIZE = SyscallNameSize;
const NR_PARAMS_OFFSET = NAME_FIELD_SIZE;
const PARAMS_OFFSET = NAME_FIELD_SIZE + 4;
const PARAM_FLAGS_OFFSET = NAME_FIELD_SIZE;
const PARAM_SIZE = NAME_FIELD_SIZE + 4;

const NAMES_BY_ARCH: Readonly<Record<SyscallArch, readonly string[]>> = {
  x86_64: X86_64_NAMES,
  arm64: ARM64_NAMES,
};

const tables = new Map<SyscallArch, SyscallTable>();
let allDeclarations: Map<string, SyscallDeclaration> | undefined;

function declarations(): Map<string, SyscallDeclaration> {
  if (allDeclarations === undefined) {
    const map = new Map<string, SyscallDeclaration>();
    for (const [name, params] of Object.entries(SYSCALL_DECLARATIONS)) {
      const decl: SyscallDeclaration = Object.freeze({
        name,
        params: Object.freeze(params.map(([pname, isPointer]) => Object.freeze({ name: pname, isPointer }))),
      });
      map.set(name, decl);
    }
    allDeclarations = map;
  }
  return allDeclarations;
}

/** The syscalls of one architecture. */
export class SyscallTable {
  private readonly ids = new Map<string, number>();

  private constructor(
    readonly arch: SyscallArch,
    private readonly names: readonly string[],
  ) {
    names.forEach((name, id) => {
      if (name !== "") this.ids.set(name, id);
    });
  }

  /** The table of `arch`, built on first use and cached. */
  static forArch(arch: SyscallArch): SyscallTable {
    let table = tables.get(arch);
    if (table === undefined) {
      const names = NAMES_BY_ARCH[arch];
      if (names === undefined) throw new RangeError(`unknown syscall architecture ${JSON.stringify(arch)}`);
      table = new SyscallTable(arch, names);
      tables.set(arch, table);
    }
    return table;
  }

  /** Number of syscalls in the table. */
  get size(): number {
    return this.ids.size;
  }

  /**
   * The name of syscall `id`; for a number with no syscall, `syscall_<hex id>`
   * as strace prints it (e.g. `syscall_1c3`). A negative or fractional id is
   * taken as the u32 the guest passed.
   */
  nameOf(id: number): string {
    if (Number.isInteger(id) && id >= 0 && id < this.names.length) {
      const name = this.names[id];
      if (name !== "") return name;
    }
    const u32 = Number.isInteger(id) && id >= 0 ? id : id >>> 0;
    return `syscall_${u32.toString(16)}`;
  }

  /** The number of syscall `name`, -1 when this architecture has no such syscall. */
  idOf(name: string): number {
    return this.ids.get(name) ?? -1;
  }

  /**
   * The parameters of syscall `name`, undefined when this architecture has no
   * such syscall or the kernel has no tracepoint for it (calls that were never
   * implemented, such as `afs_syscall`).
   */
  declarationOf(name: string): SyscallDeclaration | undefined {
    if (!this.ids.has(name)) return undefined;
    return declarations().get(name);
  }
}

/**
 * Writes `decl` at `offset` of `out` as the guest struct (little-endian), all
 * 252 bytes of it, zeroing what is unused:
 * `{ name [32]byte; nrParams u8; pad [3]byte; params [6]{ name [32]byte; flags u32 } }`.
 * Names are NUL-padded; a name of 32 bytes or more is cut to 31 bytes and a NUL.
 * Throws a RangeError when the struct does not fit or there are more than 6 parameters.
 */
export function encodeSyscallDeclaration(decl: SyscallDeclaration, out: DataView, offset: number): void {
  if (!Number.isInteger(offset) || offset < 0 || offset + SYSCALL_DECLARATION_SIZE > out.byteLength) {
    throw new RangeError(
      `syscall declaration (${SYSCALL_DECLARATION_SIZE} bytes) at offset ${offset} does not fit in ${out.byteLength} bytes`,
    );
  }
  if (decl.params.length > SYSCALL_MAX_PARAMS) {
    throw new RangeError(`syscall ${decl.name} has ${decl.params.length} parameters, at most ${SYSCALL_MAX_PARAMS} fit`);
  }
  for (let i = 0; i < SYSCALL_DECLARATION_SIZE; i++) out.setUint8(offset + i, 0);
  writeName(out, offset, decl.name);
  out.setUint8(offset + NR_PARAMS_OFFSET, decl.params.length);
  decl.params.forEach((param, i) => {
    const at = offset + PARAMS_OFFSET + i * PARAM_SIZE;
    writeName(out, at, param.name);
    out.setUint32(at + PARAM_FLAGS_OFFSET, param.isPointer ? SYSCALL_PARAM_IS_POINTER : 0, true);
  });
}

const encoder = new TextEncoder();

/** Writes `name` as UTF-8 into a zeroed 32-byte field, leaving at least one NUL. */
function writeName(out: DataView, at: number, name: string): void {
  const bytes = encoder.encode(name);
  let n = Math.min(bytes.length, NAME_FIELD_SIZE - 1);
  // Do not cut a UTF-8 sequence in the middle (syscall names are ASCII anyway).
  if (n < bytes.length) while (n > 0 && (bytes[n] & 0xc0) === 0x80) n--;
  for (let i = 0; i < n; i++) out.setUint8(at + i, bytes[i]);
}

/** The host's architecture: "arm64" on an arm64 Node, else "x86_64" (also in a browser). */
export function hostArch(): SyscallArch {
  const proc = (globalThis as { process?: { arch?: unknown } }).process;
  return proc?.arch === "arm64" ? "arm64" : "x86_64";
}
