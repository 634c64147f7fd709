/**
 * The HTML report's charts that are not on the time axis: the latency histogram, the latency
 * percentile curve (corrected, service and queue in an open model) and the memory reading after
 * each load of a repeated run. Pure.
 *
 * @module
 */

import type { LatencySummary, MemoryReport, RunReport } from "../types.ts";
import { type ChartSpec, seriesColor } from "./chart_spec.ts";

const PERCENTILES = ["p50", "p75", "p90", "p95", "p99", "p99.9"] as const;

/**
 * The latency histogram (the report's linear buckets) and the percentile curve.
 *
 * @param report The run report.
 * @returns Two charts; with no latency recorded, none.
 *
 * @example
 * ```ts
 * import { latencyCharts } from "./other_charts.ts";
 * import { reportFixture } from "../../tests/_report_fixture.ts";
 * import assert from "node:assert/strict";
 *
 * const [histogram, curve] = latencyCharts(reportFixture());
 * assert.deepEqual(histogram.data, [[40, 80], [980, 10]]);
 * assert.equal(curve.data[0].length, 6);
 * ```
 */
export function latencyCharts(
  report: Pick<RunReport, "latency" | "latencyBreakdown">,
): ChartSpec[] {
  const { latency, latencyBreakdown } = report;
  if (latency.count === 0) return [];
  const histogram: ChartSpec = {
    id: "latency-histogram",
    title: "Latency histogram (requests per bucket, by the bucket's upper bound)",
    axis: "latency",
    unit: "count",
    series: [{ label: "requests", color: seriesColor(0), bars: true }],
    data: [latency.histogram.map((b) => b.le), latency.histogram.map((b) => b.count)],
    notes: latencyBreakdown ? ["open model: the histogram is of corrected latency"] : [],
  };
  const curves: [string, LatencySummary][] = latencyBreakdown
    ? [
      ["corrected (from the intended send)", latencyBreakdown.corrected],
      ["service (from the actual send)", latencyBreakdown.service],
      ["queue (intended to actual send)", latencyBreakdown.queue],
    ]
    : [["latency", latency]];
  const curve: ChartSpec = {
    id: "latency-percentiles",
    title: "Latency percentiles",
    axis: "percentile",
    unit: "ms",
    series: curves.map(([label], i) => ({ label, color: seriesColor(i) })),
    // -log10(1 - p): p90 at 1, p99 at 2, p99.9 at 3, so the tail gets room.
    data: [
      PERCENTILES.map((p) => +(-Math.log10(1 - Number(p.slice(1)) / 100)).toFixed(4)),
      ...curves.map(([, summary]) => PERCENTILES.map((p) => summary.percentiles[p])),
    ],
    notes: [],
  };
  return [histogram, curve];
}

/**
 * The memory reading of each process after each load of a repeated run, with each judged
 * process's baseline (the reading the verdict measures from) dashed. wedge's own process is left
 * out unless a memory assertion judges it (or it is the only one): it would squash the servers.
 *
 * @param memory The run's memory.
 * @returns The chart, or null for a single load.
 *
 * @example
 * ```ts
 * import { memoryCheckpointChart } from "./other_charts.ts";
 * import assert from "node:assert/strict";
 *
 * const chart = memoryCheckpointChart({
 *   intervalMs: 250,
 *   processes: [{ name: "app[0]", role: "command", pid: 9, fleet: "app", peakRssBytes: null }],
 *   timeline: [],
 *   rounds: { warmup: 1, iterations: 2, settleMs: 1000 },
 *   checkpoints: [0, 1, 2, 3].map((round) => ({ round, atMs: round * 1000, completed: round * 10, rssBytes: [round + 10] })),
 * });
 * assert.deepEqual(chart?.data, [[0, 1, 2, 3], [10, 11, 12, 13], [11, 11, 11, 11]]);
 * ```
 */
export function memoryCheckpointChart(memory: MemoryReport): ChartSpec | null {
  if (!memory.rounds || memory.checkpoints.length === 0) return null;
  const { warmup } = memory.rounds;
  const base = memory.checkpoints.find((c) => c.round === warmup);
  const spec: ChartSpec = {
    id: "memory-rounds",
    title: `RSS after each load (${warmup} warm-up; the dashed line is the baseline after it)`,
    axis: "round",
    unit: "bytes",
    series: [],
    data: [memory.checkpoints.map((c) => c.round)],
    notes: [],
  };
  const onlyRuntime = memory.processes.every((p) => p.role === "runtime");
  memory.processes.forEach((p, i) => {
    if (p.role === "runtime" && !memory.runtimeJudged && !onlyRuntime) {
      // wedge's own clients, never judged here: drawn, they would squash the judged servers.
      spec.notes.push(`${p.name}: wedge's own process, not judged, left out (its RSS is above)`);
      return;
    }
    const values = memory.checkpoints.map((c) => c.rssBytes[i]);
    if (values.every((v) => v === null)) {
      spec.notes.push(`${p.name}: no reading (n/a)`);
      return;
    }
    const color = seriesColor(i);
    spec.series.push({ label: p.name, color });
    spec.data.push(values);
    const judged = p.role !== "runtime" || memory.runtimeJudged || onlyRuntime;
    const baseline = base?.rssBytes[i] ?? null;
    if (judged && baseline !== null) {
      spec.series.push({ label: `${p.name} baseline`, color, dashed: true });
      spec.data.push(values.map(() => baseline));
    }
  });
  return spec;
}
