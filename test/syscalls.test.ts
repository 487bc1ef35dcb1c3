import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { emitSyscallTables, SyscallDataError } from "../codegen/syscalls/emit-syscall-tables.js";
import {
  encodeSyscallDeclaration,
  hostArch,
  SYSCALL_DECLARATION_SIZE,
  SyscallTable,
  type SyscallDeclaration,
} from "../runtime/syscalls/syscall-table.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const dataDir = join(root, "data/syscalls");

describe("SyscallTable", () => {
  it("knows the x86_64 numbers", () => {
    const t = SyscallTable.forArch("x86_64");
    const known: [string, number][] = [
      ["read", 0],
      ["write", 1],
      ["execve", 59],
      ["openat", 257],
      ["bpf", 321],
      ["clone3", 435],
      ["newfstatat", 262],
      ["uretprobe", 335],
      ["mseal", 462],
    ];
    for (const [name, id] of known) {
      expect(t.idOf(name)).toBe(id);
      expect(t.nameOf(id)).toBe(name);
    }
    expect(t.size).toBe(383);
  });

  it("knows the arm64 numbers", () => {
    const t = SyscallTable.forArch("arm64");
    const known: [string, number][] = [
      ["io_setup", 0],
      ["openat", 56],
      ["read", 63],
      ["write", 64],
      ["execve", 221],
      ["bpf", 280],
      ["clone3", 435],
      ["mseal", 462],
    ];
    for (const [name, id] of known) {
      expect(t.idOf(name)).toBe(id);
      expect(t.nameOf(id)).toBe(name);
    }
    // Only on x86_64.
    expect(t.idOf("open")).toBe(-1);
    expect(t.idOf("arch_prctl")).toBe(-1);
    expect(t.size).toBe(325);
  });

  it("is cached per arch", () => {
    expect(SyscallTable.forArch("x86_64")).toBe(SyscallTable.forArch("x86_64"));
    expect(SyscallTable.forArch("arm64")).not.toBe(SyscallTable.forArch("x86_64"));
  });

  it("formats unknown ids as strace does", () => {
    const x = SyscallTable.forArch("x86_64");
    expect(x.nameOf(0x190)).toBe("syscall_190"); // in the unassigned 337..423
    expect(x.nameOf(0x3e8)).toBe("syscall_3e8"); // past the end of the table
    expect(x.nameOf(0xffffffff)).toBe("syscall_ffffffff");
    expect(x.nameOf(-1)).toBe("syscall_ffffffff"); // taken as the u32 the guest passed
    const a = SyscallTable.forArch("arm64");
    expect(a.nameOf(244)).toBe("syscall_f4"); // arch-specific range, unused on arm64
    expect(a.nameOf(0x1c3)).toBe("cachestat");
  });

  it("returns -1 for unknown names", () => {
    const x = SyscallTable.forArch("x86_64");
    expect(x.idOf("no_such_syscall")).toBe(-1);
    expect(x.idOf("")).toBe(-1);
    expect(x.idOf("__proto__")).toBe(-1);
    expect(x.idOf("toString")).toBe(-1);
  });

  it("gives declarations", () => {
    const x = SyscallTable.forArch("x86_64");
    expect(x.declarationOf("openat")).toEqual({
      name: "openat",
      params: [
        { name: "dfd", isPointer: false },
        { name: "filename", isPointer: true },
        { name: "flags", isPointer: false },
        { name: "mode", isPointer: false },
      ],
    });
    expect(x.declarationOf("getpid")).toEqual({ name: "getpid", params: [] });
    expect(x.declarationOf("fstat")?.params.map((p) => p.name)).toEqual(["fd", "statbuf"]);
    expect(x.declarationOf("mmap")?.params).toHaveLength(6);
    expect(x.declarationOf("afs_syscall")).toBeUndefined(); // never implemented
    expect(x.declarationOf("no_such_syscall")).toBeUndefined();
    const a = SyscallTable.forArch("arm64");
    expect(a.declarationOf("execve")?.params.map((p) => p.name)).toEqual(["filename", "argv", "envp"]);
    expect(a.declarationOf("open")).toBeUndefined(); // not an arm64 syscall
  });

  it("has a declaration for every implemented syscall of both tables", () => {
    const unimplemented = new Set([
      "_sysctl", "afs_syscall", "create_module", "epoll_ctl_old", "epoll_wait_old", "get_kernel_syms",
      "get_thread_area", "getpmsg", "lookup_dcookie", "nfsservctl", "putpmsg", "query_module", "security",
      "set_thread_area", "tuxcall", "uselib", "vserver",
    ]);
    for (const arch of ["x86_64", "arm64"] as const) {
      const t = SyscallTable.forArch(arch);
      for (let id = 0; id < 1024; id++) {
        const name = t.nameOf(id);
        if (name.startsWith("syscall_") || unimplemented.has(name)) continue;
        expect(t.declarationOf(name), `${arch} ${name}`).toBeDefined();
      }
    }
  });

  it("picks the host arch from process.arch", () => {
    expect(hostArch()).toBe(process.arch === "arm64" ? "arm64" : "x86_64");
  });
});

