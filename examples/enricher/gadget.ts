// enricher: adds computed fields to the events of the host's `events` data source.
//
// For each event it reads `pid`, `ppid` (uint32) and `comm` (string), and sets
// two fields it added in init: `pid_plus_ppid` (uint64) and `comm_upper` (string).
import { Data, DataSource, Field, FieldKind, error, info } from "../../assemblyscript/index";
export { gadgetAPIVersion, dataSourceCallback } from "../../assemblyscript/index";

// AssemblyScript callbacks cannot capture variables: their state lives in globals.
let pid: Field | null = null;
let ppid: Field | null = null;
let comm: Field | null = null;
let pidPlusPpid: Field | null = null;
let commUpper: Field | null = null;

function onEvent(source: DataSource, data: Data): void {
  const p = pid!.getUint32(data);
  const pp = ppid!.getUint32(data);
  if (!pidPlusPpid!.setUint64(data, <u64>p + <u64>pp)) error("cannot set pid_plus_ppid");
  const c = comm!.getString(data);
  if (c !== null && !commUpper!.setString(data, c.toUpperCase())) error("cannot set comm_upper");
}

export function gadgetInit(): i32 {
  const events = DataSource.get("events");
  if (events === null) {
    error("no data source named events");
    return 1;
  }
  pid = events.getField("pid");
  ppid = events.getField("ppid");
  comm = events.getField("comm");
  if (pid === null || ppid === null || comm === null) {
    error("events needs the fields pid, ppid and comm");
    return 1;
  }
  pidPlusPpid = events.addField("pid_plus_ppid", FieldKind.Uint64);
  commUpper = events.addField("comm_upper", FieldKind.String);
  if (pidPlusPpid === null || commUpper === null) {
    error("cannot add fields to events");
    return 1;
  }
  if (!events.subscribe(onEvent, 0)) {
    error("cannot subscribe to events");
    return 1;
  }
  info("enricher ready");
  return 0;
}
