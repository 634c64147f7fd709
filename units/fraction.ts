/**
 * Fractions as people write them on a command line: `0.9` or `90%`.
 *
 * @module
 */

/** Options of {@linkcode parseFraction}. */
export interface ParseFractionOptions {
  /** Refuse 0: the fraction must be above 0 (a rate at which something happens at all). @default {false} */
  aboveZero?: boolean;
}

/**
 * Parses a fraction from 0 to 1, written as a number (`0.9`) or a percentage (`90%`).
 *
 * @param text What was written.
 * @param options Whether 0 is refused.
 * @returns The fraction, from 0 (or above 0) to 1.
 * @throws {RangeError} If the text is no number or percentage, or out of range. The message
 *   starts with the text, quoted, then what was expected, so that a caller can put the flag's
 *   name in front: `--pass-rate "120%": expected a fraction from 0 to 1 (0.9) or ...`.
 *
 * @example
 * ```ts
 * import { parseFraction } from "./fraction.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(parseFraction("90%"), 0.9);
 * assert.equal(parseFraction("0.25"), 0.25);
 * assert.throws(() => parseFraction("0", { aboveZero: true }), RangeError);
 * ```
 */
export function parseFraction(text: string, options: ParseFractionOptions = {}): number {
  const percent = text.endsWith("%");
  const body = percent ? text.slice(0, -1) : text;
  const n = Number(body) / (percent ? 100 : 1);
  const low = options.aboveZero ? n > 0 : n >= 0;
  if (body.trim() === "" || !Number.isFinite(n) || !low || n > 1) {
    const expected = options.aboveZero
      ? "a fraction above 0 and at most 1 (0.5) or a percentage (50%)"
      : "a fraction from 0 to 1 (0.9) or a percentage (90%)";
    throw new RangeError(`${JSON.stringify(text)}: expected ${expected}`);
  }
  return n;
}
