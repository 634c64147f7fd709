/**
 * The Wilson score interval of a proportion: how sure a failure rate measured from a few runs
 * is (0 of 5 failing is not "never fails": its 95% interval reaches 43%). Pure.
 *
 * @module
 */

/** Options for {@linkcode wilsonInterval}. */
export interface WilsonOptions {
  /** The normal quantile: 1.96 for a 95% interval. @default {1.96} */
  z?: number;
}

/**
 * The Wilson score interval of `successes` out of `trials`.
 *
 * @param successes How many of the trials counted (e.g. failed runs).
 * @param trials How many there were.
 * @param options The quantile.
 * @returns The interval's bounds, each from 0 to 1; null when there were no trials (unknown).
 * @throws {RangeError} If the counts are not whole numbers with 0 <= successes <= trials.
 *
 * @example
 * ```ts
 * import { wilsonInterval } from "./wilson.ts";
 * import assert from "node:assert/strict";
 *
 * const { low, high } = wilsonInterval(0, 5)!;
 * assert.equal(low, 0);
 * assert.ok(Math.abs(high - 0.4345) < 0.0001);
 * ```
 */
export function wilsonInterval(
  successes: number,
  trials: number,
  options: WilsonOptions = {},
): { low: number; high: number } | null {
  if (
    !Number.isInteger(successes) || !Number.isInteger(trials) || successes < 0 ||
    successes > trials
  ) {
    throw new RangeError(
      `Cannot compute a Wilson interval of ${successes} out of ${trials}: expected whole numbers, 0 <= successes <= trials`,
    );
  }
  if (trials === 0) return null;
  const z = options.z ?? 1.96;
  const p = successes / trials;
  const z2n = (z * z) / trials;
  const center = (p + z2n / 2) / (1 + z2n);
  const half = (z / (1 + z2n)) * Math.sqrt((p * (1 - p)) / trials + z2n / (4 * trials));
  return { low: Math.max(0, center - half), high: Math.min(1, center + half) };
}
