/**
 * `wedge merge DIR [--json PATH|-] [--pass-rate P]`: combines the cell reports of one exploration
 * (written by `--cell I --json PATH`, e.g. by a Kubernetes Indexed Job's pods) into the table,
 * grid, summary and JSON a local `--repeat`/`--sweep` prints.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { cellCount } from "../explore/cells.ts";
import { exploreText } from "../explore/document.ts";
import { parseExploreFlags } from "../explore/flags.ts";
import { mergeCells, readCellFiles } from "../explore/merge.ts";
import { runLineText } from "../explore/render.ts";
import { runLine } from "../explore/run_line.ts";
import { UsageError } from "../scenario/errors.ts";
import { EXIT } from "./exit_codes.ts";
import { type CliIo, jsonPathProblem } from "./output.ts";

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
  const { values, positionals } = parseMergeArgs(args);
  if (values.help) {
    io.out(MERGE_HELP);
    return EXIT.passed;
  }
  if (positionals.length !== 1) {
    throw new UsageError(`expected "merge DIR", got "merge ${args.join(" ")}". See merge --help.`);
  }
  const toStdout = values.json === "-";
  const jsonPath = values.json === undefined || toStdout ? null : resolve(io.cwd, values.json);
  const problem = jsonPath === null ? null : await jsonPathProblem(jsonPath);
  if (problem) throw new UsageError(`--json ${jsonPath}: cannot write there: ${problem}`);
  const passRate = values["pass-rate"] === undefined
    ? undefined
    : parseExploreFlags({ "pass-rate": values["pass-rate"] })!.passRate;
  const { cells, skipped } = await readCellFiles(resolve(io.cwd, positionals[0]));
  const document = mergeCells(cells, { requiredPassRate: passRate });
  const text = toStdout ? io.err : io.out;
  if (skipped.length) text(`wedge: skipped ${skipped.length} file(s) that are not cell reports\n`);
  const keys = document.plan.sweep.map((axis) => axis.key);
  const of = cellCount(document.plan);
  for (const run of document.runs) text(runLineText(runLine(run), { of, keys }) + "\n");
  text("\n" + exploreText(document));
  const json = JSON.stringify(document, null, 2) + "\n";
  if (toStdout) io.out(json);
  else if (jsonPath !== null) await Deno.writeTextFile(jsonPath, json);
  return document.summary.ok ? EXIT.passed : EXIT.failed;
}

function parseMergeArgs(args: string[]) {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      options: {
        json: { type: "string" },
        "pass-rate": { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}. See merge --help.`);
  }
}
