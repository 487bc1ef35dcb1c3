/**
 * A gadget (WAT) that uses every host function of its profile's log, data-source,
 * data-array, field and handle families, for the integration tests.
 *
 * The host declares "in" (Single) and "inarr" (Array), each with fields
 * f1..f14 of kinds 1..14. In init the gadget looks them up, creates "out"
 * (Single) and "outarr" (Array) with the same fields, subscribes to "in"
 * (Data) and "inarr" (Array), and exercises the remaining functions
 * (Unreference/IsReferenced, fieldAddTag, dataSourceRelease, releaseHandle,
 * gadgetShouldLog, where the profile has them). For each event of "in" it copies
 * every field into a packet of "out" and into two records of an "outarr"
 * packet; for each array of "inarr" it copies every element into a packet of
 * "out". Field values are copied with the profile's own field functions
 * (pre-release: fieldAccessorGet/Set, strings through malloc; v0.37:
 * fieldGet/fieldSet, strings through malloc; v0.43:
 * fieldGetScalar/fieldGetBuffer/fieldSet), so a host passes only if every
 * kind round-trips exactly. Before v0.38.0 IG had no CString kind for reading
 * or writing values: a CString field is read as String (cut at the NUL) and
 * written as String (fields.go@0129e4256, fields.go@v0.37.0). Before v0.39.0
 * the setters' success value is the field handle, not 0.
 */
import type { ProfileId } from "../../generated/constants.js";
import { packed } from "./guest.js";
import { hostFunctionsOfProfile } from "../../generated/host/descriptors.js";
import { bumpMalloc, callbackName, FAMILIES, functionsOf, requiresMalloc, signature } from "./host-guest.js";

export const FULL = {
  IN: 0x400,
  INA: 0x440,
  OUT: 0x480,
  OUTA: 0x4c0,
  SHOULD: 0x500,
  ISREF_BEFORE: 0x504,
  ISREF_AFTER: 0x508,
  RELEASE: 0x50c,
  LEN: 0x510,
  ELV: 0x518,
  ERRW: 0x520,
  TAG: 0x524,
  UNREF: 0x528,
  RELH: 0x52c,
  APPEND: 0x530,
  ARELEASE: 0x534,
  EMITS: 0x538,
  SUBS: 0x53c,
  FAILS: 0x540,
  BUF: 0x1000,
} as const;

