// emitter: creates its own data sources in init, a Single one (`counter`) and an
// Array one (`batch`), and emits into them in start: `count` single packets
// (param, default 3) and one array packet of `count` records.
import { DataSource, DataSourceType, Field, FieldKind, error, getParamUint, getParamValue, info } from "../../assemblyscript/index";
export { gadgetAPIVersion, dataSourceCallback } from "../../assemblyscript/index";

let count: u32 = 3;
let counter: DataSource | null = null;
let seq: Field | null = null;
let label: Field | null = null;
let even: Field | null = null;
let ratio: Field | null = null;
let batch: DataSource | null = null;
let index: Field | null = null;
let square: Field | null = null;
let delta: Field | null = null;

export function gadgetInit(): i32 {
  const n = getParamUint("count", count);
  if (n < 0 || n > 1000) {
    const text = getParamValue("count", 32);
    error("count must be a number between 0 and 1000, got " + (text !== null ? text : ""));
    return 1;
  }
  count = <u32>n;
  const c = DataSource.new("counter", DataSourceType.Single);
  const b = DataSource.new("batch", DataSourceType.Array);
  if (c === null || b === null) {
    error("cannot create the data sources");
    return 1;
  }
  counter = c;
  batch = b;
  seq = c.addField("seq", FieldKind.Uint32);
  label = c.addField("label", FieldKind.String);
  even = c.addField("even", FieldKind.Bool);
  ratio = c.addField("ratio", FieldKind.Float64);
  index = b.addField("index", FieldKind.Uint16);
  square = b.addField("square", FieldKind.Uint64);
  delta = b.addField("delta", FieldKind.Int32);
  if (seq === null || label === null || even === null || ratio === null || index === null || square === null || delta === null) {
    error("cannot add the fields");
    return 1;
  }
  return 0;
}

export function gadgetStart(): i32 {
  const c = counter!;
  for (let i: u32 = 0; i < count; i++) {
    const p = c.newPacketSingle();
    if (p === null) {
      error("cannot allocate a packet of counter");
      return 1;
    }
    let ok = seq!.setUint32(p, i);
    ok = ok && label!.setString(p, "event #" + i.toString());
    ok = ok && even!.setBool(p, i % 2 == 0);
    ok = ok && ratio!.setFloat64(p, <f64>i / 4);
    if (!ok) {
      error("cannot fill a packet of counter");
      c.release(p);
      return 1;
    }
    if (!c.emitAndRelease(p)) {
      error("cannot emit into counter");
      return 1;
    }
  }

  const b = batch!;
  const arr = b.newPacketArray();
  if (arr === null) {
    error("cannot allocate a packet of batch");
    return 1;
  }
  for (let i: u32 = 0; i < count; i++) {
    const d = arr.new();
    if (d === null) {
      error("cannot allocate a record of batch");
      b.release(arr);
      return 1;
    }
    const ok = index!.setUint16(d, <u16>i) && square!.setUint64(d, <u64>i * <u64>i) && delta!.setInt32(d, <i32>i - 1);
    if (!ok || !arr.append(d)) {
      error("cannot fill a record of batch");
      arr.release(d);
      b.release(arr);
      return 1;
    }
  }
  if (arr.len() != count) error("batch has " + arr.len().toString() + " records, expected " + count.toString());
  if (!b.emitAndRelease(arr)) {
    error("cannot emit into batch");
    return 1;
  }
  info("emitted " + count.toString() + " counter events and a batch of " + count.toString());
  return 0;
}
