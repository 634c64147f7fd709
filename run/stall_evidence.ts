/**
 * Whether the stall watchdogs may judge progress now. A client worker that has posted nothing
 * for a second makes progress unknown, not zero: on a loaded machine a starved or busy worker
 * posts nothing while its requests go on. Time without evidence is no stall. Evidence is every
 * worker posting again (their cumulative counts cover the silence), or, while workers are silent,
 * a run where nothing moves for a second: no request received by the servers wedge counts, no fd
 * opened or closed by the runtime, no connection established or closed.
 *
 * @module
 */

/** A client worker silent this long makes progress unknown (the timeline's in-flight rule), ms. */
export const UNKNOWN_AFTER_MS = 1000;
/** While workers are silent, a run where nothing moved for this long is quiet (evidence), ms. */
export const QUIET_MS = 1000;

/** One look at the run, for {@linkcode StallEvidence.observe}. */
export interface EvidenceObservation {
  /** Now, ms since the load started. */
  atMs: number;
  /** Running client workers that have posted nothing for {@linkcode UNKNOWN_AFTER_MS}. */
  silentWorkers: number;
  /**
   * Readings that move while clients work, each null where unknown: e.g. the requests the servers
   * have received, the runtime's open fds, the run's ESTABLISHED sockets (in a fixed order).
   */
  activity: readonly (number | null)[];
}

/**
 * Tells, at each look, whether progress is known.
 *
 * @example A silent worker makes progress unknown while the run's fds still move
 * ```ts
 * import { StallEvidence } from "./stall_evidence.ts";
 * import assert from "node:assert/strict";
 *
 * const evidence = new StallEvidence();
 * const look = (atMs: number, silentWorkers: number, fds: number | null) =>
 *   evidence.observe({ atMs, silentWorkers, activity: [fds] });
 * assert.equal(look(0, 0, 10), true); // every worker posts
 * assert.equal(look(2000, 1, 40), false); // one is silent, and fds moved: unknown
 * assert.equal(look(2500, 1, 40), false); // quiet for 0.5 s only
 * assert.equal(look(3000, 1, 40), true); // quiet for a second: evidence
 * assert.equal(look(3500, 1, null), false); // nothing read: no evidence
 * ```
 */
export class StallEvidence {
  #activity: (number | null)[] = [];
  #movedAt = 0;

  /**
   * Takes one look.
   *
   * @param o The time, silent workers and the activity readings.
   * @returns Whether a watchdog may judge progress now.
   */
  observe(o: EvidenceObservation): boolean {
    o.activity.forEach((reading, i) => {
      if (reading === null) return;
      const last = this.#activity[i] ?? null;
      if (last !== null && reading !== last) this.#movedAt = o.atMs;
      this.#activity[i] = reading;
    });
    if (o.silentWorkers === 0) return true;
    // Quiet is evidence only where something was read: nothing read is no evidence.
    const read = o.activity.some((reading) => reading !== null);
    return read && o.atMs - this.#movedAt >= QUIET_MS;
  }
}
