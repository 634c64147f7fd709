/**
 * How a command client process (the user's own client) ended, in words, and whether that counts as
 * completing: shared by `clientProcessesSucceed()` and the run's outcome detail.
 *
 * @module
 */

import type { ClientProcessReport } from "./types.ts";

/**
 * Whether a client process completed: exited with code 0, or was stopped by wedge at the end of
 * its `duration`.
 *
 * @param p The process.
 * @returns True when it completed.
 *
 * @example
 * ```ts ignore
 * const failed = processes.filter((p) => !clientCompleted(p));
 * ```
 */
export function clientCompleted(p: ClientProcessReport): boolean {
  return p.ending === "stopped-after-duration" || (p.ending === "exited" && p.code === 0);
}

/**
 * How a client process ended, as the end of a sentence that starts with its name.
 *
 * @param p The process.
 * @returns E.g. `exited with code 3`, `ran past its timeout and was stopped`.
 *
 * @example
 * ```ts ignore
 * `${p.name} ${describeClientEnd(p)}` // "hey[0] exited with code 3"
 * ```
 */
export function describeClientEnd(p: ClientProcessReport): string {
  if (p.ending === "not-started") return `could not start: ${p.stderrTail}`;
  if (p.ending === "timed-out") return "ran past its timeout and was stopped";
  if (p.ending === "stopped-by-run") return "was still running when the run stopped";
  return p.signal ? `was ended by ${p.signal}` : `exited with code ${p.code}`;
}
