/**
 * Whether the stall watchdogs may judge progress now. A client worker that has posted nothing
 * for a second makes progress unknown, not zero: on a loaded machine a starved or busy worker
 * posts nothing while its requests go on. Time without evidence is no stall. Evidence is every
 * worker posting again (their cumulative counts cover the silence), or, while workers are silent,
 * a run where nothing moves for a second: no request received by the servers wedge counts, no
 * socket of the run's ports changing state, no bytes newly waiting on them. wedge's own
 * housekeeping (the runtime's probes and reads, which open fds while a run is idle) is not
 * activity: it would hold off a real stall's verdict indefinitely (run/stall_activity.ts).
 *
 * @module
 */

import type { InFlightRequest } from "../report/stall_types.ts";

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
   * have received, the run's sockets in each state (in a fixed order).
   */
  activity: readonly (number | null)[];
}

/**
 * Tells, at each look, whether progress is known.
 *
 * @example A silent worker makes progress unknown while the run's sockets still move
 * ```ts
 * import { StallEvidence } from "./stall_evidence.ts";
 * import assert from "node:assert/strict";
 *
 * const evidence = new StallEvidence();
 * const look = (atMs: number, silentWorkers: number, established: number | null) =>
 *   evidence.observe({ atMs, silentWorkers, activity: [established] });
 * assert.equal(look(0, 0, 10), true); // every worker posts
 * assert.equal(look(2000, 1, 40), false); // one is silent, and sockets moved: unknown
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

/** The collector's in-flight counts, as {@linkcode knownInFlight} reads them. */
export interface InFlightCounts {
  /** Run-wide. */
  total: number;
  /** By server id. */
  byServer: readonly number[];
  /** Of those, still awaiting response headers, by server id; null when phases are not tracked. */
  awaitingHeadersByServer: readonly number[] | null;
  /** By client id. */
  byClient: readonly number[];
}

/** {@linkcode InFlightCounts} where unknown counts are null. */
export interface KnownInFlight {
  /** Run-wide; null while any worker is silent. */
  total: number | null;
  /** By server id; null where a silent worker's client targets the server. */
  byServer: (number | null)[];
  /** By server id, null as `byServer`; null when phases are not tracked. */
  awaitingHeadersByServer: (number | null)[] | null;
  /** By client id; null for a silent worker's clients. */
  byClient: (number | null)[];
}

/**
 * The in-flight counts that are known while some workers are silent: a silent worker's last
 * snapshot is stale (or missing), so what its clients hold is unknown (null), and so is every sum
 * it is part of: the run's total and each server its clients target. Never the stale figure.
 *
 * @param counts The collector's counts, silent workers' stale snapshots included.
 * @param options `silentWorkers`: worker ids; `clients`: each client's worker and target server ids.
 * @returns The same counts, null where unknown.
 *
 * @example Worker 1 runs client 1, which targets server 1: both counts are unknown, and the total
 * ```ts
 * import { knownInFlight } from "./stall_evidence.ts";
 * import assert from "node:assert/strict";
 *
 * const known = knownInFlight(
 *   { total: 4, byServer: [4, 0], awaitingHeadersByServer: null, byClient: [4, 0] },
 *   { silentWorkers: [1], clients: [{ worker: 0, targets: [0] }, { worker: 1, targets: [1] }] },
 * );
 * assert.deepEqual(known, {
 *   total: null, byServer: [4, null], awaitingHeadersByServer: null, byClient: [4, null],
 * });
 * ```
 */
export function knownInFlight(
  counts: InFlightCounts,
  options: {
    silentWorkers: readonly number[];
    clients: readonly { worker: number; targets: readonly number[] }[];
  },
): KnownInFlight {
  const silent = new Set(options.silentWorkers);
  const silentClients = options.clients.filter((c) => silent.has(c.worker));
  const unknownServers = new Set(silentClients.flatMap((c) => c.targets));
  const byServer = (n: number, id: number) => unknownServers.has(id) ? null : n;
  return {
    total: silent.size ? null : counts.total,
    byServer: counts.byServer.map(byServer),
    awaitingHeadersByServer: counts.awaitingHeadersByServer?.map(byServer) ?? null,
    byClient: counts.byClient.map((n, id) =>
      silent.has(options.clients[id]?.worker ?? -1) ? null : n
    ),
  };
}

/**
 * The oldest requests in flight, each age as of when it was known: the collector carries a
 * silent worker's ages forward from its last snapshot, as if every request were still in flight;
 * that is unknown. Such a request gets its age as of the worker's last post, and `asOf` saying
 * which worker and when; the others are unchanged (their ages are now's).
 *
 * @param oldest The collector's oldest in flight, ages carried forward to `nowMs`.
 * @param options `nowMs`: now; `lastPostMs`: each silent worker's last post, by worker id;
 *   `clients`: each client's worker, by client id.
 * @returns The same requests, a silent worker's marked.
 *
 * @example Worker 1 last posted at 2 s: its client's request was 500 ms old then
 * ```ts
 * import { knownOldest } from "./stall_evidence.ts";
 * import assert from "node:assert/strict";
 *
 * const oldest = knownOldest([
 *   { clientId: 1, server: 0, ageMs: 3500, phase: "awaiting-headers" },
 *   { clientId: 0, server: 0, ageMs: 900, phase: "reading-body" },
 * ], { nowMs: 5000, lastPostMs: new Map([[1, 2000]]), clients: [{ worker: 0 }, { worker: 1 }] });
 * assert.deepEqual(oldest, [
 *   { clientId: 1, server: 0, ageMs: 500, phase: "awaiting-headers", asOf: { worker: 1, atMs: 2000 } },
 *   { clientId: 0, server: 0, ageMs: 900, phase: "reading-body" },
 * ]);
 * ```
 */
export function knownOldest(
  oldest: readonly InFlightRequest[],
  options: {
    nowMs: number;
    lastPostMs: ReadonlyMap<number, number>;
    clients: readonly { worker: number }[];
  },
): InFlightRequest[] {
  const { nowMs, lastPostMs, clients } = options;
  return oldest.map((r) => {
    const worker = clients[r.clientId]?.worker ?? -1;
    const atMs = lastPostMs.get(worker);
    if (atMs === undefined) return r;
    return { ...r, ageMs: Math.max(0, r.ageMs - (nowMs - atMs)), asOf: { worker, atMs } };
  });
}
