/**
 * Why an open model's requests go late: every connection busy (the server's pace, or too small a
 * `concurrency`), or the generator itself. A lane takes its next request as soon as it is free,
 * and waits (idle) when that one is not due yet; so a request not taken at its time found every
 * lane busy, or a lane idle that the generator woke late (a late timer, a stalled thread). Lanes
 * idle now (they hold earlier requests, so they are late too), and the last time a lane woke 10 ms
 * or more late, tell the two apart. A wake on time, or a little late, excuses nothing: the lane it
 * woke was bound for its own request either way. A lane that has not taken its first request yet
 * (a round starting) counts as idle. One case it cannot tell: while every connection is in flight,
 * a response the server sent late and one the generator read late look the same.
 *
 * @module
 */

/** A request sent this long or more after its intended time counts as late (open model). */
export const LATE_MS = 10;

/**
 * One client's lanes in one round: which are idle, and when one last woke late.
 *
 * @example
 * ```ts
 * import { LateCauses } from "./late_causes.ts";
 * import assert from "node:assert/strict";
 *
 * const causes = new LateCauses(0, { lanes: 1 });
 * assert.equal(causes.took(0, 100), false); // the lane takes a request due later, and waits
 * causes.woke(100, 100.2); // on time
 * assert.equal(causes.took(150, 130), true); // due at 130, taken at 150: every lane was busy
 * ```
 */
export class LateCauses {
  #idle = 0;
  #unstarted: number;
  #lastLateWake: number;

  /**
   * @param startedAt When the round started (its lanes were idle until then).
   * @param options `lanes`: the client's lanes (each takes its first request as it starts).
   */
  constructor(startedAt: number, options: { lanes: number }) {
    this.#lastLateWake = startedAt;
    this.#unstarted = options.lanes;
  }

  /**
   * A lane takes a request intended at `at`, at `now`: one not due yet it waits for, idle, until
   * {@linkcode LateCauses.woke}. A lane's first request marks it started.
   *
   * @returns Whether the request is late because every lane was busy ({@linkcode LateCauses.busy}).
   */
  took(now: number, at: number): boolean {
    const busy = this.busy(now, at);
    if (this.#unstarted > 0) this.#unstarted--;
    if (at > now) this.#idle++;
    return busy;
  }

  /** The lane that waited for a request intended at `intended` woke at `now`. */
  woke(intended: number, now: number): void {
    this.#idle--;
    if (now - intended >= LATE_MS && now > this.#lastLateWake) this.#lastLateWake = now;
  }

  /**
   * Whether a request intended at `at`, taken by a lane at `now`, was late because every lane
   * was busy: 10 ms or more late, every lane started, none idle now and none woken late since
   * its time. (A pipelined batch's further requests ask this alone.)
   *
   * @returns True when every connection was busy; false when not late, or the generator's own.
   */
  busy(now: number, at: number): boolean {
    return now - at >= LATE_MS && this.#unstarted === 0 && this.#idle === 0 &&
      this.#lastLateWake < at;
  }
}
