/**
 * The time charts of the HTML report, from the report's timeline: completions and errors per
 * second, requests in flight, open fds of each process against its limit, RSS of each process,
 * sockets by state with the listen queue, and HTTP/2 streams per server. Pure. A series that is
 * unknown all along (null) is left out and named in the chart's notes, never drawn as 0.
 *
 * @module
 */

import type { ErrorClass } from "../types/requests.ts";
import type { TcpState } from "../readings.ts";
import { type ChartSpec, seriesColor, type SeriesSpec } from "./chart_spec.ts";
import type { RunReport as Report, TimelinePoint as Point } from "../types.ts";

type Values = (number | null)[];

/**
 * Every time chart of a report, on one axis: seconds since the load started.
 *
 * @param report The run report (older reports without per-process fields draw what they have).
 * @returns Charts in page order; a chart with no known series has no series and says why.
 *
 * @example
 * ```ts
 * import { timelineCharts } from "./timeline_charts.ts";
 * import { reportFixture } from "../../tests/_report_fixture.ts";
 * import assert from "node:assert/strict";
 *
 * const charts = timelineCharts(reportFixture());
 * assert.equal(charts[0].id, "throughput");
 * assert.deepEqual(charts[0].data[0], [1]);
 * ```
 */
export function timelineCharts(report: Report): ChartSpec[] {
  const points = report.timeline;
  const x = points.map((p) => p.atMs / 1000);
  return [
    throughputChart(points, x),
    chart("inflight", "Requests in flight", "count", x, [[
      "in flight",
      points.map((p) => p.inFlight),
    ]]),
    fdsChart(report, x),
    rssChart(report, x),
    socketsChart(points, x),
    streamsChart(report, x),
  ];
}

/** Completions per second and errors per second by class (all errors, in older reports). */
function throughputChart(points: Point[], x: number[]): ChartSpec {
  const lines: [string, Values][] = [["completed/s", perSecond(points, (p) => p.completed)]];
  const classes = new Set<ErrorClass>();
  for (const p of points) {
    for (const c of Object.keys(p.errorsByClass ?? {})) classes.add(c as ErrorClass);
  }
  if (points.some((p) => p.errorsByClass)) {
    for (const c of classes) {
      lines.push([
        `errors/s: ${c}`,
        perSecond(points, (p) => p.errorsByClass ? p.errorsByClass[c] ?? 0 : null),
      ]);
    }
    if (classes.size === 0) lines.push(["errors/s", points.map(() => 0)]);
  } else {
    lines.push(["errors/s (all classes)", perSecond(points, (p) => p.errors)]);
  }
  return chart("throughput", "Completed and failed requests per second", "per-second", x, lines);
}

/** Open fds of each process, and each distinct limit as a dashed line. */
function fdsChart(report: Report, x: number[]): ChartSpec {
  const points = report.timeline;
  const processes = processNames(report);
  const lines: [string, Values][] = processes.map((name, i) => [
    name,
    points.map((p) => p.processOpenFds ? p.processOpenFds[i] ?? null : i === 0 ? p.openFds : null),
  ]);
  const limits = new Map<number, string[]>();
  processes.forEach((name, i) => {
    const limit = report.timelineProcesses?.[i]?.fdLimit ??
      (i === 0 ? report.process.fdLimit : null);
    if (limit !== null && limit !== undefined) {
      limits.set(limit, [...limits.get(limit) ?? [], name]);
    }
  });
  const spec = chart(
    "fds",
    "Open file descriptors of each process, against its limit (log scale)",
    "count",
    x,
    lines,
  );
  for (const [limit, names] of limits) {
    spec.series.push({ label: `limit (${names.join(", ")})`, color: "#555555", dashed: true });
    spec.data.push(x.map(() => limit));
  }
  if (limits.size === 0) spec.notes.push("fd limit: unknown (n/a)");
  spec.logScale = true; // a few dozen fds and a limit of thousands, both readable
  return spec;
}

