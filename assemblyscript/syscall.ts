// Syscall names, numbers and declarations.
import {
  getSyscallDeclaration as rawGetSyscallDeclaration,
  getSyscallID as rawGetSyscallID,
  getSyscallName as rawGetSyscallName,
} from "../generated/guest/assemblyscript/v0.43/syscall";
import {
  SyscallDeclarationSize,
  SyscallMaxParams,
  SyscallNameSize,
  SyscallParamIsPointer,
} from "../generated/guest/assemblyscript/constants";
import { decodeCString, pack, packStr, readBuffer } from "./internal";

/** A parameter of a syscall declaration. */
export class SyscallParam {
  constructor(
    public name: string,
    public isPointer: bool,
  ) {}
}

/** What `getSyscallDeclaration` returns. */
export class SyscallDeclaration {
  constructor(
    public name: string,
    public params: SyscallParam[],
  ) {}
}

const SYSCALL_NAME_BUF: usize = 64;

/** The name of syscall `id` ("syscall_<hex>" for an unknown number); null on error. */
export function getSyscallName(id: u32): string | null {
  const buf = readBuffer(SYSCALL_NAME_BUF + 1);
  memory.fill(buf, 0, SYSCALL_NAME_BUF + 1);
  if (rawGetSyscallName(id, pack(buf, SYSCALL_NAME_BUF)) != 0) return null;
  return decodeCString(buf, SYSCALL_NAME_BUF);
}

/** The number of the syscall called `name`; -1 when unknown. */
export function getSyscallID(name: string): i32 {
  return rawGetSyscallID(packStr(name));
}

/** The declaration of the syscall called `name`; null when unknown. */
export function getSyscallDeclaration(name: string): SyscallDeclaration | null {
  const buf = readBuffer(SyscallDeclarationSize);
  memory.fill(buf, 0, SyscallDeclarationSize);
  // IG reads the destination as a packed buffer (len << 32 | ptr) of at least 252 bytes (syscalls.go@bfaf82dd1).
  if (rawGetSyscallDeclaration(packStr(name), pack(buf, SyscallDeclarationSize)) != 0) return null;
  // { name [32]u8; nrParams u8; pad [3]u8; params [6]{ name [32]u8; flags u32 } }
  const declName = decodeCString(buf, SyscallNameSize);
  let count = <u32>load<u8>(buf + SyscallNameSize);
  if (count > SyscallMaxParams) count = SyscallMaxParams;
  const params = new Array<SyscallParam>();
  for (let i: u32 = 0; i < count; i++) {
    const p = buf + SyscallNameSize + 4 + <usize>i * (SyscallNameSize + 4);
    const flags = load<u32>(p + SyscallNameSize);
    params.push(new SyscallParam(decodeCString(p, SyscallNameSize), (flags & SyscallParamIsPointer) != 0));
  }
  return new SyscallDeclaration(declName, params);
}
