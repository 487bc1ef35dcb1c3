/** Assertions on the errors host-side code throws. */
import { expect } from "vitest";
import { HostCallError } from "../../runtime/errors.js";

/** Runs `fn` and asserts it throws a HostCallError whose message matches `message`. */
export function expectFail(fn: () => unknown, message: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(HostCallError);
  expect((caught as Error).message).toMatch(message);
}
