;; The smallest ig-v1 gadget: a memory and gadgetAPIVersion. Used where the
;; bench drives the host's JS API and no guest code should run.
(module
  (import "ig" "gadgetLog" (func (param i32 i64)))
  (memory (export "memory") 1)
  (func (export "gadgetAPIVersion") (result i64) (i64.const 1)))
