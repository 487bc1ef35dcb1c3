/**
 * Release-dependent host behaviours (runtime/host-behaviour.ts) with both
 * settings of each flag. getFieldCaseInsensitive is exercised through guests
 * in host-datasource.test.ts; here the setter's success value, which the
 * field family computes and the fast path must not contradict.
 */
import { describe, expect, it } from "vitest";
import { DataSourceType, FieldKind, LogLevel } from "../generated/constants.js";
import type { DataHandle, FieldHandle } from "../generated/types.js";
import { createFieldFastPath } from "../runtime/fast-path/field-fast-path.js";
import { CURRENT_BEHAVIOUR, type HostBehaviour } from "../runtime/host-behaviour.js";
import { Logger } from "../runtime/logger.js";
import { Runtime } from "../runtime/runtime.js";

function runtime(behaviour?: HostBehaviour): Runtime {
  return new Runtime({ logger: new Logger(() => {}, LogLevel.Error), params: new Map(), kallsyms: new Set(), mntnsFilter: null, syscallArch: "x86_64", behaviour });
}

function record(rt: Runtime): { field: FieldHandle; data: DataHandle } {
  const ds = rt.dataSource.newDataSource("ev", DataSourceType.Single);
  const field = rt.dataSource.dataSourceAddField(ds, "pid", FieldKind.Uint32);
  return { field, data: rt.dataSource.dataSourceNewPacketSingle(ds) as unknown as DataHandle };
}

const OLD: HostBehaviour = { ...CURRENT_BEHAVIOUR, setterSuccessIsFieldHandle: true };

describe("setterSuccessIsFieldHandle", () => {
  it("is false by default: the newest releases' behaviour", () => {
    expect(CURRENT_BEHAVIOUR).toEqual({ setterSuccessIsFieldHandle: false, getFieldCaseInsensitive: true });
    expect(runtime().behaviour).toBe(CURRENT_BEHAVIOUR);
  });

  // IG 114579bbf (v0.39.0) "Fix return code for fieldSet": before it, pkg/operators/wasm/fields.go
  // fieldSet (and the seed branch's fieldAccessorSet, 0129e4256) never wrote stack[0] on success,
  // so the guest got back its first argument, the field handle.
  it.each([
    ["false (v0.39.0+)", CURRENT_BEHAVIOUR, (_field: number): number => 0],
    ["true (before v0.39.0)", OLD, (field: number): number => field],
  ] as const)("%s: fieldSet and fieldAccessorSet succeed with the right status; errors still throw", (_w, behaviour, expected) => {
    const rt = runtime(behaviour);
    const { field, data } = record(rt);
    expect(rt.field.fieldSet(field, data, FieldKind.Uint32, 7n)).toBe(expected(field));
    expect(rt.field.fieldAccessorSet(field, data, FieldKind.Uint32, 8n)).toBe(expected(field));
    expect(rt.field.fieldGetScalar(field, data, FieldKind.Uint32)).toBe(8n);
    expect(() => rt.field.fieldSet(field, data, FieldKind.Uint64, 7n)).toThrow(/kind Uint64 has 8 bytes/);
  });

  it("the wasm fast path hands out the JS fieldSet when the success value is the field handle", () => {
    const rt = runtime(OLD);
    const js = { fieldGetScalar: () => 0n, fieldSet: () => 99 };
    const old = createFieldFastPath(rt.hostMemory.memory, js, OLD);
    expect(old.fieldSet).toBe(js.fieldSet);
    expect(old.fieldGetScalar).not.toBe(js.fieldGetScalar);
    const current = createFieldFastPath(rt.hostMemory.memory, js, CURRENT_BEHAVIOUR);
    expect(current.fieldSet).not.toBe(js.fieldSet);
    // The wasm fieldSet answers 0 itself on success (a record, a fixed-size field of the same size).
    const { field, data } = record(rt);
    expect(current.fieldSet(field, data, FieldKind.Uint32, 5n)).toBe(0);
    expect(rt.field.fieldGetScalar(field, data, FieldKind.Uint32)).toBe(5n);
  });
});