export function fullGuestWat(profile: ProfileId): string {
  const v1 = profile !== "pre-release";
  const ig = profile === "v0.43";
  const module = ig ? "ig" : "env";
  const names = functionsOf(profile, FAMILIES);
  const imports = names.map((n) => `  (import "${module}" "${n}" (func $${n} ${signature(profile, n)}))`).join("\n");

  const strs = new Map<string, number>();
  let at = 0x100;
  const segs: string[] = [];
  const str = (text: string): string => {
    let addr = strs.get(text);
    if (addr === undefined) {
      addr = at;
      strs.set(text, addr);
      segs.push(`  (data (i32.const ${addr}) "${text}")`);
      at += (text.length + 7) & ~7;
    }
    return `(i64.const ${packed(addr, text.length)})`;
  };

  const sub = { data: v1 ? 1 : 0, array: v1 ? 2 : 1 };
  const get = ig ? "fieldGetScalar" : profile === "v0.37" ? "fieldGet" : "fieldAccessorGet";
  const set = v1 ? "fieldSet" : "fieldAccessorSet";
  const { BUF } = FULL;
  /** Counts a non-zero status at FAILS. */
  const check = (expr: string) => `(if ${expr} (then (i32.store (i32.const ${FULL.FAILS}) (i32.add (i32.load (i32.const ${FULL.FAILS})) (i32.const 1)))))`;
  /** Whether the setter reports success with the field handle (spec: `status(success: ...)`). */
  const setReturnsField = /success:/.test(hostFunctionsOfProfile(profile).find((f) => f.name === set)!.result.type);

  // $copy(src table, src data, dst table, dst data): every kind with the profile's field functions.
  const copy: string[] = [];
  for (let k = 1; k <= 14; k++) {
    // The CString field is read and written with kind String: no IG release accepts the access
    // kind CString in fieldGet*/fieldSet (pkg/operators/wasm/fields.go, every release).
    const ak = k === 13 ? 12 : k;
    const sf = `(i32.load offset=${4 * k} (local.get $st))`;
    const df = `(i32.load offset=${4 * k} (local.get $dt))`;
    let value: string;
    if (k <= 11) {
      value = ig ? `(call $fieldGetScalar ${sf} (local.get $sd) (i32.const ${k}) (i32.const ${FULL.ERRW}))` : `(call $${get} ${sf} (local.get $sd) (i32.const ${k}))`;
    } else if (ig) {
      copy.push(`    (local.set $n (call $fieldGetBuffer ${sf} (local.get $sd) (i32.const ${ak}) (i64.const ${packed(BUF, 256)})))`);
      copy.push(`    ${check("(i32.lt_s (local.get $n) (i32.const 0))")}`);
      value = `(i64.or (i64.shl (i64.extend_i32_u (local.get $n)) (i64.const 32)) (i64.const ${BUF}))`;
    } else {
      value = `(call $${get} ${sf} (local.get $sd) (i32.const ${ak}))`; // malloc'd copy, packed
    }
    const status = `(call $${set} ${df} (local.get $dd) (i32.const ${ak}) ${value})`;
    copy.push(`    ${check(setReturnsField ? `(i32.ne ${status} ${df})` : status)}`);
  }

  const lookups: string[] = [];
  for (let k = 1; k <= 14; k++) {
    lookups.push(`    (i32.store (i32.const ${FULL.IN + 4 * k}) (call $dataSourceGetField (global.get $in) ${str(`f${k}`)}))`);
    lookups.push(`    (i32.store (i32.const ${FULL.INA + 4 * k}) (call $dataSourceGetField (global.get $inarr) ${str(`f${k}`)}))`);
    lookups.push(`    (i32.store (i32.const ${FULL.OUT + 4 * k}) (call $dataSourceAddField (global.get $out) ${str(`f${k}`)} (i32.const ${k})))`);
    lookups.push(`    (i32.store (i32.const ${FULL.OUTA + 4 * k}) (call $dataSourceAddField (global.get $outarr) ${str(`f${k}`)} (i32.const ${k})))`);
  }

  const initName = v1 ? "gadgetInit" : "init";
  const body = `
  (memory (export "memory") 1)
  (global $in (mut i32) (i32.const 0))
  (global $inarr (mut i32) (i32.const 0))
  (global $out (mut i32) (i32.const 0))
  (global $outarr (mut i32) (i32.const 0))
${v1 ? `  (func (export "gadgetAPIVersion") (result i64) (i64.const 1))` : ""}
${requiresMalloc(profile) ? bumpMalloc() : ""}

  (func $copy (param $st i32) (param $sd i32) (param $dt i32) (param $dd i32) (local $n i32)
${copy.join("\n")}
  )

  (func (export "${initName}") (result i32) (local $p i32) (local $tmp i32) (local $h i32)
    (call $gadgetLog (i32.const 2) ${str("init")})
${ig ? `    (i32.store (i32.const ${FULL.SHOULD}) (call $gadgetShouldLog (i32.const 3)))` : ""}
    (global.set $in (call $getDataSource ${str("in")}))
    (global.set $inarr (call $getDataSource ${str("inarr")}))
    (global.set $out (call $newDataSource ${str("out")} (i32.const 1)))
    (global.set $outarr (call $newDataSource ${str("outarr")} (i32.const 2)))
${lookups.join("\n")}
${v1 ? `    (i32.store (i32.const ${FULL.TAG}) (call $fieldAddTag (i32.load (i32.const ${FULL.OUT + 4})) ${str("integration")}))
    (local.set $tmp (call $newDataSource ${str("tmp")} (i32.const 1)))
    (i32.store (i32.const ${FULL.ISREF_BEFORE}) (call $dataSourceIsReferenced (local.get $tmp)))
    (i32.store (i32.const ${FULL.UNREF}) (call $dataSourceUnreference (local.get $tmp)))
    (i32.store (i32.const ${FULL.ISREF_AFTER}) (call $dataSourceIsReferenced (local.get $tmp)))
    (i32.store (i32.const ${FULL.RELH}) (call $releaseHandle (local.get $tmp)))` : ""}
    ;; a packet created and discarded
    (local.set $p (call $dataSourceNewPacketSingle (global.get $out)))
    (i32.store (i32.const ${FULL.RELEASE}) (call $dataSourceRelease (global.get $out) (local.get $p)))
    (i32.store (i32.const ${FULL.SUBS}) (i32.add
      (call $dataSourceSubscribe (global.get $in) (i32.const ${sub.data}) (i32.const 0) (i64.const 1))
      (call $dataSourceSubscribe (global.get $inarr) (i32.const ${sub.array}) (i32.const 0) (i64.const 2))))
    (i32.const 0))

  (func (export "${v1 ? "gadgetStart" : "start"}") (result i32)
    (call $gadgetLog (i32.const 2) ${str("start")})
    (i32.const 0))

  (func (export "${v1 ? "gadgetStop" : "stop"}") (result i32)
    (call $gadgetLog (i32.const 2) ${str("stop")})
    (i32.const 0))

  (func $emit (param $ds i32) (param $p i32)
    (i32.store (i32.const ${FULL.EMITS}) (i32.add (i32.load (i32.const ${FULL.EMITS})) (call $dataSourceEmitAndRelease (local.get $ds) (local.get $p)))))

  (func (export "${callbackName(profile)}") (param $cb i64) (param $ds i32) (param $data i32)
    (local $p i32) (local $a i32) (local $e i32) (local $i i32) (local $n i32)
    (if (i64.eq (local.get $cb) (i64.const 1)) (then
      (local.set $p (call $dataSourceNewPacketSingle (global.get $out)))
      (call $copy (i32.const ${FULL.IN}) (local.get $data) (i32.const ${FULL.OUT}) (local.get $p))
      (call $emit (global.get $out) (local.get $p))
      (local.set $a (call $dataSourceNewPacketArray (global.get $outarr)))
      (local.set $e (call $dataArrayNew (local.get $a)))
      (call $copy (i32.const ${FULL.IN}) (local.get $data) (i32.const ${FULL.OUTA}) (local.get $e))
      (i32.store (i32.const ${FULL.APPEND}) (call $dataArrayAppend (local.get $a) (local.get $e)))
      (local.set $e (call $dataArrayNew (local.get $a)))
      (call $copy (i32.const ${FULL.IN}) (local.get $data) (i32.const ${FULL.OUTA}) (local.get $e))
      ${check("(call $dataArrayAppend (local.get $a) (local.get $e))")}
      (local.set $e (call $dataArrayNew (local.get $a)))
      (i32.store (i32.const ${FULL.ARELEASE}) (call $dataArrayRelease (local.get $a) (local.get $e)))
      (i32.store (i32.const ${FULL.LEN}) (call $dataArrayLen (local.get $a)))
      (i64.store (i32.const ${FULL.ELV}) (call $${get} (i32.load (i32.const ${FULL.OUTA + 4 * 9})) (call $dataArrayGet (local.get $a) (i32.const 1)) (i32.const 9)${ig ? ` (i32.const ${FULL.ERRW})` : ""}))
      (call $emit (global.get $outarr) (local.get $a))))
    (if (i64.eq (local.get $cb) (i64.const 2)) (then
      (local.set $n (call $dataArrayLen (local.get $data)))
      (block $done (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $p (call $dataSourceNewPacketSingle (global.get $out)))
        (call $copy (i32.const ${FULL.INA}) (call $dataArrayGet (local.get $data) (local.get $i)) (i32.const ${FULL.OUT}) (local.get $p))
        (call $emit (global.get $out) (local.get $p))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))))
  )`;
  return `(module\n${imports}\n${body}\n${segs.join("\n")}\n)`;
}
