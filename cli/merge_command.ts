/**
 * `wedge merge DIR [--json PATH|-] [--pass-rate P]`: combines the cell reports of one exploration
 * (written by `--cell I --json PATH`, e.g. by a Kubernetes Indexed Job's pods) into the table,
 * grid, summary and JSON a local `--repeat`/`--sweep` prints.
 *
 * @module
 */

import { resolve } from "node:path";
import { cellCount } from "../explore/cells.ts";
import { exploreText } from "../explore/document.ts";
import { mergeCells, readCellFiles } from "../explore/merge.ts";
import { runLineText } from "../explore/render.ts";
import { runLine } from "../explore/run_line.ts";
import { writeJsonOutput } from "../explore/json_output.ts";
import { flagValue } from "../explore/flag_value.ts";
import { parseFraction } from "../units/fraction.ts";
import { parseCommandArgs } from "./command_args.ts";
import { EXIT } from "./exit_codes.ts";
import { type CliIo, writablePath } from "./output.ts";

/** The `wedge merge --help` text. */
export const MERGE_HELP = `Usage: wedge merge DIR [--json PATH|-] [--pass-rate P]

Combines the cell reports in DIR (every *.json written by "wedge SCENARIO ... --cell I --json
PATH", e.g. by the pods of the Job that "wedge k8s" prints) into what the same --repeat/--sweep
prints when run here: a line per run, the table, the grid of pass rates, the summary with the
failing seeds' replay commands. Latency is merged exactly from each run's HDR histogram. Cells
of one exploration only (same scenario, --set, --sweep, --repeat, --seed).

Options:
  --json PATH    also write the exploration as JSON (schema "wedge.explore"); - for stdout
  --pass-rate P  judge by this pass rate (0.9 or 90%) instead of the cells' own
  -h, --help     show this help

Exit codes:
  0    every planned run passed (or the pass rate was met)
  1    a run failed, or a planned cell has no report in DIR
  2    bad usage, or DIR holds no cells or cells of different explorations
`;

/**
 * Runs `wedge merge`.
 *
 * @param args The arguments after `merge`.
 * @param io Where to write; DIR and PATH are relative to `io.cwd`.
 * @returns The exit code.
 * @throws {UsageError} For bad usage, or cells that cannot be merged (exit 2 in main).
 *
 * @example
 * ```ts ignore
 * Deno.exitCode = await mergeCommand(["results/"], defaultIo());
 * ```
 */
export async function mergeCommand(args: string[], io: CliIo): Promise<number> {
  const line = parseCommandArgs(args, {
    name: "merge",
    options: { json: { type: "string" }, "pass-rate": { type: "string" } },
    help: MERGE_HELP,
    positionals: [1, "merge DIR"],
  }, io);
  if (!line) return EXIT.passed;
  const { values, positionals } = line;
  const jsonToStdout = values.json === "-"; // else a file, checked as the run command's --json
  const jsonPath = jsonToStdout ? null : await writablePath("--json", values.json, { cwd: io.cwd });
  const passRate = values["pass-rate"] === undefined
    ? undefined
    : flagValue("--pass-rate", values["pass-rate"], parseFraction);
  const { cells, skipped } = await readCellFiles(resolve(io.cwd, positionals[0]));
  const document = mergeCells(cells, { requiredPassRate: passRate });
  const text = jsonToStdout ? io.err : io.out;
  if (skipped.length) text(`wedge: skipped ${skipped.length} file(s) that are not cell reports\n`);
  const keys = document.plan.sweep.map((axis) => axis.key);
  const of = cellCount(document.plan);
  for (const run of document.runs) text(runLineText(runLine(run), { of, keys }) + "\n");
  text("\n" + exploreText(document));
  const json = JSON.stringify(document, null, 2) + "\n";
  await writeJsonOutput(json, { jsonPath, jsonToStdout }, io);
  return document.summary.ok ? EXIT.passed : EXIT.failed;
}
