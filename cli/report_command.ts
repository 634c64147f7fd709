/**
 * `wedge report RUN.json [--html OUT.html]`: renders a report saved with `--json` again: the text
 * report to stdout, and with `--html` the self-contained HTML page, so old runs render too. A file
 * that cannot be read or is not one wedge report is a usage error (exit 2) naming the file.
 *
 * @module
 */

import { Ajv } from "ajv";
import reportSchema from "../report.schema.json" with { type: "json" };
import { resolve } from "node:path";
import { renderHtmlReport } from "../report/html/mod.ts";
import { renderTextReport } from "../report/text.ts";
import type { RunReport } from "../report/types.ts";
import { UsageError } from "../scenario/errors.ts";
import { parseCommandArgs } from "./command_args.ts";
import { EXIT } from "./exit_codes.ts";
import { type CliIo, describeError, writablePath } from "./output.ts";
import { GIVE_A_REPORT, readReportFile } from "./report_file.ts";

/** The `wedge report --help` text. */
export const REPORT_HELP = `Usage: wedge report RUN.json [--html OUT.html]

Renders a run report saved with --json PATH again: the text report to stdout, and with --html
one self-contained HTML page (the timelines on one zoomable time axis, memory, latency, the
assertions, params, seed, host settings and the command that replays the run; uPlot and the data
are inline, so the file opens offline and can be attached to a bug report).

Options:
  --html OUT    write the HTML page to OUT (checked before anything is read)
  --quiet       no text report on stdout
  -h, --help    show this help

Exit codes:
  0    rendered
  2    bad usage, or a file that cannot be read or is not one wedge report
`;

/**
 * Runs `wedge report`.
 *
 * @param args The arguments after `report`.
 * @param io Where to write; relative paths start at `io.cwd`.
 * @returns The exit code (0: rendered).
 * @throws {UsageError} For bad usage or a file that is not one report (exit 2 in main).
 *
 * @example
 * ```ts ignore
 * Deno.exitCode = await reportCommand(["run.json", "--html", "run.html"], defaultIo());
 * ```
 */
export async function reportCommand(args: string[], io: CliIo): Promise<number> {
  const line = parseCommandArgs(args, {
    name: "report",
    options: { html: { type: "string" }, quiet: { type: "boolean", default: false } },
    help: REPORT_HELP,
    positionals: [1, "report RUN.json"],
  }, io);
  if (!line) return EXIT.passed;
  const { values, positionals } = line;
  const htmlPath = await writablePath("--html", values.html, { cwd: io.cwd });
  const path = resolve(io.cwd, positionals[0]);
  const report = await readReport(path);
  const [html, text] = rendered(report, path, { html: htmlPath !== null, text: !values.quiet });
  if (htmlPath && html) {
    await Deno.writeTextFile(htmlPath, html);
    io.err(`wedge: HTML report written to ${htmlPath}\n`);
  }
  if (text) io.out(text);
  return EXIT.passed;
}

/** The one report in a file; what is wrong says the file and what to give instead. */
async function readReport(path: string): Promise<RunReport> {
  const reports = await readReportFile(path, { command: "report" });
  if (reports.length !== 1) {
    throw new UsageError(
      `report: ${path} holds ${reports.length} reports; wedge report renders one. ${GIVE_A_REPORT}`,
    );
  }
  return reports[0];
}

/** The HTML and the text; a report missing fields it must have is a usage error naming the file. */
function rendered(
  report: RunReport,
  path: string,
  want: { html: boolean; text: boolean },
): [string | null, string | null] {
  try {
    return [
      want.html ? renderHtmlReport(report) : null,
      want.text ? renderTextReport(report) : null,
    ];
  } catch (error) {
    const problems = schemaProblems(report);
    throw new UsageError(
      `report: ${path} is a wedge report that cannot be rendered (${describeError(error)})${
        problems.length ? `; by report.schema.json: ${problems.join("; ")}` : ""
      }. Give a report written by --json PATH, unedited.`,
    );
  }
}

/** Where a report departs from report.schema.json (at most 5, each with its field path). */
function schemaProblems(report: unknown): string[] {
  const validate = new Ajv({ allErrors: true, strict: false }).compile(reportSchema);
  if (validate(report)) return [];
  return (validate.errors ?? []).slice(0, 5).map((e) =>
    `${e.instancePath || "(the report)"} ${e.message}`
  );
}
