/**
 * Params (read by the gadget) and config (written by the gadget).
 *
 * Different from IG, on purpose: setConfig always has somewhere to write
 * here. IG fails it (1) when the gadget has no config object
 * (pkg/operators/wasm/config.go, aeac857).
 */
import { FieldKind } from "../../generated/constants.js";
import type { Budgets } from "../budgets.js";
import { MISS, type Miss } from "../abi/miss.js";
import { fail } from "../errors.js";
import { decodeUtf8 } from "../utf8.js";

export class ConfigOps {
  constructor(
    private readonly params: ReadonlyMap<string, string>,
    private readonly config: Map<string, string>,
    private readonly budgets: Budgets,
  ) {}

  getParamValue(key: string): string | Miss {
    return this.params.get(key) ?? MISS;
  }

  setConfig(key: string, value: number | bigint | Uint8Array, kind: FieldKind): void {
    if (kind !== FieldKind.String || typeof value !== "object") {
      fail(`setConfig: only kind String is supported, not ${FieldKind[kind] ?? kind}`);
    }
    const text = decodeUtf8(value, 0, value.length);
    // A key counts once in configEntries; keys and values count in configBytes (a replaced value is given back).
    const old = this.config.get(key);
    const bytes = key.length + text.length;
    const oldBytes = old === undefined ? 0 : key.length + old.length;
    if (old === undefined) this.budgets.configEntries.check(1, "setConfig");
    this.budgets.configBytes.check(bytes - oldBytes, "setConfig");
    if (old === undefined) this.budgets.configEntries.charge(1, "setConfig");
    this.budgets.configBytes.refund(oldBytes);
    this.budgets.configBytes.charge(bytes, "setConfig");
    this.config.set(key, text);
  }
}
