/**
 * The `deno task scenario` command: parse, run, print, exit with a code that says how it went.
 * The arguments are in `args.ts`, the stop signals in `run/stop_signals.ts`, what is written
 * in `output.ts`; this file ties them together.
 *
 * @module
 */

import { relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { runScenario } from "../run/run_scenario.ts";
import { type ExploreContext, runExplore } from "../explore/run_explore.ts";
import { namespaceStep, namespaceUnavailable, runInNamespace } from "../run/network_namespace.ts";
import { loadScenario } from "../scenario/load.ts";
import { resolveScenario } from "../scenario/resolve.ts";
import { ScenarioError, UsageError } from "../scenario/errors.ts";
import type { NetworkSpec, Scenario } from "../scenario/schema.ts";
import { CommandServerError } from "../servers/command_server.ts";
import { ClientProgramError } from "../run/command_clients.ts";
import { ServerHostError } from "../servers/hosted_fleet.ts";
import { HELP, parseCliArgs, type RunArgs } from "./args.ts";
import { parseCommandArgs } from "./command_args.ts";
import { EXIT } from "./exit_codes.ts";
import { INIT_HELP, initScenario } from "./init.ts";
import { diffCommand } from "./diff_command.ts";
import { k8sCommand } from "./k8s_command.ts";
import { mergeCommand } from "./merge_command.ts";
import { reportCommand } from "./report_command.ts";
import { pruneLogDirs } from "./log_retention.ts";
import {
  type CliIo,
  defaultIo,
  describeError,
  printList,
  versionText,
  writeReport,
} from "./output.ts";
import { createProgressDisplay, type ProgressDisplay } from "./progress_display.ts";
import {
  listenForStopSignals,
  signalExitCode,
  type StopSignal,
  type StopSignals,
} from "../run/stop_signals.ts";

export { EXIT } from "./exit_codes.ts";
export { HELP } from "./args.ts";
export { signalExitCode } from "../run/stop_signals.ts";
export type { CliIo } from "./output.ts";

/**
 * Runs the CLI.
 *
 * @param args Command-line arguments (without the program name).
 * @param io Where to write; defaults to stdout/stderr.
 * @returns The exit code (see {@linkcode EXIT}).
 *
 * @example
 * ```ts ignore
 * import { main } from "./main.ts";
 *
 * Deno.exitCode = await main(["hang-mre-ok", "--set", "nrequests=1000"]);
 * ```
 */
export async function main(args: string[], io: CliIo = defaultIo()): Promise<number> {
  let stops: StopSignals | undefined;
  try {
    if (args[0] === "init") return await init(args.slice(1), io);
    if (args[0] === "diff") return await diffCommand(args.slice(1), io);
    if (args[0] === "merge") return await mergeCommand(args.slice(1), io);
    if (args[0] === "k8s") return await k8sCommand(args.slice(1), io);
    if (args[0] === "report") return await reportCommand(args.slice(1), io);
    const parsed = await parseCliArgs(args, { cwd: io.cwd });
    if (parsed.action !== "run") return await answer(parsed.action, io);
    const { definition, file } = await loadScenario(parsed.scenario, { cwd: io.cwd });
    const scenario = resolveScenario(definition, { set: parsed.set, file }); // validates before anything runs
    if (parsed.explore) return await explore(parsed, { io, definition, file }); // --repeat, --sweep, --cell
    if (scenario.network && namespaceStep(scenario, { canEnter: true }) === "enter") {
      return await rerunInNamespace(scenario.network, { scenario, args, io });
    }
    await pruneLogs(parsed.keepLogs, io);
    const display = parsed.quiet ? undefined : createProgressDisplay({
      writer: { writeSync: (p) => (io.err(new TextDecoder().decode(p)), p.length) },
      tty: io.tty,
    });
    // Ctrl-C, SIGTERM, SIGHUP or SIGQUIT stops the run like an abort: servers, hosts and the
    // user's server processes are stopped and reaped, and the report is still printed. Listening
    // until the report is out: a signal while it is written does not cut it short.
    stops = listenForStopSignals(io.err);
    return await runAndReport(scenario, { args: parsed, io, stops, display });
  } catch (error) {
    return failureCode(error, { stop: stops?.caught ?? null, io });
  } finally {
    stops?.close();
  }
}

/** `wedge init NAME`: writes the scenario template; a bad name or an existing file is a usage error. */
async function init(args: string[], io: CliIo): Promise<number> {
  const line = parseCommandArgs(args, {
    name: "init",
    options: {},
    help: INIT_HELP,
    positionals: [1, "init NAME"],
  }, io);
  if (!line) return EXIT.passed;
  const path = await initScenario(line.positionals[0], { cwd: io.cwd });
  const shown = relative(io.cwd, path).startsWith("..") ? path : relative(io.cwd, path);
  io.out(`wedge: wrote ${path}\nRun it with: wedge ${shown}\n`);
  return EXIT.passed;
}

/** `--help`, `--version` or `--list`: the answer, without a run. */
async function answer(action: "help" | "version" | "list", io: CliIo): Promise<number> {
  if (action === "help") io.out(HELP);
  else if (action === "version") io.out(versionText());
  else await printList(io);
  return EXIT.passed;
}

/** `--repeat`, `--sweep`, `--cells`, `--cell`: each run a child process (explore/); a stop signal's code. */
async function explore(
  args: RunArgs,
  context: Omit<ExploreContext, "signal">,
): Promise<number> {
  const single = args.junitPath
    ? "--junit"
    : args.htmlPath
    ? "--html"
    : args.allServers
    ? "--all-servers"
    : null;
  if (single) {
    throw new UsageError(
      `${single} is for one run's report: not with --repeat, --sweep, --shrink, --cells or --cell, whose --json holds every run's report`,
    );
  }
  const stops = listenForStopSignals(context.io.err);
  try {
    const code = await runExplore({ ...args, explore: args.explore! }, {
      ...context,
      signal: stops.signal,
    });
    return stops.caught ? signalExitCode(stops.caught) : code;
  } finally {
    stops.close();
  }
}

/** Runs this command again inside a network namespace of the run's own; its exit code. */
async function rerunInNamespace(
  network: NetworkSpec,
  context: { scenario: Scenario; args: string[]; io: CliIo },
): Promise<number> {
  const { scenario, args, io } = context;
  const reason = await namespaceUnavailable(network);
  if (reason) {
    throw new UsageError(
      `scenario "${scenario.name}" runs in a network namespace of its own (network: ${
        JSON.stringify(network)
      }), which cannot be made here: ${reason}. Run it as root on Linux, or drop "network" from the scenario to use the host's network.`,
    );
  }
  io.err(
    `wedge: entering a network namespace of the run's own (${
      network.ephemeralPorts
        ? `ephemeral ports ${network.ephemeralPorts.join("-")}`
        : "default ports"
    }, tcp_tw_reuse ${network.tcpTwReuse ?? "default"})\n`,
  );
  const self = fileURLToPath(import.meta.url);
  return await runInNamespace(network, [Deno.execPath(), "run", "--allow-all", self, ...args]);
}

/** Room for this run's own log directory: the last `keep` runs, this one included. */
async function pruneLogs(keep: number, io: CliIo): Promise<void> {
  try {
    await pruneLogDirs(resolve(Deno.cwd(), ".wedge/logs"), { keep: keep - 1 });
  } catch (error) {
    io.err(`wedge: could not remove old logs in .wedge/logs: ${describeError(error)}\n`);
  }
}

/** Runs the scenario, writes its report and says the exit code: a stop signal's, else the verdict. */
async function runAndReport(
  scenario: Scenario,
  context: { args: RunArgs; io: CliIo; stops: StopSignals; display?: ProgressDisplay },
): Promise<number> {
  const { args, io, stops, display } = context;
  let report;
  try {
    // The scenario resolved by main, validated once: runScenario does not resolve it again.
    report = await runScenario(scenario, {
      seed: args.seed,
      signal: stops.signal,
      onProgress: display?.progress,
      onPhase: display?.phase,
    });
  } finally {
    display?.close();
  }
  const stop = stops.caught;
  if (stop && report.outcome === "aborted") {
    report.outcomeDetail = `stopped by ${stop}, exit ${signalExitCode(stop)}`;
  }
  await writeReport(report, io, args);
  if (stop) {
    const code = signalExitCode(stop);
    io.err(`wedge: the run was aborted by ${stop}: exit ${code}\n`);
    return code;
  }
  return report.passed ? EXIT.passed : EXIT.failed;
}

/** What the CLI says of an error, and its exit code. */
function failureCode(error: unknown, context: { stop: StopSignal | null; io: CliIo }): number {
  const { stop, io } = context;
  if (stop) {
    // Whatever failed, failed because the run was stopped while its servers started.
    io.err(
      `wedge: the run was aborted by ${stop} before its load started; what it started has been stopped (${
        describeError(error).split("\n")[0]
      })\n`,
    );
    return signalExitCode(stop);
  }
  if (error instanceof UsageError || error instanceof ScenarioError) {
    io.err(`wedge: ${error.message}\n`);
    return EXIT.usage;
  }
  if (error instanceof ClientProgramError) {
    io.err(`wedge: the run could not be carried out: ${error.message}\n`);
    return EXIT.error;
  }
  if (error instanceof CommandServerError || error instanceof ServerHostError) {
    // The user's server did not start: its message carries the command and its stderr.
    io.err(`wedge: the run could not be carried out: ${error.message}\n`);
    return EXIT.error;
  }
  io.err(`wedge: the run could not be carried out: ${(error as Error)?.stack ?? error}\n`);
  return EXIT.error;
}

if (import.meta.main) {
  // Everything the run started has been stopped (or reported as an incident when it would not
  // stop); exit now rather than wait on anything a user's handler may still hold.
  Deno.exit(await main(Deno.args));
}
