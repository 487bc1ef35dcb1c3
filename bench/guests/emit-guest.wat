;; Bench guest (ig-v1) for emit throughput: a subscriber of the host's data
;; source "events" whose callback reads one u32 field ("pid") per event, as a
;; filtering gadget would.
;;
;; gadgetInit looks up the data source and the field; `subscribe(prio, cbID)`
;; adds a Data subscription (call it once per guest subscriber wanted).
;; `count()` and `sum()` report what the callback saw, so the bench can check
;; that every event reached every guest subscriber.
(module
  (import "ig" "getDataSource" (func $getDataSource (param i64) (result i32)))
  (import "ig" "dataSourceGetField" (func $dataSourceGetField (param i32 i64) (result i32)))
  (import "ig" "dataSourceSubscribe" (func $dataSourceSubscribe (param i32 i32 i32 i64) (result i32)))
  (import "ig" "fieldGetScalar" (func $fieldGetScalar (param i32 i32 i32 i32) (result i64)))

  (memory (export "memory") 1)
  (data (i32.const 16) "events")
  (data (i32.const 32) "pid")

  (global $ds (mut i32) (i32.const 0))
  (global $pid (mut i32) (i32.const 0))
  (global $count (mut i64) (i64.const 0))
  (global $sum (mut i64) (i64.const 0))

  (func (export "gadgetAPIVersion") (result i64) (i64.const 1))

  (func (export "gadgetInit") (result i32)
    (global.set $ds (call $getDataSource (i64.const 0x0000000600000010)))
    (if (i32.eqz (global.get $ds)) (then (return (i32.const 1))))
    (global.set $pid (call $dataSourceGetField (global.get $ds) (i64.const 0x0000000300000020)))
    (if (i32.eqz (global.get $pid)) (then (return (i32.const 2))))
    (i32.const 0))

  ;; A Data subscription (type 1) with priority `prio`.
  (func (export "subscribe") (param $prio i32) (param $cbID i64) (result i32)
    (call $dataSourceSubscribe (global.get $ds) (i32.const 1) (local.get $prio) (local.get $cbID)))

  (func (export "dataSourceCallback") (param $cbID i64) (param $ds i32) (param $data i32)
    (global.set $sum (i64.add (global.get $sum)
      (call $fieldGetScalar (global.get $pid) (local.get $data) (i32.const 8 (; Uint32 ;)) (i32.const 8))))
    (global.set $count (i64.add (global.get $count) (i64.const 1))))

  (func (export "count") (result i64) (global.get $count))
  (func (export "sum") (result i64) (global.get $sum))
  (func (export "reset")
    (global.set $count (i64.const 0))
    (global.set $sum (i64.const 0)))
)
