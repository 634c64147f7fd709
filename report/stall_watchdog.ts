/**
 * The stall watchdog: judges progress from the stream of completions. A stall is a period in which
 * requests are in flight (or still owed) and none completes. Pure: fed samples with their time, it
 * keeps the longest stall and says when the current one passes the bound.
 *
 * @module
 */

/** One observation of the run. */
export interface ProgressObservation {
  /** Milliseconds since the load started (the caller's clock). */
  atMs: number;
  /** Requests ended so far. */
  completed: number;
  /** Whether work is owed: requests in flight, or planned requests not yet sent. */
  owed: boolean;
}

/** A period without progress. */
export interface StallSpan {
  /** When the last completion before it happened, ms into the load. */
  fromMs: number;
  /** How long it lasted (or has lasted so far), ms. */
  durationMs: number;
}

/**
 * Tracks progress and stalls.
 *
 * @example A stall is detected once no completion happens for the bound
 * ```ts
 * import { StallWatchdog } from "./stall_watchdog.ts";
 * import assert from "node:assert/strict";
 *
 * const watchdog = new StallWatchdog({ boundMs: 5000 });
 * watchdog.observe({ atMs: 1000, completed: 10, owed: true });
 * assert.equal(watchdog.observe({ atMs: 5500, completed: 10, owed: true }), false);
 * assert.equal(watchdog.observe({ atMs: 6000, completed: 10, owed: true }), true);
 * assert.deepEqual(watchdog.longest, { fromMs: 1000, durationMs: 5000 });
 * ```
 */
export class StallWatchdog {
  #boundMs: number | null;
  #resolutionMs: number;
  #lastProgressAt = 0;
  #lastCompleted = 0;
  #current: StallSpan | null = null;
  #longest: StallSpan | null = null;

  /**
   * Creates a watchdog.
   *
   * @param options `boundMs`: the stall length that trips the watchdog (null only measures);
   *   `resolutionMs`: gaps shorter than this are not stalls, because completions arrive in
   *   batches (one snapshot per worker every 250 ms). @default {resolutionMs: 0}
   */
  constructor(options: { boundMs: number | null; resolutionMs?: number }) {
    this.#boundMs = options.boundMs;
    this.#resolutionMs = options.resolutionMs ?? 0;
  }

  /** The bound, or null when the watchdog only measures. */
  get boundMs(): number | null {
    return this.#boundMs;
  }

  /** The longest stall seen so far (including the current one), or null. */
  get longest(): StallSpan | null {
    return this.#longest;
  }

  /** The stall going on now, or null while requests complete (or nothing is owed). */
  get current(): StallSpan | null {
    return this.#current;
  }

  /**
   * Takes one observation.
   *
   * @param o The time, completions so far, and whether work is owed.
   * @returns True when the current stall has reached the bound.
   */
  observe(o: ProgressObservation): boolean {
    if (o.completed > this.#lastCompleted || !o.owed) {
      this.#lastCompleted = o.completed;
      this.#lastProgressAt = o.atMs;
      this.#current = null;
      return false;
    }
    const span = { fromMs: this.#lastProgressAt, durationMs: o.atMs - this.#lastProgressAt };
    if (span.durationMs <= 0 || span.durationMs < this.#resolutionMs) return false;
    this.#current = span;
    if (this.#longest === null || span.durationMs > this.#longest.durationMs) {
      this.#longest = span;
    }
    return this.#boundMs !== null && span.durationMs >= this.#boundMs;
  }
}
