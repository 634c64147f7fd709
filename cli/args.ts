/**
 * The command line of a run: the `--help` text, and the arguments parsed and validated into what
 * to do, before anything runs (a bad flag, seed, `--keep-logs`, `--json` path or `--set` is a
 * {@linkcode UsageError}).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { UsageError } from "../scenario/errors.ts";
import { parseSetFlags } from "../scenario/params.ts";
import {
  EXPLORE_HELP,
  EXPLORE_OPTIONS,
  type ExploreArgs,
  parseExploreFlags,
} from "../explore/flags.ts";
import { DEFAULT_KEEP_LOGS } from "./log_retention.ts";
import { writablePath } from "./output.ts";

/**
 * The `--help` text.
 *
 * @example
 * ```ts
 * import { HELP } from "./args.ts";
 * import assert from "node:assert/strict";
 *
 * assert.match(HELP, /^Usage: wedge NAME\|PATH/);
 * ```
 */
export const HELP = `Usage: wedge NAME|PATH [options]      (in a checkout: deno task scenario ...)
       wedge init NAME | wedge diff A.json B.json [--html OUT]
       wedge merge DIR | wedge k8s NAME|PATH --sweep ... > job.yaml
       wedge report RUN.json [--html OUT.html]

Runs a wedge scenario: starts its servers and client workers on 127.0.0.1, watches the run,
prints a report and judges the scenario's assertions.

Arguments:
  NAME|PATH          a built-in scenario (see --list) or the path of a scenario file

Commands:
  init NAME          write NAME.ts, a commented scenario that runs and passes as written (an
                     existing file is never overwritten); see wedge init --help
  diff A.json B.json compare two runs saved with --json: verdicts, outcome, figures with ratios,
                     what got worse flagged; exit 1 when a verdict got worse; see diff --help
  report RUN.json    render a report saved with --json again: text, and --html OUT.html for the
                     self-contained HTML page; see report --help
  merge DIR          combine the reports of --cell runs into a --sweep's table; see merge --help
  k8s NAME|PATH      print a Kubernetes Indexed Job running the cells; see k8s --help

Options:
  --set KEY=VALUE    override a scenario param, e.g. --set nclients=40 (repeatable)
  --seed N           seed for random choices; a report prints its seed so a run can be replayed
  --json PATH        also write the report as JSON (schema "wedge.report", version 1), before the
                     text report; PATH is checked before the run. --json - writes the JSON to
                     stdout and the text report to stderr
  --junit PATH       also write the verdicts as JUnit XML for CI (one testsuite, one testcase per
                     assertion, the outcome an error when the run stalled, was aborted or lost a
                     server); PATH is checked before the run
  --html PATH        also write the report as one self-contained HTML page (timelines, latency,
                     assertions, the replay command; opens offline); PATH is checked before the run
  --quiet            no progress on stderr
  --all-servers      list every server and incident, not summaries past 12 servers / 8 incidents
  --keep-logs N      keep the log directories of the last N runs in .wedge/logs (default 50, or
                     env WEDGE_KEEP_LOGS); older ones are removed when a run starts
  --list             list the built-in scenarios and their params
  --version          print wedge's version and Deno's
  -h, --help         show this help

${EXPLORE_HELP}
Ctrl-C (SIGINT), SIGTERM, SIGHUP or SIGQUIT stops the run: servers are stopped and the partial
report is printed. The same signal again within 1 s counts once (one Ctrl-C under deno task
arrives twice); another one later kills the server processes at once.

Exit codes:
  0    every assertion passed
  1    an assertion failed
  2    bad usage or an invalid scenario (nothing ran)
  3    the run could not be carried out (a server or worker failed to start)
  129  aborted by SIGHUP, 130 by SIGINT, 131 by SIGQUIT, 143 by SIGTERM (128 + the signal's
       number), whatever the assertions said
`;

/** A run, its arguments validated. */
export interface RunArgs {
  action: "run";
  /** The scenario's name or path, as given. */
  scenario: string;
  /** The `--set` overrides. */
  set: Record<string, string>;
  /** The `--seed`, if given. */
  seed: number | undefined;
  /** How many runs' log directories to keep, this one included. */
  keepLogs: number;
  /** The absolute `--json` path, checked writable; null for none or `--json -`. */
  jsonPath: string | null;
  /** `--json -`: the JSON to stdout, the text report to stderr. */
  jsonToStdout: boolean;
  /** The absolute `--junit` path, checked writable; null for none. */
  junitPath: string | null;
  /** The absolute `--html` path, checked writable; null for none. */
  htmlPath: string | null;
  /** `--quiet`: no progress. */
  quiet: boolean;
  /** `--all-servers`: every server and incident in the report. */
  allServers: boolean;
  /** `--repeat`, `--sweep`, `--cells`, `--cell` (explore/flags.ts); null for a plain run. */
  explore: ExploreArgs | null;
}

