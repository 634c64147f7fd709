/**
 * What one run of an exploration showed, in a line: its outcome, first failing assertion,
 * req/s, p99, longest stall, peak fds and RSS, and the command that replays it. Pure.
 *
 * @module
 */

import { answeredPerSecond, onlyOwnClients } from "../report/own_clients.ts";
import type { RunOutcome } from "../report/types.ts";
import { shellQuote } from "../report/replay_command.ts";
import type { Cell, CellResult } from "./run_cell.ts";

/** One run, summarised; null where the run did not tell (no report). */
export interface RunLine {
  /** The cell's index. */
  index: number;
  /** Its seed. */
  seed: number;
  /** Its `--set` values. */
  set: Record<string, string>;
  /** The child's exit code. */
  exitCode: number;
  /** Exit 0: every assertion held. */
  passed: boolean;
  /** How its load ended, or null without a report. */
  outcome: RunOutcome | null;
  /** Its first failing assertion (`name: measured`), or why it has no report; null when it passed. */
  firstFailure: string | null;
  /** Completed requests per second. */
  requestsPerSecond: number | null;
  /** p99 latency, ms (null when no request got a response). */
  p99Ms: number | null;
  /** Longest stall, ms (0 when there was none). */
  longestStallMs: number | null;
  /** Peak open fds of the runtime process. */
  peakFds: number | null;
  /** Peak RSS of the runtime process, bytes. */
  peakRssBytes: number | null;
  /** Wall time of the run's process, ms. */
  wallMs: number;
}

/**
 * Summarises a run.
 *
 * @param result The cell's result.
 * @returns Its line; what the run did not report is null.
 *
 * @example
 * ```ts
 * import { runLine } from "./run_line.ts";
 * import assert from "node:assert/strict";
 *
 * const cell = { index: 0, set: {}, seed: 1 };
 * const line = runLine({ cell, exitCode: 3, report: null, stderrTail: "wedge: no server\n", wallMs: 9, stoppedBy: null });
 * assert.equal(line.firstFailure, "exit 3: wedge: no server");
 * assert.equal(line.requestsPerSecond, null);
 * ```
 */
export function runLine(result: CellResult): RunLine {
  const { cell, exitCode, report, wallMs } = result;
  const base = { index: cell.index, seed: cell.seed, set: cell.set, exitCode, wallMs };
  const passed = exitCode === 0;
  if (report === null) {
    return {
      ...base,
      passed,
      outcome: null,
      firstFailure: passed ? null : whyNoReport(result),
      requestsPerSecond: null,
      p99Ms: null,
      longestStallMs: null,
      peakFds: null,
      peakRssBytes: null,
    };
  }
  const failing = report.assertions.find((a) => !a.pass);
  const stall = report.longestStallByProgress?.completions ?? report.longestStall ?? null;
  return {
    ...base,
    passed,
    outcome: report.outcome,
    firstFailure: passed
      ? null
      : failing
      ? `${failing.name}: ${failing.measured}`
      : `exit ${exitCode}: ${report.outcomeDetail}`,
    // The user's own clients alone: what the servers answered a second (null where uncountable).
    requestsPerSecond: onlyOwnClients(report)
      ? answeredPerSecond(report)
      : report.requestsPerSecond,
    p99Ms: report.latency.count > 0 ? report.latency.percentiles.p99 : null,
    longestStallMs: stall?.durationMs ?? 0,
    peakFds: report.process.peakOpenFds,
    peakRssBytes: report.process.peakRssBytes,
  };
}

/** Why a run left no report: what stopped it, else its last stderr line. */
function whyNoReport(result: CellResult): string {
  if (result.stoppedBy === "timeout") return `exit ${result.exitCode}: stopped at its time limit`;
  const last = result.stderrTail.trim().split("\n").at(-1) ?? "";
  return `exit ${result.exitCode}: ${last || "no report and nothing on stderr"}`;
}

/**
 * The command that replays a cell: the scenario as given, its seed and its `--set` values.
 *
 * @param scenario The scenario's name or path, as given.
 * @param cell The cell.
 * @returns A POSIX shell command line.
 *
 * @example
 * ```ts
 * import { replayLine } from "./run_line.ts";
 * import assert from "node:assert/strict";
 *
 * const line = replayLine("hang-server", { index: 2, set: { label: "a b" }, seed: 9 });
 * assert.equal(line, "deno task scenario hang-server --seed 9 --set 'label=a b'");
 * ```
 */
export function replayLine(scenario: string, cell: Cell): string {
  const sets = Object.entries(cell.set).map(([k, v]) => `--set ${shellQuote(`${k}=${v}`)}`);
  return ["deno task scenario", shellQuote(scenario), `--seed ${cell.seed}`, ...sets].join(" ");
}
