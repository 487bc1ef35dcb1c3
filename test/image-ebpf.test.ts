/**
 * An image's own eBPF object gives the gadget its maps and tracer data
 * sources (issue 10 item 1): the test gadget (test/fixtures/ebpf, compiled
 * here with clang) is packed as `ig image export` packs it, and `igwasm run`
 * creates its maps and data sources with no hand declaration.
 */
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cli } from "./helpers/cli.js";
import { writeGadgetImage } from "../cli/tar-writer.js";
import { FieldKind, loadGadget, MapType } from "../runtime/index.js";
import { decodeStruct, encodeStruct, ImageError, readEbpfObject, setUpEbpfObject, type EbpfObject } from "../runtime/image/index.js";
import { buildTestGadget, clangMissing } from "./helpers/ebpf-gadget.js";

const BUILD = "test/.build/image-ebpf";
if (clangMissing) console.warn(`image-ebpf: skipping: ${clangMissing}`);
const YAML = "name: test gadget\nparams:\n  wasm:\n    min_pid:\n      key: min_pid\n      defaultValue: \"0\"\n";

let built: { wasm: Uint8Array; ebpf: Uint8Array };
let object: EbpfObject;

beforeAll(() => {
  if (clangMissing) return;
  built = buildTestGadget(BUILD);
  object = readEbpfObject(built.ebpf, "program.bpf.o");
});


