/**
 * Is it a leak? Judges memory readings taken after each of several identical loads (seed 002's
 * iterations) against a bound. Pure.
 *
 * A first-run delta proves nothing: allocators keep freed memory for reuse, so resident memory
 * grows during the first loads and then stays flat (a plateau), with signed noise of a few hundred
 * KiB per load (hyper#1790). A leak keeps growing with every request. So the verdict looks at the
 * growth after a baseline taken behind a warm-up load, and at whether the later half of the
 * iterations still grows, and steadily: on a loaded machine a clean server's heap still fills up
 * through the later loads (each serves fewer requests) and its collector's timing moves RSS by
 * MiBs, so slowing or unsteady growth within the bound per iteration is "not sure", never a leak.
 *
 * @module
 */

import { formatByteSize } from "../units/byte_size.ts";

/** A memory reading after a load (and its quiet settle time). */
export interface MemoryPoint {
  /** Requests completed by then, over the whole run. */
  completed: number;
  /** Resident bytes of whatever is judged. */
  rssBytes: number;
}

/**
 * `flat`: grew no more than the bound; `plateau`: grew more, but the later half of the iterations
 * did not (allocator retention, not a leak); `growing`: still growing in the later half, and
 * steadily (a leak); `undecided`: not sure, over the bound with too
 * few iterations to tell a plateau from a leak, or still growing in the later half by less than
 * the bound per iteration but slowing (half the rate per request or less), unsteady (a spread of
 * more than a third of its rate per request) or within a reading's noise (a typical iteration
 * grew less than READING_NOISE_BYTES): a heap still filling up, a collector's timing.
 */
export type LeakVerdictKind = "flat" | "plateau" | "growing" | "undecided";

/** The verdict, with the numbers behind it. */
export interface LeakVerdict {
  /** What the readings show. */
  kind: LeakVerdictKind;
  /** Whether the requirement holds (`flat` or `plateau`). */
  pass: boolean;
  /** The bound on growth, bytes. */
  boundBytes: number;
  /** Reading at the baseline. */
  baselineBytes: number;
  /** Reading after the last iteration. */
  finalBytes: number;
  /** Final minus baseline. */
  totalBytes: number;
  /** Signed change per iteration. */
  deltas: number[];
  /** Requests per iteration. */
  requests: number[];
  /** Least-squares growth per request over every reading, or null without requests. */
  bytesPerRequest: number | null;
  /** Growth over the later half of the iterations: its median change per iteration, times its iterations. */
  lateGrowthBytes: number;
  /** The iterations (1-based, inclusive) that make up the later half. */
  lateIterations: [number, number];
  /**
   * Growth per request, bytes: `early` the lowest of the earlier half's iterations, `late` the
   * median of the later half's and `lateSpread` their median absolute deviation (null where no
   * iteration of the half served a request).
   */
  ratePerRequest: { early: number | null; late: number | null; lateSpread: number | null };
  /** One paragraph a maintainer can paste into an issue. */
  summary: string;
}

/** Iterations needed to tell a plateau from a leak. */
export const MIN_ITERATIONS_FOR_SHAPE = 3;

/**
 * How far a clean server's RSS reading moves between identical loads, bytes: hyper#1790 read
 * -272 KB to +472 KB per run; a node:http server that keeps nothing read -244 to +388 KiB here
 * (besides steps of MiBs when its heap grows). Growth of less than this in a typical iteration
 * cannot be told from noise in a few loads.
 */
export const READING_NOISE_BYTES = 512 * 1024;

/**
 * Judges memory readings: the baseline first, then one reading after each iteration.
 *
 * @param points Baseline, then one point per iteration (at least one).
 * @param options `boundBytes`: allowed growth; `what`: whose memory, for the summary.
 * @returns The verdict.
 *
 * @example A server that keeps 4 KiB per request
 * ```ts
 * import { judgeLeak } from "./leak_verdict.ts";
 * import assert from "node:assert/strict";
 *
 * const points = [0, 1, 2, 3, 4, 5].map((i) => ({ completed: i * 1000, rssBytes: 50e6 + i * 4096e3 }));
 * const verdict = judgeLeak(points, { boundBytes: 2 * 1024 * 1024, what: "servers" });
 * assert.equal(verdict.kind, "growing");
 * assert.equal(Math.round(verdict.bytesPerRequest!), 4096);
 * ```
 */
