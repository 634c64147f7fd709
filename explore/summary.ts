/**
 * An exploration's results gathered: one row per grid point (pass rate, outcomes, req/s, p99 from
 * the runs' HDR histograms merged exactly, peaks, first failing assertion) and the summary (passed
 * n of K, the failure rate's 95% Wilson interval, the failing seeds with their replay commands,
 * the verdict). The same for a local sweep and for `wedge merge`. Pure.
 *
 * @module
 */

import { LatencyHistogram } from "../report/latency_histogram.ts";
import { cellCount, type ExplorePlan, gridPoints, pointIndex } from "./cells.ts";
import type { CellResult } from "./run_cell.ts";
import { replayLine, type RunLine, runLine } from "./run_line.ts";
import { wilsonInterval } from "./wilson.ts";

/** One grid point's runs, gathered. */
export interface CellRow {
  /** The swept params' values at this point (empty without `--sweep`). */
  point: Record<string, string>;
  /** Runs that ended (with or without a report). */
  runs: number;
  /** Runs that passed. */
  passed: number;
  /** passed / runs, or null without runs. */
  passRate: number | null;
  /** How the runs ended: `completed`, or e.g. `stalled 3, completed 2` (`exit N` without a report). */
  outcome: string;
  /** Mean req/s of the runs that reported it. */
  requestsPerSecond: number | null;
  /** p99 of every response of the point's runs, ms, from their histograms merged. */
  p99Ms: number | null;
  /** Largest peak of open fds. */
  peakFds: number | null;
  /** Largest peak RSS, bytes. */
  peakRssBytes: number | null;
  /** Longest stall, ms. */
  longestStallMs: number | null;
  /** The most frequent first failing assertion's name (with one run's measure), or null. */
  firstFailure: string | null;
}

/** A failing run and how to replay it. */
export interface FailingRun {
  /** The cell's index. */
  index: number;
  /** Its seed. */
  seed: number;
  /** Its first failing assertion, or why it has no report. */
  failure: string;
  /** The command that replays it. */
  replay: string;
}

/** The verdict over every run. */
export interface ExploreSummary {
  /** Cells the plan has. */
  planned: number;
  /** Runs that ended. */
  runs: number;
  /** Runs that passed. */
  passed: number;
  /** failed / runs, or null without runs. */
  failureRate: number | null;
  /** The failure rate's 95% Wilson interval, or null without runs. */
  failureInterval: { low: number; high: number } | null;
  /** The `--pass-rate` asked for, or null: every run must pass. */
  requiredPassRate: number | null;
  /** Every failing run. */
  failing: FailingRun[];
  /**
   * The failing runs' own programs (command and external server fleets, command client fleets):
   * a seed replays wedge's random choices, not theirs. Absent in summaries from before 2026-12-01.
   */
  notReplayed?: string[];
  /** Cells with no run (stopped early, or no report to merge). */
  missing: number[];
  /** True when every planned run passed, or the pass rate met `requiredPassRate`. */
  ok: boolean;
}

/**
 * Gathers the runs of each grid point into a row.
 *
 * @param plan The exploration.
 * @param results The runs that ended, in any order.
 * @returns One row per grid point, in grid order (points without runs have `runs: 0`).
 *
 * @example
 * ```ts
 * import { cellRows } from "./summary.ts";
 * import assert from "node:assert/strict";
 *
 * const plan = { scenario: "s", set: {}, sweep: [{ key: "n", values: ["1", "2"] }], repeat: 1, seed: 1, sameSeed: false };
 * const result = { cell: { index: 1, set: { n: "2" }, seed: 1 }, exitCode: 3, report: null, stderrTail: "", wallMs: 1, stoppedBy: null };
 * const rows = cellRows(plan, [result]);
 * assert.deepEqual([rows[0].runs, rows[1].runs, rows[1].outcome], [0, 1, "exit 3"]);
 * ```
 */
export function cellRows(plan: ExplorePlan, results: readonly CellResult[]): CellRow[] {
  const byPoint = gridPoints(plan.sweep).map(() => [] as CellResult[]);
  for (const result of results) byPoint[pointIndex(plan, result.cell.index)]?.push(result);
  return gridPoints(plan.sweep).map((point, p) => row(point, byPoint[p]));
}

function row(point: Record<string, string>, results: CellResult[]): CellRow {
  const lines = results.map(runLine);
  const passed = lines.filter((l) => l.passed).length;
  const rates = known(lines.map((l) => l.requestsPerSecond));
  return {
    point,
    runs: lines.length,
    passed,
    passRate: lines.length ? passed / lines.length : null,
    outcome: outcomes(lines),
    requestsPerSecond: rates.length ? rates.reduce((a, b) => a + b, 0) / rates.length : null,
    p99Ms: mergedP99(results),
    peakFds: largest(lines.map((l) => l.peakFds)),
    peakRssBytes: largest(lines.map((l) => l.peakRssBytes)),
    longestStallMs: largest(lines.map((l) => l.longestStallMs)),
    firstFailure: mostFrequentFailure(lines),
  };
}

