/**
 * Keeps a run's timeline bounded however long the run: once it holds `maxPoints`, neighbours merge
 * in pairs and later samples merge into buckets twice as wide, so a run of any length keeps between
 * half of `maxPoints` and `maxPoints` evenly spaced points. A merged point is the state at its
 * `atMs` (the later of the two) for cumulative counts, and the peak over the span it covers for
 * levels, so a climb to a limit is never smoothed away. Pure.
 *
 * @module
 */

import type { StateCounts, TimelinePoint } from "./types.ts";

/** The most points a run's timeline keeps. */
export const MAX_TIMELINE_POINTS = 2000;

/** Options for {@linkcode appendTimelinePoint}. */
export interface AppendTimelineOptions {
  /** The timeline's current spacing, ms (what the last call returned; the sampling interval at first). */
  resolutionMs: number;
  /** The most points kept. @default {MAX_TIMELINE_POINTS} */
  maxPoints?: number;
}

/**
 * Adds a sample to a bounded timeline (in place): it merges into the last point when the last
 * point's bucket (from the point before it) is not yet `resolutionMs` wide, else it is appended;
 * when the timeline is full, its points merge in pairs and the resolution doubles.
 *
 * @param points The timeline, oldest first; changed in place.
 * @param point The new sample (later than every point).
 * @param options The current resolution and the cap.
 * @returns The resolution to pass next time.
 * @throws {RangeError} If `maxPoints` is below 2.
 *
 * @example
 * ```ts
 * import { appendTimelinePoint } from "./timeline_downsample.ts";
 * import type { TimelinePoint } from "./types.ts";
 * import assert from "node:assert/strict";
 *
 * const points: TimelinePoint[] = [];
 * let resolutionMs = 250;
 * for (let atMs = 0; atMs < 600_000; atMs += 250) {
 *   const sample = { atMs, completed: atMs, inFlight: 1, errors: 0, openStreams: null,
 *     timeWait: null, established: null, sockets: null, openFds: 10, rssBytes: null,
 *     listenDrops: null };
 *   resolutionMs = appendTimelinePoint(points, sample, { resolutionMs, maxPoints: 100 });
 * }
 * assert.ok(points.length <= 100 && points.length >= 50);
 * assert.equal(points.at(-1)!.completed, 599_750);
 * ```
 */
export function appendTimelinePoint(
  points: TimelinePoint[],
  point: TimelinePoint,
  options: AppendTimelineOptions,
): number {
  return appendBounded(points, point, { ...options, merge: mergeTimelinePoints });
}

/**
 * {@linkcode appendTimelinePoint} for any series of samples with an `atMs`, merged by `merge`.
 *
 * @param points The series, oldest first; changed in place.
 * @param point The new sample (later than every point).
 * @param options The current resolution, the cap, and how two neighbours merge into one.
 * @returns The resolution to pass next time.
 * @throws {RangeError} If `maxPoints` is below 2.
 *
 * @example
 * ```ts
 * import { appendBounded } from "./timeline_downsample.ts";
 * import assert from "node:assert/strict";
 *
 * const merge = (a: { atMs: number; v: number }, b: { atMs: number; v: number }) =>
 *   ({ atMs: b.atMs, v: Math.max(a.v, b.v) });
 * const points: { atMs: number; v: number }[] = [];
 * let resolutionMs = 250;
 * for (let atMs = 0; atMs < 10_000; atMs += 250) {
 *   resolutionMs = appendBounded(points, { atMs, v: atMs === 5000 ? 99 : 1 }, {
 *     resolutionMs, maxPoints: 10, merge,
 *   });
 * }
 * assert.ok(points.length <= 10);
 * assert.equal(points.filter((p) => p.v === 99).length, 1);
 * ```
 */
export function appendBounded<T extends { atMs: number }>(
  points: T[],
  point: T,
  options: AppendTimelineOptions & { merge: (earlier: T, later: T) => T },
): number {
  const maxPoints = options.maxPoints ?? MAX_TIMELINE_POINTS;
  if (!(maxPoints >= 2)) {
    throw new RangeError(`maxPoints must be at least 2: it is ${maxPoints}`);
  }
  let resolutionMs = options.resolutionMs;
  const last = points.at(-1);
  const before = points.at(-2);
  // A quarter of slack: sampling timers run a few ms late, which must not open a new bucket.
  if (last && before && point.atMs - before.atMs <= resolutionMs * 1.25) {
    points[points.length - 1] = options.merge(last, point);
    return resolutionMs;
  }
  points.push(point);
  if (points.length >= maxPoints) {
    points.splice(0, points.length, ...halve(points, options.merge));
    resolutionMs *= 2;
  }
  return resolutionMs;
}

/**
 * Merges neighbouring points in pairs (a last odd point stays as it is).
 *
 * @param points A timeline, oldest first.
 * @returns A timeline of half the length, rounded up.
 *
 * @example
 * ```ts
 * import { halveTimeline } from "./timeline_downsample.ts";
 * import assert from "node:assert/strict";
 *
 * const at = (atMs: number, inFlight: number) => ({ atMs, completed: atMs, inFlight, errors: 0,
 *   openStreams: null, timeWait: null, established: null, sockets: null, openFds: null,
 *   rssBytes: null, listenDrops: null });
 * const halved = halveTimeline([at(250, 9), at(500, 1), at(750, 3)]);
 * assert.deepEqual(halved.map((p) => [p.atMs, p.inFlight]), [[500, 9], [750, 3]]);
 * ```
 */
