;; Bench guest (ig, v0.43+) for name lookups that hit or miss: gadgetInit
;; creates data source "events" with field "comm". `dataSourceLoop(name, n)`
;; calls getDataSource(name) n times, `fieldLoop(name, n)` calls
;; dataSourceGetField(events, name) n times; each releases the handle a hit
;; returns (as a gadget that probes must, or it runs out of handles) and
;; returns the number of misses.
;;
;; Memory map: 16 "events" | 32 "comm" | 48 "nothere".
(module
  (import "ig" "newDataSource" (func $newDataSource (param i64 i32) (result i32)))
  (import "ig" "getDataSource" (func $getDataSource (param i64) (result i32)))
  (import "ig" "dataSourceAddField" (func $addField (param i32 i64 i32) (result i32)))
  (import "ig" "dataSourceGetField" (func $getField (param i32 i64) (result i32)))
  (import "ig" "releaseHandle" (func $release (param i32) (result i32)))

  (memory (export "memory") 1)
  (data (i32.const 16) "events")
  (data (i32.const 32) "comm")
  (data (i32.const 48) "nothere")

  (global $ds (mut i32) (i32.const 0))

  (func (export "gadgetAPIVersion") (result i64) (i64.const 1))

  (func (export "gadgetInit") (result i32)
    (global.set $ds (call $newDataSource (i64.const 0x0000000600000010) (i32.const 1)))
    (if (i32.eqz (global.get $ds)) (then (return (i32.const 1))))
    ;; dataSourceAddField(ds, "comm", String = 12)
    (if (i32.eqz (call $addField (global.get $ds) (i64.const 0x0000000400000020) (i32.const 12))) (then (return (i32.const 2))))
    (i32.const 0))

  (func (export "dataSourceLoop") (param $name i64) (param $n i32) (result i32)
    (local $misses i32) (local $h i32)
    (loop $next
      (local.set $h (call $getDataSource (local.get $name)))
      (if (local.get $h)
        (then (drop (call $release (local.get $h))))
        (else (local.set $misses (i32.add (local.get $misses) (i32.const 1)))))
      (br_if $next (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $misses))

  (func (export "fieldLoop") (param $name i64) (param $n i32) (result i32)
    (local $misses i32) (local $h i32)
    (loop $next
      (local.set $h (call $getField (global.get $ds) (local.get $name)))
      (if (local.get $h)
        (then (drop (call $release (local.get $h))))
        (else (local.set $misses (i32.add (local.get $misses) (i32.const 1)))))
      (br_if $next (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $misses))
)
