/**
 * The summary section of the text report, first on the page: the scenario and its shape, the
 * success rate, timings, request counts and outcome, loops that were blocked, the longest pause,
 * and the throughput line.
 *
 * @module
 */

import { formatDuration } from "../../units/duration.ts";
import type { RunReport } from "../types.ts";
import { pad } from "./_format.ts";

/**
 * Renders the scenario's header and the summary, ending with the throughput line.
 *
 * @param report The run report.
 * @returns Lines of text.
 *
 * @example
 * ```ts ignore
 * import { defineScenario, hello, runScenario } from "../../mod.ts";
 * import { renderSummary } from "./summary.ts";
 *
 * const report = await runScenario(defineScenario({
 *   name: "tiny", description: "one hello server",
 *   servers: [{ behavior: hello() }], clients: [{ requests: 10 }],
 * }));
 * console.log(renderSummary(report).join("\n")); // "tiny: one hello server", ..., "Throughput: ..."
 * ```
 */
export function renderSummary(report: RunReport): string[] {
  const lines: string[] = [];
  const t = report.totals;
  const l = report.latency;
  const seconds = report.durationMs / 1000;
  const params = Object.entries(report.scenario.params).map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(" ");

  lines.push(`${report.scenario.name}: ${report.scenario.description}`);
  if (params) lines.push(`params: ${params}`);
  lines.push(
    `shape: ${report.shape.servers} servers, ${report.shape.clients} clients on ${report.shape.workers} worker threads, ${report.shape.concurrency} requests in flight at most; seed ${report.seed}`,
  );
  lines.push("");
  lines.push("Summary:");
  lines.push(`  ${pad("Success rate")}${successLine(report)}`);
  lines.push(`  ${pad("Total")}${seconds.toFixed(4)} secs`);
  // No latency recorded (no response): unknown, not 0us.
  // (Reports from before 2026-12-01 wrote 0 for these.)
  const latency = (ms: number | null) =>
    ms === null || l.count === 0 ? "n/a (no response)" : formatDuration(ms);
  lines.push(`  ${pad("Slowest")}${latency(l.max)}`);
  lines.push(`  ${pad("Fastest")}${latency(l.min)}`);
  lines.push(`  ${pad("Average")}${latency(l.mean)}`);
  const perSecond = report.requestsPerSecond?.toFixed(1) ?? "n/a";
  lines.push(`  ${pad("Requests/sec")}${perSecond}`);
  lines.push(
    `  ${pad("Requests")}${t.completed} completed of ${t.planned ?? t.sent} ${
      t.planned === null ? "sent" : "planned"
    }; ${t.ok} ok, ${t.errors} errors, ${t.inFlight ?? "n/a"} in flight at the end${
      t.abandoned ? `, ${t.abandoned} abandoned by timeouts without cancel` : ""
    }${t.retried ? `, ${t.retried} retried (pooled connection found closed before writing)` : ""}`,
  );
  lines.push(`  ${pad("Outcome")}${report.outcome} (${report.outcomeDetail})`);
  lines.push(...blockedLoops(report), ...longestPause(report));
  lines.push("");
  lines.push(
    `Throughput: ${perSecond} request/s [${t.completed} in ${seconds.toFixed(3)}s]`,
  );
  return lines;
}

/** An event loop blocked for half a second or more ran nothing meanwhile (eventLoops in JSON). */
function blockedLoops(report: RunReport): string[] {
  const lines: string[] = [];
  for (const e of report.eventLoops ?? []) {
    if (e.maxLagMs === null || e.maxLagAtMs === null || e.maxLagMs < 500) continue;
    lines.push(
      `  ${pad("Blocked loop")}${e.thread} blocked for ${formatDuration(e.maxLagMs)} (${
        e.maxLagAtMs < 0 ? "before the load" : `from ${formatDuration(e.maxLagAtMs)} into the load`
      }${e.blockedAtEndMs !== null ? ", still blocked as the load ended" : ""})`,
    );
  }
  return lines;
}

/** The longest pause in completions of a run that did not stall, against the stall bound. */
function longestPause(report: RunReport): string[] {
  const longest = report.longestStallByProgress.completions;
  if (!longest || report.stall) return [];
  const bound = report.watchdog?.boundMs ?? null;
  const pause = longest.durationMs;
  return [
    `  ${pad("Longest pause", 15)}${formatDuration(pause)} (from ${
      formatDuration(longest.fromMs)
    } into the load; ${
      bound === null
        ? "no stall bound was set"
        : pause < bound
        ? `no stall: bound ${formatDuration(bound)}`
        : `STALL: bound ${formatDuration(bound)}`
    })`,
  ];
}

/**
 * The headline's success rate. A run that did not finish (stalled, time limit, aborted, a server
 * exited) never headlines the share of completed requests alone: it says how it ended and the
 * share of the planned requests that were answered ok.
 */
function successLine(report: RunReport): string {
  const t = report.totals;
  // Nothing completed: a share of nothing is unknown, not 0%.
  const rate = `${((report.successRate ?? 0) * 100).toFixed(2)}%`; // used only when some completed
  if (report.outcome === "completed") {
    // A duration's grace ran out: what was still in flight was stopped, never answered.
    const stopped = t.inFlight ?? 0;
    const cut = stopped > 0
      ? `${stopped} of ${t.sent} sent were stopped in flight, unanswered`
      : null;
    if (t.completed === 0) return `n/a (nothing completed${cut ? `; ${cut}` : ""})`;
    return cut ? `${rate} of the ${t.completed} completed (${cut})` : rate;
  }
  const ofCompleted = t.completed > 0
    ? `${rate} of the ${t.completed} completed`
    : "none completed";
  const ended = report.outcome.toUpperCase();
  if (t.planned === null || t.planned === 0) {
    return `${ofCompleted} (${ended}: ${t.inFlight ?? "n/a"} in flight never completed)`;
  }
  return `${
    ((t.ok / t.planned) * 100).toFixed(2)
  }% of the ${t.planned} planned requests ok (${ended}; ${ofCompleted})`;
}
