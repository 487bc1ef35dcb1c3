;; Bench guest (ig-v1) for emit throughput: a subscriber of the host's data
;; source "events" whose callback reads three fields (pid, uid: u32; ts: u64)
;; with fieldGetScalar and sets one (flag: u32, to pid & 1) with fieldSet per
;; event, as an enriching gadget would.
;;
;; gadgetInit looks up the data source and the fields; `subscribe(prio, cbID)`
;; adds a Data subscription (call it once per guest subscriber wanted).
;; `count()`, `sum()` (of pid), `other()` (of uid + ts) and `setErrors()` (sum
;; of fieldSet's statuses) report what the callbacks saw, so the bench can
;; check that every event reached every guest subscriber intact.
(module
  (import "ig" "getDataSource" (func $getDataSource (param i64) (result i32)))
  (import "ig" "dataSourceGetField" (func $dataSourceGetField (param i32 i64) (result i32)))
  (import "ig" "dataSourceSubscribe" (func $dataSourceSubscribe (param i32 i32 i32 i64) (result i32)))
  (import "ig" "fieldGetScalar" (func $fieldGetScalar (param i32 i32 i32 i32) (result i64)))
  (import "ig" "fieldSet" (func $fieldSet (param i32 i32 i32 i64) (result i32)))

  (memory (export "memory") 1)
  (data (i32.const 16) "events")
  (data (i32.const 32) "pid")
  (data (i32.const 40) "uid")
  (data (i32.const 48) "ts")
  (data (i32.const 56) "flag")

  (global $ds (mut i32) (i32.const 0))
  (global $pid (mut i32) (i32.const 0))
  (global $uid (mut i32) (i32.const 0))
  (global $ts (mut i32) (i32.const 0))
  (global $flag (mut i32) (i32.const 0))
  (global $count (mut i64) (i64.const 0))
  (global $sum (mut i64) (i64.const 0))
  (global $other (mut i64) (i64.const 0))
  (global $setErrors (mut i32) (i32.const 0))

  (func (export "gadgetAPIVersion") (result i64) (i64.const 1))

  (func (export "gadgetInit") (result i32)
    (global.set $ds (call $getDataSource (i64.const 0x0000000600000010)))
    (if (i32.eqz (global.get $ds)) (then (return (i32.const 1))))
    (global.set $pid (call $dataSourceGetField (global.get $ds) (i64.const 0x0000000300000020)))
    (if (i32.eqz (global.get $pid)) (then (return (i32.const 2))))
    (global.set $uid (call $dataSourceGetField (global.get $ds) (i64.const 0x0000000300000028)))
    (if (i32.eqz (global.get $uid)) (then (return (i32.const 3))))
    (global.set $ts (call $dataSourceGetField (global.get $ds) (i64.const 0x0000000200000030)))
    (if (i32.eqz (global.get $ts)) (then (return (i32.const 4))))
    (global.set $flag (call $dataSourceGetField (global.get $ds) (i64.const 0x0000000400000038)))
    (if (i32.eqz (global.get $flag)) (then (return (i32.const 5))))
    (i32.const 0))

  ;; A Data subscription (type 1) with priority `prio`.
  (func (export "subscribe") (param $prio i32) (param $cbID i64) (result i32)
    (call $dataSourceSubscribe (global.get $ds) (i32.const 1) (local.get $prio) (local.get $cbID)))

  (func (export "dataSourceCallback") (param $cbID i64) (param $ds i32) (param $data i32)
    (local $pid i64)
    (local.set $pid (call $fieldGetScalar (global.get $pid) (local.get $data) (i32.const 8 (; Uint32 ;)) (i32.const 8)))
    (global.set $sum (i64.add (global.get $sum) (local.get $pid)))
    (global.set $other (i64.add (global.get $other)
      (i64.add
        (call $fieldGetScalar (global.get $uid) (local.get $data) (i32.const 8 (; Uint32 ;)) (i32.const 8))
        (call $fieldGetScalar (global.get $ts) (local.get $data) (i32.const 9 (; Uint64 ;)) (i32.const 8)))))
    (global.set $setErrors (i32.add (global.get $setErrors)
      (call $fieldSet (global.get $flag) (local.get $data) (i32.const 8 (; Uint32 ;)) (i64.and (local.get $pid) (i64.const 1)))))
    (global.set $count (i64.add (global.get $count) (i64.const 1))))

  (func (export "count") (result i64) (global.get $count))
  (func (export "sum") (result i64) (global.get $sum))
  (func (export "other") (result i64) (global.get $other))
  (func (export "setErrors") (result i32) (global.get $setErrors))
  (func (export "reset")
    (global.set $count (i64.const 0))
    (global.set $sum (i64.const 0))
    (global.set $other (i64.const 0))
    (global.set $setErrors (i32.const 0)))
)
