/**
 * The latency assertion, {@linkcode latencyBelow}: bounds per statistic on the corrected, service
 * or queue latency.
 *
 * @module
 */

import { type Duration, formatDuration, parseDuration } from "../units/duration.ts";
import type { LatencySummary } from "../report/types.ts";
import type { Assertion } from "./assertion.ts";

/**
 * Which latency an assertion judges. `corrected`: from each request's intended send time (the open
 * model's default; the same as `service` in a closed loop); `service`: from the moment it was
 * actually sent; `queue`: how long it waited to be sent.
 */
export type LatencyHistogramName = "corrected" | "service" | "queue";

/** Options for {@linkcode latencyBelow}. */
export interface LatencyOptions {
  /** Which latency to judge. @default {"corrected"} */
  histogram?: LatencyHistogramName;
}

/** Latency bounds by statistic, e.g. `{ p99: "50ms", max: "1s" }`. */
export type LatencyBounds = Partial<
  Record<"min" | "mean" | "max" | keyof LatencySummary["percentiles"], Duration>
>;

/**
 * Latency statistics stay below the given bounds.
 *
 * @param bounds Bounds per statistic: `p50`, `p75`, `p90`, `p95`, `p99`, `p99.9`, `mean`, `min`, `max`.
 * @param options Which latency to judge (open model: corrected by default).
 * @returns The assertion.
 * @throws {RangeError} If no bound is given, a key is unknown, or a duration does not parse.
 *
 * @example
 * ```ts
 * import { latencyBelow } from "./latency.ts";
 *
 * const assert = [latencyBelow({ p99: "50ms" })];
 * ```
 */
export function latencyBelow(bounds: LatencyBounds, options: LatencyOptions = {}): Assertion {
  const known = ["min", "mean", "max", "p50", "p75", "p90", "p95", "p99", "p99.9"];
  const entries = Object.entries(bounds).map(([key, value]) => {
    if (!known.includes(key)) {
      throw new RangeError(
        `latencyBelow: unknown statistic "${key}"; use one of ${known.join(", ")}`,
      );
    }
    return [key, parseDuration(value as Duration)] as const;
  });
  if (entries.length === 0) {
    throw new RangeError('latencyBelow: give at least one bound, e.g. { p99: "50ms" }');
  }
  const histogram = options.histogram ?? "corrected";
  const which = histogram === "corrected" ? "" : `${histogram} `;
  return {
    name: "latencyBelow",
    description: entries.map(([k, ms]) => `${k} ${which}latency below ${formatDuration(ms)}`)
      .join(", "),
    check(report) {
      // A closed loop has one latency: service and corrected are the same; it has no queue.
      const l = report.latencyBreakdown?.[histogram] ??
        (histogram === "queue" ? null : report.latency);
      if (l === null) {
        return {
          pass: false,
          measured: "not measured",
          detail: "queue latency exists only in an open model: give the client fleet a rate",
        };
      }
      if (l.count === 0) {
        return {
          pass: false,
          measured: "no latency recorded",
          detail: "no request got a response",
        };
      }
      const values = entries.map(([key, limit]) => {
        const value = key === "min" || key === "mean" || key === "max"
          ? l[key]!
          : l.percentiles[key as keyof LatencySummary["percentiles"]]!;
        return { key, limit, value };
      });
      const measured = values.map((v) => `${v.key} = ${formatDuration(v.value)}`).join(", ");
      const over = values.filter((v) => !(v.value < v.limit));
      return over.length === 0 ? { pass: true, measured } : {
        pass: false,
        measured,
        detail: over.map((v) =>
          `${v.key} ${formatDuration(v.value)} is not below ${formatDuration(v.limit)}`
        ).join("; "),
      };
    },
  };
}
