/**
 * The run's clock: when the load started, on the `performance.now()` clock (every "ms since the
 * load started" of the report counts from it) and on the wall clock.
 *
 * @module
 */

import { formatDuration } from "../units/duration.ts";

/**
 * When the load started; until {@linkcode LoadClock.start}, when the run started.
 *
 * @example
 * ```ts
 * import { LoadClock } from "./load_clock.ts";
 * import assert from "node:assert/strict";
 *
 * const clock = new LoadClock();
 * clock.start();
 * assert.ok(clock.elapsedMs() >= 0);
 * assert.match(clock.at(), /into the load$/);
 * ```
 */
export class LoadClock {
  /** `performance.now()` when the load started. */
  originMs: number = performance.now();
  /** Wall-clock start of the load, ms since the epoch. */
  startedAt: number = Date.now();

  /** Marks the start of the load. */
  start(): void {
    this.startedAt = Date.now();
    this.originMs = performance.now();
  }

  /**
   * Milliseconds since the load started.
   *
   * @returns Elapsed ms.
   */
  elapsedMs(): number {
    return performance.now() - this.originMs;
  }

  /**
   * The load's start on the epoch clock shared by threads and processes.
   *
   * @returns Epoch ms.
   */
  epochOriginMs(): number {
    return this.originMs + performance.timeOrigin;
  }

  /**
   * Now, for an incident: e.g. `"1.20s into the load"`.
   *
   * @returns The phrase.
   */
  at(): string {
    return `${formatDuration(this.elapsedMs())} into the load`;
  }
}
