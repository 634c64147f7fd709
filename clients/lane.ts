/**
 * The contract between a client and its request loops (lanes): what a lane of either engine
 * (fetch, raw) needs of its client to pick a server, get its next request and count what happens.
 *
 * @module
 */

import type { PlannedClient } from "../plan/plan.ts";
import type { ClientCounters } from "./protocol.ts";
import type { WorkerState } from "./worker_state.ts";

/** What a lane needs of its client: pick a server, get the next request, count what happens. */
export interface LaneContext {
  /** The worker's state (slots, server URLs). */
  readonly state: WorkerState;
  /** The client the lane runs for. */
  readonly spec: PlannedClient;
  /** The client's counters. */
  readonly counters: ClientCounters;
  /** The server the next request goes to. */
  pick(): number;
  /** The next request's intended send time (waiting for it, in the open model), or null. */
  nextRequest(): Promise<number | null>;
  /**
   * `nextRequest` without the wait, for a lane that paces itself (the epoll engine): reserves the
   * next request and returns its intended send time, which may be later than `now` (the open
   * model), or null when there is none. When its time has come the lane asks {@linkcode admit}.
   * `now` is the lane's own `performance.now()` reading (one clock read serves the reservation
   * and the send); a closed loop's request is intended at `now`.
   */
  reserve(now: number): number | null;
  /**
   * The reserved request's intended time has come: true when it may go now; false when the run
   * stopped, or too many are owed (then it is dropped and counted): reserve the next one.
   */
  admit(): boolean;
  /** Another request for a pipelined batch, only if it may go now; else null. */
  nextDue(): number | null;
  /**
   * A lane that waited (idle) for a request's intended time woke at `now`: records how late, the
   * generator's own lateness (an open model's timer or pacer, and its event loop). Every
   * {@linkcode reserve} that returned a time after its `now` is followed by one call, when the
   * lane wakes for it: late requests are told apart by whether a lane was idle at their time.
   */
  woke(intended: number, now: number): void;
  /** Counts a request as sent at `sentAt`, and how late that was against its intended time. */
  sent(target: number, intended: number, sentAt: number): void;
  /** Counts a request's end: a response with `status`, or `error`. */
  record(
    target: number,
    intended: number,
    sentAt: number,
    status: number | undefined,
    error?: unknown,
  ): void;
  /** `count` requests go again on a new connection: their pooled one was found closed. */
  retried(count: number, why: unknown): void;
  /**
   * Bytes arrived on an idle connection with no request waiting: the request last answered on it
   * (with `status`) was answered twice, and counts as a protocol error instead.
   */
  stray(status: number, error: unknown): void;
  /** Response body bytes received. */
  received(bytes: number): void;
}

/**
 * Fills `batch` with `first` and the requests that may go now, up to the client's pipelining
 * depth: one write's worth of requests, for either raw engine.
 *
 * @param lane The lane.
 * @param first The batch's first request (its intended time).
 * @param batch Emptied, then filled with the intended times (reused to spare an allocation).
 *
 * @example
 * ```ts ignore
 * fillBatch(lane, first, intended);
 * ```
 */
export function fillBatch(lane: LaneContext, first: number, batch: number[]): void {
  batch[0] = first;
  let count = 1;
  while (count < lane.spec.pipelining) {
    const more = lane.nextDue();
    if (more === null) break;
    batch[count++] = more;
  }
  // Setting an array's length is a runtime call (~50 ns): only when the batch size changed.
  if (batch.length !== count) batch.length = count;
}

/**
 * The error a request that ran out of its client's `timeout` ends with.
 *
 * @returns A `TimeoutError` `DOMException`, as `AbortSignal.timeout` aborts with.
 *
 * @example
 * ```ts
 * import { timeoutError } from "./lane.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(timeoutError().name, "TimeoutError");
 * ```
 */
export function timeoutError(): DOMException {
  return new DOMException("request timed out", "TimeoutError");
}
