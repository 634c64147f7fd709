/**
 * What a process's last stderr lines say about why it died, when they name a cause wedge knows:
 * for now, Deno's panic at its open-files limit as it first sets up signal handling.
 *
 * @module
 */

/**
 * A hint for a crash read from a process's stderr tail, or null.
 *
 * @param stderrTail The last lines of its stderr.
 * @returns One sentence, or null when the tail names no known cause.
 *
 * @example
 * ```ts
 * import { crashHint } from "./crash_hint.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(crashHint("Error: listen EADDRINUSE"), null);
 * ```
 */
export function crashHint(stderrTail: string): string | null {
  if (/panicked at ext\/signals\//.test(stderrTail) && /Too many open files/.test(stderrTail)) {
    return "Deno panicked setting up its signal handling at its open-files limit (Deno 2.9.6 " +
      "does that about 500 ms after it starts, and on a program's first signal listener): add a " +
      "signal listener first thing in the program (Deno.addSignalListener), or raise its nofile";
  }
  return null;
}

/**
 * {@linkcode crashHint} as a line of its own to append to a failure's detail, or nothing.
 *
 * @param stderrTail The last lines of its stderr.
 * @returns `"\nhint: ..."`, or `""`.
 *
 * @example
 * ```ts
 * import { crashHintLine } from "./crash_hint.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(crashHintLine("Error: listen EADDRINUSE"), "");
 * ```
 */
export function crashHintLine(stderrTail: string): string {
  const hint = crashHint(stderrTail);
  return hint === null ? "" : `\nhint: ${hint}`;
}
