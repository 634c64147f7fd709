/**
 * The live rate of the progress line: completions per second over the last second, and 0 as soon
 * as completions stop arriving (not a second later, as an average would). Pure.
 *
 * @module
 */

/** Options for {@linkcode RecentRate}. */
export interface RecentRateOptions {
  /** Window the rate is averaged over, ms. @default {1000} */
  windowMs?: number;
  /**
   * With no new completion for this long, the rate is 0. Completions arrive in batches (a worker
   * posts a snapshot every 250 ms), so this is a little over two batches.
   * @default {600}
   */
  staleMs?: number;
}

/**
 * Completions per second, from a cumulative count read now and then.
 *
 * @example The rate falls to 0 once completions stop
 * ```ts
 * import { RecentRate } from "./recent_rate.ts";
 * import assert from "node:assert/strict";
 *
 * const rate = new RecentRate();
 * assert.equal(rate.observe(250, 250), 1000);
 * assert.equal(rate.observe(500, 500), 1000);
 * assert.equal(rate.observe(1250, 500), 0); // nothing for 750 ms
 * ```
 */
export class RecentRate {
  #windowMs: number;
  #staleMs: number;
  #recent: { atMs: number; completed: number }[] = [{ atMs: 0, completed: 0 }];
  #lastChangeAtMs = 0;

  /**
   * Creates a rate that starts at time 0 with nothing completed.
   *
   * @param options Window and staleness, ms.
   */
  constructor(options: RecentRateOptions = {}) {
    this.#windowMs = options.windowMs ?? 1000;
    this.#staleMs = options.staleMs ?? 600;
  }

  /**
   * Takes one reading and returns the rate now.
   *
   * @param atMs Now, ms on the caller's clock (from the same origin as earlier readings).
   * @param completed Completions so far (cumulative).
   * @returns Completions per second over the window, or 0 when none arrived for `staleMs`.
   */
  observe(atMs: number, completed: number): number {
    const last = this.#recent[this.#recent.length - 1];
    if (completed !== last.completed) this.#lastChangeAtMs = atMs;
    this.#recent.push({ atMs, completed });
    while (this.#recent.length > 2 && this.#recent[1].atMs <= atMs - this.#windowMs) {
      this.#recent.shift();
    }
    if (atMs - this.#lastChangeAtMs >= this.#staleMs) return 0;
    const first = this.#recent[0];
    const span = atMs - first.atMs;
    return span > 0 ? ((completed - first.completed) * 1000) / span : 0;
  }
}
