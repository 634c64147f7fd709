/**
 * The run command with explore flags: `--cells` lists the cells, `--cell I` runs one and writes
 * its cell document, and otherwise every cell runs in turn, each in its own process (a line per
 * run as it ends), then the table, the grid and the summary; `--json` holds every run. The CLI
 * hands off to {@linkcode runExplore} once the scenario has been loaded and its `--set` checked.
 *
 * @module
 */

import type { ScenarioModule } from "../scenario/define.ts";
import { UsageError } from "../scenario/errors.ts";
import { cellAt, cellCount, type ExplorePlan, listCells } from "./cells.ts";
import { CELL_SCHEMA, type CellDocument, exploreDocument, exploreText } from "./document.ts";
import { writeJsonOutput } from "./json_output.ts";
import type { ExploreArgs } from "./flags.ts";
import { runLineText } from "./render.ts";
import { type CellResult, runCell } from "./run_cell.ts";
import { runLine } from "./run_line.ts";
import { runShrink } from "./shrink_command.ts";
import { validateSweep } from "./validate_sweep.ts";

/** The run command's arguments that an exploration uses (the CLI's `RunArgs` has them). */
export interface ExploreRunArgs {
  /** The scenario's name or path, as given (relative to `io.cwd`). */
  scenario: string;
  /** The base `--set` values. */
  set: Record<string, string>;
  /** The base `--seed`, if given. */
  seed: number | undefined;
  /** The absolute `--json` path, or null. */
  jsonPath: string | null;
  /** `--json -`: JSON to stdout, text to stderr. */
  jsonToStdout: boolean;
  /** The explore flags. */
  explore: ExploreArgs;
  /** `--quiet`: no "starting run i/N" lines on stderr. @default {false} */
  quiet?: boolean;
  /** `--keep-logs N`, passed to every run. @default {each run's own default} */
  keepLogs?: number;
}

/** Where an exploration writes, and what it explores. */
export interface ExploreContext {
  /** Output streams and the user's working directory (the CLI's `CliIo` has them). */
  io: { out(text: string): void; err(text: string): void; cwd: string };
  /** The scenario's default export, to check the `--sweep` values. */
  definition: ScenarioModule;
  /** The scenario's file, for messages. */
  file?: string;
  /** Aborting it stops the current cell (reaped) and ends with the summary so far. */
  signal?: AbortSignal;
}

/** The base seed of cells when `--seed` is not given: fixed, so every pod computes the same cells. */
export const DEFAULT_CELL_SEED = 1;

/**
 * The plan of an exploration: the base seed is `--seed`, else (for `--cells`/`--cell`)
 * {@linkcode DEFAULT_CELL_SEED}, else a random one.
 *
 * @param args The run command's arguments.
 * @returns The plan.
 *
 * @example
 * ```ts
 * import { explorePlan } from "./run_explore.ts";
 * import assert from "node:assert/strict";
 *
 * const explore = { repeat: 3, sameSeed: false, untilFail: false, passRate: null, sweep: [], listCells: true, cell: null };
 * const plan = explorePlan({ scenario: "s", set: {}, seed: undefined, jsonPath: null, jsonToStdout: false, explore });
 * assert.equal(plan.seed, 1);
 * ```
 */
export function explorePlan(args: ExploreRunArgs): ExplorePlan {
  const { explore } = args;
  const addressed = explore.listCells || explore.cell !== null;
  const seed = args.seed ??
    (addressed ? DEFAULT_CELL_SEED : crypto.getRandomValues(new Uint32Array(1))[0]);
  return {
    scenario: args.scenario,
    set: args.set,
    sweep: explore.sweep,
    repeat: explore.repeat,
    seed,
    sameSeed: explore.sameSeed,
  };
}

/**
 * Runs an exploration.
 *
 * @param args The run command's arguments.
 * @param context Output, the scenario, the stop signal.
 * @returns The exit code: 0 when every run passed (or the pass rate met `--pass-rate`), 1
 *   otherwise; for `--cell`, the cell's own exit code. The caller maps an abort to 128+N.
 * @throws {UsageError} If a `--sweep` value is refused by the scenario, or `--cell` is out of range.
 *
 * @example
 * ```ts ignore
 * import { loadScenario } from "../scenario/load.ts";
 * import { parseExploreFlags } from "./flags.ts";
 * import { runExplore } from "./run_explore.ts";
 *
 * const { definition } = await loadScenario("hang-server");
 * const explore = parseExploreFlags({ repeat: "3" })!;
 * const io = { out: console.log, err: console.error, cwd: Deno.cwd() };
 * const args = { scenario: "hang-server", set: {}, seed: 1, jsonPath: null, jsonToStdout: false, explore };
 * Deno.exitCode = await runExplore(args, { io, definition });
 * ```
 */
