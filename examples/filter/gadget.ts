// filter: re-emits into its own data source `filtered` the events of the host's
// `events` data source whose pid is at least the `min_pid` param (default 0).
// It unreferences `events`, so a host shows only `filtered`.
import { Data, DataSource, DataSourceType, Field, FieldKind, debug, error, getParamUint, getParamValue, info } from "../../assemblyscript/index";
export { gadgetAPIVersion, dataSourceCallback } from "../../assemblyscript/index";

let minPid: u32 = 0;
let inPid: Field | null = null;
let inComm: Field | null = null;
let filtered: DataSource | null = null;
let outPid: Field | null = null;
let outComm: Field | null = null;

function onEvent(source: DataSource, data: Data): void {
  const pid = inPid!.getUint32(data);
  if (Field.lastGetFailed() || pid < minPid) return;
  const out = filtered!;
  const packet = out.newPacketSingle();
  if (packet === null) {
    error("cannot allocate a packet of filtered");
    return;
  }
  const comm = inComm!.getString(data);
  if (!outPid!.setUint32(packet, pid) || !outComm!.setString(packet, comm !== null ? comm : "")) {
    error("cannot fill a packet of filtered");
    out.release(packet);
    return;
  }
  if (!out.emitAndRelease(packet)) error("cannot emit into filtered");
}

export function gadgetInit(): i32 {
  const n = getParamUint("min_pid", minPid);
  if (n < 0 || n > <i64>u32.MAX_VALUE) {
    const text = getParamValue("min_pid", 32);
    error("min_pid must be a number between 0 and 4294967295, got " + (text !== null ? text : ""));
    return 1;
  }
  minPid = <u32>n;
  debug("min_pid is " + minPid.toString());

  const events = DataSource.get("events");
  if (events === null) {
    error("no data source named events");
    return 1;
  }
  inPid = events.getField("pid");
  inComm = events.getField("comm");
  if (inPid === null || inComm === null) {
    error("events needs the fields pid and comm");
    return 1;
  }
  const out = DataSource.new("filtered", DataSourceType.Single);
  if (out === null) {
    error("cannot create the data source filtered");
    return 1;
  }
  filtered = out;
  outPid = out.addField("pid", FieldKind.Uint32);
  outComm = out.addField("comm", FieldKind.String);
  if (outPid === null || outComm === null) {
    error("cannot add fields to filtered");
    return 1;
  }
  if (!events.subscribe(onEvent, 0)) {
    error("cannot subscribe to events");
    return 1;
  }
  events.unreference();
  info("filter ready: min_pid=" + minPid.toString());
  return 0;
}
