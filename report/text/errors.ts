/**
 * The errors section of the text report: responses by status code, then errors by class and
 * message with one hint per class.
 *
 * @module
 */

import { ERROR_CLASS_HINTS } from "../error_class.ts";
import type { RunReport } from "../types.ts";

/**
 * Renders the status code distribution, most frequent first, and the error distribution (the
 * ten most frequent kinds, then the hint of each class seen).
 *
 * @param report The parts of the run report the section reads.
 * @returns Lines of text, each part after a blank line; none when there is nothing to show.
 *
 * @example
 * ```ts
 * import { renderErrors } from "./errors.ts";
 * import assert from "node:assert/strict";
 *
 * const lines = renderErrors({ statusCodes: { "200": 9, "503": 1 }, errors: [] });
 * assert.deepEqual(lines, [
 *   "", "Status code distribution:", "  [200] 9 responses", "  [503] 1 responses",
 * ]);
 * ```
 */
export function renderErrors(report: Pick<RunReport, "statusCodes" | "errors">): string[] {
  const lines: string[] = [];
  const codes = Object.entries(report.statusCodes).sort((a, b) => b[1] - a[1]);
  if (codes.length) {
    lines.push("");
    lines.push("Status code distribution:");
    for (const [code, count] of codes) lines.push(`  [${code}] ${count} responses`);
  }
  if (report.errors.length) {
    lines.push("");
    lines.push("Error distribution:");
    for (const e of report.errors.slice(0, 10)) {
      lines.push(`  [${e.count}] ${e.class}: ${e.message}`);
    }
    if (report.errors.length > 10) lines.push(`  ... ${report.errors.length - 10} more kinds`);
    const classes = [...new Set(report.errors.map((e) => e.class))];
    for (const cls of classes) lines.push(`  ${cls}: ${ERROR_CLASS_HINTS[cls]}`);
  }
  return lines;
}