/** RSS of each process: the timeline's per-process readings, else the memory sampler's, else the runtime's. */
function rssChart(report: Report, x: number[]): ChartSpec {
  const title = "Resident memory (RSS) of each process";
  const points = report.timeline;
  if (points.some((p) => p.processRssBytes)) {
    const lines = processNames(report).map((name, i): [string, Values] => [
      name,
      points.map((p) => p.processRssBytes?.[i] ?? null),
    ]);
    return chart("rss", title, "bytes", x, lines);
  }
  const memory = report.memory;
  if (memory && memory.timeline.length > 0) {
    const mx = memory.timeline.map((s) => s.atMs / 1000);
    const lines = memory.processes.map((p, i): [string, Values] => [
      p.name,
      memory.timeline.map((s) => s.rssBytes[i]),
    ]);
    return chart("rss", title, "bytes", mx, lines);
  }
  return chart("rss", title, "bytes", x, [["runtime", points.map((p) => p.rssBytes)]]);
}

const STATES: TcpState[] = ["ESTABLISHED", "TIME_WAIT", "CLOSE_WAIT", "FIN_WAIT1", "FIN_WAIT2"];

/** The run's sockets by state (both ends summed), other states seen, and the listen queue. */
function socketsChart(points: Point[], x: number[]): ChartSpec {
  const seen = new Set<TcpState>(STATES);
  for (const p of points) {
    for (const end of [p.sockets?.client, p.sockets?.server]) {
      for (const [state, n] of Object.entries(end ?? {})) if (n) seen.add(state as TcpState);
    }
  }
  const lines: [string, Values][] = [...seen].map((state) => [
    state,
    points.map((p) =>
      p.sockets ? (p.sockets.client[state] ?? 0) + (p.sockets.server[state] ?? 0) : null
    ),
  ]);
  lines.push(["listen queue (waiting to be accepted)", points.map((p) => p.acceptQueue ?? null)]);
  lines.push(["listen drops (since the load started)", points.map((p) => p.listenDrops)]);
  return chart(
    "sockets",
    "The run's sockets by state (both ends), listen queue and drops",
    "count",
    x,
    lines,
  );
}

/** HTTP/2 streams open on each server (all servers summed, in older reports). */
function streamsChart(report: Report, x: number[]): ChartSpec {
  const points = report.timeline;
  const title = "HTTP/2 streams open on each server";
  if (points.some((p) => p.streamsByServer)) {
    const lines = report.servers.map((s, i): [string, Values] => [
      `${s.fleet}[${s.index}]`,
      points.map((p) => p.streamsByServer?.[i] ?? null),
    ]);
    const spec = chart("streams", title, "count", x, lines);
    spec.notes = spec.series.length ? [] : ["no HTTP/2 server in this run"];
    return spec;
  }
  const spec = chart("streams", title, "count", x, [[
    "all servers",
    points.map((p) => p.openStreams),
  ]]);
  if (spec.series.length === 0) spec.notes = ["no HTTP/2 server in this run"];
  return spec;
}

/** Process names the per-process arrays index: the timeline's, else memory's, else the runtime. */
function processNames(report: Report): string[] {
  return (report.timelineProcesses ?? report.memory?.processes ?? [{ name: "runtime" }])
    .map((p) => p.name);
}

/** The change of a cumulative count per second between points (from 0 at the load's start). */
function perSecond(points: Point[], count: (p: Point) => number | null): Values {
  return points.map((p, i) => {
    const before = i === 0
      ? { atMs: 0, value: 0 }
      : { atMs: points[i - 1].atMs, value: count(points[i - 1]) };
    const value = count(p);
    const seconds = (p.atMs - before.atMs) / 1000;
    if (value === null || before.value === null || seconds <= 0) return null;
    return (value - before.value) / seconds;
  });
}

/** A time chart of named series; a series unknown at every point is left out and named in notes. */
function chart(
  id: string,
  title: string,
  unit: ChartSpec["unit"],
  x: number[],
  lines: [string, Values][],
): ChartSpec {
  const series: SeriesSpec[] = [];
  const data: Values[] = [x];
  const notes: string[] = [];
  for (const [label, values] of lines) {
    if (values.every((v) => v === null)) {
      notes.push(`${label}: not measured in this run (n/a)`);
      continue;
    }
    series.push({ label, color: seriesColor(series.length) });
    data.push(values);
  }
  return { id, title, axis: "time", unit, series, data, notes };
}