/**
 * The p99 of every response of these runs, from their encoded HDR histograms added together;
 * null when no run had a response, or one that had responses carries no histogram.
 *
 * @param results The runs.
 * @returns Milliseconds, or null.
 *
 * @example
 * ```ts
 * import { LatencyHistogram } from "../report/latency_histogram.ts";
 * import { mergedP99 } from "./summary.ts";
 * import assert from "node:assert/strict";
 *
 * const h = new LatencyHistogram();
 * h.recordMs(10);
 * const report = { latency: { count: 1 }, latencyHistogram: h.encode() };
 * // deno-lint-ignore no-explicit-any
 * assert.ok(Math.abs(mergedP99([{ report } as any])! - 10) < 0.01);
 * ```
 */
export function mergedP99(results: readonly Pick<CellResult, "report">[]): number | null {
  const merged = new LatencyHistogram();
  for (const { report } of results) {
    if (!report || report.latency.count === 0) continue;
    if (!report.latencyHistogram) return null;
    merged.addDelta(report.latencyHistogram);
  }
  return merged.count === 0 ? null : merged.percentileMs(99);
}

function known(values: (number | null)[]): number[] {
  return values.filter((v): v is number => v !== null);
}

function largest(values: (number | null)[]): number | null {
  const k = known(values);
  return k.length ? Math.max(...k) : null;
}

/** `completed`, or `stalled 3, completed 2`, most frequent first; `exit N` without a report. */
function outcomes(lines: RunLine[]): string {
  if (lines.length === 0) return "not run";
  const counts = new Map<string, number>();
  for (const l of lines) {
    const key = l.outcome ?? `exit ${l.exitCode}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  if (counts.size === 1) return [...counts.keys()][0];
  return [...counts].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(", ");
}

/** The failure most runs failed with first (by assertion name), with the first such measure. */
function mostFrequentFailure(lines: RunLine[]): string | null {
  const failures = lines.flatMap((l) => l.firstFailure ? [l.firstFailure] : []);
  if (failures.length === 0) return null;
  const name = (f: string) => f.split(":")[0];
  const counts = new Map<string, number>();
  for (const f of failures) counts.set(name(f), (counts.get(name(f)) ?? 0) + 1);
  const top = [...counts].sort((a, b) => b[1] - a[1])[0][0];
  const example = failures.find((f) => name(f) === top)!;
  return counts.size === 1 ? example : `${example} (+${failures.length - counts.get(top)!} other)`;
}

/** The fleets of the runs' own programs, whose random choices a seed does not replay. */
function ownPrograms(results: readonly CellResult[]): string[] {
  const names = results.flatMap(({ report }) => [
    ...(report?.servers ?? []).filter((s) =>
      s.placement === "command" || s.placement === "external"
    )
      .map((s) => s.fleet),
    ...(report?.commandClients?.processes ?? []).map((p) => p.fleet),
  ]);
  return [...new Set(names)];
}

/**
 * The verdict over every run.
 *
 * @param plan The exploration.
 * @param results The runs that ended.
 * @param options The `--pass-rate` required (null: all must pass) and which cells were planned
 *   (default: all of the plan's).
 * @returns The summary.
 *
 * @example
 * ```ts
 * import { exploreSummary } from "./summary.ts";
 * import assert from "node:assert/strict";
 *
 * const plan = { scenario: "hang-server", set: {}, sweep: [], repeat: 2, seed: 5, sameSeed: false };
 * const run = (index: number, exitCode: number) => ({ cell: { index, set: {}, seed: 5 + index }, exitCode, report: null, stderrTail: "", wallMs: 1, stoppedBy: null });
 * const summary = exploreSummary(plan, [run(0, 0), run(1, 1)], { requiredPassRate: null });
 * assert.equal(summary.ok, false);
 * assert.equal(summary.failing[0].replay, "deno task scenario hang-server --seed 6");
 * ```
 */
export function exploreSummary(
  plan: ExplorePlan,
  results: readonly CellResult[],
  options: { requiredPassRate: number | null; planned?: number[] },
): ExploreSummary {
  const planned = options.planned ?? Array.from({ length: cellCount(plan) }, (_, i) => i);
  const done = new Set(results.map((r) => r.cell.index));
  const lines = [...results].sort((a, b) => a.cell.index - b.cell.index).map((r) => ({
    result: r,
    line: runLine(r),
  }));
  const passed = lines.filter(({ line }) => line.passed).length;
  const runs = lines.length;
  const missing = planned.filter((i) => !done.has(i));
  const required = options.requiredPassRate;
  const ok = runs > 0 &&
    (required === null ? passed === runs && missing.length === 0 : passed / runs >= required);
  return {
    planned: planned.length,
    runs,
    passed,
    failureRate: runs ? (runs - passed) / runs : null,
    failureInterval: wilsonInterval(runs - passed, runs),
    requiredPassRate: required,
    failing: lines.filter(({ line }) => !line.passed).map(({ result, line }) => ({
      index: line.index,
      seed: line.seed,
      failure: line.firstFailure ?? `exit ${line.exitCode}`,
      replay: replayLine(plan.scenario, result.cell),
    })),
    notReplayed: ownPrograms(lines.filter(({ line }) => !line.passed).map((l) => l.result)),
    missing,
    ok,
  };
}
