/**
 * The `deno task scenario` command: parse, run, print, exit with a code that says how it went.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { dirname, relative, resolve } from "node:path";
import { CommandServerError } from "../servers/command_server.ts";
import { ServerHostError } from "../servers/hosted_fleet.ts";
import { killTrackedGroups } from "../system/process_reaper.ts";
import { fileURLToPath } from "node:url";
import { listScenarios, loadScenario } from "../scenario/load.ts";
import { DEFAULT_KEEP_LOGS, pruneLogDirs } from "./log_retention.ts";
import { namespaceStep, namespaceUnavailable, runInNamespace } from "../run/network_namespace.ts";
import { resolveScenario } from "../scenario/resolve.ts";
import { describeParams, parseSetFlags } from "../scenario/params.ts";
import { createProgressDisplay } from "./progress_display.ts";
import { INIT_HELP, initScenario } from "./init.ts";
import { runScenario } from "../run/run_scenario.ts";
import { ScenarioError, UsageError } from "../scenario/errors.ts";
import { renderTextReport } from "../report/text.ts";
import { z } from "zod";
import denoConfig from "../deno.json" with { type: "json" };

/** Exit codes of the CLI; each means one thing. */
export const EXIT = {
  /** Every assertion passed. */
  passed: 0,
  /** At least one assertion failed. */
  failed: 1,
  /** Bad usage or an invalid scenario: nothing ran. */
  usage: 2,
  /** The run could not be carried out (a server or worker failed to start). */
  error: 3,
  /** Aborted by SIGHUP (128 + 1, as shells report it), whatever the assertions said. */
  sighup: 129,
  /** Aborted by SIGINT (Ctrl-C; 128 + 2), whatever the assertions said. */
  sigint: 130,
  /** Aborted by SIGQUIT (128 + 3), whatever the assertions said. */
  sigquit: 131,
  /** Aborted by SIGTERM (128 + 15), whatever the assertions said. */
  sigterm: 143,
} as const;

/** Signals that stop a run (gracefully; a second one, later, forcefully). */
const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"] as const;
type StopSignal = typeof STOP_SIGNALS[number];

/**
 * The exit code of a run aborted by a signal: 128 + the signal's number, as shells report it.
 *
 * @param signal The signal wedge caught.
 * @returns 129 (SIGHUP), 130 (SIGINT), 131 (SIGQUIT) or 143 (SIGTERM).
 *
 * @example
 * ```ts
 * import { signalExitCode } from "./main.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(signalExitCode("SIGINT"), 130);
 * ```
 */
export function signalExitCode(signal: StopSignal): number {
  return EXIT[signal.toLowerCase() as Lowercase<StopSignal>];
}

/**
 * The same signal again within this many ms of the first is the same stop, delivered twice: one
 * Ctrl-C under `deno task` reaches wedge from the terminal (to the whole process group) and from the
 * task runner (which forwards it).
 */
const DUPLICATE_SIGNAL_MS = 1000;

