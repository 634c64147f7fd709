/**
 * The cells of an exploration: the cartesian grid of the `--sweep` values (the first axis varies
 * slowest), each point run `--repeat` times with seeds S, S+1, ... (or S each time with
 * `--same-seed`). A cell's index addresses it (`--cell I`, a Kubernetes Indexed Job's
 * `JOB_COMPLETION_INDEX`): index = point * repeat + run. Pure.
 *
 * @module
 */

import type { SweepAxis } from "./flags.ts";
import type { Cell } from "./run_cell.ts";

/** What an exploration runs: everything that determines its cells. */
export interface ExplorePlan {
  /** The scenario's name or path, as given. */
  scenario: string;
  /** The base `--set` values (a swept key's value replaces its base value). */
  set: Record<string, string>;
  /** The `--sweep` axes; empty for a plain `--repeat`. */
  sweep: SweepAxis[];
  /** Runs per grid point. */
  repeat: number;
  /** The base seed S. */
  seed: number;
  /** Every run uses S instead of S, S+1, ... */
  sameSeed: boolean;
}

/**
 * The grid's points: each a value for every swept key, the first axis varying slowest.
 *
 * @param sweep The axes.
 * @returns The points; one empty point when nothing is swept.
 *
 * @example
 * ```ts
 * import { gridPoints } from "./cells.ts";
 * import assert from "node:assert/strict";
 *
 * const points = gridPoints([{ key: "a", values: ["1", "2"] }, { key: "b", values: ["x", "y"] }]);
 * assert.deepEqual(points, [{ a: "1", b: "x" }, { a: "1", b: "y" }, { a: "2", b: "x" }, { a: "2", b: "y" }]);
 * ```
 */
export function gridPoints(sweep: readonly SweepAxis[]): Record<string, string>[] {
  let points: Record<string, string>[] = [{}];
  for (const axis of sweep) {
    points = points.flatMap((point) => axis.values.map((v) => ({ ...point, [axis.key]: v })));
  }
  return points;
}

/**
 * How many cells a plan has.
 *
 * @param plan The exploration.
 * @returns Grid points times repeats.
 *
 * @example
 * ```ts
 * import { cellCount } from "./cells.ts";
 * import assert from "node:assert/strict";
 *
 * const sweep = [{ key: "n", values: ["1", "2", "3"] }];
 * assert.equal(cellCount({ scenario: "s", set: {}, sweep, repeat: 2, seed: 1, sameSeed: false }), 6);
 * ```
 */
export function cellCount(plan: ExplorePlan): number {
  return plan.sweep.reduce((n, axis) => n * axis.values.length, 1) * plan.repeat;
}

/**
 * Every cell of a plan, in index order.
 *
 * @param plan The exploration.
 * @returns The cells: `set` holds the base values and the point's, `seed` S + the run's number.
 *
 * @example
 * ```ts
 * import { listCells } from "./cells.ts";
 * import assert from "node:assert/strict";
 *
 * const plan = { scenario: "s", set: { r: "9" }, sweep: [{ key: "n", values: ["1", "2"] }], repeat: 2, seed: 7, sameSeed: false };
 * assert.deepEqual(listCells(plan)[3], { index: 3, set: { r: "9", n: "2" }, seed: 8 });
 * ```
 */
export function listCells(plan: ExplorePlan): Cell[] {
  return gridPoints(plan.sweep).flatMap((point, p) =>
    Array.from({ length: plan.repeat }, (_, run) => ({
      index: p * plan.repeat + run,
      set: { ...plan.set, ...point },
      seed: plan.sameSeed ? plan.seed : (plan.seed + run) % 2 ** 32,
    }))
  );
}

/**
 * One cell of a plan.
 *
 * @param plan The exploration.
 * @param index The cell's index.
 * @returns The cell.
 * @throws {RangeError} If the plan has no cell at `index`.
 *
 * @example
 * ```ts
 * import { cellAt } from "./cells.ts";
 * import assert from "node:assert/strict";
 *
 * const plan = { scenario: "s", set: {}, sweep: [], repeat: 3, seed: 10, sameSeed: false };
 * assert.equal(cellAt(plan, 2).seed, 12);
 * ```
 */
export function cellAt(plan: ExplorePlan, index: number): Cell {
  const count = cellCount(plan);
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new RangeError(`Cannot run cell ${index}: this exploration has cells 0 to ${count - 1}`);
  }
  return listCells(plan)[index];
}

/**
 * The grid point a cell belongs to, as an index into {@linkcode gridPoints}.
 *
 * @param plan The exploration.
 * @param index The cell's index.
 * @returns The point's index.
 *
 * @example
 * ```ts
 * import { pointIndex } from "./cells.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(pointIndex({ scenario: "s", set: {}, sweep: [], repeat: 3, seed: 1, sameSeed: false }, 5), 1);
 * ```
 */
export function pointIndex(plan: ExplorePlan, index: number): number {
  return Math.floor(index / plan.repeat);
}
