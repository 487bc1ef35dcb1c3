/**
 * A JS subscription by a data-source name that no data source ever has (a
 * misspelling) would stay silent forever; stop reports it through the logger.
 */
import { describe, expect, it } from "vitest";
import { loadGadget } from "../runtime/index.js";
import { packedConst } from "./helpers/guest.js";
import { wat } from "./helpers/wat.js";

/** A guest that makes data source "made" in init and does nothing else. */
const GUEST = `(module
  (import "ig" "newDataSource" (func $newDataSource (param i64 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "made")
  (func (export "gadgetAPIVersion") (result i64) (i64.const 1))
  (func (export "gadgetInit") (result i32)
    (if (i32.eqz (call $newDataSource ${packedConst(16, 4)} (i32.const 1)))
      (then (return (i32.const 1))))
    (i32.const 0))
  (func (export "gadgetStart") (result i32) (i32.const 0))
  (func (export "gadgetStop") (result i32) (i32.const 0))
)`;

async function load(lines: string[]) {
  return loadGadget(await wat(GUEST), { logSink: (level, message) => lines.push(`${level}: ${message}`) });
}

describe("subscriptions by a name that never attaches", () => {
  it("stop logs one warning per such name; subscriptions that attached are not named", async () => {
    const lines: string[] = [];
    const gadget = await load(lines);
    gadget.dataSources.subscribe("mades", () => {});
    gadget.dataSources.subscribe("made", () => {}); // created by the guest's init: attaches then
    gadget.dataSources.subscribe("other", () => {}, { type: "packet" });
    gadget.dataSources.subscribe("other", () => {}); // two subscriptions, one name: one line
    gadget.init();
    gadget.start();
    expect(gadget.dataSources.unattached()).toEqual(["mades", "other"]);
    expect(lines).toEqual([]);
    gadget.stop();
    expect(lines).toEqual([
      '1: a subscription to data source "mades" never attached: no data source of that name was made (there are: "made")',
      '1: a subscription to data source "other" never attached: no data source of that name was made (there are: "made")',
    ]);
  });

  it("a gadget whose subscriptions all attached stops without a warning", async () => {
    const lines: string[] = [];
    const gadget = await load(lines);
    gadget.dataSources.subscribe("made", () => {});
    gadget.run();
    expect(gadget.dataSources.unattached()).toEqual([]);
    expect(lines).toEqual([]);
  });
});
