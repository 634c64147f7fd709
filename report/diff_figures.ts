/**
 * The figures `wedge diff` compares (throughput, latency percentiles, errors by class, peaks of fds,
 * RSS, sockets and HTTP/2 streams, the longest stall), read from reports, and whether a difference
 * between two sides is beyond noise: judged from the runs' own spread when each side has repeats,
 * else by a stated default threshold.
 *
 * @module
 */

import type { RunReport } from "./types.ts";

/** What a figure is, which sets its default noise threshold. */
export type FigureKind = "rate" | "share" | "latency" | "count" | "peak";

/**
 * Default noise thresholds, used when a side has a single run: a relative difference for rates,
 * latencies, counts and peaks, an absolute one (in points of 1.0) for a share such as the success
 * rate. A figure that goes from 0 to anything is always beyond noise.
 */
export const DEFAULT_NOISE: Readonly<Record<FigureKind, number>> = {
  rate: 0.10,
  share: 0.01,
  latency: 0.20,
  count: 0.10,
  peak: 0.10,
};

/** One figure read from one report: its key, label, kind, which way is better, and value. */
export interface FigureReading {
  /** Stable key, e.g. `latency.p99`, `errors.timeout`. */
  key: string;
  /** For people, e.g. `p99 latency (ms)`. */
  label: string;
  /** Kind, for the default threshold. */
  kind: FigureKind;
  /** Which way is better, or null where neither is. */
  better: "higher" | "lower" | null;
  /** The value, or null where the report does not know it. */
  value: number | null;
}

/** The longest stall in ms: 0 when the watchdog saw none, null when nothing watched. */
function longestStallMs(r: RunReport): number | null {
  if (r.watchdog === null) return null;
  return r.longestStallByProgress.completions?.durationMs ?? 0;
}

/** HTTP/2 streams: the most open on one connection over every server, null without h2. */
function peakStreams(r: RunReport): number | null {
  const h2 = r.servers.filter((s) => s.streams !== null);
  return h2.length ? Math.max(...h2.map((s) => s.streams!.peakOnOneConnection)) : null;
}

/**
 * Every figure of one report, in the order a diff shows them. Errors by class and each server
 * process's peak RSS appear only where the report has them.
 *
 * @param report A run report.
 * @returns The readings.
 *
 * @example
 * ```ts ignore
 * const p99 = readFigures(report).find((f) => f.key === "latency.p99")!.value;
 * ```
 */
export function readFigures(report: RunReport): FigureReading[] {
  const r = report;
  const f = (
    key: string,
    label: string,
    kind: FigureKind,
    better: FigureReading["better"],
    value: number | null | undefined,
  ): FigureReading => ({ key, label, kind, better, value: value ?? null });
  const hasLatency = r.latency.count > 0;
  const p = r.latency.percentiles;
  return [
    f("requestsPerSecond", "req/s", "rate", "higher", r.requestsPerSecond),
    f("successRate", "success rate", "share", "higher", r.successRate),
    f("totals.completed", "completed", "count", "higher", r.totals.completed),
    f("totals.errors", "errors", "count", "lower", r.totals.errors),
    f("totals.inFlight", "in flight at the end", "count", "lower", r.totals.inFlight),
    f("durationMs", "load duration", "latency", null, r.durationMs),
    f("latency.p50", "p50 latency", "latency", "lower", hasLatency ? p.p50 : null),
    f("latency.p99", "p99 latency", "latency", "lower", hasLatency ? p.p99 : null),
    f("latency.p99.9", "p99.9 latency", "latency", "lower", hasLatency ? p["p99.9"] : null),
    f("latency.max", "slowest", "latency", "lower", hasLatency ? r.latency.max : null),
    f("longestStall", "longest stall", "latency", "lower", longestStallMs(r)),
    ...errorsByClass(r).map(([c, n]) => f(`errors.${c}`, `errors: ${c}`, "count", "lower", n)),
    f("process.peakOpenFds", "peak open fds (runtime)", "peak", "lower", r.process.peakOpenFds),
    f("process.peakRssBytes", "peak RSS (runtime)", "peak", "lower", r.process.peakRssBytes),
    ...(r.memory?.processes ?? []).filter((m) => m.role !== "runtime").map((m) =>
      f(`rss.${m.name}`, `peak RSS (${m.name})`, "peak", "lower", m.peakRssBytes)
    ),
    f("sockets.peakTimeWait", "peak TIME_WAIT", "peak", "lower", r.sockets?.peakTimeWait),
    f("sockets.peakEstablished", "peak ESTABLISHED", "peak", null, r.sockets?.peakEstablished),
    f("streams.peak", "peak h2 streams on one connection", "peak", "lower", peakStreams(r)),
  ];
}

/** Error counts summed by class, largest first. */
function errorsByClass(report: RunReport): [string, number][] {
  const byClass = new Map<string, number>();
  for (const e of report.errors) byClass.set(e.class, (byClass.get(e.class) ?? 0) + e.count);
  return [...byClass].sort((x, y) => y[1] - x[1]);
}

/** How a difference was judged against noise. */
export interface NoiseJudgement {
  /** `repeats`: from the runs' spread (two standard errors); `default`: {@linkcode DEFAULT_NOISE}. */
  basis: "repeats" | "default";
  /** The bound the difference was held to, in the figure's units. */
  bound: number;
  /** Whether the difference exceeds it. */
  beyond: boolean;
}

/**
 * Judges the difference between two sides' values of one figure.
 *
 * @param a Side A's values (one per run), nulls left out.
 * @param b Side B's values.
 * @param options `kind`: the figure's kind, for the default threshold.
 * @returns The judgement, or null when a side has no value.
 *
 * @example
 * ```ts
 * import { judgeNoise } from "./diff_figures.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(judgeNoise([1000], [850], { kind: "rate" })?.beyond, true); // 15% > 10%
 * assert.equal(judgeNoise([1000, 700, 1300], [850, 1150, 900], { kind: "rate" })?.beyond, false);
 * ```
 */
export function judgeNoise(
  a: readonly number[],
  b: readonly number[],
  options: { kind: FigureKind },
): NoiseJudgement | null {
  const { kind } = options;
  if (a.length === 0 || b.length === 0) return null;
  const [ma, mb] = [mean(a), mean(b)];
  const difference = Math.abs(mb - ma);
  if (a.length >= 2 && b.length >= 2) {
    const bound = 2 * Math.sqrt(variance(a) / a.length + variance(b) / b.length);
    return { basis: "repeats", bound, beyond: difference > bound };
  }
  const threshold = DEFAULT_NOISE[kind];
  const bound = kind === "share" ? threshold : threshold * Math.abs(ma);
  return { basis: "default", bound, beyond: ma === 0 ? mb !== 0 : difference > bound };
}

/**
 * The mean of values.
 *
 * @param values At least one value.
 * @returns Their mean.
 *
 * @example
 * ```ts
 * import { mean } from "./diff_figures.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(mean([1, 2, 6]), 3);
 * ```
 */
export function mean(values: readonly number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}

/** The sample variance (n - 1), 0 for one value. */
function variance(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  return values.reduce((s, v) => s + (v - m) ** 2, 0) / (values.length - 1);
}