export function judgeLeak(
  points: readonly MemoryPoint[],
  options: { boundBytes: number; what: string },
): LeakVerdict {
  if (points.length < 2) throw new RangeError("judgeLeak needs a baseline and one iteration");
  const { boundBytes, what } = options;
  const n = points.length - 1;
  const deltas = points.slice(1).map((p, i) => p.rssBytes - points[i].rssBytes);
  const requests = points.slice(1).map((p, i) => p.completed - points[i].completed);
  const baselineBytes = points[0].rssBytes;
  const finalBytes = points[n].rssBytes;
  const totalBytes = finalBytes - baselineBytes;
  // The later half's growth: its median change per iteration, times its iterations. A median,
  // so one late step of a clean server (or one dip of a leaking one) does not decide it.
  const mid = Math.floor(n / 2);
  const lateDeltas = deltas.slice(mid);
  const lateGrowthBytes = median(lateDeltas) * lateDeltas.length;
  const lateIterations: [number, number] = [mid + 1, n];
  const bytesPerRequest = slope(points);
  const ratePerRequest = {
    early: rates(deltas.slice(0, mid), requests.slice(0, mid), (r) => Math.min(...r)),
    late: rates(lateDeltas, requests.slice(mid), median),
    lateSpread: rates(lateDeltas, requests.slice(mid), deviation),
  };

  let kind: LeakVerdictKind;
  if (totalBytes <= boundBytes) kind = "flat";
  else if (n < MIN_ITERATIONS_FOR_SHAPE) kind = "undecided";
  else if (lateGrowthBytes <= boundBytes / 2) kind = "plateau";
  // Doubt only growth within the bound per iteration: a later half that typically grows by the
  // whole bound each time is a leak however it spreads.
  else if (median(lateDeltas) <= boundBytes && doubt(ratePerRequest, deltas, mid) !== null) {
    kind = "undecided";
  } else kind = "growing";

  const size = (b: number) => (b >= 0 ? "+" : "") + formatByteSize(b);
  const span = `iteration${lateIterations[0] === n ? "" : "s"} ${lateIterations[0]}${
    lateIterations[0] === n ? "" : `-${n}`
  }`;
  const perRequest = bytesPerRequest === null
    ? ""
    : `; slope ${size(Math.round(bytesPerRequest))} per request`;
  const head = `${what} memory went from ${formatByteSize(baselineBytes)} to ${
    formatByteSize(finalBytes)
  } (${size(totalBytes)}, bound ${formatByteSize(boundBytes)}) over ${n} iteration${
    n === 1 ? "" : "s"
  } of ${requests.reduce((a, b) => a + b, 0)} requests; per iteration ${
    deltas.map(size).join(", ")
  }${perRequest}.`;
  const tail = {
    flat: " Flat: within the bound.",
    plateau: ` A plateau, not a leak: ${plateauReading(deltas, mid, size)}`,
    growing: ` Still growing in ${span} (a median ${
      size(lateGrowthBytes / lateDeltas.length)
    } each): memory grows with the requests served, which is what a leak does.`,
    undecided: n < MIN_ITERATIONS_FOR_SHAPE
      ? ` Over the bound, and ${n} iteration${
        n === 1 ? "" : "s"
      } cannot tell a plateau from a leak: run at least ${MIN_ITERATIONS_FOR_SHAPE}.`
      : ` Not sure: still growing in ${span} (a median ${
        size(lateGrowthBytes / lateDeltas.length)
      } each), but ${
        doubt(ratePerRequest, deltas, mid, { early: iterationsText(1, mid), size })
      }, where a leak grows steadily with the requests. More requests tell: more iterations, longer loads or a longer warm-up (a loaded machine serves fewer requests per load).`,
  }[kind];
  return {
    kind,
    pass: kind === "flat" || kind === "plateau",
    boundBytes,
    baselineBytes,
    finalBytes,
    totalBytes,
    deltas,
    requests,
    bytesPerRequest,
    lateGrowthBytes,
    lateIterations,
    ratePerRequest,
    summary: head + tail,
  };
}

/**
 * Describes the readings behind a plateau as they were: where the growth came, and whether the
 * later half still grew in every iteration (slowed, not stopped).
 */
