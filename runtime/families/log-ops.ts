/** The log family. */
import { LogLevel } from "../../generated/constants.js";
import type { Logger } from "../logger.js";

export class LogOps {
  constructor(private readonly logger: Logger) {}

  gadgetLog(level: LogLevel, msg: string): void {
    if (level > LogLevel.Trace) this.logger.warn(`gadget logged at unknown level ${level}: ${msg}`);
    else this.logger.log(level, msg);
  }

  gadgetShouldLog(level: LogLevel): boolean {
    return this.logger.shouldLog(level);
  }
}
