/**
 * One cell of an exploration (a run of `--repeat`, `--sweep`, `--shrink` or a Kubernetes Job's
 * pod): the scenario with its `--set` values and seed, run as a child process of `cli/main.ts`
 * (`deno run -A cli/main.ts SCENARIO --set k=v ... --seed N --json PATH --quiet`) through the one
 * supervisor, so that a crash or a hang of one run cannot take the others down. Its `--json`
 * report is read back; its process group is reaped on a timeout or an abort.
 *
 * @module
 */

import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { RunReport } from "../report/types.ts";
import { spawnSupervised } from "../system/child_process.ts";
import { deadline, isTimeout } from "../units/deadline.ts";

/** One run to make: its index in the exploration, the `--set` values, the seed. */
export interface Cell {
  /** Position in the exploration's list of cells (what `--cell I` addresses), from 0. */
  index: number;
  /** The `--set` values of this run (the base `--set` values and the swept ones). */
  set: Record<string, string>;
  /** The run's `--seed`. */
  seed: number;
}

/** How a cell's run went. */
export interface CellResult {
  /** The cell that ran. */
  cell: Cell;
  /** The child's exit code (0 passed, 1 failed, 2 usage, 3 could not run, 128+N signal). */
  exitCode: number;
  /** Its parsed `--json` report, or null if it wrote none (it crashed, or nothing ran). */
  report: RunReport | null;
  /** The last lines of its stderr. */
  stderrTail: string;
  /** Wall time of the child process, ms. */
  wallMs: number;
  /** What stopped it early: its `timeoutMs`, its `signal`, or null when it ended on its own. */
  stoppedBy: "timeout" | "abort" | null;
}

/** Options for {@linkcode runCell}. */
export interface RunCellOptions {
  /** Working directory of the child (where a relative scenario path starts). @default {Deno.cwd()} */
  cwd?: string;
  /** Time allowed, ms; then the child is stopped (SIGTERM, then SIGKILL). @default {Infinity} */
  timeoutMs?: number;
  /** Aborting it stops the child the same way. @default {undefined} */
  signal?: AbortSignal;
  /** Where the child writes its `--json` report (kept); by default a temporary file, removed. */
  reportPath?: string;
  /** Directory for the child's stdout (its text report) and stderr; by default a temporary one, removed. */
  logDir?: string;
  /** `--keep-logs N` for the child (how many runs' `.wedge/logs` directories stay). @default {its own default} */
  keepLogs?: number;
}

// A stopped run prints its partial report and stops its servers: time for that before SIGKILL.
const STOP_GRACE_MS = 10_000;

/**
 * The argv of a cell's child: Deno running cli/main.ts (with wedge's deno.json) on the cell's
 * `--set` values and seed, its report to `reportPath`, quiet, with the exploration's `--keep-logs`.
 *
 * @param scenario The scenario's name or path, as given.
 * @param cell The cell.
 * @param options `reportPath`: where the child writes its `--json` report; `keepLogs`: its
 *   `--keep-logs`, when given.
 * @returns The argv, program first.
 *
 * @example
 * ```ts
 * import { cellArgv } from "./run_cell.ts";
 * import assert from "node:assert/strict";
 *
 * const argv = cellArgv("hang-mre-ok", { index: 0, set: { nclients: "5" }, seed: 3 }, { reportPath: "/tmp/r.json" });
 * assert.equal(argv[0], Deno.execPath());
 * assert.deepEqual(argv.slice(-8), ["hang-mre-ok", "--set", "nclients=5", "--seed", "3", "--json", "/tmp/r.json", "--quiet"]);
 * ```
 */
export function cellArgv(
  scenario: string,
  cell: Cell,
  options: { reportPath: string; keepLogs?: number },
): string[] {
  const main = new URL("../cli/main.ts", import.meta.url);
  const local = main.protocol === "file:";
  const config = local ? fileURLToPath(new URL("../deno.json", import.meta.url)) : null;
  const configFlags = config && existsSync(config) ? ["--config", config] : [];
  const sets = Object.entries(cell.set).flatMap(([k, v]) => ["--set", `${k}=${v}`]);
  return [
    Deno.execPath(),
    "run",
    "--allow-all",
    ...configFlags,
    local ? fileURLToPath(main) : main.href,
    scenario,
    ...sets,
    "--seed",
    String(cell.seed),
    ...(options.keepLogs === undefined ? [] : ["--keep-logs", String(options.keepLogs)]),
    "--json",
    options.reportPath,
    "--quiet",
  ];
}

/**
 * Runs one cell as a child process and reads its report back.
 *
 * @param scenario The scenario's name or path, as the CLI takes it (relative to `options.cwd`).
 * @param cell The `--set` values and seed.
 * @param options Working directory, time allowed, abort signal, where the report goes.
 * @returns How it went; never rejects for what the child did (a crash is an exit code and a null
 *   report).
 * @throws {SpawnError} If Deno itself cannot be started.
 *
 * @example
 * ```ts ignore
 * import { runCell } from "./run_cell.ts";
 *
 * const result = await runCell("hang-mre-ok", {
 *   index: 0,
 *   set: { nrequests: "2000" },
 *   seed: 1,
 * }, { timeoutMs: 60_000 });
 * console.log(result.exitCode, result.report?.requestsPerSecond);
 * ```
 */
export async function runCell(
  scenario: string,
  cell: Cell,
  options: RunCellOptions = {},
): Promise<CellResult> {
  const temp = await Deno.makeTempDir({ prefix: "wedge-cell-" });
  const reportPath = options.reportPath ?? join(temp, "report.json");
  await Deno.remove(reportPath).catch(() => {}); // never read a stale report
  const started = performance.now();
  try {
    const child = await spawnSupervised(
      cellArgv(scenario, cell, { reportPath, keepLogs: options.keepLogs }),
      {
        logDir: options.logDir ?? temp,
        logName: `cell-${cell.index}`,
        cwd: options.cwd ?? null,
      },
    );
    let stoppedBy: CellResult["stoppedBy"] = null;
    try {
      await deadline(child.status, options.timeoutMs ?? Infinity, { signal: options.signal });
    } catch (error) {
      stoppedBy = isTimeout(error) ? "timeout" : "abort";
      await child.stop({ timeoutMs: STOP_GRACE_MS });
    }
    const exit = await child.exited;
    const exitCode = exit.code;
    const report = await readReport(reportPath);
    const wallMs = performance.now() - started;
    return { cell, exitCode, report, stderrTail: exit.stderrTail, wallMs, stoppedBy };
  } finally {
    await Deno.remove(temp, { recursive: true }).catch(() => {});
  }
}

/** The report a child wrote, or null when it wrote none (or not a whole one). */
async function readReport(path: string): Promise<RunReport | null> {
  try {
    const report = JSON.parse(await Deno.readTextFile(path));
    return report?.schema === "wedge.report" ? report as RunReport : null;
  } catch {
    return null;
  }
}
