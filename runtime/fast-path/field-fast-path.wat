;; The field fast path: `fieldGetScalar`, `fieldSet` and `fieldGetBuffer`
;; written in wasm, String and Bytes values included (their bytes cross to or
;; from guest memory through a second small module, see "Values" below).
;;
;; A guest calling a JS import pays for the wasm->JS transition and, for i64
;; values, a BigInt conversion each way (~7 ns for an empty i32x4 -> i64 import,
;; DESIGN.md). These two functions are the hottest calls of most gadgets, and
;; everything they need is in the host-owned memory (runtime/host-memory.ts):
;; the handle table at address 0 and the records after it. So this module
;; imports that memory and resolves handles itself; the loader passes its
;; exports to the guest as the guest's `ig.fieldGetScalar` / `ig.fieldSet`
;; imports, which makes each call a wasm->wasm call.
;;
;; Only the common, successful case is handled here. Anything else -- an
;; invalid, stale or wrongly typed handle, a data-array element handle, a field
;; of another data source, a scalar kind on a variable-length field, a kind of
;; another size, a value that needs a new block -- calls the JS implementation
;; (imported as `fallback`) with the same
;; arguments and returns what it returns. The JS path then fails the call the
;; way the ABI says (error value, log line, and for `fieldGetScalar` the error
;; word written at `err`, in GUEST memory, which this module cannot see). So
;; the fast path never decides an error: whenever it returns a value itself,
;; the JS path would have returned the same value.
;;
;; Handle table entry at `index * 16` (runtime/handles.ts):
;;
;;   +0 u8 type   +1 u8 fieldKind   +2 u16 dataSource   +4 u32 generation   +8 u32   +12 u32
;;
;;   Field entry: type 2, +8 fieldOffset (byte offset of the value in the record)
;;   Data entry:  type 4 (Data) or 8 (single packet), +8 recordAddress
;;   (the names are runtime/handles.ts's EntryWord)
;;
;; A handle is `gen << 13 | index`, index 1..4096. Bit 31 marks a data-array
;; element handle (`1<<31 | i<<16 | array`), resolved only by the JS path.
;;
;; Kept in sync with runtime/handles.ts and runtime/families/field-ops.ts by
;; test/fast-path.test.ts, which runs every case against both paths.
;; Compiled by runtime/fast-path/build.ts into field-fast-path.wasm.ts.
(module
  (import "host" "memory" (memory 1))
  (import "fallback" "fieldGetScalar" (func $fallbackGetScalar (param i32 i32 i32 i32) (result i64)))
  (import "fallback" "fieldSet" (func $fallbackSet (param i32 i32 i32 i64) (result i32)))
  (import "fallback" "fieldGetBuffer" (func $fallbackGetBuffer (param i32 i32 i32 i64) (result i32)))
  ;; Values. A String or Bytes value lives in a block of host memory, found
  ;; through its descriptor (runtime/record-slab.ts), which precedes the record:
  ;; a variable-length field's offset in its Field entry is the descriptor's,
  ;; negative, so record address + field offset finds it as it finds a
  ;; fixed-size value (i32.add wraps):
  ;;
  ;;   +0 u32 block address   +4 u32 value length   +8 u32 block capacity (0: none)
  ;;
  ;; Blocks are powers of two from 16 bytes, so the 16 bytes at a block (and 32
  ;; when the value is longer than 16) can always be loaded whole.
  ;;
  ;; The copy to or from GUEST memory, which this module cannot see (one
  ;; memory per module: Node 20 has no multi-memory), is done by guest-copy.wat,
  ;; instantiated over the guest's memory once the guest exists and reached
  ;; through this table: a value of up to 32 bytes crosses as four i64
  ;; arguments or results, so the whole call stays in wasm; a longer one is
  ;; copied by JS from there. Until the guest's memory is attached the table
  ;; holds the two $decline functions below, and every value call goes to the
  ;; fallback.
  (type $copyOut (func (param i64 i64 i64 i64 i32 i32 i32 i32) (result i32)))
  (type $readIn (func (param i32 i32 i32) (result i64 i64 i64 i64 i32)))
  (table $guestCopy (export "guestCopy") 2 2 funcref)
  (elem (table $guestCopy) (i32.const 0) func $declineCopyOut $declineReadIn)

  ;; guestCopy[0] = copyOut(w0, w1, w2, w3, len, ptr, dataSource, descriptor) -> len, or -1:
  ;; writes the value's len bytes at the guest's ptr: w0..w3 are its first 32 bytes; a longer
  ;; value is found by JS from its data source's index and its descriptor's address.
  (func $declineCopyOut (type $copyOut) (i32.const -1))
  ;; guestCopy[1] = readIn(ptr, len, at) -> (w0, w1, w2, w3, status): status 0, w0..w3 hold
  ;; the guest's bytes from ptr (up to 32, more may follow); 1, JS copied the len bytes to
  ;; host address at itself; -1, not done (the range is outside guest memory, or too near
  ;; its end to load 32 bytes).
  (func $declineReadIn (type $readIn) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0) (i32.const -1))

  ;; Both functions start with the same resolution block (V8 does not inline
  ;; wasm calls, and each internal call would cost about as much as the whole
  ;; resolution, so it is written out twice rather than shared):
  ;;
  ;;   1. kind is fixed-size: Bool (1) .. Float64 (11)
  ;;   2. field: index 1..4096, entry type Field (2), entry gen == field >>> 13
  ;;      (a handle with bit 31 set cannot pass: generations stay below 2^18)
  ;;   3. data: bit 31 clear (not an element handle), index 1..4096, entry type
  ;;      Data (4) or single packet (8), entry gen == data >>> 13
  ;;   4. both entries name the same data source (u16 at +2)
  ;;   5. the field's kind is fixed-size and has the size of `kind` (a kind of
  ;;      the same size reinterprets the bytes, as IG does)
  ;;   6. value address = record address (data entry +8) + field offset (field entry +8)
  ;;
  ;; Any failed check branches to $fallback. The index checks keep every entry
  ;; load inside the handle table; the record address and the field offset
  ;; come from entries only the runtime writes.
  ;;
  ;; Sizes come from one constant: the byte size of FieldKind k is nibble k of
  ;;   kind   11 10  9  8  7  6  5  4  3  2  1  0
  ;;   size    8  4  8  4  2  1  8  4  2  1  1  0    = 0x848421842110
  ;; (Float64 .. Invalid; String, CString, Bytes and above are never looked up).

  ;; ig.fieldGetScalar(field, data, kind, err) -> u64: the value read as `kind`,
  ;; signed kinds sign-extended, unsigned zero-extended, Bool 0/1, floats as bits.
  (func (export "fieldGetScalar") (param $field i32) (param $data i32) (param $kind i32) (param $err i32) (result i64)
    (local $fe i32) (local $de i32) (local $fieldKind i32) (local $at i32)
    (block $fallback
      ;; --- resolution (same as in fieldSet) ---
      (br_if $fallback (i32.gt_u (i32.sub (local.get $kind) (i32.const 1)) (i32.const 10)))                  ;; 1
      (local.set $fe (i32.and (local.get $field) (i32.const 0x1fff)))                                          ;; 2
      (br_if $fallback (i32.gt_u (i32.sub (local.get $fe) (i32.const 1)) (i32.const 4095)))
      (local.set $fe (i32.shl (local.get $fe) (i32.const 4)))
      (br_if $fallback (i32.ne (i32.load8_u (local.get $fe)) (i32.const 2)))
      (br_if $fallback (i32.ne (i32.load offset=4 (local.get $fe)) (i32.shr_u (local.get $field) (i32.const 13))))
      (br_if $fallback (i32.lt_s (local.get $data) (i32.const 0)))                                             ;; 3
      (local.set $de (i32.and (local.get $data) (i32.const 0x1fff)))
      (br_if $fallback (i32.gt_u (i32.sub (local.get $de) (i32.const 1)) (i32.const 4095)))
      (local.set $de (i32.shl (local.get $de) (i32.const 4)))
      (br_if $fallback (i32.eqz (i32.and (i32.load8_u (local.get $de)) (i32.const 12))))
      (br_if $fallback (i32.ne (i32.load offset=4 (local.get $de)) (i32.shr_u (local.get $data) (i32.const 13))))
      (br_if $fallback (i32.ne (i32.load16_u offset=2 (local.get $fe)) (i32.load16_u offset=2 (local.get $de)))) ;; 4
      (local.set $fieldKind (i32.load8_u offset=1 (local.get $fe)))                                            ;; 5
      (br_if $fallback (i32.gt_u (i32.sub (local.get $fieldKind) (i32.const 1)) (i32.const 10)))
      (br_if $fallback (i64.ne
        (i64.and (i64.shr_u (i64.const 0x848421842110) (i64.extend_i32_u (i32.shl (local.get $fieldKind) (i32.const 2)))) (i64.const 0xf))
        (i64.and (i64.shr_u (i64.const 0x848421842110) (i64.extend_i32_u (i32.shl (local.get $kind) (i32.const 2)))) (i64.const 0xf))))
      (local.set $at (i32.add (i32.load offset=8 (local.get $de)) (i32.load offset=8 (local.get $fe))))        ;; 6

      ;; --- the read, by kind ---
      (block $x64
        (block $x32
          (block $u16
            (block $u8
              (block $i32
                (block $i16
                  (block $i8
                    (block $bool
                      ;;        Bool  Int8 Int16 Int32 Int64 Uint8 Uint16 Uint32 Uint64 Float32 Float64
                      (br_table $bool $i8  $i16  $i32  $x64  $u8   $u16   $x32   $x64   $x32    $x64
                                $x64 ;; default: unreachable, the kind was checked
                        (i32.sub (local.get $kind) (i32.const 1))))
                    ;; Bool: 1 only when the byte is 1, as IG's accessor reads it
                    ;; (pkg/datasource/accessors.go Bool, aeac857); any other byte is 0.
                    (return (i64.extend_i32_u (i32.eq (i32.load8_u (local.get $at)) (i32.const 1)))))
                  (return (i64.load8_s (local.get $at))))
                (return (i64.load16_s (local.get $at))))
              (return (i64.load32_s (local.get $at))))
            (return (i64.load8_u (local.get $at))))
          (return (i64.load16_u (local.get $at))))
        ;; Uint32, Float32 (its bits in the low 32 bits).
        (return (i64.load32_u (local.get $at))))
      ;; Int64, Uint64, Float64.
      (return (i64.load (local.get $at))))
    ;; $fallback: the JS path decides (and reports) everything else.
    (call $fallbackGetScalar (local.get $field) (local.get $data) (local.get $kind) (local.get $err)))

  ;; ig.fieldSet(field, data, kind, value) -> u32 status: writes the low bytes
  ;; of `value` (Bool: 1 when any of its 64 bits is set). 0 = ok. (Releases whose
  ;; fieldSet returned the field handle on success do not use this export:
  ;; createFieldFastPath hands out the JS fieldSet for them.)
  (func (export "fieldSet") (param $field i32) (param $data i32) (param $kind i32) (param $value i64) (result i32)
    (local $fe i32) (local $de i32) (local $fieldKind i32) (local $at i32)
    (local $d i32) (local $len i32) (local $cap i32) (local $status i32)
    (local $w0 i64) (local $w1 i64) (local $w2 i64) (local $w3 i64)
    (block $fallback
      ;; --- resolution (same as in fieldGetScalar) ---
      (br_if $fallback (i32.gt_u (i32.sub (local.get $kind) (i32.const 1)) (i32.const 10)))                  ;; 1
      (local.set $fe (i32.and (local.get $field) (i32.const 0x1fff)))                                          ;; 2
      (br_if $fallback (i32.gt_u (i32.sub (local.get $fe) (i32.const 1)) (i32.const 4095)))
      (local.set $fe (i32.shl (local.get $fe) (i32.const 4)))
      (br_if $fallback (i32.ne (i32.load8_u (local.get $fe)) (i32.const 2)))
      (br_if $fallback (i32.ne (i32.load offset=4 (local.get $fe)) (i32.shr_u (local.get $field) (i32.const 13))))
      (br_if $fallback (i32.lt_s (local.get $data) (i32.const 0)))                                             ;; 3
      (local.set $de (i32.and (local.get $data) (i32.const 0x1fff)))
      (br_if $fallback (i32.gt_u (i32.sub (local.get $de) (i32.const 1)) (i32.const 4095)))
      (local.set $de (i32.shl (local.get $de) (i32.const 4)))
      (br_if $fallback (i32.eqz (i32.and (i32.load8_u (local.get $de)) (i32.const 12))))
      (br_if $fallback (i32.ne (i32.load offset=4 (local.get $de)) (i32.shr_u (local.get $data) (i32.const 13))))
      (br_if $fallback (i32.ne (i32.load16_u offset=2 (local.get $fe)) (i32.load16_u offset=2 (local.get $de)))) ;; 4
      (local.set $fieldKind (i32.load8_u offset=1 (local.get $fe)))                                            ;; 5
      (br_if $fallback (i32.gt_u (i32.sub (local.get $fieldKind) (i32.const 1)) (i32.const 10)))
      (br_if $fallback (i64.ne
        (i64.and (i64.shr_u (i64.const 0x848421842110) (i64.extend_i32_u (i32.shl (local.get $fieldKind) (i32.const 2)))) (i64.const 0xf))
        (i64.and (i64.shr_u (i64.const 0x848421842110) (i64.extend_i32_u (i32.shl (local.get $kind) (i32.const 2)))) (i64.const 0xf))))
      (local.set $at (i32.add (i32.load offset=8 (local.get $de)) (i32.load offset=8 (local.get $fe))))        ;; 6

      ;; --- the write, by size ---
      (block $x64
        (block $x32
          (block $x16
            (block $x8
              (block $bool
                ;;        Bool  Int8 Int16 Int32 Int64 Uint8 Uint16 Uint32 Uint64 Float32 Float64
                (br_table $bool $x8  $x16  $x32  $x64  $x8   $x16   $x32   $x64   $x32    $x64
                          $x64 ;; default: unreachable, the kind was checked
                  (i32.sub (local.get $kind) (i32.const 1))))
              (i32.store8 (local.get $at) (i64.ne (local.get $value) (i64.const 0)))
              (return (i32.const 0)))
            (i64.store8 (local.get $at) (local.get $value))
            (return (i32.const 0)))
          (i64.store16 (local.get $at) (local.get $value))
          (return (i32.const 0)))
        (i64.store32 (local.get $at) (local.get $value))
        (return (i32.const 0)))
      (i64.store (local.get $at) (local.get $value))
      (return (i32.const 0)))
    ;; A String or Bytes value of a variable-length field, stored in place when its block
    ;; fits it (RecordSlab's fitsInPlace: len <= cap, and len > cap/4 or cap <= 64); a value
    ;; that needs another block goes to the fallback, which moves it.
    (local.set $d (call $valueDescriptor (local.get $field) (local.get $data) (local.get $kind)))
    (if (local.get $d)
      (then
        (local.set $len (i32.wrap_i64 (i64.shr_u (local.get $value) (i64.const 32))))
        (local.set $cap (i32.load offset=8 (local.get $d)))
        (if (i32.and
              (i32.le_u (local.get $len) (local.get $cap))
              (i32.or (i32.gt_u (local.get $len) (i32.shr_u (local.get $cap) (i32.const 2))) (i32.le_u (local.get $cap) (i32.const 64))))
          (then
            (local.set $at (i32.load (local.get $d)))
            (call_indirect $guestCopy (type $readIn)
              (i32.wrap_i64 (local.get $value)) (local.get $len) (local.get $at) (i32.const 1))
            (local.set $status) (local.set $w3) (local.set $w2) (local.set $w1) (local.set $w0)
            (if (i32.ge_s (local.get $status) (i32.const 0))
              (then
                ;; Status 0: store the words the value covers (bytes past its length
                ;; stay inside the block: it holds at least 16, at least 32 past 16).
                (if (i32.and (i32.eqz (local.get $status)) (i32.ne (local.get $len) (i32.const 0)))
                  (then
                    (i64.store (local.get $at) (local.get $w0))
                    (i64.store offset=8 (local.get $at) (local.get $w1))
                    (if (i32.gt_u (local.get $len) (i32.const 16))
                      (then
                        (i64.store offset=16 (local.get $at) (local.get $w2))
                        (i64.store offset=24 (local.get $at) (local.get $w3))))))
                (i32.store offset=4 (local.get $d) (local.get $len))
                (return (i32.const 0))))))))
    ;; $fallback: the JS path decides (and reports) everything else.
    (call $fallbackSet (local.get $field) (local.get $data) (local.get $kind) (local.get $value)))

;; ig.fieldGetBuffer(field, data, kind, dst) -> u32 bytes copied: the value
  ;; of a variable-length field, String or Bytes kind, when it fits the
  ;; destination (dst: len << 32 | ptr). Everything else (a fixed-size field read
  ;; as bytes too) takes the fallback.
  (func (export "fieldGetBuffer") (param $field i32) (param $data i32) (param $kind i32) (param $dst i64) (result i32)
    (local $d i32) (local $len i32) (local $at i32) (local $copied i32)
    (local.set $d (call $valueDescriptor (local.get $field) (local.get $data) (local.get $kind)))
    (if (local.get $d)
      (then
        (local.set $len (i32.load offset=4 (local.get $d)))
        (if (i32.le_u (local.get $len) (i32.wrap_i64 (i64.shr_u (local.get $dst) (i64.const 32))))
          (then
            (local.set $at (i32.load (local.get $d)))
            ;; The first 32 bytes as words (16 when the value has no more: the block may be 16).
            ;; An empty value may have no block (at 0): its words are then the handle table's,
            ;; loaded and not written.
            (local.set $copied (call_indirect $guestCopy (type $copyOut)
              (i64.load (local.get $at))
              (i64.load offset=8 (local.get $at))
              (if (result i64) (i32.gt_u (local.get $len) (i32.const 16)) (then (i64.load offset=16 (local.get $at))) (else (i64.const 0)))
              (if (result i64) (i32.gt_u (local.get $len) (i32.const 16)) (then (i64.load offset=24 (local.get $at))) (else (i64.const 0)))
              (local.get $len) (i32.wrap_i64 (local.get $dst))
              (i32.load16_u offset=2 (i32.shl (i32.and (local.get $field) (i32.const 0x1fff)) (i32.const 4)))
              (local.get $d)
              (i32.const 0)))
            (if (i32.ge_s (local.get $copied) (i32.const 0)) (then (return (local.get $copied))))))))
    (call $fallbackGetBuffer (local.get $field) (local.get $data) (local.get $kind) (local.get $dst)))

  ;; The address of the value descriptor when `kind` is String (12) or Bytes (14)
  ;; and field and data resolve as in steps 2-4 above to a variable-length field
  ;; (String, CString or Bytes: kinds 12 and up) of the record's data source:
  ;; record address (data +8) + the field's offset (field +8, negative). 0
  ;; otherwise (never a descriptor's address: the handle table is at 0). A
  ;; function of its own, unlike the scalar paths' resolution: the copy after it
  ;; costs more than the call.
  (func $valueDescriptor (param $field i32) (param $data i32) (param $kind i32) (result i32)
    (local $fe i32) (local $de i32)
    (block $no
      (br_if $no (i32.and (i32.ne (local.get $kind) (i32.const 12)) (i32.ne (local.get $kind) (i32.const 14))))
      (local.set $fe (i32.and (local.get $field) (i32.const 0x1fff)))
      (br_if $no (i32.gt_u (i32.sub (local.get $fe) (i32.const 1)) (i32.const 4095)))
      (local.set $fe (i32.shl (local.get $fe) (i32.const 4)))
      (br_if $no (i32.ne (i32.load8_u (local.get $fe)) (i32.const 2)))
      (br_if $no (i32.ne (i32.load offset=4 (local.get $fe)) (i32.shr_u (local.get $field) (i32.const 13))))
      (br_if $no (i32.lt_s (local.get $data) (i32.const 0)))
      (local.set $de (i32.and (local.get $data) (i32.const 0x1fff)))
      (br_if $no (i32.gt_u (i32.sub (local.get $de) (i32.const 1)) (i32.const 4095)))
      (local.set $de (i32.shl (local.get $de) (i32.const 4)))
      (br_if $no (i32.eqz (i32.and (i32.load8_u (local.get $de)) (i32.const 12))))
      (br_if $no (i32.ne (i32.load offset=4 (local.get $de)) (i32.shr_u (local.get $data) (i32.const 13))))
      (br_if $no (i32.ne (i32.load16_u offset=2 (local.get $fe)) (i32.load16_u offset=2 (local.get $de))))
      (br_if $no (i32.lt_u (i32.load8_u offset=1 (local.get $fe)) (i32.const 12)))
      (return (i32.add (i32.load offset=8 (local.get $de)) (i32.load offset=8 (local.get $fe)))))
    (i32.const 0))
)
