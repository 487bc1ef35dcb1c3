/**
 * The decoded trace and the report of handles left open at gadgetStop
 * (issue 10 item 6), through a real guest (WAT): exact lines, from the API
 * (GadgetOptions.traceDecoded, onLeaks) and from igwasm run (--trace,
 * --trace-raw, --leaks).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { openHandlesText } from "../cli/run-events.js";
import type { OpenHandle } from "../runtime/index.js";
import { cli } from "./helpers/cli.js";
import { guestModule, loadGuest, packedConst } from "./helpers/guest.js";
import { wat } from "./helpers/wat.js";

const BUILD = "test/.build/trace-leaks";

/**
 * Makes a data source `events` with a string field `comm` and a hash map
 * `counts` in init; in start emits one packet and leaves two unemitted; in
 * stop asks for a data source by a name out of memory and by a 70-byte name.
 */
const GUEST = guestModule(
  "ig",
  {
    newDataSource: "(param i64 i32) (result i32)",
    getDataSource: "(param i64) (result i32)",
    dataSourceAddField: "(param i32 i64 i32) (result i32)",
    dataSourceNewPacketSingle: "(param i32) (result i32)",
    dataSourceEmitAndRelease: "(param i32 i32) (result i32)",
    fieldSet: "(param i32 i32 i32 i64) (result i32)",
    newMap: "(param i64 i32 i32 i32 i32) (result i32)",
    mapUpdate: "(param i32 i64 i64 i64) (result i32)",
    gadgetLog: "(param i32 i64)",
  },
  `
  (data (i32.const 0) "events")
  (data (i32.const 16) "comm")
  (data (i32.const 32) "bash")
  (data (i32.const 48) "counts")
  (data (i32.const 64) "\\2a\\00\\00\\00")
  (data (i32.const 72) "\\01\\00\\00\\00\\00\\00\\00\\00")
  (data (i32.const 96) "say \\"hi\\"\\n")
  (data (i32.const 128) "${"a".repeat(70)}")
  (global $ds (mut i32) (i32.const 0))
  (global $comm (mut i32) (i32.const 0))
  (global $map (mut i32) (i32.const 0))
  (func (export "gadgetInit") (result i32)
    (global.set $ds (call $newDataSource ${packedConst(0, 6)} (i32.const 1)))
    (global.set $comm (call $dataSourceAddField (global.get $ds) ${packedConst(16, 4)} (i32.const 12)))
    (global.set $map (call $newMap ${packedConst(48, 6)} (i32.const 1) (i32.const 4) (i32.const 8) (i32.const 16)))
    (drop (call $mapUpdate (global.get $map) ${packedConst(64, 4)} ${packedConst(72, 8)} (i64.const 0)))
    (call $gadgetLog (i32.const 2) ${packedConst(96, 9)})
    (i32.const 0))
  (func (export "gadgetStart") (result i32)
    (local $p i32)
    (local.set $p (call $dataSourceNewPacketSingle (global.get $ds)))
    (drop (call $fieldSet (global.get $comm) (local.get $p) (i32.const 12) ${packedConst(32, 4)}))
    (drop (call $dataSourceEmitAndRelease (global.get $ds) (local.get $p)))
    (drop (call $dataSourceNewPacketSingle (global.get $ds)))
    (drop (call $dataSourceNewPacketSingle (global.get $ds)))
    (i32.const 0))
  (func (export "gadgetStop") (result i32)
    (drop (call $getDataSource ${packedConst(65534, 4)}))
    (drop (call $getDataSource ${packedConst(128, 70)}))
    (i32.const 0))
  `,
);

let bytes: Uint8Array;
let file = "";

beforeAll(async () => {
  bytes = await wat(GUEST);
  mkdirSync(BUILD, { recursive: true });
  file = join(BUILD, "leaky.wasm");
  writeFileSync(file, bytes);
});