export async function runExplore(args: ExploreRunArgs, context: ExploreContext): Promise<number> {
  if (args.explore.shrink) {
    const { io, signal, definition, file } = context;
    const shrink = { ...args, shrink: args.explore.shrink };
    return await runShrink(shrink, { io, signal, loaded: file ? { definition, file } : undefined });
  }
  const plan = explorePlan(args);
  validateSweep(context.definition, plan, { file: context.file });
  const text = args.jsonToStdout ? context.io.err : context.io.out;
  if (args.explore.listCells) {
    for (const cell of listCells(plan)) {
      const params = Object.entries(cell.set).map(([k, v]) => `${k}=${v}`).join(" ");
      text(`cell ${cell.index}: ${params || "(no --set)"} seed ${cell.seed}\n`);
    }
    return 0;
  }
  if (args.explore.cell !== null) return await runOneCell(args, { plan, context });
  return await runAllCells(args, { plan, context });
}

/** `--cell I`: runs it, writes its cell document to `--json`, prints its line. */
async function runOneCell(
  args: ExploreRunArgs,
  how: { plan: ExplorePlan; context: ExploreContext },
): Promise<number> {
  const { plan, context: { io, signal } } = how;
  let cell;
  try {
    cell = cellAt(plan, args.explore.cell!);
  } catch (error) {
    throw new UsageError(`--cell ${args.explore.cell}: ${(error as Error).message}; see --cells`);
  }
  if (args.jsonPath === null && !args.jsonToStdout) {
    io.err("wedge: --cell without --json: its report is not kept for wedge merge\n");
  }
  const result = await runCell(args.scenario, cell, {
    cwd: io.cwd,
    signal,
    keepLogs: args.keepLogs,
  });
  const document: CellDocument = {
    schema: CELL_SCHEMA,
    version: 1,
    plan,
    requiredPassRate: args.explore.passRate,
    result,
  };
  await writeJson(document, args, io);
  const text = args.jsonToStdout ? io.err : io.out;
  text(runLineText(runLine(result), { of: cellCount(plan), keys: sweptKeys(plan) }) + "\n");
  return result.exitCode;
}

/** Every cell in turn; then the table, grid and summary, and the JSON. */
async function runAllCells(
  args: ExploreRunArgs,
  how: { plan: ExplorePlan; context: ExploreContext },
): Promise<number> {
  const { plan, context: { io, signal } } = how;
  const text = args.jsonToStdout ? io.err : io.out;
  const cells = listCells(plan);
  text(`wedge: ${describePlan(plan, cells.length)}; each run in its own process\n`);
  const results: CellResult[] = [];
  for (const cell of cells) {
    if (signal?.aborted) break;
    if (!args.quiet) {
      io.err(`wedge: starting run ${cell.index + 1}/${cells.length}, seed ${cell.seed}\n`);
    }
    const result = await runCell(args.scenario, cell, {
      cwd: io.cwd,
      signal,
      keepLogs: args.keepLogs,
    });
    if (result.stoppedBy === "abort") {
      text(`cell ${cell.index} (seed ${cell.seed}) was stopped: not counted\n`);
      break;
    }
    results.push(result);
    const line = runLine(result);
    text(runLineText(line, { of: cells.length, keys: sweptKeys(plan) }) + "\n");
    if (args.explore.untilFail && !line.passed) break;
  }
  const document = exploreDocument(plan, results, { requiredPassRate: args.explore.passRate });
  await writeJson(document, args, io);
  text("\n" + exploreText(document));
  return document.summary.ok ? 0 : 1;
}

/** E.g. `hang-server: 5 runs, seeds 12 to 16` or `... 4 cells x 3 runs, seeds 7 to 9`. */
function describePlan(plan: ExplorePlan, cells: number): string {
  const seeds = plan.sameSeed || plan.repeat === 1
    ? `seed ${plan.seed}`
    : `seeds ${plan.seed} to ${(plan.seed + plan.repeat - 1) % 2 ** 32}`;
  const points = cells / plan.repeat;
  const shape = plan.sweep.length
    ? `${points} cells (${plan.sweep.map((a) => `${a.key}=${a.values.join(",")}`).join(" x ")})${
      plan.repeat > 1 ? ` x ${plan.repeat} runs` : ""
    }`
    : `${plan.repeat} run${plan.repeat === 1 ? "" : "s"}`;
  return `${plan.scenario}: ${shape}, ${seeds}`;
}

function sweptKeys(plan: ExplorePlan): string[] {
  return plan.sweep.map((axis) => axis.key);
}

/** Writes a document to `--json PATH` or stdout (`--json -`); nothing without `--json`. */
async function writeJson(
  document: unknown,
  args: ExploreRunArgs,
  io: ExploreContext["io"],
): Promise<void> {
  // A cell's document on stdout is one line, so that it can be picked out of a pod's log.
  const compact = (document as CellDocument).schema === CELL_SCHEMA && args.jsonToStdout;
  const json = JSON.stringify(document, null, compact ? undefined : 2) + "\n";
  await writeJsonOutput(json, args, io);
}
