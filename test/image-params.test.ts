/**
 * Param metadata from gadget.yaml with IG's key names (issue 9 item 5):
 * params.wasm entries are IG's api.Param, matched without regard to case as
 * viper does (IG pkg/operators/wasm/wasm.go, aeac857); params.ebpf gives key,
 * defaultValue and description (IG pkg/operators/ebpf/params.go, aeac857).
 */
import { describe, expect, it } from "vitest";
import { ebpfParamSpecs, ImageError, readGadgetImage, wasmParamSpecs } from "../runtime/image/index.js";
import { loadGadget } from "../runtime/index.js";
import { writeGadgetImage } from "../cli/tar-writer.js";
import { wat } from "./helpers/wat.js";

const FULL = `params:
  wasm:
    min_pid:
      key: min-pid
      title: Minimum PID
      alias: m
      description: events of lower PIDs are dropped
      defaultValue: 100
      typeHint: uint32
      tags: [group:Process]
      valueHint: pid
      possibleValues: [100, 200]
      isMandatory: true
      prefix: p.
      alternativeKey: minpid
    iface:
      KEY: iface
      ISMANDATORY: "false"
      TypeHint: string
  ebpf:
    targ_pid:
      key: pid
      defaultValue: 0
      description: only this pid
    other: {}
`;

describe("gadget.yaml params", () => {
  it("reads every api.Param key, case-insensitively", () => {
    expect(wasmParamSpecs(FULL, "gadget.yaml")).toEqual([
      {
        key: "min-pid", title: "Minimum PID", alias: "m", description: "events of lower PIDs are dropped", defaultValue: "100",
        typeHint: "uint32", tags: ["group:Process"], valueHint: "pid", possibleValues: ["100", "200"], isMandatory: true,
        prefix: "p.", alternativeKey: "minpid",
      },
      { key: "iface", isMandatory: false, typeHint: "string" },
    ]);
  });

  it("reads params.ebpf: key defaults to the variable name", () => {
    expect(ebpfParamSpecs(FULL, "gadget.yaml")).toEqual([{ key: "pid", defaultValue: "0", description: "only this pid" }, { key: "other" }]);
  });

  it("rejects keys IG does not have, naming the right one", () => {
    expect(() => wasmParamSpecs("params:\n  wasm:\n    a: { mandatory: true }\n", "g.yaml")).toThrow(
      /g.yaml: params.wasm.a: unknown key mandatory \(IG's param keys: .*isMandatory/,
    );
    expect(() => wasmParamSpecs("params:\n  wasm:\n    a: { isMandatory: 3 }\n", "g.yaml")).toThrow("g.yaml: params.wasm.a.isMandatory must be true or false");
    expect(() => wasmParamSpecs("params:\n  wasm:\n    a: { tags: x }\n", "g.yaml")).toThrow("g.yaml: params.wasm.a.tags must be a list");
    expect(() => wasmParamSpecs("params: [", "g.yaml")).toThrow(ImageError);
  });

  it("an image's params come back through the API with their metadata", async () => {
    const module = await wat(`(module (memory (export "memory") 1)
      (func (export "gadgetAPIVersion") (result i64) (i64.const 1)))`);
    const image = readGadgetImage(writeGadgetImage({ wasm: module, metadataYaml: FULL }));
    expect(image.ebpfParamSpecs.map((p) => p.key)).toEqual(["pid", "other"]);
    const g = await loadGadget(image.wasm, { paramSpecs: image.paramSpecs, logSink: () => {} });
    expect(g.declaredParams).toEqual(image.paramSpecs);
    expect(g.declaredParams[0]).toMatchObject({ key: "min-pid", title: "Minimum PID", typeHint: "uint32", isMandatory: true });
    await expect(loadGadget(image.wasm, { paramSpecs: [{ key: "x", isMandatory: true }], logSink: () => {} })).rejects.toThrow("missing mandatory param: x");
  });
});
