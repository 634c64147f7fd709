/**
 * Small formatting helpers shared by the sections of the text report (internal).
 *
 * @module
 */

/** A count wedge may not know: the number, or "n/a". */
export function known(n: number | null): string {
  return n === null ? "n/a" : String(n);
}

/** A summary label with its colon, padded to a column. */
export function pad(label: string, width = 14): string {
  return (label + ":").padEnd(width);
}

/** A histogram bar: `count` scaled against `max` over `width` blocks. */
export function bar(count: number, max: number, width = 32): string {
  return max === 0 ? "" : "■".repeat(Math.round((count / max) * width));
}
