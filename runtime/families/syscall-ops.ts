/** Syscall names, numbers and declarations of the host's architecture. */
import { MISS, type Miss } from "../abi/miss.js";
import { encodeSyscallDeclaration, SYSCALL_DECLARATION_SIZE, type SyscallTable } from "../syscalls/syscall-table.js";

export class SyscallOps {
  private readonly declaration = new Uint8Array(SYSCALL_DECLARATION_SIZE);

  constructor(private readonly table: SyscallTable) {}

  /** IG takes the id as a u16 (pkg/operators/wasm/syscalls.go getSyscallName: `uint16(stack[0])`, aeac857). */
  getSyscallName(id: number): string {
    return this.table.nameOf(id & 0xffff);
  }

  getSyscallID(name: string): number | Miss {
    const id = this.table.idOf(name);
    return id === -1 ? MISS : id;
  }

  getSyscallDeclaration(name: string): Uint8Array | Miss {
    const decl = this.table.declarationOf(name);
    if (!decl) return MISS;
    encodeSyscallDeclaration(decl, new DataView(this.declaration.buffer), 0);
    return this.declaration;
  }
}
