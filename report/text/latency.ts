/**
 * The latency section of the text report: the response time histogram, the percentiles (side by
 * side with service time and queue wait in an open model), and an open model's achieved rate.
 *
 * @module
 */

import { formatDuration } from "../../units/duration.ts";
import type { LatencySummary, RateReport, RunReport } from "../types.ts";
import { bar } from "./_format.ts";

/**
 * Renders the histogram and percentiles (nothing when no request got a response), then the rate
 * of an open model.
 *
 * @param report The parts of the run report the section reads.
 * @returns Lines of text, each part after a blank line.
 *
 * @example
 * ```ts
 * import { renderLatency } from "./latency.ts";
 * import assert from "node:assert/strict";
 *
 * const latency = {
 *   count: 2, min: 1, mean: 1.5, max: 2, stdev: 0.5,
 *   percentiles: { p50: 1, p75: 2, p90: 2, p95: 2, p99: 2, "p99.9": 2 },
 *   histogram: [{ le: 1, count: 1 }, { le: 2, count: 1 }],
 * };
 * const lines = renderLatency({ latency, latencyBreakdown: null, rate: null });
 * assert.ok(lines.includes("Response time histogram:"));
 * assert.ok(lines.includes("     50% in 1.00ms"));
 * ```
 */
export function renderLatency(
  report: Pick<RunReport, "latency" | "latencyBreakdown" | "rate">,
): string[] {
  const lines: string[] = [];
  const l = report.latency;
  if (l.count > 0) {
    lines.push("");
    lines.push("Response time histogram:");
    lines.push(...histogram(l));
    lines.push("");
    lines.push(...percentiles(l, report.latencyBreakdown));
  }
  if (report.rate) {
    const r = report.rate;
    lines.push("");
    lines.push(
      `Rate: ${r.achievedPerSecond.toFixed(1)}/s sent of ${
        r.targetPerSecond.toFixed(1)
      }/s scheduled (${
        (r.achieved * 100).toFixed(2)
      }%: ${r.sent} of ${r.scheduled}); ${r.late} late (sent 10ms+ after their time), ${r.dropped} dropped (over maxInFlight)`,
    );
    lines.push(...lateness(r));
  }
  return lines;
}

/** Why requests went late: busy connections or the generator itself, and how late it woke. */
function lateness(r: RateReport): string[] {
  const lines: string[] = [];
  if (r.lateBusy !== undefined && r.late > 0) {
    lines.push(
      `  of the late: ${r.lateBusy} found every connection of their client busy (the server's pace, or too few connections: raise concurrency), ${
        r.late - r.lateBusy
      } were wedge's own lateness`,
    );
  }
  const wake = r.wakeLatenessMs;
  if (wake) {
    lines.push(
      `  wedge's own send lateness (${wake.count} requests a free connection waited for): p50 ${
        formatDuration(wake.p50)
      }, p99 ${formatDuration(wake.p99)}, max ${formatDuration(wake.max)}`,
    );
  }
  return lines;
}

/** One line per bucket: its bound, its count and a bar. */
function histogram(l: LatencySummary): string[] {
  const max = Math.max(...l.histogram.map((b) => b.count));
  const labels = l.histogram.map((b) => formatDuration(b.le));
  const labelWidth = Math.max(...labels.map((s) => s.length));
  const countWidth = Math.max(...l.histogram.map((b) => String(b.count).length));
  return l.histogram.map((b, i) =>
    `  ${labels[i].padStart(labelWidth)} [${String(b.count).padEnd(countWidth)}] |${
      bar(b.count, max)
    }`
  );
}

/** A latency figure, or n/a where none was recorded. */
function orNa(ms: number | null): string {
  return ms === null ? "n/a" : formatDuration(ms);
}

/** The percentiles; in an open model the three latencies side by side (the histogram is the corrected one). */
function percentiles(l: LatencySummary, b: RunReport["latencyBreakdown"]): string[] {
  const lines: string[] = [];
  if (!b) {
    lines.push("Response time distribution:");
    for (const [key, value] of Object.entries(l.percentiles)) {
      lines.push(`  ${key.slice(1).padStart(5)}% in ${orNa(value)}`);
    }
    return lines;
  }
  lines.push(
    "Response time distribution (corrected: from the intended send time; service: from the actual send; queue: the wait between):",
  );
  lines.push(
    `  ${"".padStart(6)}  ${"corrected".padStart(10)} ${"service".padStart(10)} ${
      "queue".padStart(10)
    }`,
  );
  for (const key of Object.keys(l.percentiles) as (keyof typeof l.percentiles)[]) {
    lines.push(
      `  ${(key.slice(1) + "%").padStart(6)}  ${orNa(b.corrected.percentiles[key]).padStart(10)} ${
        orNa(b.service.percentiles[key]).padStart(10)
      } ${orNa(b.queue.percentiles[key]).padStart(10)}`,
    );
  }
  return lines;
}
