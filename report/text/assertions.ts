/**
 * The assertions section of the text report, last on the page: each assertion PASS or FAIL with
 * what it measured, then the verdict (PASSED, FAILED, or ABORTED for a run that did not finish).
 *
 * @module
 */

import type { RunReport } from "../types.ts";
import type { TextReportOptions } from "./options.ts";

/**
 * Renders every assertion with its measured value and detail, then the verdict line.
 *
 * @param report The parts of the run report the section reads.
 * @param options `color` paints PASS green and FAIL red.
 * @returns Lines of text, after a blank line.
 *
 * @example
 * ```ts
 * import { renderAssertions } from "./assertions.ts";
 * import assert from "node:assert/strict";
 *
 * const lines = renderAssertions({
 *   assertions: [{ name: "a", description: "every request completes", pass: true, measured: "10 of 10" }],
 *   passed: true, outcome: "completed", outcomeDetail: "every client finished",
 * });
 * assert.deepEqual(lines, [
 *   "", "Assertions:", "  PASS every request completes: 10 of 10", "", "PASSED: 1 assertions hold",
 * ]);
 * ```
 */
export function renderAssertions(
  report: Pick<RunReport, "assertions" | "passed" | "outcome" | "outcomeDetail">,
  options: Pick<TextReportOptions, "color"> = {},
): string[] {
  const paint = (code: number, text: string) =>
    options.color ? `\x1b[${code}m${text}\x1b[0m` : text;
  const lines: string[] = [];
  lines.push("");
  lines.push("Assertions:");
  if (report.assertions.length === 0) lines.push("  (none)");
  for (const a of report.assertions) {
    const mark = a.pass ? paint(32, "PASS") : paint(31, "FAIL");
    lines.push(`  ${mark} ${a.description}: ${a.measured}`);
    if (a.detail) lines.push(...a.detail.split("\n").map((line) => `       ${line}`));
  }
  const failed = report.assertions.filter((a) => !a.pass).length;
  lines.push("");
  lines.push(
    report.outcome === "aborted"
      // Assertions judged on part of a run are no verdict on the scenario.
      ? paint(
        31,
        `ABORTED (${report.outcomeDetail}): ${
          report.passed
            ? `${report.assertions.length} assertions hold`
            : `${failed} of ${report.assertions.length} assertions failed`
        } on the part that ran`,
      )
      : report.passed
      ? paint(32, `PASSED: ${report.assertions.length} assertions hold`)
      : paint(31, `FAILED: ${failed} of ${report.assertions.length} assertions failed`),
  );
  return lines;
}
