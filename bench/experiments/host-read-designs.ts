/**
 * Designs tried for host-side reads (issue 14, item 5), measured with the
 * bench harness (interleaved rounds, CPU time). Not part of `npm run bench`:
 * it explains why FieldAccessor is built the way it is.
 *
 *   node --import tsx bench/experiments/host-read-designs.ts [--fixed] [--quick]
 *
 * Each case reads four u32 fields of each of 64 records through a view
 * re-pointed per record, over a growable memory (as host memory is) or, with
 * --fixed, one reserved at its maximum (initial = maximum: its buffer never
 * changes).
 * Ratios are to raw DataView reads over the same memory in the same loop.
 */
import { type CaseSpec, formatFigure, measureAll } from "../lib/harness.js";

const RECORDS = 64;
const OFFSETS = [0, 4, 8, 12] as const;
type Ref = { slot: number; addr: number };
type Read = (r: Ref) => number;

interface Memory {
  readonly label: string;
  readonly view: DataView;
  readonly u32: Uint32Array;
  readonly addrs: Uint32Array;
}

function memory(label: string, wasmMemory: WebAssembly.Memory): Memory {
  const view = new DataView(wasmMemory.buffer);
  const addrs = new Uint32Array(RECORDS);
  for (let i = 0; i < RECORDS; i++) {
    addrs[i] = 65536 + i * 16;
    for (const off of OFFSETS) view.setUint32(addrs[i] + off, i + 1, true);
  }
  return { label, view, u32: new Uint32Array(wasmMemory.buffer), addrs };
}

/** The design FieldAccessor had: a method reading the view and the offset from class fields. */
class MethodReader {
  view!: DataView; // a class field: defined as undefined first, then set
  constructor(view: DataView, readonly off: number) {
    this.view = view;
  }
  get(r: Ref): number {
    return this.view.getUint32(r.addr + this.off, true);
  }
}

/** FieldAccessor's design: a closure over constants, in a `declare`d field. */
class ClosureReader {
  declare get: Read;
  constructor(view: DataView, off: number) {
    const v = view;
    this.get = (r) => v.getUint32(r.addr + off, true);
  }
}

/** The same closure in a class field that starts undefined (the pitfall). */
class ClosureInClassField {
  get: Read;
  constructor(view: DataView, off: number) {
    this.get = (r) => view.getUint32(r.addr + off, true);
  }
}

/** A per-data-source reader compiled with literal offsets. */
function generatedReader(view: DataView): Read[] {
  const src = `return [${OFFSETS.map((o) => `(r) => view.getUint32(r.addr + ${o}, true)`).join(", ")}];`;
  return new Function("view", src)(view) as Read[];
}

/** Typed-array reads for aligned fields. */
function typedReader(u32: Uint32Array, off: number): { get: Read } {
  const word = off >>> 2;
  return { get: (r) => u32[(r.addr >>> 2) + word] };
}

const quick = process.argv.includes("--quick");
const fixed = process.argv.includes("--fixed");
const n = quick ? 1024 : 131_072;
const m = memory(fixed ? "fixed" : "growable", fixed ? new WebAssembly.Memory({ initial: 64, maximum: 64 }) : new WebAssembly.Memory({ initial: 4, maximum: 16384 }));
const { view, addrs } = m;
const ev: Ref = { slot: 0, addr: 0 };
const [m0, m1, m2, m3] = OFFSETS.map((o) => new MethodReader(view, o));
const [c0, c1, c2, c3] = OFFSETS.map((o) => new ClosureReader(view, o));
const [f0, f1, f2, f3] = OFFSETS.map((o) => new ClosureInClassField(view, o));
const [g0, g1, g2, g3] = generatedReader(view);
const [t0, t1, t2, t3] = OFFSETS.map((o) => typedReader(m.u32, o));

// One loop function per design, written out: loops made by one helper would share their type
// feedback, and the calls to the readers would stop being inlined in all of them.
const designs: Record<string, () => number> = {
  "raw DataView": () => {
    let sum = 0;
    for (let i = 0; i < n; i += 4) {
      ev.addr = addrs[(i >> 2) & (RECORDS - 1)];
      sum += view.getUint32(ev.addr, true) + view.getUint32(ev.addr + 4, true) + view.getUint32(ev.addr + 8, true) + view.getUint32(ev.addr + 12, true);
    }
    return sum;
  },
  "method, view and offset in class fields": () => {
    let sum = 0;
    for (let i = 0; i < n; i += 4) {
      ev.addr = addrs[(i >> 2) & (RECORDS - 1)];
      sum += m0.get(ev) + m1.get(ev) + m2.get(ev) + m3.get(ev);
    }
    return sum;
  },
  "closure over constants, declared field (FieldAccessor)": () => {
    let sum = 0;
    for (let i = 0; i < n; i += 4) {
      ev.addr = addrs[(i >> 2) & (RECORDS - 1)];
      sum += c0.get(ev) + c1.get(ev) + c2.get(ev) + c3.get(ev);
    }
    return sum;
  },
  "closure over constants, class field starting undefined": () => {
    let sum = 0;
    for (let i = 0; i < n; i += 4) {
      ev.addr = addrs[(i >> 2) & (RECORDS - 1)];
      sum += f0.get(ev) + f1.get(ev) + f2.get(ev) + f3.get(ev);
    }
    return sum;
  },
  "per-data-source reader, literal offsets (new Function)": () => {
    let sum = 0;
    for (let i = 0; i < n; i += 4) {
      ev.addr = addrs[(i >> 2) & (RECORDS - 1)];
      sum += g0(ev) + g1(ev) + g2(ev) + g3(ev);
    }
    return sum;
  },
  "typed array (Uint32Array), aligned fields": () => {
    let sum = 0;
    for (let i = 0; i < n; i += 4) {
      ev.addr = addrs[(i >> 2) & (RECORDS - 1)];
      sum += t0.get(ev) + t1.get(ev) + t2.get(ev) + t3.get(ev);
    }
    return sum;
  },
};

const want = 4 * (n / 4 / RECORDS) * ((RECORDS * (RECORDS + 1)) / 2);
const specs: CaseSpec[] = Object.entries(designs).map(([name, fn]) => ({
  name,
  iterations: n,
  fn,
  check: () => {
    if (fn() !== want) throw new Error(`${name}: sum ${fn()}, want ${want}`);
  },
}));
const results = measureAll(specs, specs[0].name, { quick }, () => {});
console.log(`${m.label} memory: ns per read (median), ratio to raw DataView reads per round [p25..p75]`);
for (const r of results) console.log(`  ${r.name.padEnd(56)} ${r.nsPerOp.toFixed(2)} ns  ${formatFigure(r.ratio, (v) => `${v.toFixed(2)}x`)}`);