export function halveTimeline(points: readonly TimelinePoint[]): TimelinePoint[] {
  return halve(points, mergeTimelinePoints);
}

/** Neighbours merged in pairs by `merge`; a last odd point stays as it is. */
function halve<T>(points: readonly T[], merge: (earlier: T, later: T) => T): T[] {
  const out: T[] = [];
  for (let i = 0; i < points.length; i += 2) {
    out.push(i + 1 < points.length ? merge(points[i], points[i + 1]) : points[i]);
  }
  return out;
}

/**
 * Merges two neighbouring readings of per-process levels (e.g. the memory sampler's RSS): the
 * later's time, each process's higher value (a known one winning over null).
 *
 * @param earlier The earlier reading.
 * @param later The later reading.
 * @returns The merged reading.
 *
 * @example
 * ```ts
 * import { mergeReadings } from "./timeline_downsample.ts";
 * import assert from "node:assert/strict";
 *
 * const merged = mergeReadings({ atMs: 250, rssBytes: [9, null] }, { atMs: 500, rssBytes: [4, 7] });
 * assert.deepEqual(merged, { atMs: 500, rssBytes: [9, 7] });
 * ```
 */
export function mergeReadings(
  earlier: { atMs: number; rssBytes: (number | null)[] },
  later: { atMs: number; rssBytes: (number | null)[] },
): { atMs: number; rssBytes: (number | null)[] } {
  return { ...later, rssBytes: peakEach(earlier.rssBytes, later.rssBytes) };
}

/**
 * Merges two neighbouring points into one at the later's time: cumulative counts (`completed`,
 * `errors`, `errorsByClass`, `listenDrops`) and `fdLimit` are the later's; every level is the
 * higher of the two, a known value winning over an unknown (null) one.
 *
 * @param earlier The earlier point.
 * @param later The later point.
 * @returns The merged point.
 *
 * @example
 * ```ts
 * import { mergeTimelinePoints } from "./timeline_downsample.ts";
 * import assert from "node:assert/strict";
 *
 * const base = { completed: 0, inFlight: 0, errors: 0, openStreams: null, timeWait: null,
 *   established: null, sockets: null, openFds: null, rssBytes: null, listenDrops: null };
 * const merged = mergeTimelinePoints(
 *   { ...base, atMs: 250, completed: 10, openFds: 900 },
 *   { ...base, atMs: 500, completed: 30, openFds: 40 },
 * );
 * assert.deepEqual([merged.atMs, merged.completed, merged.openFds], [500, 30, 900]);
 * ```
 */
export function mergeTimelinePoints(earlier: TimelinePoint, later: TimelinePoint): TimelinePoint {
  const merged: TimelinePoint = {
    ...later,
    inFlight: peak(earlier.inFlight, later.inFlight),
    openStreams: peak(earlier.openStreams, later.openStreams),
    timeWait: peak(earlier.timeWait, later.timeWait),
    established: peak(earlier.established, later.established),
    sockets: peakSockets(earlier.sockets, later.sockets),
    openFds: peak(earlier.openFds, later.openFds),
    rssBytes: peak(earlier.rssBytes, later.rssBytes),
  };
  if ("processOpenFds" in later) {
    merged.processOpenFds = peakEach(earlier.processOpenFds, later.processOpenFds);
  }
  if ("processRssBytes" in later) {
    merged.processRssBytes = peakEach(earlier.processRssBytes, later.processRssBytes);
  }
  if ("acceptQueue" in later) merged.acceptQueue = peak(earlier.acceptQueue, later.acceptQueue);
  if ("streamsByServer" in later) {
    merged.streamsByServer = earlier.streamsByServer && later.streamsByServer
      ? peakEach(earlier.streamsByServer, later.streamsByServer)
      : later.streamsByServer ?? earlier.streamsByServer ?? null;
  }
  return merged;
}

function peak(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a == null) return b ?? null;
  if (b == null) return a;
  return Math.max(a, b);
}

function peakEach(
  a: readonly (number | null)[] | undefined,
  b: readonly (number | null)[] | undefined,
): (number | null)[] {
  const length = Math.max(a?.length ?? 0, b?.length ?? 0);
  return Array.from({ length }, (_, i) => peak(a?.[i], b?.[i]));
}

function peakSockets(
  a: TimelinePoint["sockets"],
  b: TimelinePoint["sockets"],
): TimelinePoint["sockets"] {
  if (a === null || b === null) return b ?? a;
  return { client: peakStates(a.client, b.client), server: peakStates(a.server, b.server) };
}

function peakStates(a: StateCounts, b: StateCounts): StateCounts {
  const out: StateCounts = { ...a };
  for (const [state, count] of Object.entries(b) as [keyof StateCounts, number][]) {
    out[state] = Math.max(out[state] ?? 0, count);
  }
  return out;
}
