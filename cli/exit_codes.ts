/**
 * The CLI's exit codes: one meaning each, the same in `--help`, docs/cli.md and the tests.
 *
 * @module
 */

/**
 * Exit codes of the CLI; each means one thing.
 *
 * @example
 * ```ts
 * import { EXIT } from "./exit_codes.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(EXIT.usage, 2);
 * ```
 */
export const EXIT = {
  /** Every assertion passed. */
  passed: 0,
  /** At least one assertion failed. */
  failed: 1,
  /** Bad usage or an invalid scenario: nothing ran. */
  usage: 2,
  /** The run could not be carried out (a server or worker failed to start). */
  error: 3,
  /** Aborted by SIGHUP (128 + 1, as shells report it), whatever the assertions said. */
  sighup: 129,
  /** Aborted by SIGINT (Ctrl-C; 128 + 2), whatever the assertions said. */
  sigint: 130,
  /** Aborted by SIGQUIT (128 + 3), whatever the assertions said. */
  sigquit: 131,
  /** Aborted by SIGTERM (128 + 15), whatever the assertions said. */
  sigterm: 143,
} as const;
