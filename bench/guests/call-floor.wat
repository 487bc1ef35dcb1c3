;; Call-cost floor: loops of N calls, run inside wasm so the JS timer's cost is
;; spread over N. Each loop passes its counter as an argument and sums the
;; results, so no call can be dropped.
(module
  ;; A JS function with fieldGetScalar's signature, returning a constant BigInt.
  (import "js" "constI64" (func $jsConstI64 (param i32 i32 i32 i32) (result i64)))
  ;; A JS function returning a fresh (non-cached) BigInt.
  (import "js" "freshI64" (func $jsFreshI64 (param i32 i32 i32 i32) (result i64)))
  ;; All-i32 JS import: no BigInt at all.
  (import "js" "constI32" (func $jsConstI32 (param i32 i32 i32 i32) (result i32)))
  ;; A wasm function of another instance, given as an import (what the field fast path is to a guest).
  (import "wasm" "constI64" (func $otherInstance (param i32 i32 i32 i32) (result i64)))

  (func $local (param i32 i32 i32 i32) (result i64)
    (i64.const 42))

  (func (export "loopJsConstI64") (param $n i32) (result i64)
    (local $acc i64)
    (loop $next
      (local.set $acc (i64.add (local.get $acc) (call $jsConstI64 (i32.const 1) (local.get $n) (i32.const 8) (i32.const 0))))
      (br_if $next (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $acc))

  (func (export "loopJsFreshI64") (param $n i32) (result i64)
    (local $acc i64)
    (loop $next
      (local.set $acc (i64.add (local.get $acc) (call $jsFreshI64 (i32.const 1) (local.get $n) (i32.const 8) (i32.const 0))))
      (br_if $next (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $acc))

  (func (export "loopJsConstI32") (param $n i32) (result i32)
    (local $acc i32)
    (loop $next
      (local.set $acc (i32.add (local.get $acc) (call $jsConstI32 (i32.const 1) (local.get $n) (i32.const 8) (i32.const 0))))
      (br_if $next (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $acc))

  (func (export "loopOtherInstance") (param $n i32) (result i64)
    (local $acc i64)
    (loop $next
      (local.set $acc (i64.add (local.get $acc) (call $otherInstance (i32.const 1) (local.get $n) (i32.const 8) (i32.const 0))))
      (br_if $next (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $acc))

  (func (export "loopLocal") (param $n i32) (result i64)
    (local $acc i64)
    (loop $next
      (local.set $acc (i64.add (local.get $acc) (call $local (i32.const 1) (local.get $n) (i32.const 8) (i32.const 0))))
      (br_if $next (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $acc))

  ;; The loop alone (no call): what every per-call figure above includes.
  (func (export "loopEmpty") (param $n i32) (result i64)
    (local $acc i64)
    (loop $next
      (local.set $acc (i64.add (local.get $acc) (i64.extend_i32_u (local.get $n))))
      (br_if $next (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $acc))
)
