/**
 * The `deno task scenario` command: parse, run, print, exit with a code that says how it went.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { CommandServerError } from "./command_server.ts";
import { ServerHostError } from "./hosted_fleet.ts";
import { killTrackedGroups } from "./process_reaper.ts";
import { fileURLToPath } from "node:url";
import { listScenarios, loadScenario } from "./load_scenario.ts";
import {
  insideNamespace,
  namespaceMarked,
  namespaceUnavailable,
  runInNamespace,
} from "./network_namespace.ts";
import { resolveScenario } from "./resolve_scenario.ts";
import { describeParams, parseSetFlags } from "./params.ts";
import { createProgressDisplay } from "./progress_display.ts";
import { runScenario } from "./run_scenario.ts";
import { ScenarioError, UsageError } from "./scenario_error.ts";
import { renderTextReport } from "./text_report.ts";
import { z } from "zod";

/** Exit codes of the CLI. */
export const EXIT = {
  /** Every assertion passed. */
  passed: 0,
  /** At least one assertion failed. */
  failed: 1,
  /** Bad usage or an invalid scenario: nothing ran. */
  usage: 2,
  /** The run could not be carried out (a server or worker failed to start). */
  error: 3,
} as const;

/** The `--help` text. */
export const HELP = `Usage: deno task scenario NAME|PATH [options]

Runs a wedge scenario: starts its servers and client workers on 127.0.0.1, watches the run,
prints a report and judges the scenario's assertions.

Arguments:
  NAME|PATH          a built-in scenario (see --list) or the path of a scenario file

Options:
  --set KEY=VALUE    override a scenario param, e.g. --set nclients=40 (repeatable)
  --seed N           seed for random choices; a report prints its seed so a run can be replayed
  --json PATH        also write the report as JSON (schema "wedge.report", version 1)
  --quiet            no progress on stderr
  --all-servers      list every server and incident, not summaries past 12 servers / 8 incidents
  --list             list the built-in scenarios and their params
  -h, --help         show this help

Exit codes:
  0  every assertion passed
  1  an assertion failed
  2  bad usage or an invalid scenario (nothing ran)
  3  the run could not be carried out (a server or worker failed to start)
`;

/** Where the CLI writes, so tests can capture it. */
export interface CliIo {
  /** Writes to stdout. */
  out(text: string): void;
  /** Writes to stderr. */
  err(text: string): void;
  /** Working directory for relative paths. */
  cwd: string;
  /** Whether stderr is a terminal (progress redraws in place). */
  tty: boolean;
  /** Whether to colour the report: stdout is a terminal and NO_COLOR is not set. */
  color: boolean;
}

function defaultIo(): CliIo {
  const encoder = new TextEncoder();
  return {
    out: (text) => Deno.stdout.writeSync(encoder.encode(text)),
    err: (text) => Deno.stderr.writeSync(encoder.encode(text)),
    // `deno task` runs in the config's directory; INIT_CWD is where the user typed the command.
    cwd: Deno.env.get("INIT_CWD") ?? Deno.cwd(),
    tty: Deno.stderr.isTerminal(),
    color: Deno.stdout.isTerminal() && !Deno.env.get("NO_COLOR"),
  };
}

async function printList(io: CliIo): Promise<void> {
  const scenarios = await listScenarios();
  const width = Math.max(...scenarios.map((s) => s.name.length));
  for (const s of scenarios) {
    io.out(`${s.name.padEnd(width)}  ${s.description}\n`);
    const params = describeParams(s.definition.params ?? z.object({}));
    if (params.length) {
      io.out(
        `${" ".repeat(width)}  params: ${
          params.map((p) =>
            `${p.name}=${p.default === undefined ? "(unset)" : JSON.stringify(p.default)}`
          ).join(" ")
        }\n`,
      );
    }
  }
}

/**
 * Runs the CLI.
 *
 * @param args Command-line arguments (without the program name).
 * @param io Where to write; defaults to stdout/stderr.
 * @returns The exit code.
 *
 * @example
 * ```ts ignore
 * import { main } from "./cli.ts";
 *
 * Deno.exitCode = await main(["hang-mre-ok", "--set", "nrequests=1000"]);
 * ```
 */
