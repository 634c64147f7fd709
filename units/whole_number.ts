/**
 * Whole numbers as people write them on a command line: digits only (`Number("")` is 0 and
 * `Number("1e3")` is 1000, neither is what was meant).
 *
 * @module
 */

/** Options of {@linkcode parseWholeNumber}. */
export interface ParseWholeNumberOptions {
  /** The smallest allowed. @default {0} */
  min?: number;
  /** The largest allowed; null: no bound. @default {null} */
  max?: number | null;
}

/**
 * Parses a whole number written in digits, within bounds.
 *
 * @param text What was written.
 * @param options The bounds.
 * @returns The number.
 * @throws {RangeError} If the text is not digits only, or out of bounds. The message starts
 *   with the text, quoted, then what was expected, so that a caller can put the flag's name in
 *   front: `--repeat "0": expected a whole number from 1 to 10000`.
 *
 * @example
 * ```ts
 * import { parseWholeNumber } from "./whole_number.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(parseWholeNumber("12"), 12);
 * assert.throws(() => parseWholeNumber("0", { min: 1 }), /"0": expected a whole number, at least 1/);
 * assert.throws(() => parseWholeNumber("1e3", { max: 10 }), RangeError);
 * ```
 */
export function parseWholeNumber(text: string, options: ParseWholeNumberOptions = {}): number {
  const { min = 0, max = null } = options;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || (max !== null && n > max)) {
    const bounds = max === null ? `, at least ${min}` : ` from ${min} to ${max}`;
    throw new RangeError(`${JSON.stringify(text)}: expected a whole number${bounds}`);
  }
  return n;
}
