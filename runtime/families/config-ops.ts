/**
 * Params (read by the gadget) and config (written by the gadget).
 *
 * Different from IG, on purpose: setConfig always has somewhere to write
 * here. IG fails it (1) when the gadget has no config object
 * (pkg/operators/wasm/config.go, aeac857).
 */
import { FieldKind } from "../../generated/constants.js";
import { fail, NotFoundError } from "../errors.js";
import { decodeUtf8 } from "../utf8.js";

export class ConfigOps {
  constructor(
    private readonly params: ReadonlyMap<string, string>,
    private readonly config: Map<string, string>,
  ) {}

  getParamValue(key: string): string {
    const value = this.params.get(key);
    if (value === undefined) throw new NotFoundError(`getParamValue: no param "${key}"`);
    return value;
  }

  setConfig(key: string, value: bigint | Uint8Array, kind: FieldKind): void {
    if (kind !== FieldKind.String || typeof value === "bigint") {
      fail(`setConfig: only kind String is supported, not ${FieldKind[kind] ?? kind}`);
    }
    this.config.set(key, decodeUtf8(value, 0, value.length));
  }
}
