/**
 * `wedge diff A.json B.json [--html OUT]`: compares two runs saved with `--json` (or two sets of
 * repeated runs), prints the comparison, and exits 1 when a verdict flipped to FAIL or got worse,
 * or the outcome got worse; 0 otherwise; 2 for bad usage or a file that is not a report.
 *
 * @module
 */

import { resolve } from "node:path";
import { diffReports } from "../report/diff.ts";
import { escapeHtml, renderTimelineComparison } from "../report/html/mod.ts";
import { renderDiff } from "../report/text/diff.ts";
import type { RunReport } from "../report/types.ts";
import { parseCommandArgs } from "./command_args.ts";
import { EXIT } from "./exit_codes.ts";
import { type CliIo, writablePath } from "./output.ts";
import { readReportFile } from "./report_file.ts";

/** The `wedge diff --help` text. */
export const DIFF_HELP = `Usage: wedge diff A.json B.json [--html OUT.html]

Compares two runs saved with --json: the params that differ, the outcome, each assertion's
verdict (A -> B), and the figures with their ratio B/A: req/s, success rate, errors (by class),
p50/p99/p99.9 latency, the longest stall, peak open fds, peak RSS of every process, peak
TIME_WAIT and ESTABLISHED, peak HTTP/2 streams. A "!" marks what got worse: a verdict that
flipped to FAIL, an outcome that got worse (stalled, aborted, a server exited), a figure worse
beyond noise. A file may hold several runs of one shape (e.g. the --json of a --repeat): each
side is then their mean, and noise is 2 standard errors of the runs' spread; with one run on a
side, noise is a default threshold: 10% for rates, counts and peaks, 20% for latencies, 1 point
for the success rate.

Options:
  --html OUT    also write the two timelines overlaid, with this comparison, as one HTML page
  -h, --help    show this help

Exit codes:
  0    no verdict got worse (figures beyond noise are flagged, not failed)
  1    an assertion flipped to FAIL or passed in fewer runs, or the outcome got worse
  2    bad usage, or a file that cannot be read or is not a wedge report
`;

/**
 * Runs `wedge diff`.
 *
 * @param args The arguments after `diff`.
 * @param io Where to write; relative paths start at `io.cwd`.
 * @returns The exit code.
 * @throws {UsageError} For bad usage or a file that is not a report (exit 2 in main).
 *
 * @example
 * ```ts ignore
 * Deno.exitCode = await diffCommand(["a.json", "b.json"], defaultIo());
 * ```
 */
export async function diffCommand(args: string[], io: CliIo): Promise<number> {
  const line = parseCommandArgs(args, {
    name: "diff",
    options: { html: { type: "string" } },
    help: DIFF_HELP,
    positionals: [2, "diff A.json B.json"],
  }, io);
  if (!line) return EXIT.passed;
  const { values, positionals } = line;
  const htmlPath = await writablePath("--html", values.html, { cwd: io.cwd });
  const [a, b] = [await readSide(positionals[0], io), await readSide(positionals[1], io)];
  const diff = diffReports(a, b);
  const text = renderDiff(diff, { labels: [positionals[0], positionals[1]] });
  if (htmlPath) {
    const html = renderTimelineComparison(a[0], b[0], {
      labels: ["A", "B"],
      prefaceHtml: `<pre>${escapeHtml(text)}</pre>`,
    });
    await Deno.writeTextFile(htmlPath, html);
    io.err(`wedge: comparison written to ${htmlPath}\n`);
  }
  io.out(text);
  return diff.regressed ? EXIT.failed : EXIT.passed;
}

/** A side's reports from its file. */
function readSide(path: string, io: CliIo): Promise<RunReport[]> {
  return readReportFile(resolve(io.cwd, path), { command: "diff" });
}
