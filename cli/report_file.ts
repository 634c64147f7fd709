/**
 * Reading the reports a `--json` run wrote, for the commands that take saved runs (`report`,
 * `diff`): what is wrong says the file and what to give instead.
 *
 * @module
 */

import { reportsIn } from "../report/diff_input.ts";
import type { RunReport } from "../report/types.ts";
import { UsageError } from "../scenario/errors.ts";
import { describeError } from "./output.ts";

/** What to give instead of a file that is not a report. */
export const GIVE_A_REPORT = "Give a report written by --json PATH.";

/**
 * The reports in a file: one report, or every report a `--repeat`/`--sweep` JSON holds.
 *
 * @param path The file's absolute path.
 * @param options `command`: the command reading it, for messages (`"diff"`).
 * @returns The reports, at least one.
 * @throws {UsageError} If the file cannot be read, is not JSON or holds no report.
 *
 * @example
 * ```ts ignore
 * const reports = await readReportFile("/tmp/run.json", { command: "report" });
 * ```
 */
export async function readReportFile(
  path: string,
  options: { command: string },
): Promise<RunReport[]> {
  let json: unknown;
  try {
    json = JSON.parse(await Deno.readTextFile(path));
  } catch (error) {
    const what = error instanceof SyntaxError ? "is not JSON" : "cannot be read";
    throw new UsageError(
      `${options.command}: ${path} ${what} (${describeError(error)}). ${GIVE_A_REPORT}`,
    );
  }
  try {
    return reportsIn(json);
  } catch (error) {
    throw new UsageError(`${options.command}: ${path} ${describeError(error)}`);
  }
}
