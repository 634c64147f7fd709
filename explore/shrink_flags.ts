/**
 * The `--shrink` flags (`--budget`, `--shrink-all`, `--fail-rate`), parsed for `flags.ts`, which
 * spreads {@linkcode SHRINK_OPTIONS} into the explore options and calls
 * {@linkcode parseShrinkFlags}. Pure.
 *
 * @module
 */

import { UsageError } from "../scenario/errors.ts";
import { parseDuration } from "../units/duration.ts";
import { parseFraction } from "../units/fraction.ts";
import { flagValue } from "./flag_value.ts";

/** What `--shrink` asks for. */
export interface ShrinkFlags {
  /** Runs per probe: `--repeat R`. @default {3} */
  repeat: number;
  /** `--fail-rate F`: a probe fails when at least F of its runs fail; null: when any run does. */
  failRate: number | null;
  /** `--budget DUR`, ms: the whole search's time. @default {600000} (10m) */
  budgetMs: number;
  /** `--shrink-all`: booleans and enums too (toward their defaults). */
  all: boolean;
}

/** Runs per probe without `--repeat`. */
export const DEFAULT_SHRINK_REPEAT = 3;

/** The search's budget without `--budget`. */
export const DEFAULT_SHRINK_BUDGET = "10m";

/**
 * The shrink flags for `node:util` `parseArgs`.
 *
 * @example
 * ```ts
 * import { SHRINK_OPTIONS } from "./shrink_flags.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(SHRINK_OPTIONS.shrink.type, "boolean");
 * ```
 */
export const SHRINK_OPTIONS = {
  shrink: { type: "boolean", default: false },
  "shrink-all": { type: "boolean", default: false },
  budget: { type: "string" },
  "fail-rate": { type: "string" },
} as const;

/** The parsed values of {@linkcode SHRINK_OPTIONS}, and the other explore flags shrink reads. */
export interface ShrinkFlagValues {
  shrink?: boolean;
  "shrink-all"?: boolean;
  budget?: string;
  "fail-rate"?: string;
  /** `--repeat`, already validated as a count. */
  repeat?: number;
}

/** The `--help` lines of the shrink flags. */
export const SHRINK_HELP =
  `  --shrink           from a failing shape (the --set values), search the numeric params for
                     the smallest shape that still fails with the same first failing
                     assertion; prints each probe, the minimal --set line, and writes
                     NAME.min.ts (the scenario with those defaults) next to the scenario
                     file (a built-in one: in the working directory). Exit 1 when a
                     failing shape was found, 0 when the starting shape passes
  --repeat R         with --shrink: runs per probe (default ${DEFAULT_SHRINK_REPEAT}); a probe fails if any run
                     fails with that assertion
  --fail-rate F      with --shrink: a probe fails when at least F of its runs fail (0.5 or 50%)
  --budget DUR       with --shrink: time for the whole search (default ${DEFAULT_SHRINK_BUDGET}); then the
                     best shape so far is printed (as on Ctrl-C)
  --shrink-all       with --shrink: also try booleans and enums at their defaults
`;

/**
 * Validates the shrink flags.
 *
 * @param values What `parseArgs` read, with `--repeat` already parsed.
 * @returns The shrink asked for, or null without `--shrink`.
 * @throws {UsageError} For a shrink flag without `--shrink`, or a value that cannot be used.
 *
 * @example
 * ```ts
 * import { parseShrinkFlags } from "./shrink_flags.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(parseShrinkFlags({}), null);
 * assert.deepEqual(parseShrinkFlags({ shrink: true, budget: "2m" }), {
 *   repeat: 3, failRate: null, budgetMs: 120_000, all: false,
 * });
 * ```
 */
export function parseShrinkFlags(values: ShrinkFlagValues): ShrinkFlags | null {
  if (!values.shrink) {
    const stray = values["shrink-all"]
      ? "--shrink-all"
      : values.budget !== undefined
      ? "--budget"
      : values["fail-rate"] !== undefined
      ? "--fail-rate"
      : null;
    if (stray) throw new UsageError(`${stray} goes with --shrink, which was not given`);
    return null;
  }
  return {
    repeat: values.repeat ?? DEFAULT_SHRINK_REPEAT,
    failRate: values["fail-rate"] === undefined
      ? null
      : flagValue("--fail-rate", values["fail-rate"], parseFailRate),
    budgetMs: parseBudget(values.budget ?? DEFAULT_SHRINK_BUDGET),
    all: values["shrink-all"] === true,
  };
}

/** `--fail-rate`: a fraction above 0 (a probe fails when at least that many of its runs do). */
function parseFailRate(text: string): number {
  return parseFraction(text, { aboveZero: true });
}

function parseBudget(text: string): number {
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch {
    ms = NaN;
  }
  if (!(ms >= 1000)) {
    throw new UsageError(
      `--budget ${JSON.stringify(text)}: expected a duration of at least 1s, e.g. 10m or 90s`,
    );
  }
  return ms;
}
