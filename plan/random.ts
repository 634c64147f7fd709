/**
 * A small seeded pseudo-random generator (mulberry32), so that a run's random choices (target
 * selection, delay distributions) replay exactly with the same `--seed`.
 *
 * @module
 */

/** A function returning a uniformly distributed number in [0, 1). */
export type Random = () => number;

/**
 * Creates a seeded generator.
 *
 * @param seed Any integer; the same seed gives the same sequence.
 * @returns A function returning numbers in [0, 1).
 *
 * @example
 * ```ts
 * import { createRandom } from "./random.ts";
 * import assert from "node:assert/strict";
 *
 * const a = createRandom(42), b = createRandom(42);
 * assert.equal(a(), b());
 * ```
 */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Derives a stable sub-seed, so each server or client gets its own stream from one run seed.
 *
 * @param seed The run seed.
 * @param index The index of the component.
 * @returns A 32-bit unsigned integer.
 *
 * @example
 * ```ts
 * import { deriveSeed } from "./random.ts";
 * import assert from "node:assert/strict";
 *
 * assert.notEqual(deriveSeed(1, 0), deriveSeed(1, 1));
 * ```
 */
export function deriveSeed(seed: number, index: number): number {
  return (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(index + 1, 0xc2b2ae35)) >>> 0;
}

/**
 * Picks a fresh random seed for a run that was not given one.
 *
 * @returns A 32-bit unsigned integer.
 *
 * @example
 * ```ts
 * import { randomSeed } from "./random.ts";
 * import assert from "node:assert/strict";
 *
 * assert.ok(Number.isInteger(randomSeed()));
 * ```
 */
export function randomSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0];
}
