/**
 * Checks every `--sweep` value, and every point of the grid, against the scenario before anything
 * runs: a value the params schema refuses is a usage error naming the key and the value.
 *
 * @module
 */

import type { ScenarioModule } from "../scenario/define.ts";
import { ScenarioError, UsageError } from "../scenario/errors.ts";
import { resolveScenario } from "../scenario/resolve.ts";
import { type ExplorePlan, gridPoints } from "./cells.ts";

/**
 * Resolves the scenario with each swept value, then at each point of the grid.
 *
 * @param definition The scenario's default export.
 * @param plan The exploration (its base `--set` and its axes).
 * @param options The scenario's file, for messages.
 * @throws {UsageError} Naming the `--sweep` key and value (or the grid point) that cannot be used,
 *   with the scenario's own message.
 *
 * @example
 * ```ts
 * import { loadScenario } from "../scenario/load.ts";
 * import { validateSweep } from "./validate_sweep.ts";
 * import assert from "node:assert/strict";
 *
 * const { definition } = await loadScenario("hang-mre-ok");
 * const plan = { scenario: "hang-mre-ok", set: {}, sweep: [{ key: "nclients", values: ["5", "-1"] }], repeat: 1, seed: 1, sameSeed: false };
 * assert.throws(() => validateSweep(definition, plan), /--sweep nclients=5,-1: the value -1 cannot be used/);
 * ```
 */
export function validateSweep(
  definition: ScenarioModule,
  plan: ExplorePlan,
  options: { file?: string } = {},
): void {
  for (const axis of plan.sweep) {
    for (const value of axis.values) {
      const problem = resolveProblem(definition, { ...plan.set, [axis.key]: value }, options);
      if (problem) {
        throw new UsageError(
          `--sweep ${axis.key}=${
            axis.values.join(",")
          }: the value ${value} cannot be used: ${problem}`,
        );
      }
    }
  }
  for (const point of gridPoints(plan.sweep)) {
    const problem = resolveProblem(definition, { ...plan.set, ...point }, options);
    if (problem) {
      const where = Object.entries(point).map(([k, v]) => `${k}=${v}`).join(" ");
      throw new UsageError(`--sweep: the grid point ${where} cannot be used: ${problem}`);
    }
  }
}

/** What the scenario says of these values, or null when it resolves. */
function resolveProblem(
  definition: ScenarioModule,
  set: Record<string, string>,
  options: { file?: string },
): string | null {
  try {
    resolveScenario(definition, { set, file: options.file });
    return null;
  } catch (error) {
    if (!(error instanceof ScenarioError)) throw error;
    return error.issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ");
  }
}
