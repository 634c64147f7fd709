/**
 * A flag's value read by a parser of `units/` (`parseFraction`, `parseWholeNumber`), refused
 * with the flag's name: the one way `--pass-rate`, `--fail-rate`, `--repeat` (and `wedge merge
 * --pass-rate`, `wedge k8s --parallelism`) are read.
 *
 * @module
 */

import { UsageError } from "../scenario/errors.ts";

/**
 * Parses a flag's value.
 *
 * @param flag The flag, e.g. `--pass-rate`, for the message.
 * @param text Its value.
 * @param parse A parser whose RangeError message starts with the quoted value and says what
 *   was expected (as those of `units/fraction.ts` and `units/whole_number.ts` do).
 * @returns What `parse` returned.
 * @throws {UsageError} Naming the flag, its value and what to write instead (exit 2).
 *
 * @example
 * ```ts
 * import { flagValue } from "./flag_value.ts";
 * import { parseFraction } from "../units/fraction.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(flagValue("--pass-rate", "90%", parseFraction), 0.9);
 * assert.throws(
 *   () => flagValue("--pass-rate", "120%", parseFraction),
 *   /--pass-rate "120%": expected a fraction from 0 to 1/,
 * );
 * ```
 */
export function flagValue<T>(flag: string, text: string, parse: (text: string) => T): T {
  try {
    return parse(text);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new UsageError(`${flag} ${error.message}`);
  }
}
