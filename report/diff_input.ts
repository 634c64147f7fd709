/**
 * What `wedge diff` compares from a parsed JSON file: one run report, or several runs of one shape
 * (a JSON array of reports, or any document that holds reports, such as the `--json` of a
 * `--repeat`), checked to be wedge reports of one scenario and one set of params.
 *
 * @module
 */

import { REPORT_SCHEMA, REPORT_VERSION, type RunReport } from "./types.ts";

/**
 * The run reports a parsed JSON document holds: itself when it is a report, else every report
 * found inside it (arrays and objects searched; a report's own fields are not).
 *
 * @param json A parsed JSON document.
 * @returns The reports, in document order.
 * @throws {TypeError} If it holds none, a report of another version, or runs of different shapes
 *   (scenario or params), which a diff cannot treat as repeats of one run.
 *
 * @example
 * ```ts
 * import { reportsIn } from "./diff_input.ts";
 * import assert from "node:assert/strict";
 *
 * assert.throws(() => reportsIn({ hello: 1 }), /holds no wedge report/);
 * ```
 */
export function reportsIn(json: unknown): RunReport[] {
  const found: Record<string, unknown>[] = [];
  collect(json, found);
  if (found.length === 0) {
    throw new TypeError(
      `holds no wedge report (an object with "schema": "${REPORT_SCHEMA}"): give a file written by --json`,
    );
  }
  const other = found.find((r) => r.version !== REPORT_VERSION);
  if (other) {
    throw new TypeError(
      `holds a report of version ${
        JSON.stringify(other.version)
      }; this wedge reads version ${REPORT_VERSION}`,
    );
  }
  const reports = found as unknown as RunReport[];
  const shape = (r: RunReport) => JSON.stringify([r.scenario?.name, r.scenario?.params]);
  const shapes = new Set(reports.map(shape));
  if (shapes.size > 1) {
    throw new TypeError(
      `holds runs of ${shapes.size} different shapes (scenario or params): a side of a diff is one run or repeats of one shape; split it, e.g. one cell of a --sweep per file`,
    );
  }
  return reports;
}

function collect(value: unknown, into: Record<string, unknown>[]): void {
  if (Array.isArray(value)) {
    for (const item of value) collect(item, into);
  } else if (value !== null && typeof value === "object") {
    const object = value as Record<string, unknown>;
    if (object.schema === REPORT_SCHEMA) into.push(object);
    else for (const item of Object.values(object)) collect(item, into);
  }
}
