/**
 * `resolvedOnce`: the scenario a run validates exactly once, whether it was given as a definition
 * or as a scenario `resolveScenario` already made.
 *
 * @module
 */

import type { z } from "zod";
import type { ScenarioDefinition } from "../scenario/define.ts";
import { isResolvedScenario, resolveScenario } from "../scenario/resolve.ts";
import type { Scenario } from "../scenario/schema.ts";
import type { RunScenarioOptions } from "./options.ts";

/**
 * The scenario resolved once: a definition is resolved here with `set` and `file`; a scenario
 * `resolveScenario` already made is used as it is (it carries its own overrides and file).
 *
 * @param input A scenario definition, or a resolved scenario.
 * @param options The run's options; only `set` and `file` are read.
 * @returns The validated scenario.
 * @throws {ScenarioError} If the definition or a param is invalid.
 * @throws {TypeError} If `set` or `file` is given with an already resolved scenario.
 *
 * @example
 * ```ts
 * import { resolvedOnce } from "./resolved_once.ts";
 * import scenario from "../scenarios/hang_mre_ok.ts";
 * import assert from "node:assert/strict";
 *
 * const resolved = resolvedOnce(scenario, { set: { nrequests: "1000" } });
 * assert.equal(resolvedOnce(resolved, {}), resolved);
 * assert.throws(() => resolvedOnce(resolved, { set: {} }), TypeError);
 * ```
 */
export function resolvedOnce<P extends z.ZodObject>(
  input: ScenarioDefinition<P> | Scenario,
  options: Pick<RunScenarioOptions, "set" | "file">,
): Scenario {
  if (!isResolvedScenario(input)) {
    return resolveScenario(input, { set: options.set, file: options.file });
  }
  if (options.set !== undefined || options.file !== undefined) {
    throw new TypeError(
      `cannot apply set or file to scenario "${input.name}": it is already resolved (give them to resolveScenario, or pass the definition)`,
    );
  }
  return input;
}
