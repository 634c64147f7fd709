/**
 * The error of a command server that could not be started, exited before it was ready, or was
 * not ready in time.
 *
 * @module
 */

import type { ProcessExit } from "../system/child_process.ts";

/**
 * A command server that could not be started, exited before it was ready, or was not ready in
 * time. The message says which, with the command, the end of its stderr and what to check.
 *
 * @example
 * ```ts
 * import { CommandServerError } from "./command_server_error.ts";
 * import assert from "node:assert/strict";
 *
 * const error = new CommandServerError("app[0] exited with code 3 before it was ready", {
 *   server: "app[0]",
 *   argv: ["./server", "--port", "41000"],
 *   exit: { code: 3, signal: null, atMs: 0, stderrTail: "fatal: no config" },
 *   stderrTail: "fatal: no config",
 * });
 * assert.equal(error.name, "CommandServerError");
 * assert.equal(error.exit?.code, 3);
 * ```
 */
export class CommandServerError extends Error {
  /** The server's name, e.g. `app[0]`. */
  readonly server: string;
  /** The command, `{port}` replaced. */
  readonly argv: string[];
  /** How the process ended, or null if it never started (or could not be reaped). */
  readonly exit: ProcessExit | null;
  /** The last lines of its stderr. */
  readonly stderrTail: string;

  /**
   * Creates the error.
   *
   * @param message What happened and what to check.
   * @param details The server, its command, its exit and stderr tail, and the underlying error.
   */
  constructor(
    message: string,
    details: {
      server: string;
      argv: string[];
      exit: ProcessExit | null;
      stderrTail: string;
      cause?: unknown;
    },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "CommandServerError";
    this.server = details.server;
    this.argv = details.argv;
    this.exit = details.exit;
    this.stderrTail = details.stderrTail;
  }
}
