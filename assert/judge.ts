/**
 * `judge`: runs each assertion's check over a report and turns it into a result; a check that
 * throws is a failed assertion.
 *
 * @module
 */

import type { AssertionResult, RunReport } from "../report/types.ts";
import type { Assertion } from "./assertion.ts";

/**
 * Judges assertions on a report.
 *
 * @param report The run report (without verdicts).
 * @param assertions The scenario's assertions.
 * @returns One result per assertion, in order. A check that throws is a failed assertion.
 *
 * @example
 * ```ts
 * import { defineScenario, hello, runScenario } from "../mod.ts";
 * import { judge } from "./judge.ts";
 * import { throughputAtLeast } from "./requests.ts";
 * import assert from "node:assert/strict";
 *
 * const report = await runScenario(defineScenario({
 *   name: "tiny",
 *   description: "one hello server",
 *   servers: [{ behavior: hello() }],
 *   clients: [{ requests: 10 }],
 * }));
 * const [result] = judge(report, [throughputAtLeast(1)]);
 * assert.equal(result.pass, true);
 * ```
 */
export function judge(report: RunReport, assertions: readonly Assertion[]): AssertionResult[] {
  return assertions.map((assertion) => {
    try {
      const outcome = assertion.check(report);
      return {
        name: assertion.name,
        description: assertion.description,
        pass: outcome.pass,
        measured: outcome.measured,
        ...(outcome.detail ? { detail: outcome.detail } : {}),
      };
    } catch (error) {
      return {
        name: assertion.name,
        description: assertion.description,
        pass: false,
        measured: "check failed",
        detail: `the check threw: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
  });
}
