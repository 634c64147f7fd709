/**
 * An exploration as JSON, and as its closing text: the document `--json` writes for `--repeat` and
 * `--sweep` (schema `wedge.explore`) and that `wedge merge` rebuilds from cell documents (schema
 * `wedge.cell`, what `--cell I --json PATH` writes), so a local sweep and a merged one are the same
 * data, rendered by the same function. Pure.
 *
 * @module
 */

import type { ExplorePlan } from "./cells.ts";
import { gridText, summaryText, tableText } from "./render.ts";
import type { CellResult } from "./run_cell.ts";
import { type CellRow, cellRows, type ExploreSummary, exploreSummary } from "./summary.ts";

/** The exploration document's identifier. */
export const EXPLORE_SCHEMA = "wedge.explore";
/** A cell document's identifier. */
export const CELL_SCHEMA = "wedge.cell";

/** Every run of an exploration, its rows and its summary. */
export interface ExploreDocument {
  /** Always `"wedge.explore"`. */
  schema: typeof EXPLORE_SCHEMA;
  /** Format version. */
  version: 1;
  /** What was explored. */
  plan: ExplorePlan;
  /** One row per grid point. */
  rows: CellRow[];
  /** The verdict. */
  summary: ExploreSummary;
  /** Every run that ended, in cell order, each with its whole report (`wedge.report`) or null. */
  runs: CellResult[];
}

/** One cell's run, as `--cell I --json PATH` writes it for `wedge merge`. */
export interface CellDocument {
  /** Always `"wedge.cell"`. */
  schema: typeof CELL_SCHEMA;
  /** Format version. */
  version: 1;
  /** The exploration the cell belongs to (the same in every cell of it). */
  plan: ExplorePlan;
  /** The `--pass-rate` of the exploration, or null. */
  requiredPassRate: number | null;
  /** The run. */
  result: CellResult;
}

/**
 * Builds the document of an exploration from its runs.
 *
 * @param plan The exploration.
 * @param results The runs that ended, in any order.
 * @param options The `--pass-rate` required, or null.
 * @returns The document (runs sorted by cell index).
 *
 * @example
 * ```ts
 * import { exploreDocument } from "./document.ts";
 * import assert from "node:assert/strict";
 *
 * const plan = { scenario: "s", set: {}, sweep: [], repeat: 1, seed: 1, sameSeed: false };
 * const doc = exploreDocument(plan, [], { requiredPassRate: null });
 * assert.deepEqual(doc.summary.missing, [0]);
 * ```
 */
export function exploreDocument(
  plan: ExplorePlan,
  results: readonly CellResult[],
  options: { requiredPassRate: number | null },
): ExploreDocument {
  const runs = [...results].sort((a, b) => a.cell.index - b.cell.index);
  return {
    schema: EXPLORE_SCHEMA,
    version: 1,
    plan,
    rows: cellRows(plan, runs),
    summary: exploreSummary(plan, runs, options),
    runs,
  };
}

/**
 * The closing text of an exploration: the table and the 2-D grid (for a sweep), then the summary.
 *
 * @param document The exploration.
 * @returns Lines, each ending with a newline.
 *
 * @example
 * ```ts
 * import { exploreDocument, exploreText } from "./document.ts";
 * import assert from "node:assert/strict";
 *
 * const plan = { scenario: "s", set: {}, sweep: [], repeat: 1, seed: 1, sameSeed: false };
 * const text = exploreText(exploreDocument(plan, [], { requiredPassRate: null }));
 * assert.match(text, /FAILED: 1 of 1 cells did not run/);
 * ```
 */
export function exploreText(document: ExploreDocument): string {
  const { plan, rows, summary } = document;
  const parts: string[] = [];
  if (plan.sweep.length) {
    parts.push(tableText(rows, plan.sweep.map((axis) => axis.key)));
    if (plan.sweep.length === 2) parts.push(gridText(rows, plan.sweep));
  }
  parts.push(summaryText(summary));
  return parts.join("\n");
}
