/**
 * Sizes as scenario authors write them: `"2MiB"`, `"512KiB"`, `"1.5MB"`, or a number of bytes.
 *
 * @module
 */

/** A size: a number of bytes or a string such as `"512KiB"`, `"2MiB"`, `"1GB"`. */
export type ByteSize = number | string;

const UNIT_BYTES: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

const SIZE_PATTERN = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|kib|mib|gib)\s*$/i;

/**
 * Parses a size into bytes. Binary units (`KiB`, `MiB`, `GiB`) are powers of 1024, decimal units
 * (`KB`, `MB`, `GB`) powers of 1000.
 *
 * @param value A non-negative number of bytes, or a number and a unit, e.g. `"2MiB"`.
 * @returns The size in bytes, rounded to a whole byte.
 * @throws {RangeError} If the value is negative, not finite, or has no known unit.
 *
 * @example
 * ```ts
 * import { parseByteSize } from "./byte_size.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(parseByteSize("2MiB"), 2 * 1024 * 1024);
 * assert.equal(parseByteSize("1.5KB"), 1500);
 * ```
 */
export function parseByteSize(value: ByteSize): number {
  if (typeof value === "number") {
    if (!Number.isFinite(value) || value < 0) {
      throw new RangeError(
        `Cannot use ${value} as a size: expected a non-negative number of bytes`,
      );
    }
    return Math.round(value);
  }
  const match = SIZE_PATTERN.exec(String(value));
  if (!match) {
    throw new RangeError(
      `Cannot parse size ${
        JSON.stringify(value)
      }: expected a number and a unit (B, KB, MB, GB, KiB, MiB, GiB), e.g. "2MiB"`,
    );
  }
  return Math.round(Number(match[1]) * UNIT_BYTES[match[2].toLowerCase()]);
}

/**
 * Formats bytes with binary units: `512B`, `1.5KiB`, `2.00MiB`.
 *
 * @param bytes A number of bytes (may be negative, for deltas).
 * @returns A short human-readable string.
 *
 * @example
 * ```ts
 * import { formatByteSize } from "./byte_size.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatByteSize(2 * 1024 * 1024), "2.00MiB");
 * ```
 */
export function formatByteSize(bytes: number): string {
  const sign = bytes < 0 ? "-" : "";
  const abs = Math.abs(bytes);
  if (abs < 1024) return `${sign}${abs}B`;
  if (abs < 1024 ** 2) return `${sign}${(abs / 1024).toFixed(1)}KiB`;
  if (abs < 1024 ** 3) return `${sign}${(abs / 1024 ** 2).toFixed(2)}MiB`;
  return `${sign}${(abs / 1024 ** 3).toFixed(2)}GiB`;
}
