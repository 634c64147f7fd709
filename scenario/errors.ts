/**
 * Errors that reach a user: what was wrong, where (file and field path), and what to do.
 *
 * @module
 */

/** One problem found in a scenario, at a field path such as `clients[0].concurrency`. */
export interface ScenarioIssue {
  /** Field path, e.g. `clients[0].concurrency`; empty for the scenario as a whole. */
  path: string;
  /** What is wrong, e.g. `expected a positive integer, got -3`. */
  message: string;
}

/**
 * A scenario that cannot run as written: every problem found, each with its field path.
 *
 * @example
 * ```ts
 * import { ScenarioError } from "./errors.ts";
 * import assert from "node:assert/strict";
 *
 * const error = new ScenarioError([{ path: "clients[0].concurrency", message: "expected a positive integer, got -3" }], {
 *   scenario: "demo",
 *   file: "scenarios/demo.ts",
 * });
 * assert.match(error.message, /clients\[0\]\.concurrency: expected a positive integer, got -3/);
 * ```
 */
export class ScenarioError extends Error {
  /** Every problem found. */
  readonly issues: ScenarioIssue[];
  /** The scenario file, when known. */
  readonly file: string | undefined;

  /**
   * Creates the error, with a message that lists every problem and what to do.
   *
   * @param issues The problems, each with its field path.
   * @param where The scenario's name and file, for the message.
   */
  constructor(issues: ScenarioIssue[], where: { scenario?: string; file?: string } = {}) {
    const subject = [
      where.scenario ? `scenario "${where.scenario}"` : "scenario",
      where.file ? `(${where.file})` : "",
    ].filter(Boolean).join(" ");
    const lines = issues.map((issue) =>
      issue.path ? `  ${issue.path}: ${issue.message}` : `  ${issue.message}`
    );
    super(
      `Invalid ${subject}: ${issues.length} problem${issues.length === 1 ? "" : "s"}\n${
        lines.join("\n")
      }\nFix the field in the scenario file, or the --set value that feeds it.`,
    );
    this.name = "ScenarioError";
    this.issues = issues;
    this.file = where.file;
  }
}

/**
 * Bad command-line usage (unknown flag, unknown scenario, malformed `--set`). The CLI prints the
 * message and exits 2.
 *
 * @example
 * ```ts
 * import { UsageError } from "./errors.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(new UsageError("unknown flag --foo").name, "UsageError");
 * ```
 */
export class UsageError extends Error {
  /**
   * Creates the error.
   *
   * @param message What was wrong and what to do.
   */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * An option a behaviour constructor does not take (`hang({ evry: 3 })`): thrown where the scenario
 * calls it, with the call's file and line, so a typo cannot silently change what a server does.
 *
 * @example
 * ```ts
 * import { OptionError } from "./errors.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(new OptionError('hang(): unknown option "evry"').name, "OptionError");
 * ```
 */
export class OptionError extends Error {
  /**
   * Creates the error.
   *
   * @param message The constructor, the option, what it may have meant, and where.
   */
  constructor(message: string) {
    super(message);
    this.name = "OptionError";
  }
}
