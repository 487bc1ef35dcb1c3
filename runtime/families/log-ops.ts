/** The log family. */
import { LogLevel } from "../../generated/constants.js";
import type { Logger } from "../logger.js";

export class LogOps {
  constructor(private readonly logger: Logger) {}

  gadgetLog(level: LogLevel, msg: string): void {
    if (level > LogLevel.Trace) this.logger.warn(`gadget logged at unknown level ${level}: ${msg}`);
    else this.logger.log(level, msg);
  }

  /**
   * As IG (pkg/operators/wasm/log.go, aeac857): with logrus level L (ours + 2),
   * 1 when L >= level + 2 in u32 arithmetic, so levels 0xFFFFFFFE and
   * 0xFFFFFFFF wrap to 0 and 1 and answer 1.
   */
  gadgetShouldLog(level: LogLevel): boolean {
    return this.logger.level + 2 >= ((level + 2) >>> 0);
  }
}