function plateauReading(deltas: readonly number[], mid: number, size: (b: number) => string) {
  const n = deltas.length;
  const iterations = (from: number, to: number) =>
    from === to ? `iteration ${from}` : `iterations ${from}-${to}`;
  const early = deltas.slice(0, mid);
  const late = deltas.slice(mid);
  const earlyBytes = early.reduce((a, b) => a + b, 0);
  const lateBytes = late.reduce((a, b) => a + b, 0);
  const readings = `${iterations(1, mid)} changed it by ${size(earlyBytes)}, ${
    iterations(mid + 1, n)
  } by a median ${size(median(late))} each (${size(Math.min(...late))} to ${
    size(Math.max(...late))
  })`;
  if (late.every((d) => d > 0)) {
    return `${readings}: it grew in every one of ${
      iterations(mid + 1, n)
    }, by less than half the bound in all, so the growth slowed but did not stop; more iterations tell a slow leak from an allocator keeping freed memory.`;
  }
  if (earlyBytes >= lateBytes) {
    return `${readings}, so most of the growth came early and the later iterations did not keep it up (an allocator keeping freed memory for reuse); a longer warm-up moves it before the baseline.`;
  }
  const step = late.indexOf(Math.max(...late)) + mid + 1;
  return `${readings}: most of the growth came as one step in iteration ${step}, not with every load (a cache or pool growing once, not a steady leak).`;
}

/** Least-squares slope of memory over requests completed, or null when requests do not vary. */
function slope(points: readonly MemoryPoint[]): number | null {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.completed, 0) / n;
  const my = points.reduce((s, p) => s + p.rssBytes, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const p of points) {
    sxy += (p.completed - mx) * (p.rssBytes - my);
    sxx += (p.completed - mx) ** 2;
  }
  return sxx === 0 ? null : sxy / sxx;
}

/**
 * Why growth in the later half may not be a leak, or null. It slows: every earlier iteration grew
 * at least twice as fast per request as the later half's median (a heap or allocator still
 * filling up; a loaded machine serves fewer requests per load, so it fills later). Or it is noise:
 * the later half's growth per request spreads by more than a third of its median (a collector's
 * timing; a leak grows by about the same per request each time), or a typical iteration grew
 * by less than a clean server's readings move between loads (READING_NOISE_BYTES).
 */
function doubt(
  rate: LeakVerdict["ratePerRequest"],
  deltas: readonly number[],
  mid: number,
  text: { early: string; size: (b: number) => string } = { early: "", size: String },
): string | null {
  const { early, late, lateSpread } = rate;
  // Typical growth per iteration: the median over every iteration or over the later half,
  // whichever is lower, so a collector's steps of MiBs (two of them can land in a later half of
  // three) do not stand for the growth of every load.
  const typical = Math.min(median(deltas), median(deltas.slice(mid)));
  const noise = typical < READING_NOISE_BYTES
    ? `a typical iteration grew by ${
      text.size(Math.round(typical))
    }, within what a clean server's readings move between identical loads (up to ${
      formatByteSize(READING_NOISE_BYTES)
    }), and the rest came as steps of MiBs, as a collector growing its heap takes`
    : null;
  if (late === null || lateSpread === null) return noise;
  const perRequest = (b: number) => `${text.size(Math.round(b))} per request`;
  if (early !== null && early > 0 && late <= early / 2) {
    return `by a median ${perRequest(late)}, where ${text.early} grew by ${
      perRequest(early)
    } or more: slowing, as a heap or allocator still filling up does`;
  }
  if (lateSpread * 3 > Math.abs(late)) {
    return `by a median ${perRequest(late)} give or take ${
      perRequest(lateSpread)
    }: unsteady, as a collector's timing is`;
  }
  return noise;
}

/** "iteration 1" or "iterations 1-2". */
function iterationsText(from: number, to: number): string {
  return from === to ? `iteration ${from}` : `iterations ${from}-${to}`;
}

/** Growth per request of the iterations that served requests, summed up by `of`, or null. */
function rates(
  deltas: readonly number[],
  requests: readonly number[],
  of: (rates: number[]) => number,
): number | null {
  const perRequest = deltas.flatMap((d, i) => (requests[i] > 0 ? [d / requests[i]] : []));
  return perRequest.length ? of(perRequest) : null;
}

/** Median absolute deviation from the median. */
function deviation(values: readonly number[]): number {
  const m = median(values);
  return median(values.map((v) => Math.abs(v - m)));
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