/** What the command line asks for: an answer without a run (help, version, list), or a run. */
export type CliArgs = { action: "help" } | { action: "version" } | { action: "list" } | RunArgs;

/** Options of {@linkcode parseCliArgs}. */
export interface ParseCliArgsOptions {
  /** The directory a relative `--json` path is resolved from. @default {Deno.cwd()} */
  cwd?: string;
}

/**
 * Parses and validates the command line (without `init`, which has its own).
 *
 * @param args Command-line arguments (without the program name).
 * @param options Where relative paths start.
 * @returns What to do; `--help`, then `--version`, then `--list` win over a run.
 * @throws {UsageError} If a flag is unknown or a value is invalid, there is not exactly one
 *   scenario, or the `--json` path cannot be written.
 *
 * @example
 * ```ts
 * import { parseCliArgs } from "./args.ts";
 * import assert from "node:assert/strict";
 *
 * const args = await parseCliArgs(["hang-mre-ok", "--set", "nrequests=1000", "--seed", "7"]);
 * assert.equal(args.action, "run");
 * if (args.action === "run") assert.deepEqual(args.set, { nrequests: "1000" });
 * ```
 */
export async function parseCliArgs(
  args: string[],
  options: ParseCliArgsOptions = {},
): Promise<CliArgs> {
  const { values, positionals } = parseFlags(args);
  if (values.help) return { action: "help" };
  if (values.version) return { action: "version" };
  if (values.list) return { action: "list" };
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length === 0
        ? "which scenario? Give a name (see --list) or a path. See --help."
        : `expected one scenario, got ${positionals.length}: ${positionals.join(" ")}`,
    );
  }
  const seed = parseSeed(values.seed);
  const keepLogs = parseKeepLogs(values["keep-logs"]);
  const jsonToStdout = values.json === "-"; // else a file, checked as --junit's and --html's
  const jsonPath = jsonToStdout ? null : await writablePath("--json", values.json, options);
  const junitPath = await writablePath("--junit", values.junit, { cwd: options.cwd });
  const htmlPath = await writablePath("--html", values.html, { cwd: options.cwd });
  const set = parseSetFlags(values.set ?? []);
  const { quiet, "all-servers": allServers } = values;
  return {
    action: "run",
    scenario: positionals[0],
    set,
    seed,
    keepLogs,
    jsonPath,
    jsonToStdout,
    junitPath,
    htmlPath,
    quiet,
    allServers,
    explore: parseExploreFlags(values),
  };
}

/** The flags and positionals; an unknown flag or a missing value is a usage error. */
function parseFlags(args: string[]) {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      options: {
        set: { type: "string", multiple: true, default: [] },
        seed: { type: "string" },
        json: { type: "string" },
        junit: { type: "string" },
        html: { type: "string" },
        quiet: { type: "boolean", default: false },
        "all-servers": { type: "boolean", default: false },
        "keep-logs": { type: "string" },
        list: { type: "boolean", default: false },
        version: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
        ...EXPLORE_OPTIONS,
      },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}. See --help.`);
  }
}

/** The `--seed` value: digits only, 0 to 2^32 - 1. */
function parseSeed(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  // Digits only: Number("") and Number(" ") are 0, Number("1e3") is 1000.
  const seed = Number(text);
  if (!/^\d+$/.test(text) || seed > 0xffffffff) {
    throw new UsageError(
      `--seed ${JSON.stringify(text)}: expected an integer from 0 to 4294967295`,
    );
  }
  return seed;
}

/** The `--keep-logs` value, else WEDGE_KEEP_LOGS, else the default; refuses what is not N >= 1. */
function parseKeepLogs(flag: string | undefined): number {
  const [source, text] = flag !== undefined
    ? ["--keep-logs", flag]
    : ["WEDGE_KEEP_LOGS", Deno.env.get("WEDGE_KEEP_LOGS")];
  if (text === undefined) return DEFAULT_KEEP_LOGS;
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1) {
    throw new UsageError(
      `${source} ${
        JSON.stringify(text)
      }: expected a whole number of runs, at least 1 (default ${DEFAULT_KEEP_LOGS})`,
    );
  }
  return Number(text);
}