/** The `--help` text. */
export const HELP = `Usage: wedge NAME|PATH [options]      (in a checkout: deno task scenario ...)
       wedge init NAME

Runs a wedge scenario: starts its servers and client workers on 127.0.0.1, watches the run,
prints a report and judges the scenario's assertions.

Arguments:
  NAME|PATH          a built-in scenario (see --list) or the path of a scenario file

Commands:
  init NAME          write NAME.ts, a commented scenario that runs and passes as written (an
                     existing file is never overwritten); see wedge init --help

Options:
  --set KEY=VALUE    override a scenario param, e.g. --set nclients=40 (repeatable)
  --seed N           seed for random choices; a report prints its seed so a run can be replayed
  --json PATH        also write the report as JSON (schema "wedge.report", version 1), before the
                     text report; PATH is checked before the run. --json - writes the JSON to
                     stdout and the text report to stderr
  --quiet            no progress on stderr
  --all-servers      list every server and incident, not summaries past 12 servers / 8 incidents
  --keep-logs N      keep the log directories of the last N runs in .wedge/logs (default 50, or
                     env WEDGE_KEEP_LOGS); older ones are removed when a run starts
  --list             list the built-in scenarios and their params
  --version          print wedge's version and Deno's
  -h, --help         show this help

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

/** Where the CLI writes, so tests can capture it. */
export interface CliIo {
  /** Writes to stdout; once stdout is closed, writes nothing (and never throws). */
  out(text: string): void;
  /** Writes to stderr; once stderr is closed, writes nothing (and never throws). */
  err(text: string): void;
  /** Working directory for relative paths. */
  cwd: string;
  /** Whether stderr is a terminal (progress redraws in place). */
  tty: boolean;
  /** Whether to colour the report: stdout is a terminal and NO_COLOR is not set. */
  color: boolean;
}

/**
 * A writer that writes every byte, and after the first failed write (a closed pipe, as in
 * `--list | head -1`, or a hung-up terminal) drops the rest quietly: nothing is left to tell.
 */
function quietWhenClosed(file: { writeSync(p: Uint8Array): number }): (text: string) => void {
  const encoder = new TextEncoder();
  let closed = false;
  return (text) => {
    if (closed) return;
    let bytes = encoder.encode(text);
    try {
      while (bytes.length > 0) bytes = bytes.subarray(file.writeSync(bytes));
    } catch {
      closed = true;
    }
  };
}

/**
 * Where the user typed the command. `deno task scenario` runs in wedge's own directory and says
 * where it was typed in INIT_CWD; anywhere else (an installed `wedge`, `deno run`, even a task of
 * another project that calls wedge) the working directory is the user's, whatever INIT_CWD says.
 */
function userCwd(): string {
  const initCwd = Deno.env.get("INIT_CWD");
  const wedgeRoot = fileURLToPath(new URL("../", import.meta.url)).replace(/\/$/, "");
  return initCwd && Deno.cwd() === wedgeRoot ? initCwd : Deno.cwd();
}

function defaultIo(): CliIo {
  return {
    out: quietWhenClosed(Deno.stdout),
    err: quietWhenClosed(Deno.stderr),
    cwd: userCwd(),
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
 * Checks, before anything runs, that the report can be written to `path`: its directory exists
 * and is writable, and `path` itself is not a directory. Writes nothing that stays.
 *
 * @returns What is wrong, or null.
 */
async function jsonPathProblem(path: string): Promise<string | null> {
  try {
    const info = await Deno.stat(path);
    if (info.isDirectory) return "it is a directory";
    // It exists: opening it for writing, without truncating, says whether it can be written.
    (await Deno.open(path, { write: true })).close();
    return null;
  } catch (error) {
    const missing = error instanceof Deno.errors.NotFound ||
      error instanceof Deno.errors.NotADirectory;
    if (!missing) return describeError(error);
  }
  const dir = dirname(path);
  try {
    const info = await Deno.stat(dir);
    if (!info.isDirectory) return `${dir} is not a directory`;
  } catch (error) {
    return error instanceof Deno.errors.NotFound
      ? `its directory ${dir} does not exist`
      : `its directory ${dir}: ${describeError(error)}`;
  }
  try {
    await Deno.remove(await Deno.makeTempFile({ dir, prefix: ".wedge-json-check-" }));
    return null;
  } catch (error) {
    return `its directory ${dir} is not writable: ${describeError(error)}`;
  }
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The `--keep-logs` value, else WEDGE_KEEP_LOGS, else the default; refuses what is not N >= 1. */
function keepLogs(flag: string | undefined): number {
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

/** The `--version` text: wedge's version (deno.json) and Deno's. */
function versionText(): string {
  const { deno, v8, typescript } = Deno.version;
  return `wedge ${denoConfig.version}\ndeno ${deno} (v8 ${v8}, typescript ${typescript})\n`;
}

/** `wedge init NAME`: writes the scenario template; a bad name or an existing file is a usage error. */
async function init(args: string[], io: CliIo): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    io.out(INIT_HELP);
    return EXIT.passed;
  }
  if (args.length !== 1 || args[0].startsWith("-")) {
    throw new UsageError(`expected "init NAME", got "init ${args.join(" ")}". See init --help.`);
  }
  const path = await initScenario(args[0], { cwd: io.cwd });
  const shown = relative(io.cwd, path).startsWith("..") ? path : relative(io.cwd, path);
  io.out(`wedge: wrote ${path}\nRun it with: wedge ${shown}\n`);
  return EXIT.passed;
}

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
  // The stop signal wedge caught, and when; set by the first signal of a run.
  let caught: { signal: StopSignal; atMs: number } | null = null;
  const abort = new AbortController();
  // Ctrl-C, SIGTERM, SIGHUP or SIGQUIT stops the run like an abort: servers, hosts and the
  // user's server processes are stopped and reaped, and the report is still printed. The same
  // signal again within DUPLICATE_SIGNAL_MS is the same stop delivered twice (terminal and task
  // runner); another one later kills every server process at once and exits.
  const listeners = STOP_SIGNALS.map((signal) => {
    const listener = () => {
      const now = performance.now();
      if (caught === null) {
        caught = { signal, atMs: now };
        io.err(
          `wedge: ${signal}: stopping the run (the partial report follows); send it again to kill the servers at once\n`,
        );
        abort.abort();
        return;
      }
      if (signal === caught.signal && now - caught.atMs < DUPLICATE_SIGNAL_MS) return;
      killTrackedGroups();
      io.err(`wedge: ${signal} after ${caught.signal}: server processes killed\n`);
      Deno.exit(signalExitCode(signal));
    };
    return { signal, listener };
  });
  let listening = false;
  try {
    if (args[0] === "init") return await init(args.slice(1), io);
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
          "keep-logs": { type: "string" },
          list: { type: "boolean", default: false },
          version: { type: "boolean", default: false },
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
    if (values.version) {
      io.out(versionText());
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
      // Digits only: Number("") and Number(" ") are 0, Number("1e3") is 1000.
      seed = Number(values.seed);
      if (!/^\d+$/.test(values.seed) || seed > 0xffffffff) {
        throw new UsageError(
          `--seed ${JSON.stringify(values.seed)}: expected an integer from 0 to 4294967295`,
        );
      }
    }
    const keep = keepLogs(values["keep-logs"]);
    const jsonToStdout = values.json === "-";
    const jsonPath = values.json === undefined || jsonToStdout
      ? null
      : resolve(io.cwd, values.json);
    if (jsonPath !== null) {
      const problem = await jsonPathProblem(jsonPath);
      if (problem) {
        throw new UsageError(`--json ${jsonPath}: cannot write the report there: ${problem}`);
      }
    }
    const set = parseSetFlags(values.set ?? []);
    const { definition, file } = await loadScenario(positionals[0], { cwd: io.cwd });
    const scenario = resolveScenario(definition, { set, file }); // validates before anything runs
    if (scenario.network && namespaceStep(scenario, { canEnter: true }) === "enter") {
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

    // Room for this run's own log directory: the last `keep` runs, this one included.
    try {
      await pruneLogDirs(resolve(Deno.cwd(), ".wedge/logs"), { keep: keep - 1 });
    } catch (error) {
      io.err(`wedge: could not remove old logs in .wedge/logs: ${describeError(error)}\n`);
    }

    const display = values.quiet ? undefined : createProgressDisplay({
      writer: { writeSync: (p) => (io.err(new TextDecoder().decode(p)), p.length) },
      tty: io.tty,
    });
    // Listening until the report is out: a signal while it is written does not cut it short.
    for (const { signal, listener } of listeners) Deno.addSignalListener(signal, listener);
    listening = true;
    let report;
    try {
      // The scenario resolved above, validated once: runScenario does not resolve it again.
      report = await runScenario(scenario, {
        seed,
        signal: abort.signal,
        onProgress: display?.progress,
        onPhase: display?.phase,
      });
    } finally {
      display?.close();
    }
    const stop = caught as { signal: StopSignal } | null;
    if (stop && report.outcome === "aborted") {
      report.outcomeDetail = `stopped by ${stop.signal}, exit ${signalExitCode(stop.signal)}`;
    }
    // The JSON first: a closed stdout or a hung-up terminal must not lose it.
    const json = JSON.stringify(report, null, 2) + "\n";
    if (jsonPath !== null) {
      await Deno.writeTextFile(jsonPath, json);
      io.err(`wedge: report written to ${jsonPath}\n`);
    }
    const text = renderTextReport(report, { color: io.color, allServers: values["all-servers"] });
    if (jsonToStdout) {
      io.out(json);
      io.err(text);
    } else {
      io.out(text);
    }
    if (stop) {
      const code = signalExitCode(stop.signal);
      io.err(`wedge: the run was aborted by ${stop.signal}: exit ${code}\n`);
      return code;
    }
    return report.passed ? EXIT.passed : EXIT.failed;
  } catch (error) {
    const stop = caught as { signal: StopSignal } | null;
    if (stop) {
      // Whatever failed, failed because the run was stopped while its servers started.
      io.err(
        `wedge: the run was aborted by ${stop.signal} before its load started; what it started has been stopped (${
          describeError(error).split("\n")[0]
        })\n`,
      );
      return signalExitCode(stop.signal);
    }
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
  } finally {
    if (listening) {
      for (const { signal, listener } of listeners) Deno.removeSignalListener(signal, listener);
    }
  }
}

if (import.meta.main) {
  // Everything the run started has been stopped (or reported as an incident when it would not
  // stop); exit now rather than wait on anything a user's handler may still hold.
  Deno.exit(await main(Deno.args));
}
