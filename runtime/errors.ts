/**
 * Errors raised by host-function implementations.
 *
 * An implementation never encodes an ABI error value itself: it throws a
 * `HostCallError` with a message that says what was wrong, and the generated
 * shim turns it into the function's documented error convention (a return
 * value, or a word written through an error pointer) and logs the message.
 * Keeping that decision in the shim means every function reports bad input
 * the same way, and no implementation can forget to log.
 */
export class HostCallError extends Error {
  override readonly name = "HostCallError";
}

/** Throws a `HostCallError`; typed `never` so it can end an expression. */
export function fail(message: string): never {
  throw new HostCallError(message);
}

/**
 * Raised when the host cannot even report an error to the guest (for example
 * the error word of `fieldGetScalar` points outside guest memory). IG closes
 * the module in that case; we abort the guest's current call instead: this
 * error propagates out of the import like a trap.
 */
export class GuestAbortError extends Error {
  override readonly name = "GuestAbortError";
}

/**
 * An error of the call that guests meet in normal operation and handle: a
 * lookup that found nothing (no such data source, field, param, map key), a
 * destination they will retry with more room. Logged at debug level rather
 * than as a warning, because gadgets probe for optional things.
 */
export class ExpectedError extends HostCallError {}

/** A lookup found nothing. */
export class NotFoundError extends ExpectedError {}

/** A value does not fit the destination the guest gave; nothing was written. */
export class DestinationTooSmallError extends ExpectedError {}

/** Loading a gadget or running one of its phases failed; the message says which and why. */
export class GadgetError extends Error {
  override readonly name = "GadgetError";
}


/**
 * The text of anything thrown, for a log line. Never throws itself: embedder
 * code may throw values that cannot be printed (`Object.create(null)`, an
 * object whose toString throws, an Error whose message getter throws).
 */
export function errorText(e: unknown): string {
  try {
    return e instanceof Error ? String(e.message) : String(e);
  } catch {
    return unprintable(e);
  }
}

function unprintable(e: unknown): string {
  try {
    if (typeof e === "object" && e !== null && Object.getPrototypeOf(e) === null) return "[object with no prototype]";
  } catch {
    // A revoked proxy: fall through.
  }
  return `[unprintable ${typeof e}]`;
}

/** Items for a message: `a, b or c` (just `a` for one). */
export function orList(items: readonly string[]): string {
  return items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}
