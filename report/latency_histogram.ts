/**
 * Latency recording in an HDR histogram (hdr-histogram-js): microsecond resolution from 1 us to one
 * hour at 3 significant digits, mergeable across workers through compact encoded deltas.
 *
 * @module
 */

import * as hdr from "hdr-histogram-js";
import type { LatencySummary } from "./types.ts";

const HIGHEST_US = 3_600_000_000;
/**
 * Values under this many us are first counted in a plain array (one increment a record; hdr's
 * `recordValue` costs ~0.2 us: a `log2` and two `pow`) and added to the hdr histogram, with their
 * counts, before anything reads it: the histogram ends the same.
 */
const PENDING_US = 4096;

function build(): hdr.Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
}

/**
 * A latency histogram in microseconds.
 *
 * @example
 * ```ts
 * import { LatencyHistogram } from "./latency_histogram.ts";
 * import assert from "node:assert/strict";
 *
 * const h = new LatencyHistogram();
 * for (let ms = 1; ms <= 100; ms++) h.recordMs(ms);
 * assert.equal(h.count, 100);
 * assert.ok(Math.abs(h.summary().percentiles.p50! - 50) < 0.1);
 * ```
 */
export class LatencyHistogram {
  #h: hdr.Histogram = build();
  #pending = new Uint32Array(PENDING_US);
  /** The values with a pending count, in the order first seen. */
  #touched = new Uint16Array(PENDING_US);
  #touchedCount = 0;

  /** Number of recorded values. */
  get count(): number {
    return this.#flushed().totalCount;
  }

  /**
   * Records one latency.
   *
   * @param ms Milliseconds (fractional); clamped to [1 us, 1 h].
   */
  recordMs(ms: number): void {
    const us = Math.round(ms * 1000);
    if (us >= 1 && us < PENDING_US) {
      if (this.#pending[us]++ === 0) this.#touched[this.#touchedCount++] = us;
      return;
    }
    this.#h.recordValue(us < 1 ? 1 : us > HIGHEST_US ? HIGHEST_US : us);
  }

  /** The hdr histogram, with the pending counts added. */
  #flushed(): hdr.Histogram {
    const h = this.#h;
    const pending = this.#pending;
    const touched = this.#touched;
    for (let i = 0; i < this.#touchedCount; i++) {
      const us = touched[i];
      h.recordValueWithCount(us, pending[us]);
      pending[us] = 0;
    }
    this.#touchedCount = 0;
    return h;
  }

  /**
   * Encodes what was recorded since the last call and starts afresh: a delta to post to the
   * collector. Returns `null` when nothing was recorded.
   *
   * @returns Compressed base64, or null.
   */
  takeDelta(): string | null {
    const h = this.#flushed();
    if (h.totalCount === 0) return null;
    const encoded = hdr.encodeIntoCompressedBase64(h);
    h.reset();
    return encoded;
  }

  /**
   * Encodes everything recorded (and keeps it): what a report carries so that reports can be
   * merged exactly (`wedge merge`). Returns `null` when nothing was recorded.
   *
   * @returns Compressed base64 (hdr-histogram-js `encodeIntoCompressedBase64`), or null.
   */
  encode(): string | null {
    const h = this.#flushed();
    return h.totalCount === 0 ? null : hdr.encodeIntoCompressedBase64(h);
  }

  /**
   * Adds a delta made by {@linkcode LatencyHistogram.takeDelta} (or an {@linkcode LatencyHistogram.encode}d histogram).
   *
   * @param encoded Compressed base64.
   */
  addDelta(encoded: string): void {
    const other = hdr.decodeFromCompressedBase64(encoded, undefined, false);
    this.#flushed().add(other);
    other.destroy();
  }

  /**
   * Latency at a percentile, in ms.
   *
   * @param percentile 0-100.
   * @returns Milliseconds, or null when nothing was recorded.
   */
  percentileMs(percentile: number): number | null {
    const h = this.#flushed();
    return h.totalCount === 0 ? null : h.getValueAtPercentile(percentile) / 1000;
  }

  /**
   * Summarises the histogram for the report, with `buckets` linear buckets between fastest and
   * slowest (as oha prints).
   *
   * @param buckets Number of histogram buckets.
   * @returns The summary, in milliseconds.
   */
  summary(buckets = 11): LatencySummary {
    const h = this.#flushed();
    const count = h.totalCount;
    if (count === 0) {
      // Nothing recorded: every figure unknown, not 0 ms.
      return {
        count: 0,
        min: null,
        mean: null,
        max: null,
        stdev: null,
        percentiles: { p50: null, p75: null, p90: null, p95: null, p99: null, "p99.9": null },
        histogram: [],
      };
    }
    const ms = (us: number) => us / 1000;
    const min = ms(h.minNonZeroValue);
    const max = ms(h.maxValue);
    const edges = Array.from(
      { length: buckets },
      (_, i) => min + ((max - min) * (i + 1)) / buckets,
    );
    const counts = new Array<number>(buckets).fill(0);
    const js = h as unknown as {
      recordedValuesIterator: {
        reset(): void;
        hasNext(): boolean;
        next(): { valueIteratedTo: number; countAtValueIteratedTo: number };
      };
    };
    const it = js.recordedValuesIterator;
    it.reset();
    while (it.hasNext()) {
      const v = it.next();
      const value = Math.min(ms(v.valueIteratedTo), max);
      let b = edges.findIndex((edge) => value <= edge);
      if (b < 0) b = buckets - 1;
      counts[b] += v.countAtValueIteratedTo;
    }
    return {
      count,
      min,
      mean: ms(h.mean),
      max,
      stdev: ms(h.stdDeviation),
      percentiles: {
        p50: ms(h.getValueAtPercentile(50)),
        p75: ms(h.getValueAtPercentile(75)),
        p90: ms(h.getValueAtPercentile(90)),
        p95: ms(h.getValueAtPercentile(95)),
        p99: ms(h.getValueAtPercentile(99)),
        "p99.9": ms(h.getValueAtPercentile(99.9)),
      },
      histogram: edges.map((le, i) => ({ le, count: counts[i] })),
    };
  }
}