describe.skipIf(clangMissing !== null)("an eBPF object's maps and tracers", () => {
  it("reads the BTF-defined maps, with the inner map of a map of maps", () => {
    expect(object.maps.map(({ keyStruct, valueStruct, ...m }) => ({ ...m, valueStruct: valueStruct?.name }))).toEqual([
      { name: "events", type: MapType.PerfEventArray, keySize: 4, valueSize: 4, maxEntries: 0, flags: 0, valueStruct: undefined },
      { name: "pid_creds", type: MapType.Hash, keySize: 4, valueSize: 8, maxEntries: 1024, flags: 0, valueStruct: "creds" },
      { name: "counters", type: MapType.Array, keySize: 4, valueSize: 8, maxEntries: 4, flags: 0, valueStruct: undefined },
      {
        name: "per_mntns", type: MapType.HashOfMaps, keySize: 8, valueSize: 4, maxEntries: 16, flags: 0, valueStruct: undefined,
        inner: { name: "per_mntns.inner", type: MapType.Hash, keySize: 4, valueSize: 4, maxEntries: 8, flags: 0 },
      },
    ]);
  });

  it("derives the tracer's fields as IG does: offsets, kinds, nested names, tags; __ members skipped", () => {
    expect(object.tracers.map((t) => [t.name, t.mapName, t.struct.name, t.struct.size])).toEqual([["exec", "events", "event", 64]]);
    const K = FieldKind;
    expect(object.tracers[0].struct.fields.map((f) => [f.name, f.kind, f.offset, f.size, f.parent])).toEqual([
      ["timestamp_raw", K.Uint64, 0, 8, -1],
      ["mntns_id", K.Uint64, 8, 8, -1],
      ["pid", K.Uint32, 16, 4, -1],
      ["comm", K.CString, 20, 16, -1],
      ["creds", K.Bytes, 36, 8, -1],
      ["creds.uid", K.Uint32, 36, 4, 4],
      ["creds.gid", K.Uint32, 40, 4, 4],
      ["error", K.Int32, 44, 4, -1],
      ["ratio", K.Float32, 48, 4, -1],
      ["flag", K.Uint8, 52, 1, -1],
    ]);
    const tags = Object.fromEntries(object.tracers[0].struct.fields.map((f) => [f.name, f.tags]));
    expect(tags.pid).toEqual(["type:gadget_pid", "type:__u32", "type:unsigned int", "name:pid", "src:ebpf"]);
    expect(tags.comm).toEqual(["type:char", "name:comm", "src:ebpf"]);
    expect(tags.creds).toEqual(["type:creds", "name:creds", "src:ebpf"]);
  });

  it("struct bytes: a long comm is cut to 15 bytes and a NUL; parents carry their members' bytes", () => {
    const st = object.tracers[0].struct;
    const bytes = encodeStruct(st, { pid: 42, comm: "a-very-long-command-name", "creds.uid": 1000, error: -2, ratio: 0.5 });
    const v = decodeStruct(st, bytes);
    expect(v.comm).toBe("a-very-long-com");
    expect([...(v.creds as Uint8Array)]).toEqual([0xe8, 3, 0, 0, 0, 0, 0, 0]);
    expect([v.pid, v.error, v.ratio, v["creds.uid"], v.mntns_id]).toEqual([42, -2, 0.5, 1000, 0n]);
    expect(() => encodeStruct(st, { pid: -1 })).toThrow("field pid: -1 is outside 0..4294967295");
    expect(() => encodeStruct(st, { nope: 1 })).toThrow(/struct event has no field nope \(it has timestamp_raw, /);
  });

  it("creates the maps and the tracer data source before init, tagged", async () => {
    const g = await loadGadget(built.wasm, { logSink: () => {}, paramSpecs: [{ key: "min_pid", defaultValue: "0" }] });
    const setup = setUpEbpfObject(g, object);
    expect([...g.maps.names()]).toEqual(["events", "pid_creds", "counters", "per_mntns"]);
    expect(g.maps.get("events")!.spec.maxEntries).toBe(1);
    expect(setup.skipped).toEqual([]);
    expect(g.dataSources.get("exec")!.field("pid").tags).toContain("type:gadget_pid");
    g.init();
    expect(g.dataSources.names()).toEqual(["exec", "seen"]);
  });

  it("igwasm run on an image tarball: no declarations, the fixture's events reach the gadget", async () => {
    mkdirSync(BUILD, { recursive: true });
    const tar = join(BUILD, "gadget.tar");
    writeFileSync(tar, writeGadgetImage({ wasm: built.wasm, ebpf: built.ebpf, metadataYaml: YAML }));
    const events = join(BUILD, "events.yaml");
    writeFileSync(events, "events:\n  - ds: exec\n    values: { pid: 42, comm: bash, creds.uid: 1000 }\n  - ds: exec\n    values: { pid: 7, comm: a-very-long-command-name }\n");
    const r = await cli("run", tar, "--events", events);
    // The symbol's presence depends on this machine's /proc/kallsyms (fixtures make it fixed: see igwasm-test tests).
    expect(r.err).toMatch(/^info: kallsyms: security_bprm_check (present|absent)\n$/);
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      [
        // The gadget's subscriber (priority 0) emits on seen before the printer (last) sees exec.
        '{"ds":"seen","data":{"comm":"bash","map_uid":4294967295,"pid":42,"uid":1000}}',
        '{"ds":"exec","data":{"comm":"bash","creds":"e803000000000000","creds.gid":0,"creds.uid":1000,"error":0,"flag":0,"mntns_id":0,"pid":42,"ratio":0,"timestamp_raw":0}}',
        '{"ds":"seen","data":{"comm":"a-very-long-com","map_uid":4294967295,"pid":7,"uid":0}}',
        '{"ds":"exec","data":{"comm":"a-very-long-com","creds":"0000000000000000","creds.gid":0,"creds.uid":0,"error":0,"flag":0,"mntns_id":0,"pid":7,"ratio":0,"timestamp_raw":0}}',
        "",
      ].join("\n"),
    );
  });

  it("igwasm run on a build directory (gadget.yaml, program.wasm, program.bpf.o) does the same", async () => {
    const dir = join(BUILD, "dir");
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(BUILD, "program.wasm"), join(dir, "program.wasm"));
    copyFileSync(join(BUILD, "program.bpf.o"), join(dir, "program.bpf.o"));
    writeFileSync(join(dir, "gadget.yaml"), YAML);
    const events = join(BUILD, "events.yaml");
    const r = await cli("run", dir, "--events", events, "--param", "min_pid=10");
    expect(r.code).toBe(0);
    expect(r.out.split("\n").filter((l) => l.startsWith('{"ds":"seen"'))).toEqual(['{"ds":"seen","data":{"comm":"bash","map_uid":4294967295,"pid":42,"uid":1000}}']);
  });

  it("an event naming a field the struct lacks is an events-file error with its position", async () => {
    const tar = join(BUILD, "gadget.tar");
    const events = join(BUILD, "bad-events.yaml");
    writeFileSync(events, "events:\n  - ds: exec\n    values: { pid: 1, nope: 2 }\n");
    const r = await cli("run", tar, "--events", events);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(`^igwasm: ${events}:2:5: events\\[0\\]: data source exec has no field nope`));
  });
});