export async function main(args: string[], io: CliIo = defaultIo()): Promise<number> {
  try {
    let parsed;
    try {
      parsed = parseArgs({
        args,
        allowPositionals: true,
        options: {
          set: { type: "string", multiple: true, default: [] },
          seed: { type: "string" },
          json: { type: "string" },
          quiet: { type: "boolean", default: false },
          "all-servers": { type: "boolean", default: false },
          list: { type: "boolean", default: false },
          help: { type: "boolean", short: "h", default: false },
        },
      });
    } catch (error) {
      throw new UsageError(`${(error as Error).message}. See --help.`);
    }
    const { values, positionals } = parsed;
    if (values.help) {
      io.out(HELP);
      return EXIT.passed;
    }
    if (values.list) {
      await printList(io);
      return EXIT.passed;
    }
    if (positionals.length !== 1) {
      throw new UsageError(
        positionals.length === 0
          ? "which scenario? Give a name (see --list) or a path. See --help."
          : `expected one scenario, got ${positionals.length}: ${positionals.join(" ")}`,
      );
    }
    let seed: number | undefined;
    if (values.seed !== undefined) {
      seed = Number(values.seed);
      if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
        throw new UsageError(`--seed ${values.seed}: expected an integer from 0 to 4294967295`);
      }
    }
    const set = parseSetFlags(values.set ?? []);
    const { definition, file } = await loadScenario(positionals[0], { cwd: io.cwd });
    const scenario = resolveScenario(definition, { set, file }); // validates before anything runs
    if (scenario.network && namespaceMarked() && !insideNamespace()) {
      // Started by wedge to run in a namespace, yet not in one: never re-run again (no recursion).
      throw new UsageError(
        `scenario "${scenario.name}" was re-run to enter a network namespace of its own, but this process shares its parent's network namespace; not running it`,
      );
    }
    if (scenario.network && !insideNamespace()) {
      const reason = await namespaceUnavailable(scenario.network);
      if (reason) {
        throw new UsageError(
          `scenario "${scenario.name}" runs in a network namespace of its own (network: ${
            JSON.stringify(scenario.network)
          }), which cannot be made here: ${reason}. Run it as root on Linux, or drop "network" from the scenario to use the host's network.`,
        );
      }
      io.err(
        `wedge: entering a network namespace of the run's own (${
          scenario.network.ephemeralPorts
            ? `ephemeral ports ${scenario.network.ephemeralPorts.join("-")}`
            : "default ports"
        }, tcp_tw_reuse ${scenario.network.tcpTwReuse ?? "default"})\n`,
      );
      return await runInNamespace(scenario.network, [
        Deno.execPath(),
        "run",
        "--allow-all",
        fileURLToPath(import.meta.url),
        ...args,
      ]);
    }

    const display = values.quiet ? undefined : createProgressDisplay({
      writer: { writeSync: (p) => (io.err(new TextDecoder().decode(p)), p.length) },
      tty: io.tty,
    });
    const abort = new AbortController();
    // Ctrl-C, SIGTERM, SIGHUP or SIGQUIT stops the run like an abort: servers, hosts and the
    // user's server processes are stopped and reaped, and the report is still printed. A second
    // one kills every server process at once and exits.
    const onSignal = () => {
      if (!abort.signal.aborted) return abort.abort();
      killTrackedGroups();
      io.err("wedge: interrupted twice; server processes killed\n");
      Deno.exit(130);
    };
    for (const signal of STOP_SIGNALS) Deno.addSignalListener(signal, onSignal);
    let report;
    try {
      report = await runScenario(definition, {
        set,
        seed,
        file,
        signal: abort.signal,
        onProgress: display?.progress,
        onPhase: display?.phase,
      });
    } finally {
      for (const signal of STOP_SIGNALS) Deno.removeSignalListener(signal, onSignal);
      display?.close();
    }
    io.out(renderTextReport(report, { color: io.color, allServers: values["all-servers"] }));
    if (values.json) {
      const path = resolve(io.cwd, values.json);
      await Deno.writeTextFile(path, JSON.stringify(report, null, 2) + "\n");
      io.err(`wedge: report written to ${path}\n`);
    }
    return report.passed ? EXIT.passed : EXIT.failed;
  } catch (error) {
    if (error instanceof UsageError || error instanceof ScenarioError) {
      io.err(`wedge: ${error.message}\n`);
      return EXIT.usage;
    }
    if (error instanceof CommandServerError || error instanceof ServerHostError) {
      // The user's server did not start: its message carries the command and its stderr.
      io.err(`wedge: the run could not be carried out: ${error.message}\n`);
      return EXIT.error;
    }
    io.err(`wedge: the run could not be carried out: ${(error as Error)?.stack ?? error}\n`);
    return EXIT.error;
  }
}

/** Signals that stop a run (gracefully; a second one forcefully). */
const STOP_SIGNALS: Deno.Signal[] = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"];

if (import.meta.main) {
  // Everything the run started has been stopped (or reported as an incident when it would not
  // stop); exit now rather than wait on anything a user's handler may still hold.
  Deno.exit(await main(Deno.args));
}
