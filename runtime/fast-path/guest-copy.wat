;; The guest half of the value fast path: copies String and Bytes values
;; between the guest's memory and words handed over by field-fast-path.wat.
;;
;; field-fast-path.wat works in host memory and a wasm module sees one memory
;; (no multi-memory in Node 20), so the bytes of a value cross between the two
;; modules as function arguments and results: four i64 words carry a value of
;; up to 32 bytes, the common case (names, paths, short buffers), and the whole
;; call stays in wasm. Longer values are copied by the imported JS functions,
;; where one builtin copy beats a call per word.
;;
;; One instance per guest, made once the guest is instantiated and its memory
;; exists (runtime/fast-path/field-fast-path.ts attachGuestMemory); its two
;; exports go into field-fast-path.wat's `guestCopy` table. Both check the
;; guest range first and answer -1, having written nothing, when it is not
;; inside guest memory: the fast path then calls the shim, which reports it.
;;
;; Compiled by runtime/fast-path/build.ts into guest-copy.wasm.ts.
(module
  (import "guest" "memory" (memory 0))
  ;; value-copy.ts, for values longer than 32 bytes here:
  ;; copyOut(dataSource, descriptor, ptr): the value of that descriptor (host memory
  ;; address) of a record of that data source to the guest's ptr.
  (import "js" "copyOut" (func $copyOutLong (param i32 i32 i32)))
  ;; copyIn(ptr, len, at): guest [ptr, ptr+len) to host [at, at+len).
  (import "js" "copyIn" (func $copyInLong (param i32 i32 i32)))

  ;; 1 when [ptr, ptr+len) lies inside guest memory (computed in 64 bits: no wrap).
  (func $inside (param $ptr i32) (param $len i32) (result i32)
    (i64.le_u
      (i64.add (i64.extend_i32_u (local.get $ptr)) (i64.extend_i32_u (local.get $len)))
      (i64.shl (i64.extend_i32_u (memory.size)) (i64.const 16))))

  ;; Writes the value's len bytes at the guest's ptr: from w0..w3 (its first 32
  ;; bytes, little-endian) when len <= 32, else by JS, which finds the value
  ;; from its data source and descriptor. Answers len, or -1. Exactly len bytes
  ;; are written.
  (func (export "copyOut") (param $w0 i64) (param $w1 i64) (param $w2 i64) (param $w3 i64)
        (param $len i32) (param $ptr i32) (param $dataSource i32) (param $descriptor i32) (result i32)
    (local $rest i32)
    (if (i32.eqz (call $inside (local.get $ptr) (local.get $len))) (then (return (i32.const -1))))
    (if (i32.gt_u (local.get $len) (i32.const 32))
      (then
        (call $copyOutLong (local.get $dataSource) (local.get $descriptor) (local.get $ptr))
        (return (local.get $len))))
    ;; Whole words first, shifting the next word down each time.
    (local.set $rest (local.get $len))
    (block $tail
      (loop $words
        (br_if $tail (i32.lt_u (local.get $rest) (i32.const 8)))
        (i64.store (local.get $ptr) (local.get $w0))
        (local.set $w0 (local.get $w1))
        (local.set $w1 (local.get $w2))
        (local.set $w2 (local.get $w3))
        (local.set $ptr (i32.add (local.get $ptr) (i32.const 8)))
        (local.set $rest (i32.sub (local.get $rest) (i32.const 8)))
        (br $words)))
    ;; Then the 0..7 bytes left, the low ones of w0: 4, 2, 1 at a time.
    (if (i32.and (local.get $rest) (i32.const 4))
      (then
        (i64.store32 (local.get $ptr) (local.get $w0))
        (local.set $w0 (i64.shr_u (local.get $w0) (i64.const 32)))
        (local.set $ptr (i32.add (local.get $ptr) (i32.const 4)))))
    (if (i32.and (local.get $rest) (i32.const 2))
      (then
        (i64.store16 (local.get $ptr) (local.get $w0))
        (local.set $w0 (i64.shr_u (local.get $w0) (i64.const 16)))
        (local.set $ptr (i32.add (local.get $ptr) (i32.const 2)))))
    (if (i32.and (local.get $rest) (i32.const 1))
      (then (i64.store8 (local.get $ptr) (local.get $w0))))
    (local.get $len))

  ;; Reads the guest's [ptr, ptr+len) for a value to be stored at host address
  ;; `at`: status 0 with the 32 bytes from ptr in w0..w3 when len <= 32 (bytes past
  ;; len are whatever follows in guest memory; the caller stores only into the
  ;; value's block); status 1 when len > 32 and JS copied the bytes to `at`
  ;; itself; -1 when the range is outside guest memory, or ends less than 32
  ;; bytes before its end (the shim then reads exactly len bytes).
  (func (export "readIn") (param $ptr i32) (param $len i32) (param $at i32) (result i64 i64 i64 i64 i32)
    (if (i32.eqz (call $inside (local.get $ptr) (local.get $len)))
      (then (return (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0) (i32.const -1))))
    (if (i32.gt_u (local.get $len) (i32.const 32))
      (then
        (call $copyInLong (local.get $ptr) (local.get $len) (local.get $at))
        (return (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0) (i32.const 1))))
    (if (i32.eqz (call $inside (local.get $ptr) (i32.const 32)))
      (then (return (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0) (i32.const -1))))
    (i64.load (local.get $ptr))
    (i64.load offset=8 (local.get $ptr))
    (i64.load offset=16 (local.get $ptr))
    (i64.load offset=24 (local.get $ptr))
    (i32.const 0))
)