const DECODED = [
  '==> ig.newDataSource(name="events",type=Single)',
  "<== 8193<events>",
  '==> ig.dataSourceAddField(ds=8193<events>,name="comm",kind=String)',
  "<== 8194<comm>",
  '==> ig.newMap(name="counts",type=Hash,keySize=4,valueSize=8,maxEntries=16)',
  "<== 8195<counts>",
  "==> ig.mapUpdate(map=8195<counts>,key=<2a000000>,value=<0100000000000000>,flags=Any)",
  "<== 0",
  '==> ig.gadgetLog(level=Info,msg="say \\"hi\\"\\n")',
  "<== ()",
  "==> ig.dataSourceNewPacketSingle(ds=8193<events>)",
  "<== 8196<events>",
  '==> ig.fieldSet(field=8194<comm>,data=8196<events>,kind=String,value="bash")',
  "<== 0",
  "==> ig.dataSourceEmitAndRelease(ds=8193<events>,packet=8196<events>)",
  "<== 0",
  "==> ig.dataSourceNewPacketSingle(ds=8193<events>)",
  "<== 8197<events>",
  "==> ig.dataSourceNewPacketSingle(ds=8193<events>)",
  "<== 8198<events>",
  "==> ig.getDataSource(name=(out of bounds: 4 bytes at 65534))",
  "<== 0",
  `==> ig.getDataSource(name="${"a".repeat(64)}"...(70 bytes))`,
  "<== 0",
];

describe("the decoded trace", () => {
  it("shows strings, handle names, enum names and bytes; the raw trace stays the default of the API", () => {
    const decoded = loadGuest(bytes, { traceDecoded: true });
    decoded.gadget.run();
    expect(decoded.trace).toEqual(DECODED);
    const raw = loadGuest(bytes);
    raw.gadget.run();
    expect(raw.trace.slice(0, 4)).toEqual(["==> ig.newDataSource(name=25769803776,type=1)", "<== 8193", "==> ig.dataSourceAddField(ds=8193,name=17179869200,kind=12)", "<== 8194"]);
    expect(raw.trace.length).toBe(DECODED.length);
  });

  it("is what igwasm run --trace prints; --trace-raw prints the wire values", async () => {
    const r = await cli("run", file, "--trace");
    expect(r.err.split("\n").filter((l) => l.startsWith("==>") || l.startsWith("<=="))).toEqual(DECODED);
    const raw = await cli("run", file, "--trace-raw");
    expect(raw.err.split("\n")[0]).toBe("==> ig.newDataSource(name=25769803776,type=1)");
  });
});

