/**
 * The bench's figures as printed: medians, req/s and milliseconds, "n/a" where unknown.
 *
 * @module
 */

/**
 * The median of the finite values; NaN when there is none.
 *
 * @param xs The values.
 * @returns The median.
 *
 * @example
 * ```ts
 * import { median } from "./_format.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(median([3, NaN, 1, 2]), 2);
 * ```
 */
export function median(xs: number[]): number {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/**
 * A number with `digits` decimals, or "n/a".
 *
 * @param x The number.
 * @param digits Decimals.
 * @returns The text.
 *
 * @example
 * ```ts
 * import { fmt } from "./_format.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(fmt(NaN), "n/a");
 * ```
 */
export function fmt(x: number, digits = 0): string {
  return Number.isFinite(x) ? x.toFixed(digits) : "n/a";
}

/**
 * Milliseconds: two decimals below 100 ms, none above; "n/a" when unknown.
 *
 * @param x Milliseconds.
 * @returns The text.
 *
 * @example
 * ```ts
 * import { fmtMs } from "./_format.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(fmtMs(1.234), "1.23ms");
 * ```
 */
export function fmtMs(x: number): string {
  return !Number.isFinite(x) ? "n/a" : x >= 100 ? `${x.toFixed(0)}ms` : `${x.toFixed(2)}ms`;
}
