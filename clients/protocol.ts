/**
 * Messages between the runtime and client worker threads. Workers aggregate locally and post a
 * snapshot a few times a second, never a message per request.
 *
 * @module
 */

import type { WorkerHeap } from "../report/readings.ts";
export type { WorkerHeap };

import type { PlannedClient } from "../plan/plan.ts";
import type { ErrorClass } from "../report/types.ts";
import type { InFlightRequest } from "../report/stall_diagnosis.ts";

/** Runtime to worker: the clients to run and the server URLs (by server id). */
export interface WorkerInit {
  /** Message type. */
  type: "init";
  /**
   * The runtime already said that the raw engine falls back to raw-deno here (no `--allow-ffi`):
   * the worker does not say it again. Absent: the worker says it once.
   */
  epollFallbackTold?: boolean;
  /** Worker index. */
  workerId: number;
  /** Clients this worker runs. */
  clients: PlannedClient[];
  /** Base URL of each server, indexed by server id. */
  urls: string[];
  /** The run's CA certificate (PEM), for HTTP/2 clients; empty without h2 servers. */
  caCerts: string[];
  /** How often to post a snapshot, ms. */
  snapshotIntervalMs: number;
  /** Track each in-flight request's age and phase (for stall diagnoses). */
  trackInFlight: boolean;
}

/**
 * Runtime to worker: start a load (a round; all workers start together). A run has one round, or
 * several for a memory verdict; each opens fresh HTTP clients and closes them at its end.
 */
export interface WorkerStart {
  /** Message type. */
  type: "start";
  /** Round number, from 1. */
  round: number;
  /** Whether this is the last round (the worker posts its final snapshot after it). */
  last: boolean;
}

/**
 * Runtime to worker: stop now and post a final snapshot that reports what is still in flight (it
 * stays counted as in flight); the runtime then terminates the worker, which ends those requests.
 */
export interface WorkerStop {
  /** Message type. */
  type: "stop";
}

/** Any message the runtime sends. */
export type ToWorker = WorkerInit | WorkerStart | WorkerStop;

/** Cumulative counters of one client. */
export interface ClientCounters {
  /** Client id. */
  id: number;
  /** Requests started. */
  sent: number;
  /** Requests ended (response or error). */
  completed: number;
  /** Requests that ended with a status below 400. */
  ok: number;
  /** Requests that ended with an error. */
  errors: number;
  /** Timed out without cancel (left running). */
  abandoned: number;
  /** Open model: sent 10 ms or more after their intended time. */
  late: number;
  /**
   * Open model: of `late`, those no lane of the client was free for at their intended time (every
   * connection busy: the server's pace or the client's `concurrency`, not the generator).
   */
  lateBusy: number;
  /** Open model: due but dropped, because `maxInFlight` requests were owed. */
  dropped: number;
  /**
   * Raw engine: requests sent again on a new connection because their pooled one was found
   * closed before the request was written (fetch's retries happen inside hyper, unseen: 0).
   */
  retried: number;
  /** Response body bytes received (decoded), of whole and cut bodies. */
  bodyBytes: number;
}

/**
 * A client's counters before it has sent anything.
 *
 * @param id The client's id.
 * @returns Every count at 0.
 *
 * @example
 * ```ts
 * import { zeroCounters } from "./protocol.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(zeroCounters(3).sent, 0);
 * ```
 */
export function zeroCounters(id: number): ClientCounters {
  return {
    id,
    sent: 0,
    completed: 0,
    ok: 0,
    errors: 0,
    abandoned: 0,
    late: 0,
    lateBusy: 0,
    dropped: 0,
    retried: 0,
    bodyBytes: 0,
  };
}

/** A worker's state: cumulative counters plus the latency recorded since the previous snapshot. */
export interface WorkerSnapshot {
  /** Message type. */
  type: "snapshot";
  /** Worker index. */
  workerId: number;
  /**
   * True for the last snapshot: every client has finished (and closed its HTTP client), or the
   * runtime asked the worker to stop.
   */
  final: boolean;
  /** Rounds this worker has finished. */
  roundsDone: number;
  /** Per-client counters, cumulative over rounds. */
  clients: ClientCounters[];
  /** Requests ended per server id, cumulative (length = number of servers). */
  completedByServer: number[];
  /** Requests in flight per server id, now. */
  inFlightByServer: number[];
  /** Response counts by status, cumulative. */
  statusCodes: Record<string, number>;
  /** Errors by class and message, cumulative. */
  errors: { class: ErrorClass; message: string; count: number }[];
  /** Raw engine: retries by why the pooled connection was found closed, cumulative. */
  retries: { class: ErrorClass; message: string; count: number }[];
  /** The oldest requests in flight (at most 5), oldest first. */
  oldestInFlight: InFlightRequest[];
  /** Requests awaiting response headers per server id, now (empty when not tracked). */
  awaitingHeadersByServer: number[];
  /** Service latency (end minus actual send) since the previous snapshot (compressed HDR). */
  latencyDelta: string | null;
  /** Open model: end minus intended send time since the previous snapshot, or null. */
  correctedDelta: string | null;
  /** Open model: actual minus intended send time since the previous snapshot, or null. */
  queueDelta: string | null;
  /**
   * Open model: how late the lanes woke for requests they waited for (a free connection), since
   * the previous snapshot, or null; absent from a worker that does not report it.
   */
  wakeDelta?: string | null;
  /**
   * The worker isolate's memory as of this snapshot; null where it could not be read (absent from
   * a worker that does not report it).
   */
  heap?: WorkerHeap | null;
}

/** Worker to runtime: initialised and ready to start. */
export interface WorkerReady {
  /** Message type. */
  type: "ready";
  /** Worker index. */
  workerId: number;
}

/** Worker to runtime: something failed inside the worker itself (not a request). */
export interface WorkerFailure {
  /** Message type. */
  type: "failure";
  /** Worker index. */
  workerId: number;
  /** What failed. */
  message: string;
}

/** Any message a worker sends. */
export type FromWorker = WorkerReady | WorkerSnapshot | WorkerFailure;