describe.skipIf(clangMissing !== null)("kernel state in the events file", () => {
  const KERNEL = `kallsyms: [security_bprm_check]
mntnsFilter: [5]
params: { min_pid: 10 }
syscallArch: arm64
maps:
  pid_creds:
    - { key: 42, value: { uid: 1000, gid: 5 } }
    - { key: 43, value: [1, 0, 0, 0, 2, 0, 0, 0] }
  counters:
    - { key: 1, value: 7 }
  per_mntns:
    - key: 5
      map: [ { key: 1, value: 2 } ]
perfRecords:
  events:
    - { pid: 9, comm: x }
    - "AQID"
events:
  - { ds: exec, values: { pid: 42, mntns_id: 5, comm: bash } }
  - { ds: exec, values: { pid: 43, mntns_id: 6, comm: other-ns } }
  - { ds: exec, values: { pid: 3, mntns_id: 5, comm: low-pid } }
`;

  it("maps are filled before init, kallsyms, the mntns filter and params come from the file", async () => {
    const events = join(BUILD, "kernel.yaml");
    writeFileSync(events, KERNEL);
    const r = await cli("run", join(BUILD, "gadget.tar"), "--events", events, "--all");
    expect(r.err).toBe("info: kallsyms: security_bprm_check present\n");
    expect(r.code).toBe(0);
    expect(r.out.split("\n").filter((l) => l.startsWith('{"ds":"seen"'))).toEqual(['{"ds":"seen","data":{"comm":"bash","map_uid":1000,"pid":42,"uid":0}}']);
  });

  it("values are checked against the maps' specs, with file:line:col", async () => {
    const { parseEventsFile } = await import("../cli/events.js");
    const bad = (text: string): string => {
      try {
        parseEventsFile(text, "k.yaml", { predeclared: [], object: object });
      } catch (e) {
        return (e as Error).message;
      }
      return "no error";
    };
    expect(bad("maps:\n  pid_creds:\n    - { key: 42, value: { uid: -1 } }\n")).toBe("k.yaml:3:25: value of map pid_creds: field uid: -1 is outside 0..4294967295");
    expect(bad("maps:\n  pid_creds:\n    - { key: 4294967296, value: 1 }\n")).toBe("k.yaml:3:14: key of map pid_creds: 4294967296 does not fit in 4 bytes");
    expect(bad("maps:\n  counters:\n    - { key: 0, value: [1, 2] }\n")).toBe("k.yaml:3:24: value of map counters: 2 bytes, the map needs 8");
    expect(bad("maps:\n  nope: []\n")).toBe("k.yaml:2:9: no map nope in the gadget's eBPF object (it has events, pid_creds, counters, per_mntns)");
    expect(bad("perfRecords:\n  counters: []\n")).toBe("k.yaml:2:13: map counters is not a perf event array");
    expect(bad("mntnsFilter: [-1]\n")).toBe("k.yaml:1:15: a mount namespace id is an unsigned 64-bit integer");
    expect(bad("syscallArch: mips\n")).toBe("k.yaml:1:14: syscallArch must be x86_64 or arm64");
    const { tracerDecls } = await import("../cli/image-run.js");
    const ok = parseEventsFile(KERNEL, "k.yaml", { predeclared: tracerDecls(object), object: object });
    expect(ok.kernel!.perfRecords.get("events")!.map((r) => r.length)).toEqual([64, 3]);
    expect([...ok.kernel!.maps.get("pid_creds")![0].value!]).toEqual([0xe8, 3, 0, 0, 5, 0, 0, 0]);
    expect(ok.kernel!.syscallArch).toBe("arm64");
  });
});

describe.skipIf(clangMissing !== null)("replaying ig run -o json into a tracer", () => {
  it("emits each captured line through the tracer's struct: nested fields flattened, uint64 exact, unknown fields reported once", async () => {
    const capture = "test/fixtures/ebpf/exec-capture.jsonl";
    const r = await cli("run", join(BUILD, "gadget.tar"), "--replay", capture);
    expect(r.err.split("\n").filter((l) => l.startsWith("igwasm:"))).toEqual([
      `igwasm: ${capture}:1: field k8s.node is not a field of exec; ignored (reported once)`,
      `igwasm: ${capture}:1: field k8s.podName is not a field of exec; ignored (reported once)`,
    ]);
    expect(r.out.split("\n").filter((l) => l !== "")).toEqual([
      '{"ds":"seen","data":{"comm":"bash","map_uid":4294967295,"pid":42,"uid":1000}}',
      '{"ds":"exec","data":{"comm":"bash","creds":"e803000000000000","creds.gid":0,"creds.uid":1000,"error":0,"flag":0,"mntns_id":4026531840,"pid":42,"ratio":0,"timestamp_raw":18446744073709551615}}',
      '{"ds":"seen","data":{"comm":"curl","map_uid":4294967295,"pid":4242,"uid":0}}',
      '{"ds":"exec","data":{"comm":"curl","creds":"0000000064000000","creds.gid":100,"creds.uid":0,"error":-2,"flag":1,"mntns_id":4026531840,"pid":4242,"ratio":0.5,"timestamp_raw":1700000000000000000}}',
    ]);
    expect(r.code).toBe(0);
  });
});

describe("ELF and BTF errors", () => {
  it("names what is wrong", () => {
    expect(() => readEbpfObject(new TextEncoder().encode("not an elf"), "x.o")).toThrow(ImageError);
    expect(() => readEbpfObject(new TextEncoder().encode("not an elf"), "x.o")).toThrow("x.o: not an ELF file");
    const elf32 = new Uint8Array(64);
    elf32.set([0x7f, 0x45, 0x4c, 0x46, 1, 1]);
    expect(() => readEbpfObject(elf32, "x.o")).toThrow("x.o: only 64-bit ELF objects are supported");
  });

  it.skipIf(clangMissing !== null)("an object without BTF, and a truncated BTF section", () => {
    const noBtf = Uint8Array.from(built.ebpf);
    // Rename .BTF in the section name table.
    const at = Buffer.from(noBtf).indexOf(Buffer.from(".BTF\0"));
    noBtf[at + 1] = "X".charCodeAt(0);
    expect(() => readEbpfObject(noBtf, "x.o")).toThrow("x.o: the eBPF object has no .BTF section (build it with clang -g)");
  });
});
