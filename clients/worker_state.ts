/**
 * What a client worker holds between snapshots: its histograms, counters, error tallies and the
 * slot of every request loop (lane). Written by the clients it runs, read at snapshot time.
 *
 * @module
 */

import { classifyError } from "../report/error_class.ts";
import { LatencyHistogram } from "../report/latency_histogram.ts";
import type { ErrorClass } from "../report/types.ts";
import { type ClientCounters, type WorkerInit, zeroCounters } from "./protocol.ts";

/** The report keeps at most this many distinct error messages; the rest count as one line. */
const MAX_DISTINCT_ERRORS = 50;

/** A lane's phase: between requests. */
export const IDLE = 0;
/** A lane's phase: its request is sent, the response headers have not come. */
export const AWAITING_HEADERS = 1;
/** A lane's phase: the response headers came, its body is being read. */
export const READING_BODY = 2;

/** What one request loop (lane) is doing now; updated in place, read at snapshot time. */
export interface LaneSlot {
  /** The client the lane belongs to. */
  clientId: number;
  /** The server its current request went to. */
  target: number;
  /** When its current request was sent (`performance.now()`). */
  startedAt: number;
  /** What it is doing now. */
  phase: typeof IDLE | typeof AWAITING_HEADERS | typeof READING_BODY;
}

/** Errors counted by class and message. */
export type ErrorTally = Map<string, { class: ErrorClass; message: string; count: number }>;

/** A client worker's state. */
export interface WorkerState {
  /** The runtime's init message. */
  init: WorkerInit;
  /** Service latency: end minus actual send time. */
  histogram: LatencyHistogram;
  /** End minus intended send time (every client; the same as service in a closed loop). */
  corrected: LatencyHistogram;
  /** Open model only: actual minus intended send time. */
  queue: LatencyHistogram | null;
  /**
   * Open model only: how late a lane woke for a request it waited for with a free connection
   * (the generator's own lateness: its timer or pacer, and its event loop).
   */
  wake: LatencyHistogram | null;
  /** Per-client counters, cumulative over rounds. */
  counters: ClientCounters[];
  /** Requests ended per server id. */
  completedByServer: number[];
  /** Requests in flight per server id. */
  inFlightByServer: number[];
  /** Response counts by status. */
  statusCodes: Record<string, number>;
  /** Errors by class and message. */
  errors: ErrorTally;
  /** Raw engine: why requests were sent again on a new connection. */
  retries: ErrorTally;
  /** Every lane's slot, when in-flight requests are tracked. */
  slots: LaneSlot[];
  /** The runtime asked to stop. */
  stopped: boolean;
  /** The final snapshot was posted. */
  finished: boolean;
  /** Rounds finished. */
  roundsDone: number;
  /** The snapshot interval's timer. */
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * A worker's state before it has run anything.
 *
 * @param init The runtime's init message.
 * @returns Zero counters, empty histograms and tallies.
 *
 * @example
 * ```ts
 * import { createWorkerState } from "./worker_state.ts";
 * import assert from "node:assert/strict";
 *
 * const state = createWorkerState({
 *   type: "init",
 *   workerId: 0,
 *   clients: [],
 *   urls: ["http://127.0.0.1:8000"],
 *   caCerts: [],
 *   snapshotIntervalMs: 250,
 *   trackInFlight: true,
 * });
 * assert.deepEqual(state.inFlightByServer, [0]);
 * ```
 */
export function createWorkerState(init: WorkerInit): WorkerState {
  const servers = init.urls.length;
  const open = init.clients.some((c) => c.arrival); // an open model's histograms
  return {
    init,
    histogram: new LatencyHistogram(),
    corrected: new LatencyHistogram(),
    queue: open ? new LatencyHistogram() : null,
    wake: open ? new LatencyHistogram() : null,
    counters: init.clients.map((c) => zeroCounters(c.id)),
    completedByServer: new Array(servers).fill(0),
    inFlightByServer: new Array(servers).fill(0),
    statusCodes: {},
    errors: new Map(),
    retries: new Map(),
    slots: [],
    stopped: false,
    finished: false,
    roundsDone: 0,
    timer: undefined,
  };
}

/**
 * Counts an error by its class and message; past {@linkcode MAX_DISTINCT_ERRORS} distinct ones,
 * a new message counts under one "more distinct error messages" line.
 *
 * @param errors The tally to count into.
 * @param error What was thrown.
 * @param count How many requests it ended.
 *
 * @example
 * ```ts
 * import { countError, type ErrorTally } from "./worker_state.ts";
 * import assert from "node:assert/strict";
 *
 * const errors: ErrorTally = new Map();
 * countError(errors, new Error("boom"));
 * countError(errors, new Error("boom"), 2);
 * assert.equal([...errors.values()][0].count, 3);
 * ```
 */
export function countError(errors: ErrorTally, error: unknown, count = 1): void {
  const classified = classifyError(error);
  let key = `${classified.class}\u0000${classified.message}`;
  if (!errors.has(key) && errors.size >= MAX_DISTINCT_ERRORS) {
    key = "other\u0000(more distinct error messages than the report keeps)";
    classified.class = "other";
    classified.message = "(more distinct error messages than the report keeps)";
  }
  const entry = errors.get(key);
  if (entry) entry.count += count;
  else errors.set(key, { ...classified, count });
}

/**
 * A new lane's slot, idle, added to the worker's slots when in-flight requests are tracked.
 *
 * @param state The worker's state.
 * @param clientId The lane's client.
 * @returns The slot the lane updates in place.
 *
 * @example
 * ```ts ignore
 * const slot = laneSlot(state, spec.id);
 * slot.phase = AWAITING_HEADERS;
 * ```
 */
export function laneSlot(state: WorkerState, clientId: number): LaneSlot {
  const slot: LaneSlot = { clientId, target: 0, startedAt: 0, phase: IDLE };
  if (state.init.trackInFlight) state.slots.push(slot);
  return slot;
}