describe("handles open at gadgetStop", () => {
  it("onLeaks lists each with its creating call and phase; the released packet and the host's own handles are not in it", () => {
    const reports: (readonly OpenHandle[])[] = [];
    const g = loadGuest(bytes, { traced: false, onLeaks: (open) => reports.push(open) });
    g.gadget.run();
    expect(reports).toEqual([
      [
        { handle: 8193, type: "DataSource", name: "events", createdBy: 'ig.newDataSource(name="events",type=Single)', phase: "init" },
        { handle: 8194, type: "Field", name: "comm", createdBy: 'ig.dataSourceAddField(ds=8193<events>,name="comm",kind=String)', phase: "init" },
        { handle: 8195, type: "Map", name: "counts", createdBy: 'ig.newMap(name="counts",type=Hash,keySize=4,valueSize=8,maxEntries=16)', phase: "init" },
        { handle: 8197, type: "Packet", name: "events", createdBy: "ig.dataSourceNewPacketSingle(ds=8193<events>)", phase: "start" },
        { handle: 8198, type: "Packet", name: "events", createdBy: "ig.dataSourceNewPacketSingle(ds=8193<events>)", phase: "start" },
      ],
    ]);
  });

  it("igwasm run --leaks prints them grouped by creating call", async () => {
    const r = await cli("run", file, "--leaks");
    expect(r.out).toBe('{"ds":"events","data":{"comm":"bash"}}\n');
    expect(r.err).toBe(
      [
        'info: say "hi"',
        "",
        "warn: getDataSource: name: range [65534, 65538) is outside guest memory (65536 bytes)",
        "igwasm: 5 handles open at gadgetStop:",
        'igwasm:   DataSource 8193<events>, from ig.newDataSource(name="events",type=Single) in init',
        'igwasm:   Field 8194<comm>, from ig.dataSourceAddField(ds=8193<events>,name="comm",kind=String) in init',
        'igwasm:   Map 8195<counts>, from ig.newMap(name="counts",type=Hash,keySize=4,valueSize=8,maxEntries=16) in init',
        "igwasm:   2 × Packet 8197<events> 8198<events>, from ig.dataSourceNewPacketSingle(ds=8193<events>) in start",
        "",
      ].join("\n"),
    );
    expect(r.code).toBe(0);
  });

  it("the records the host passes to a guest's callbacks are not the guest's leaks", async () => {
    // The enricher gets a record per event in its callback; it holds only what it asked for in init.
    const r = await cli("run", "--example", "enricher", "--leaks");
    expect(r.err.split("\n").filter((l) => l.startsWith("igwasm:"))).toEqual([
      "igwasm: 6 handles open at gadgetStop:",
      'igwasm:   DataSource 8193<events>, from ig.getDataSource(name="events") in init',
      'igwasm:   Field 8194<pid>, from ig.dataSourceGetField(ds=8193<events>,name="pid") in init',
      'igwasm:   Field 8195<ppid>, from ig.dataSourceGetField(ds=8193<events>,name="ppid") in init',
      'igwasm:   Field 8196<comm>, from ig.dataSourceGetField(ds=8193<events>,name="comm") in init',
      'igwasm:   Field 8197<pid_plus_ppid>, from ig.dataSourceAddField(ds=8193<events>,name="pid_plus_ppid",kind=Uint64) in init',
      'igwasm:   Field 8198<comm_upper>, from ig.dataSourceAddField(ds=8193<events>,name="comm_upper",kind=String) in init',
    ]);
    expect(r.code).toBe(0);
  });

  it("the report lists at most four handles of a call, and says when there are none", () => {
    const made = (handle: number): OpenHandle => ({ handle, type: "Packet", name: "events", createdBy: "ig.dataSourceNewPacketSingle(ds=8193<events>)", phase: "running" });
    expect(openHandlesText([8194, 8195, 8196, 8197, 8198, 8199].map(made))).toBe(
      "igwasm: 6 handles open at gadgetStop:\nigwasm:   6 × Packet 8194<events> 8195<events> 8196<events> 8197<events> ..., from ig.dataSourceNewPacketSingle(ds=8193<events>) in running\n",
    );
    expect(openHandlesText([])).toBe("igwasm: 0 handles open at gadgetStop\n");
  });

  it("a test case with leaks: true compares them as igwasm's errors", async () => {
    const cases = join(BUILD, "leaky.test.yaml");
    writeFileSync(
      cases,
      `gadget: leaky.wasm
cases:
  - name: the two unemitted packets show
    leaks: true
    expect:
      output:
        - { ds: events, comm: bash }
      errors:
        - "igwasm: 5 handles open at gadgetStop:"
        - 'igwasm:   DataSource 8193<events>, from ig.newDataSource(name="events",type=Single) in init'
        - 'igwasm:   Field 8194<comm>, from ig.dataSourceAddField(ds=8193<events>,name="comm",kind=String) in init'
        - 'igwasm:   Map 8195<counts>, from ig.newMap(name="counts",type=Hash,keySize=4,valueSize=8,maxEntries=16) in init'
        - "igwasm:   2 × Packet 8197<events> 8198<events>, from ig.dataSourceNewPacketSingle(ds=8193<events>) in start"
  - name: without leaks there is no report
    expect:
      output:
        - { ds: events, comm: bash }
      errors: []
`,
    );
    const r = await cli("test", cases);
    expect(r.out).toBe(`PASS ${cases}: the two unemitted packets show\nPASS ${cases}: without leaks there is no report\n2 passed, 0 failed\n`);
    expect(r.code).toBe(0);
  }, 60_000);
});