describe("encodeSyscallDeclaration", () => {
  function cstr(bytes: Uint8Array, at: number, len = 32): string {
    let end = at;
    while (end < at + len && bytes[end] !== 0) end++;
    return new TextDecoder().decode(bytes.subarray(at, end));
  }

  it("writes the exact 252 bytes for openat", () => {
    const decl = SyscallTable.forArch("x86_64").declarationOf("openat")!;
    const buf = new Uint8Array(8 + SYSCALL_DECLARATION_SIZE + 8).fill(0xaa);
    encodeSyscallDeclaration(decl, new DataView(buf.buffer), 8);
    // Bytes around the struct untouched.
    expect([...buf.subarray(0, 8)]).toEqual(new Array(8).fill(0xaa));
    expect([...buf.subarray(8 + 252)]).toEqual(new Array(8).fill(0xaa));

    const s = buf.subarray(8, 8 + 252);
    const expected = new Uint8Array(252);
    const put = (at: number, text: string) => expected.set(new TextEncoder().encode(text), at);
    put(0, "openat");
    expected[32] = 4; // nrParams
    const params: [string, number][] = [["dfd", 0], ["filename", 1], ["flags", 0], ["mode", 0]];
    params.forEach(([name, flags], i) => {
      const at = 36 + i * 36;
      put(at, name);
      new DataView(expected.buffer).setUint32(at + 32, flags, true);
    });
    expect([...s]).toEqual([...expected]);

    // Field by field, with the offsets spelled out.
    expect(cstr(s, 0)).toBe("openat");
    expect(s[32]).toBe(4);
    expect([...s.subarray(33, 36)]).toEqual([0, 0, 0]);
    expect(cstr(s, 36)).toBe("dfd");
    expect(cstr(s, 72)).toBe("filename");
    expect(cstr(s, 108)).toBe("flags");
    expect(cstr(s, 144)).toBe("mode");
    const dv = new DataView(s.buffer, s.byteOffset, s.byteLength);
    expect(dv.getUint32(68, true)).toBe(0);
    expect(dv.getUint32(104, true)).toBe(1);
    expect(dv.getUint32(140, true)).toBe(0);
    expect(dv.getUint32(176, true)).toBe(0);
    // Slots 5 and 6 are zero.
    expect([...s.subarray(180, 252)].every((b) => b === 0)).toBe(true);
  });

  it("zeroes what a previous, longer declaration left", () => {
    const buf = new Uint8Array(252).fill(0xff);
    const dv = new DataView(buf.buffer);
    encodeSyscallDeclaration({ name: "getpid", params: [] }, dv, 0);
    expect(cstr(buf, 0)).toBe("getpid");
    expect([...buf.subarray(6)].every((b) => b === 0)).toBe(true);
  });

  it("truncates long names to 31 bytes and a NUL", () => {
    const long = "a".repeat(40);
    const decl: SyscallDeclaration = {
      name: "x".repeat(32),
      params: [{ name: long, isPointer: true }, { name: "b".repeat(31), isPointer: false }],
    };
    const buf = new Uint8Array(252).fill(0xff);
    encodeSyscallDeclaration(decl, new DataView(buf.buffer), 0);
    expect(cstr(buf, 0)).toBe("x".repeat(31));
    expect(buf[31]).toBe(0);
    expect(buf[32]).toBe(2);
    expect(cstr(buf, 36)).toBe("a".repeat(31));
    expect(buf[36 + 31]).toBe(0);
    expect(new DataView(buf.buffer).getUint32(36 + 32, true)).toBe(1);
    expect(cstr(buf, 72)).toBe("b".repeat(31));
    expect(buf[72 + 31]).toBe(0);
  });

  it("refuses a struct that does not fit, or more than 6 params", () => {
    const decl = SyscallTable.forArch("x86_64").declarationOf("openat")!;
    expect(() => encodeSyscallDeclaration(decl, new DataView(new ArrayBuffer(300)), 49)).toThrow(RangeError);
    const seven = { name: "x", params: new Array(7).fill({ name: "p", isPointer: false }) };
    expect(() => encodeSyscallDeclaration(seven, new DataView(new ArrayBuffer(300)), 0)).toThrow(RangeError);
  });
});

