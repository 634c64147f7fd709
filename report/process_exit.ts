/**
 * How a process ended, in the words every report line uses.
 *
 * @module
 */

/**
 * A process's end: `signal SIGKILL` when a signal ended it, else `code N`.
 *
 * @param exit Its exit code and signal.
 * @returns The words.
 *
 * @example
 * ```ts
 * import { exitText } from "./process_exit.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(exitText({ code: 1, signal: null }), "code 1");
 * ```
 */
export function exitText(exit: { code: number; signal: string | null }): string {
  return exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
}
