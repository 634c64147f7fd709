/**
 * The incidents section of the text report: what the runtime itself noticed (worker failures,
 * servers or workers that did not stop), the first 8 unless every one is asked for.
 *
 * @module
 */

import type { RunReport } from "../types.ts";
import type { TextReportOptions } from "./options.ts";

/**
 * Renders the incidents, if any.
 *
 * @param incidents The report's incidents.
 * @param options `allServers` lists every incident past 8.
 * @returns Lines of text, after a blank line; none without incidents.
 *
 * @example
 * ```ts
 * import { renderIncidents } from "./incidents.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(renderIncidents(["worker 0 failed"]), ["", "Incidents:", "  worker 0 failed"]);
 * ```
 */
export function renderIncidents(
  incidents: RunReport["incidents"],
  options: Pick<TextReportOptions, "allServers"> = {},
): string[] {
  if (!incidents.length) return [];
  const lines = ["", "Incidents:"];
  const shown = options.allServers ? incidents : incidents.slice(0, 8);
  for (const incident of shown) lines.push(`  ${incident}`);
  if (shown.length < incidents.length) {
    lines.push(
      `  ... ${incidents.length - shown.length} more (--all-servers or --json shows every one)`,
    );
  }
  return lines;
}