describe("emitSyscallTables", () => {
  it("matches the generated files on disk (run `npx tsx codegen/syscalls/run.ts`)", () => {
    const files = emitSyscallTables(dataDir);
    expect(files.map((f) => f.path)).toEqual([
      "syscalls/x86_64.ts",
      "syscalls/arm64.ts",
      "syscalls/declarations.ts",
    ]);
    for (const f of files) {
      expect(readFileSync(join(root, "generated", f.path), "utf8"), f.path).toBe(f.content);
      expect(f.content.startsWith(
        `// @generated by igwasm-gen from data/syscalls/${f.path.slice("syscalls/".length, -3)}.tsv. DO NOT EDIT.\n/* eslint-disable */\n`,
      )).toBe(true);
    }
    // Deterministic.
    expect(emitSyscallTables(dataDir)).toEqual(files);
  });

  describe("with bad data", () => {
    let dir: string | undefined;
    afterEach(() => {
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
      dir = undefined;
    });

    function write(files: Record<string, string>): string {
      dir = mkdtempSync(join(tmpdir(), "igwasm-syscalls-"));
      for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
      return dir;
    }

    function problems(d: string): string[] {
      try {
        emitSyscallTables(d);
      } catch (err) {
        expect(err).toBeInstanceOf(SyscallDataError);
        const e = err as SyscallDataError;
        expect(e.message).toBe(e.problems.join("\n"));
        return [...e.problems];
      }
      throw new Error("emitSyscallTables accepted bad data");
    }

    it("reports every problem with file:line:col", () => {
      const d = write({
        "x86_64.tsv": [
          "# test",
          "number\tname",
          "0\tread",
          "1\twrite",
          "1\tagain", // duplicate number
          "2\tread", // duplicate name
          "x\tbad", // malformed number
          "3", // missing field
          "4\tBad-Name", // malformed name
          "5\tfive\textra", // extra field
          "",
        ].join("\n"),
        "arm64.tsv": "number\tname\n63\tread\n",
        "declarations.tsv": [
          "name\tparams",
          "read\tunsigned int fd; char * buf; size_t count",
          "nosuch\tint a", // unknown syscall
          "write\tint a; int b; int c; int d; int e; int f; int g", // 7 params
          "getpid", // missing params column
          "read\tint fd", // duplicate declaration
          "",
        ].join("\n"),
      });
      const x = join(d, "x86_64.tsv");
      const decl = join(d, "declarations.tsv");
      expect(problems(d)).toEqual([
        `${x}:5:1: duplicate syscall number 1 (already used by "write" at line 4)`,
        `${x}:6:3: duplicate syscall name "read" (already numbered 0 at line 3)`,
        `${x}:7:1: malformed syscall number "x" (expected a decimal number)`,
        `${x}:8:2: expected 2 tab-separated fields (number, name), found 1`,
        `${x}:9:3: malformed syscall name "Bad-Name" (expected [a-z_][a-z0-9_]*)`,
        `${x}:10:7: expected 2 tab-separated fields (number, name), found 3`,
        `${decl}:3:1: declaration for unknown syscall "nosuch" (in no syscall table: x86_64.tsv, arm64.tsv)`,
        `${decl}:4:49: too many parameters: 7 (a syscall has at most 6)`,
        `${decl}:5:7: expected 2 tab-separated fields (name, params), found 1`,
        `${decl}:6:1: duplicate declaration of "read" (first at line 2)`,
      ]);
    });

    it("reports bad parameters, headers and missing files", () => {
      const d = write({
        "x86_64.tsv": "nr\tname\n0\tread\n",
        "declarations.tsv": "name\tparams\nread\tint fd;; char*\nwrite\tint a; int a\n",
      });
      const a = join(d, "arm64.tsv");
      const x = join(d, "x86_64.tsv");
      const decl = join(d, "declarations.tsv");
      expect(problems(d)).toEqual([
        `${x}:1:1: expected the header line "number\\tname", found "nr\\tname"`,
        `${a}:1:1: cannot read the file (ENOENT)`,
        `${decl}:2:13: empty parameter 2 (parameters are "<C type> <name>" separated by ";")`,
        `${decl}:2:15: malformed parameter "char*" (expected "<C type> <name>")`,
        `${decl}:3:1: declaration for unknown syscall "write" (in no syscall table: x86_64.tsv, arm64.tsv)`,
        `${decl}:3:18: duplicate parameter name "a"`,
      ]);
    });
  });
});
