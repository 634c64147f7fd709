/**
 * `--shrink`: runs the shrink search ({@linkcode shrink}) on a scenario, each probe's runs as
 * child processes ({@linkcode runCell}), within a time budget; prints each probe, the minimal
 * shape and writes the minimized scenario (`NAME.min.ts`).
 *
 * @module
 */

import { relative } from "node:path";
import { replayCommand } from "../report/replay_command.ts";
import { listenForStopSignals, signalExitCode } from "../run/stop_signals.ts";
import { UsageError } from "../scenario/errors.ts";
import type { ScenarioModule } from "../scenario/define.ts";
import { loadScenario } from "../scenario/load.ts";
import { resolveScenario } from "../scenario/resolve.ts";
import { formatDuration } from "../units/duration.ts";
import { writeJsonOutput } from "./json_output.ts";
import { minScenarioPlace, minScenarioText, writeMinScenario } from "./min_scenario.ts";
import { runCell } from "./run_cell.ts";
import { type Probe, shrink, type ShrinkParams, type ShrinkResult } from "./shrink.ts";
import { shrinkAxes } from "./shrink_axes.ts";
import type { ShrinkFlags } from "./shrink_flags.ts";
import { probeLine, shapeText, shrinkSummary, type ShrinkSummaryInfo } from "./shrink_text.ts";

/** The run to shrink: the scenario as given, its `--set` values and seed, the shrink flags. */
export interface ShrinkRun {
  /** A built-in name or a path (relative to `io.cwd`). */
  scenario: string;
  /** The `--set` values of the failing run. */
  set: Record<string, string>;
  /** `--seed`: run k of a probe uses seed + k; random when undefined. */
  seed: number | undefined;
  /** `--repeat`, `--fail-rate`, `--budget`, `--shrink-all`. */
  shrink: ShrinkFlags;
  /** `--json PATH`: also write the search (start, best, every probe) as JSON. @default {null} */
  jsonPath?: string | null;
  /** `--json -`: the JSON to stdout, the text to stderr. @default {false} */
  jsonToStdout?:
    boolean; /** `--keep-logs N`, passed to every probe's run. @default {each run's own default} */
  keepLogs?: number;
}

/** Where `--shrink` writes, and what stops it. */
export interface ShrinkCommandOptions {
  /** stdout, stderr, and the working directory. */
  io: { out(text: string): void; err(text: string): void; cwd: string };
  /**
   * Stops the search (the best shape so far is printed; the caller gives the exit code). By
   * default the stop signals of `run/stop_signals.ts` do (SIGINT, SIGTERM, SIGHUP, SIGQUIT),
   * with exit codes 128 + N. @default {undefined}
   */
  signal?: AbortSignal;
  /** The scenario, when the caller has loaded it already. @default {undefined} (loaded here) */
  loaded?: { definition: ScenarioModule; file: string };
}

/**
 * Shrinks a failing run and prints what it found.
 *
 * @param run The scenario, `--set`, seed and shrink flags.
 * @param options Where to write, what stops it.
 * @returns The exit code: 1 a failing shape was found (the minimized scenario fails), 0 the
 *   starting shape passed, 3 it could not run, 128+N stopped by a signal.
 * @throws {UsageError} If no param can shrink. {@linkcode ScenarioError} if the scenario or a
 *   `--set` value is invalid (before anything runs).
 *
 * @example
 * ```ts ignore
 * import { runShrink } from "./shrink_command.ts";
 *
 * const code = await runShrink({
 *   scenario: "tests/fixtures/threshold_hang.ts", set: { nservers: "40" }, seed: 1,
 *   shrink: { repeat: 3, failRate: null, budgetMs: 600_000, all: false },
 * }, { io: { out: console.log, err: console.error, cwd: Deno.cwd() } });
 * ```
 */
export async function runShrink(run: ShrinkRun, options: ShrinkCommandOptions): Promise<number> {
  const io = run.jsonToStdout ? { ...options.io, out: options.io.err } : options.io;
  const { definition, file, resolved, axes, start } = await prepare(run, options);
  const names = axes.map((a) => a.name);
  const seed = run.seed ?? crypto.getRandomValues(new Uint32Array(1))[0];
  const { repeat, failRate, budgetMs } = run.shrink;
  io.out(
    `Shrinking ${definition.name} from ${shapeText(start, names)}: ${repeat} run(s) per probe${
      failRate === null ? "" : ` (failing at ${(failRate * 100).toFixed(0)}% of them)`
    }, budget ${formatDuration(budgetMs)}, seeds from ${seed}\n`,
  );
  // The caller's stop signal (it gives the exit code), else SIGINT, SIGTERM, ... (128 + N).
  const stops = options.signal ? null : listenForStopSignals(options.io.err);
  const stop = options.signal ?? stops!.signal;
  const budget = AbortSignal.timeout(budgetMs);
  const signal = AbortSignal.any([budget, stop]);
  const started = performance.now();
  let n = 0;
  try {
    const result = await shrink(start, axes, cellProbe(run, { cwd: io.cwd, seed }), {
      repeat,
      failRate: failRate ?? undefined,
      signal,
      onProbe: (record) => io.out(`${probeLine(++n, record, names)}\n`),
    });
    const stoppedBy = result.status !== "stopped"
      ? null
      : stop.aborted
      ? { signal: "a signal" }
      : { budget: formatDuration(budgetMs) };
    const info: ShrinkSummaryInfo = {
      axes,
      repeat,
      failRate,
      stoppedBy,
      elapsedMs: performance.now() - started,
      command: replay(result, { run, file, name: definition.name, resolved, seed }),
      minFile: await minFile(result, { run, cwd: io.cwd }),
    };
    io.out(`\n${shrinkSummary(result, info).join("\n")}\n`);
    await writeJson(run, { result, info, io: options.io });
    if (stop.aborted) return stops?.caught ? signalExitCode(stops.caught) : 1;
    return exitCode(result);
  } finally {
    stops?.close();
  }
}

