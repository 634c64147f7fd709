/**
 * `assertPassed`: turns a failed report into a readable assertion error for `deno test`.
 *
 * @module
 */

import { AssertionError } from "node:assert";
import type { RunReport } from "../report/types.ts";

/**
 * Throws when any assertion of the report failed, listing each failure with its measured value.
 *
 * @param report A report from `runScenario`.
 * @throws {AssertionError} If `report.passed` is false.
 *
 * @example
 * ```ts ignore
 * import { assertPassed, runScenario } from "../mod.ts";
 * import scenario from "../scenarios/hang_mre_ok.ts";
 *
 * Deno.test("no hang", async () => assertPassed(await runScenario(scenario)));
 * ```
 */
export function assertPassed(report: RunReport): void {
  if (report.passed) return;
  const failed = report.assertions.filter((a) => !a.pass);
  const lines = failed.map((a) =>
    `  FAIL ${a.description}: ${a.measured}${a.detail ? ` (${a.detail})` : ""}`
  );
  throw new AssertionError({
    message:
      `scenario "${report.scenario.name}" failed ${failed.length} of ${report.assertions.length} assertions (seed ${report.seed}):\n${
        lines.join("\n")
      }`,
  });
}
