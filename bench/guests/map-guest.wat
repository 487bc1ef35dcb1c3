;; Bench guest (ig-v1) for eBPF map lookups: gadgetInit creates a Hash map
;; (u32 key, u64 value) and stores key 1; `lookupLoop(key, n)` makes n
;; mapLookup calls for `key` into an 8-byte destination and returns the sum
;; of their statuses (0 when every lookup hit, n when every one missed).
;;
;; Memory map: 16 map name | 32 key scratch | 40 value to store | 64 destination.
(module
  (import "ig" "newMap" (func $newMap (param i64 i32 i32 i32 i32) (result i32)))
  (import "ig" "mapUpdate" (func $mapUpdate (param i32 i64 i64 i64) (result i32)))
  (import "ig" "mapLookup" (func $mapLookup (param i32 i64 i64) (result i32)))

  (memory (export "memory") 1)
  (data (i32.const 16) "bench")
  (data (i32.const 32) "\01\00\00\00")
  (data (i32.const 40) "\2a\00\00\00\00\00\00\00")

  (global $map (mut i32) (i32.const 0))

  (func (export "gadgetAPIVersion") (result i64) (i64.const 1))

  (func (export "gadgetInit") (result i32)
    ;; newMap("bench", Hash, keySize 4, valueSize 8, maxEntries 16)
    (global.set $map (call $newMap (i64.const 0x0000000500000010) (i32.const 1) (i32.const 4) (i32.const 8) (i32.const 16)))
    (if (i32.eqz (global.get $map)) (then (return (i32.const 1))))
    ;; mapUpdate(map, key at 32, value at 40, Any)
    (call $mapUpdate (global.get $map) (i64.const 0x0000000400000020) (i64.const 0x0000000800000028) (i64.const 0)))

  (func (export "lookupLoop") (param $key i32) (param $n i32) (result i32)
    (local $acc i32)
    (i32.store (i32.const 32) (local.get $key))
    (loop $next
      (local.set $acc (i32.add (local.get $acc)
        (call $mapLookup (global.get $map) (i64.const 0x0000000400000020) (i64.const 0x0000000800000040))))
      (br_if $next (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $acc))

  ;; The value the last successful lookup wrote.
  (func (export "lastValue") (result i64) (i64.load (i32.const 64)))
)