/** The scenario, its resolved params, the axes to search and the starting shape. */
async function prepare(run: ShrinkRun, options: ShrinkCommandOptions) {
  const { definition, file } = options.loaded ??
    await loadScenario(run.scenario, { cwd: options.io.cwd });
  const resolved = resolveScenario(definition, { set: run.set, file }).params;
  const axes = definition.params ? shrinkAxes(definition.params, resolved, run.shrink) : [];
  if (axes.length === 0) {
    throw new UsageError(
      `${run.scenario}: no param can shrink (numeric params above their minimum, or default${
        run.shrink.all ? "" : "; booleans and enums with --shrink-all"
      }): set a larger value with --set, e.g. --set nclients=40`,
    );
  }
  const start = Object.fromEntries(axes.map((a) => [a.name, resolved[a.name]])) as ShrinkParams;
  return { definition, file, resolved, axes, start };
}

/** A probe: one run of the shape as a child process, its seed the base + its try number. */
function cellProbe(run: ShrinkRun, options: { cwd: string; seed: number }): Probe {
  const tries = new Map<string, number>();
  let index = 0;
  return async (params, signal) => {
    const key = JSON.stringify(params);
    const attempt = tries.get(key) ?? 0;
    tries.set(key, attempt + 1);
    const seed = (options.seed + attempt) % 2 ** 32;
    const set = { ...run.set, ...setValues(params) };
    const result = await runCell(run.scenario, { index: index++, set, seed }, {
      cwd: options.cwd,
      signal,
      keepLogs: run.keepLogs,
    });
    if (result.exitCode === 0) return { failed: false, assertion: null, seed };
    const failing = result.report?.assertions.find((a) => !a.pass)?.name ?? null;
    const last = result.stderrTail.trim().split("\n").at(-1)?.slice(0, 120) ?? "";
    const note = result.report
      ? `exit ${result.exitCode}`
      : `exit ${result.exitCode}, no report${last ? `: ${last}` : ""}`;
    return { failed: true, assertion: result.exitCode === 1 ? failing : null, note, seed };
  };
}

/** Values as `--set` takes them. */
function setValues(params: ShrinkParams): Record<string, string> {
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)]));
}

/** The command that replays the minimal shape's first failing run. */
function replay(
  result: ShrinkResult,
  context: {
    run: ShrinkRun;
    file: string;
    name: string;
    resolved: Record<string, unknown>;
    seed: number;
  },
): string {
  const { run, file, name, resolved } = context;
  const params: Record<string, unknown> = {};
  for (const key of Object.keys(run.set)) params[key] = resolved[key];
  Object.assign(params, result.best);
  const seed = result.bestProbe?.failingSeeds[0] ?? context.seed;
  return replayCommand({ scenario: { name, description: "", file, params }, seed });
}

/** Writes `NAME.min.ts` for a failing result; what the summary says about it. */
async function minFile(
  result: ShrinkResult,
  context: { run: ShrinkRun; cwd: string },
): Promise<ShrinkSummaryInfo["minFile"]> {
  if (result.bestProbe === null || result.assertion === null) return null;
  const place = minScenarioPlace(context.run.scenario, context.cwd);
  const text = minScenarioText(place.importPath, result.best, {
    scenario: context.run.scenario,
    assertion: result.assertion,
    writtenAt: new Date().toISOString(),
  });
  const problem = await writeMinScenario(place, text);
  if (problem) return { problem };
  const shown = relative(context.cwd, place.path);
  const path = shown.startsWith("..") ? place.path : shown.includes("/") ? shown : `./${shown}`;
  return { shown: path, builtIn: place.builtIn, run: `deno task scenario ${path}` };
}

/** `--json`: the search as JSON (schema `wedge.shrink`), to the file or to stdout. */
async function writeJson(
  run: ShrinkRun,
  context: { result: ShrinkResult; info: ShrinkSummaryInfo; io: ShrinkCommandOptions["io"] },
): Promise<void> {
  if (!run.jsonPath && !run.jsonToStdout) return;
  const { result, info } = context;
  const { axes, ...rest } = info;
  const json = JSON.stringify(
    { schema: "wedge.shrink", version: 1, ...result, ...rest, params: axes.map((a) => a.name) },
    null,
    2,
  );
  await writeJsonOutput(`${json}\n`, run, context.io);
}

/**
 * 1: a failing shape was found; 0: the start passed; 3: the start could not run, or the budget
 * ended before it was judged.
 */
function exitCode(result: ShrinkResult): number {
  if (result.bestProbe === null && result.status === "stopped") return 3;
  if (result.status !== "start-passed") return 1;
  const first = result.probes[0];
  return first && first.otherFailures.length > 0 ? 3 : 0;
}
