// The `abort` handler (exported by index.ts as `abort`): AssemblyScript calls `abort` on a failed assertion, an
// out-of-bounds access, `throw`, or running out of memory. By default asc
// imports it as `env.abort`, which IG hosts do not provide; build with
//   --use abort=~lib/igwasm/assemblyscript/index/abort   (igwasm installed as a package)
//   --use abort=assemblyscript/index/abort               (inside the igwasm repository)
// and this function logs the message through the host at Error level, then
// traps, which fails the gadget call that was running.
//
// It allocates nothing: abort may be the result of running out of memory.
import { gadgetLog } from "../generated/guest/assemblyscript/v0.43/log";
import { pack } from "./internal";

const ABORT_BUF_SIZE: usize = 1024;
const abortBuf = memory.data(<i32>ABORT_BUF_SIZE);
let abortLen: usize = 0;

function putByte(b: u32): void {
  if (abortLen < ABORT_BUF_SIZE) {
    store<u8>(abortBuf + abortLen, <u8>b);
    abortLen++;
  }
}

function putString(s: string | null, maxUnits: i32): void {
  if (s === null) {
    putString("?", 1);
    return;
  }
  const str = changetype<usize>(s);
  let units = changetype<string>(str).length;
  if (units > maxUnits) units = maxUnits;
  for (let i = 0; i < units; i++) {
    const c = <u32>load<u16>(str + (<usize>i << 1));
    if (c < 0x80) {
      putByte(c);
    } else if (c < 0x800) {
      putByte(0xc0 | (c >> 6));
      putByte(0x80 | (c & 63));
    } else {
      // Surrogates are written one by one (WTF-8): good enough for a log line.
      putByte(0xe0 | (c >> 12));
      putByte(0x80 | ((c >> 6) & 63));
      putByte(0x80 | (c & 63));
    }
  }
}

function putNumber(n: u32): void {
  let div: u32 = 1;
  while (n / div >= 10) div *= 10;
  while (div > 0) {
    putByte(0x30 + (n / div) % 10);
    div /= 10;
  }
}

/** Logs "abort: <message> at <file>:<line>:<column>" at Error level, then traps. */
export function abortHandler(message: string | null, fileName: string | null, lineNumber: u32, columnNumber: u32): void {
  abortLen = 0;
  putString("abort: ", 7);
  putString(message, 400);
  putString(" at ", 4);
  putString(fileName, 200);
  putByte(0x3a);
  putNumber(lineNumber);
  putByte(0x3a);
  putNumber(columnNumber);
  gadgetLog(0, pack(abortBuf, abortLen));
  unreachable();
}
