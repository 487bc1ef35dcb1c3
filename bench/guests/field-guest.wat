;; Bench guest (ig-v1): loops of field calls on one packet.
;;
;; gadgetInit looks up the host's data source "bench" and its fields, and
;; allocates one packet, as a gadget would. Each loop export then makes N
;; calls of one host function; the host under test (igwasm, or the naive
;; baseline) is whatever provides the `ig` imports.
;;
;; Memory map: 8 error word | 16.. names | 0x100 field handles (i32 each,
;; in slot order: u32, i64, f64, s16, s256, s4k) | 0x1000 destination buffer
;; (4096 bytes) | 0x2000 scratch for values the host writes in (4096 bytes).
(module
  (import "ig" "getDataSource" (func $getDataSource (param i64) (result i32)))
  (import "ig" "dataSourceGetField" (func $dataSourceGetField (param i32 i64) (result i32)))
  (import "ig" "dataSourceNewPacketSingle" (func $newPacketSingle (param i32) (result i32)))
  (import "ig" "fieldGetScalar" (func $fieldGetScalar (param i32 i32 i32 i32) (result i64)))
  (import "ig" "fieldGetBuffer" (func $fieldGetBuffer (param i32 i32 i32 i64) (result i32)))
  (import "ig" "fieldSet" (func $fieldSet (param i32 i32 i32 i64) (result i32)))

  (memory (export "memory") 1)
  (data (i32.const 16) "bench")
  (data (i32.const 32) "u32")
  (data (i32.const 40) "i64")
  (data (i32.const 48) "f64")
  (data (i32.const 56) "s16")
  (data (i32.const 64) "s256")
  (data (i32.const 72) "s4k")

  (global $packet (mut i32) (i32.const 0))

  (func (export "gadgetAPIVersion") (result i64) (i64.const 1))

  ;; Stores the handle of field `name` at 0x100 + 4*slot; 0 when not found.
  (func $lookup (param $ds i32) (param $slot i32) (param $name i64) (result i32)
    (local $f i32)
    (local.set $f (call $dataSourceGetField (local.get $ds) (local.get $name)))
    (i32.store (i32.add (i32.const 0x100) (i32.shl (local.get $slot) (i32.const 2))) (local.get $f))
    (local.get $f))

  (func (export "gadgetInit") (result i32)
    (local $ds i32)
    ;; packed strings: length << 32 | address
    (local.set $ds (call $getDataSource (i64.const 0x0000000500000010)))
    (if (i32.eqz (local.get $ds)) (then (return (i32.const 1))))
    (if (i32.eqz (call $lookup (local.get $ds) (i32.const 0) (i64.const 0x0000000300000020))) (then (return (i32.const 2))))
    (if (i32.eqz (call $lookup (local.get $ds) (i32.const 1) (i64.const 0x0000000300000028))) (then (return (i32.const 3))))
    (if (i32.eqz (call $lookup (local.get $ds) (i32.const 2) (i64.const 0x0000000300000030))) (then (return (i32.const 4))))
    (if (i32.eqz (call $lookup (local.get $ds) (i32.const 3) (i64.const 0x0000000300000038))) (then (return (i32.const 5))))
    (if (i32.eqz (call $lookup (local.get $ds) (i32.const 4) (i64.const 0x0000000400000040))) (then (return (i32.const 6))))
    (if (i32.eqz (call $lookup (local.get $ds) (i32.const 5) (i64.const 0x0000000300000048))) (then (return (i32.const 7))))
    (global.set $packet (call $newPacketSingle (local.get $ds)))
    (if (i32.eqz (global.get $packet)) (then (return (i32.const 8))))
    (i32.const 0))

  (func $field (param $slot i32) (result i32)
    (i32.load (i32.add (i32.const 0x100) (i32.shl (local.get $slot) (i32.const 2)))))

  ;; n x fieldGetScalar(field, packet, kind, &err); returns the sum of the values.
  (func (export "getLoop") (param $slot i32) (param $kind i32) (param $n i32) (result i64)
    (local $f i32) (local $d i32) (local $acc i64)
    (local.set $f (call $field (local.get $slot)))
    (local.set $d (global.get $packet))
    (loop $next
      (local.set $acc (i64.add (local.get $acc)
        (call $fieldGetScalar (local.get $f) (local.get $d) (local.get $kind) (i32.const 8))))
      (br_if $next (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $acc))

  ;; n x fieldSet(field, packet, kind, i); returns the sum of the statuses (0 when all succeeded).
  ;; For Float64 the value is the double i (its bits: a 64-bit pattern, as real doubles have),
  ;; for other kinds the integer i (small counters).
  (func (export "setLoop") (param $slot i32) (param $kind i32) (param $n i32) (result i32)
    (local $f i32) (local $d i32) (local $acc i32)
    (local.set $f (call $field (local.get $slot)))
    (local.set $d (global.get $packet))
    (loop $next
      (local.set $acc (i32.add (local.get $acc)
        (call $fieldSet (local.get $f) (local.get $d) (local.get $kind)
          (if (result i64) (i32.eq (local.get $kind) (i32.const 11))
            (then (i64.reinterpret_f64 (f64.convert_i32_u (local.get $n))))
            (else (i64.extend_i32_u (local.get $n)))))))
      (br_if $next (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $acc))

  ;; n x fieldGetBuffer(field, packet, kind, 4096-byte buffer at 0x1000); returns the sum of the byte counts.
  (func (export "getBufferLoop") (param $slot i32) (param $kind i32) (param $n i32) (result i32)
    (local $f i32) (local $d i32) (local $acc i32)
    (local.set $f (call $field (local.get $slot)))
    (local.set $d (global.get $packet))
    (loop $next
      (local.set $acc (i32.add (local.get $acc)
        (call $fieldGetBuffer (local.get $f) (local.get $d) (local.get $kind) (i64.const 0x0000100000001000))))
      (br_if $next (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $acc))

  ;; fieldSet(field, packet, kind, len << 32 | 0x2000): sets a String/Bytes value the host wrote at 0x2000.
  (func (export "setBuffer") (param $slot i32) (param $kind i32) (param $len i32) (result i32)
    (call $fieldSet (call $field (local.get $slot)) (global.get $packet) (local.get $kind)
      (i64.or (i64.shl (i64.extend_i32_u (local.get $len)) (i64.const 32)) (i64.const 0x2000))))

  ;; n fieldSet calls writing the 16 bytes at 0x2000 as a String/Bytes value; returns the sum of the statuses.
  (func (export "setBufferLoop") (param $slot i32) (param $kind i32) (param $n i32) (result i32)
    (local $f i32) (local $d i32) (local $acc i32)
    (local.set $f (call $field (local.get $slot)))
    (local.set $d (global.get $packet))
    (loop $next
      (local.set $acc (i32.add (local.get $acc)
        (call $fieldSet (local.get $f) (local.get $d) (local.get $kind) (i64.const 0x0000001000002000))))
      (br_if $next (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $acc))

  ;; One fieldGetScalar with the error word cleared first; returns the error word (for checks).
  (func (export "getError") (param $slot i32) (param $kind i32) (result i32)
    (i32.store (i32.const 8) (i32.const 0))
    (drop (call $fieldGetScalar (call $field (local.get $slot)) (global.get $packet) (local.get $kind) (i32.const 8)))
    (i32.load (i32.const 8)))
)
