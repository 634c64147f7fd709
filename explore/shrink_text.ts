/**
 * What `--shrink` prints: a line per probe as it ends, then the summary (the minimal shape and its
 * command, how sure the result is, the minimized scenario file). Pure.
 *
 * @module
 */

import { formatDuration } from "../units/duration.ts";
import {
  type ProbeRecord,
  ruledOutFailRate,
  type ShrinkAxis,
  type ShrinkParams,
  type ShrinkResult,
} from "./shrink.ts";

/**
 * The params of a shape as `k=v` words.
 *
 * @param params The shape.
 * @param names The params to show, in that order.
 * @returns E.g. `nservers=7 nclients=1`.
 *
 * @example
 * ```ts
 * import { shapeText } from "./shrink_text.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(shapeText({ a: 1, b: "2s", c: true }, ["b", "a"]), "b=2s a=1");
 * ```
 */
export function shapeText(params: ShrinkParams, names: readonly string[]): string {
  return names.map((k) => `${k}=${params[k]}`).join(" ");
}

/**
 * One probe's line: its number, shape, verdict (runs that failed with the target assertion of
 * runs made), wall time, and the other failures seen (which count as passes).
 *
 * @param n The probe's number, from 1.
 * @param record The probe.
 * @param names The params to show (the axes).
 * @returns E.g. `   3  nservers=20 nclients=40  FAIL 1/1  1.20s`.
 *
 * @example
 * ```ts
 * import { probeLine } from "./shrink_text.ts";
 * import assert from "node:assert/strict";
 *
 * const line = probeLine(2, {
 *   params: { n: 1 }, failing: false, runs: 3, sameFailures: 0, otherFailures: ["exit 3"],
 *   failingSeeds: [], wallMs: 1500,
 * }, ["n"]);
 * assert.equal(line, "   2  n=1  pass 0/3  1.50s  (other failures, counted as passes: exit 3)");
 * ```
 */
export function probeLine(n: number, record: ProbeRecord, names: readonly string[]): string {
  const verdict = `${record.failing ? "FAIL" : "pass"} ${record.sameFailures}/${record.runs}`;
  const other = record.otherFailures.length
    ? `  (other failures, counted as passes: ${record.otherFailures.join(", ")})`
    : "";
  return `${String(n).padStart(4)}  ${shapeText(record.params, names)}  ${verdict}  ${
    formatDuration(record.wallMs)
  }${other}`;
}

/** What the summary needs besides the result. */
export interface ShrinkSummaryInfo {
  /** The axes searched. */
  axes: ShrinkAxis[];
  /** Runs per probe. */
  repeat: number;
  /** `--fail-rate`, or null (any failing run). */
  failRate: number | null;
  /** Why it stopped early: the budget (its text) or a signal; null when it finished. */
  stoppedBy: { budget: string } | { signal: string } | null;
  /** Wall time of the whole search, ms. */
  elapsedMs: number;
  /** The command that replays the minimal shape's failing run. */
  command: string;
  /** The minimized scenario: its path as shown and how to run it, or why it was not written. */
  minFile: { shown: string; builtIn: boolean; run: string } | { problem: string } | null;
}

/**
 * The summary printed after the search.
 *
 * @param result What the search found.
 * @param info Axes, repeat, budget, command, file.
 * @returns Lines of text.
 *
 * @example
 * ```ts ignore
 * io.out(shrinkSummary(result, info).join("\n") + "\n");
 * ```
 */
export function shrinkSummary(result: ShrinkResult, info: ShrinkSummaryInfo): string[] {
  const names = info.axes.map((a) => a.name);
  const runs = result.probes.reduce((n, p) => n + p.runs, 0);
  const how = `${result.probes.length} probes, ${runs} runs, ${
    formatDuration(info.elapsedMs)
  }; ${result.cacheHits} answered from the cache`;
  const stop = info.stoppedBy === null
    ? "done: no param shrinks further"
    : "budget" in info.stoppedBy
    ? `stopped: the budget of ${info.stoppedBy.budget} ended (the best shape so far)`
    : `stopped by ${info.stoppedBy.signal} (the best shape so far)`;
  const lines = [`Shrink ${stop}; ${how}.`];
  if (result.status === "start-passed") {
    lines.push(
      `The starting shape did not fail with an assertion in ${runs} run(s): nothing to shrink.`,
    );
    return lines;
  }
  if (result.bestProbe === null) {
    lines.push("It stopped before the starting shape was judged: nothing found.");
    return lines;
  }
  lines.push(
    `Failing assertion kept: ${result.assertion}`,
    `Minimal:  ${shapeText(result.best, names)}   (from ${shapeText(result.start, names)})`,
    `Replay:   ${info.command}`,
    ...sureLines(result, info),
  );
  const file = info.minFile;
  if (file && "problem" in file) lines.push(`Minimized scenario not written: ${file.problem}`);
  else if (file) {
    lines.push(
      `Minimized scenario: ${file.shown}${
        file.builtIn ? " (in the working directory: the scenario is built in)" : ""
      }; run it: ${file.run}`,
    );
  }
  return lines;
}

/** How sure: the best shape's failures, and what the passes one step below it rule out. */
function sureLines(result: ShrinkResult, info: ShrinkSummaryInfo): string[] {
  const best = result.bestProbe!;
  const seeds = best.failingSeeds.length ? ` (seeds ${best.failingSeeds.join(", ")})` : "";
  const lines = [
    `How sure: the minimal shape failed ${best.sameFailures} of ${best.runs} runs${seeds}.`,
  ];
  if (info.stoppedBy !== null) {
    lines.push("  It may not be minimal: the search stopped before every param was tried again.");
    return lines;
  }
  const below = neighbours(result, info.axes);
  const passed = below.filter((r): r is ProbeRecord => r !== null && r !== "floor" && !r.failing);
  const atFloor = info.axes.filter((_, i) => below[i] === "floor").map((a) => a.name);
  if (passed.length) {
    const fewest = Math.min(...passed.map((r) => r.runs));
    lines.push(
      info.failRate === null
        ? `  Each shape one step smaller passed all its runs (${fewest} or more): a failure rate above ${
          (ruledOutFailRate(fewest) * 100).toFixed(0)
        }%\n  there would have shown 95% of the time; rarer failures can hide there (raise --repeat).`
        : `  Each shape one step smaller failed in fewer than ${
          (info.failRate * 100).toFixed(0)
        }% of its ${fewest}+ runs.`,
    );
  }
  if (atFloor.length) lines.push(`  At their minimum: ${atFloor.join(", ")}.`);
  return lines;
}

/** The probe of the best shape with each axis one step smaller ("floor" at its floor). */
function neighbours(result: ShrinkResult, axes: ShrinkAxis[]): (ProbeRecord | "floor" | null)[] {
  return axes.map((axis) => {
    const value = result.best[axis.name];
    let smaller: unknown;
    if (axis.kind === "numeric") {
      const n = axis.read(value);
      if (n <= axis.floor) return "floor";
      smaller = axis.write(Math.max(axis.floor, n - axis.step));
    } else {
      smaller = axis.simpler.find((v) => v !== value);
      if (smaller === undefined) return "floor";
    }
    const shape = JSON.stringify({ ...result.best, [axis.name]: smaller });
    return result.probes.find((p) => JSON.stringify(p.params) === shape) ?? null;
  });
}
