/**
 * Durations as scenario authors write them: `"250ms"`, `"5s"`, `"1.5m"`, `"2h"`, or a number of
 * milliseconds.
 *
 * @module
 */

/** A duration: a number of milliseconds or a string such as `"250ms"`, `"5s"`, `"2m"`, `"1h"`. */
export type Duration = number | string;

const UNIT_MS: Record<string, number> = {
  us: 0.001,
  µs: 0.001,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const DURATION_PATTERN = /^\s*(\d+(?:\.\d+)?)\s*(us|µs|ms|s|m|h)\s*$/;

/**
 * Parses a duration into milliseconds.
 *
 * @param value A non-negative number of milliseconds, or a number followed by a unit
 *   (`us`, `ms`, `s`, `m`, `h`), e.g. `"250ms"`, `"1.5s"`.
 * @returns The duration in milliseconds.
 * @throws {RangeError} If the value is negative, not finite, or has no known unit.
 *
 * @example Parse the durations a scenario uses
 * ```ts
 * import { parseDuration } from "./duration.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(parseDuration("250ms"), 250);
 * assert.equal(parseDuration("1.5s"), 1500);
 * assert.equal(parseDuration(40), 40);
 * ```
 */
export function parseDuration(value: Duration): number {
  if (typeof value === "number") {
    if (!Number.isFinite(value) || value < 0) {
      throw new RangeError(
        `Cannot use ${value} as a duration: expected a non-negative number of milliseconds`,
      );
    }
    return value;
  }
  const match = DURATION_PATTERN.exec(String(value));
  if (!match) {
    throw new RangeError(
      `Cannot parse duration ${
        JSON.stringify(value)
      }: expected a number and a unit (us, ms, s, m, h), e.g. "250ms" or "5s"`,
    );
  }
  return Number(match[1]) * UNIT_MS[match[2]];
}

/**
 * Formats milliseconds for people: `0.84ms`, `12.3ms`, `4.20s`, `2m05s`.
 *
 * @param ms Milliseconds.
 * @returns A short human-readable string.
 *
 * @example
 * ```ts
 * import { formatDuration } from "./duration.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatDuration(1500), "1.50s");
 * ```
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 1) return `${(ms * 1000).toFixed(0)}us`;
  if (ms < 10) return `${ms.toFixed(2)}ms`;
  if (ms < 1000) return `${ms.toFixed(1)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)}s`;
  const totalSeconds = Math.round(ms / 1000);
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = totalSeconds % 60;
  return `${minutes}m${String(seconds).padStart(2, "0")}s`;
}
