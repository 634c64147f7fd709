/**
 * The open model's schedule: when each request is meant to be sent. A constant rate R sends
 * request i at t0 + i/R; stages ramp the rate linearly from one to the next (k6's
 * ramping-arrival-rate). Each request keeps its intended time, so latency can be measured from it
 * (coordinated-omission correction, as wrk2 does): a server that stalls makes every request due
 * meanwhile late, and the lateness counts.
 *
 * Pure: the clock is the caller's.
 *
 * @module
 */

import type { ArrivalSpec } from "../scenario/schema.ts";

/**
 * Intended send times of an arrival spec.
 *
 * @example 1000 requests per second: one every millisecond
 * ```ts
 * import { ArrivalSchedule } from "./arrival_schedule.ts";
 * import assert from "node:assert/strict";
 *
 * const schedule = new ArrivalSchedule({
 *   startRatePerSecond: 1000,
 *   stages: [{ durationMs: 10_000, ratePerSecond: 1000 }],
 * });
 * assert.equal(schedule.timeOf(0), 0);
 * assert.equal(schedule.timeOf(250), 250);
 * assert.equal(schedule.dueBy(9.5), 10);
 * ```
 */
export class ArrivalSchedule {
  /** Length of the schedule, ms (Infinity when the last stage has no end). */
  readonly durationMs: number;
  /** Requests the whole schedule sends (Infinity without an end). */
  readonly total: number;
  // Per stage: start time, rate at its start and end (per ms), and requests before it.
  #stages: { startMs: number; durationMs: number; r0: number; r1: number; before: number }[] = [];
  // This schedule's requests are the fleet's requests `index`, `index + of`, ...
  #index: number;
  #of: number;

  /**
   * Creates the schedule.
   *
   * @param spec Start rate and stages (rates per second).
   */
  constructor(spec: ArrivalSpec) {
    let startMs = 0;
    let before = 0;
    let rate = spec.startRatePerSecond / 1000;
    for (const stage of spec.stages) {
      const r1 = stage.ratePerSecond / 1000;
      this.#stages.push({ startMs, durationMs: stage.durationMs, r0: rate, r1, before });
      startMs += stage.durationMs;
      before += (stage.durationMs * (rate + r1)) / 2;
      rate = r1;
    }
    this.durationMs = startMs;
    this.#index = spec.share?.index ?? 0;
    this.#of = spec.share?.of ?? 1;
    // Requests whose intended time falls before the end: request k goes when the count reaches k.
    const fleetTotal = Number.isFinite(before) ? Math.ceil(before - 1e-9) : Infinity;
    this.total = Math.max(0, Math.ceil((fleetTotal - this.#index) / this.#of));
  }

  /**
   * When request `i` (0-based) is meant to be sent.
   *
   * @param i The request's index.
   * @returns Ms from the schedule's start, or Infinity when the schedule ends before it.
   */
  timeOf(i: number): number {
    if (i >= this.total) return Infinity;
    return this.#fleetTimeOf(i * this.#of + this.#index);
  }

  /**
   * How many requests are due by a time (those whose intended time is at or before it).
   *
   * @param atMs Ms from the schedule's start.
   * @returns The count.
   */
  dueBy(atMs: number): number {
    const fleetDue = this.#fleetDueBy(atMs);
    return Math.min(this.total, Math.max(0, Math.ceil((fleetDue - this.#index) / this.#of)));
  }

  #fleetTimeOf(i: number): number {
    for (const s of this.#stages) {
      const inStage = (s.durationMs * (s.r0 + s.r1)) / 2;
      if (i >= s.before + inStage) continue;
      const n = i - s.before;
      if (s.r1 === s.r0) return s.startMs + n / s.r0;
      // n = r0 t + a t^2 / 2, with a = (r1 - r0) / D: the root that lies in the stage.
      const a = (s.r1 - s.r0) / s.durationMs;
      const t = s.r0 === 0 && a > 0
        ? Math.sqrt((2 * n) / a)
        : (-s.r0 + Math.sqrt(Math.max(0, s.r0 * s.r0 + 2 * a * n))) / a;
      return s.startMs + t;
    }
    return Infinity;
  }

  #fleetDueBy(atMs: number): number {
    if (atMs < 0) return 0;
    for (const s of this.#stages) {
      if (atMs >= s.startMs + s.durationMs) continue;
      const t = atMs - s.startMs;
      const a = (s.r1 - s.r0) / s.durationMs;
      const n = s.before + s.r0 * t + (Number.isFinite(a) ? (a * t * t) / 2 : 0);
      // Request k is due at the moment the count reaches k (request 0 at once).
      return Math.floor(n + 1e-9) + 1;
    }
    return Infinity;
  }
}

/** Options for {@linkcode ArrivalTickets}. */
export interface ArrivalTicketsOptions {
  /** The schedule's time 0, on the caller's clock. */
  startMs: number;
  /** Most requests to hand out (a request-count client's share). @default {Infinity} */
  limit?: number;
  /**
   * Most requests owed at once (in flight, plus due and not yet taken); beyond it, due requests
   * are dropped and counted. @default {Infinity}
   */
  maxOwed?: number;
}

/**
 * Hands out a client's scheduled requests to its lanes, one reservation at a time: a lane takes
 * the next request and sends it at its intended time (at once when that has passed). Requests due
 * while every lane is busy wait their turn, and their wait counts as queue time; past `maxOwed`
 * they are dropped. Pure: the caller passes the time.
 *
 * @example
 * ```ts
 * import { ArrivalSchedule, ArrivalTickets } from "./arrival_schedule.ts";
 * import assert from "node:assert/strict";
 *
 * const schedule = new ArrivalSchedule({
 *   startRatePerSecond: 1000,
 *   stages: [{ durationMs: 1000, ratePerSecond: 1000 }],
 * });
 * const tickets = new ArrivalTickets(schedule, { startMs: 100 });
 * assert.equal(tickets.take(100, 0), 100); // request 0, due now
 * assert.equal(tickets.take(100, 1), 101); // request 1: wait until 101
 * assert.equal(tickets.takeDue(100, 2), null); // nothing else is due yet
 * ```
 */
export class ArrivalTickets {
  /** Requests handed out. */
  taken = 0;
  /** Requests dropped because too many were owed. */
  dropped = 0;
  #schedule: ArrivalSchedule;
  #startMs: number;
  #limit: number;
  #maxOwed: number;

  /**
   * Creates the tickets of one client.
   *
   * @param schedule The client's schedule.
   * @param options Time origin, request limit and bound on what is owed.
   */
  constructor(schedule: ArrivalSchedule, options: ArrivalTicketsOptions) {
    this.#schedule = schedule;
    this.#startMs = options.startMs;
    this.#limit = options.limit ?? Infinity;
    this.#maxOwed = options.maxOwed ?? Infinity;
  }

  /**
   * Requests due by `nowMs` and not yet handed out (or dropped).
   *
   * @param nowMs Now, on the caller's clock.
   * @returns The backlog.
   */
  backlog(nowMs: number): number {
    const due = Math.min(this.#limit, this.#schedule.dueBy(nowMs - this.#startMs));
    return Math.max(0, due - this.taken - this.dropped);
  }

  /**
   * Reserves the next request.
   *
   * @param nowMs Now, on the caller's clock.
   * @param inFlight The client's requests in flight now.
   * @returns Its intended send time (on the caller's clock; later than now means wait until
   *   then), or null when the schedule or the limit is exhausted.
   */
  take(nowMs: number, inFlight: number): number | null {
    this.#drop(nowMs, inFlight);
    const next = this.taken + this.dropped;
    if (next >= this.#limit) return null;
    const at = this.#schedule.timeOf(next);
    if (!Number.isFinite(at)) return null;
    this.taken++;
    return this.#startMs + at;
  }

  /**
   * Reserves the next request only if it is already due (to fill a pipelined batch).
   *
   * @param nowMs Now, on the caller's clock.
   * @param inFlight The client's requests in flight now.
   * @returns Its intended send time, or null when none is due.
   */
  takeDue(nowMs: number, inFlight: number): number | null {
    this.#drop(nowMs, inFlight);
    const next = this.taken + this.dropped;
    if (next >= this.#limit) return null;
    const at = this.#startMs + this.#schedule.timeOf(next);
    if (!(at <= nowMs)) return null;
    this.taken++;
    return at;
  }

  /**
   * Gives back a request taken earlier as dropped: when its time came, too many were owed.
   */
  dropTaken(): void {
    this.taken--;
    this.dropped++;
  }

  /**
   * Whether one more request may be sent now without owing more than `maxOwed`.
   *
   * @param inFlight The client's requests in flight now.
   * @returns True when sending keeps within the bound.
   */
  maySend(inFlight: number): boolean {
    return inFlight < this.#maxOwed;
  }

  #drop(nowMs: number, inFlight: number): void {
    if (this.#maxOwed === Infinity) return;
    const excess = this.backlog(nowMs) + inFlight - this.#maxOwed;
    if (excess > 0) this.dropped += Math.min(excess, this.backlog(nowMs));
  }
}

/** The three latencies of one request, in ms (see {@linkcode requestLatencies}). */
export interface RequestLatencies {
  /** End minus actual send. */
  serviceMs: number;
  /** End minus intended send (coordinated omission corrected); never below `serviceMs`. */
  correctedMs: number;
  /** Actual minus intended send; never negative. */
  queueMs: number;
}

/**
 * The latencies of one request from its intended send time, actual send time and end (one
 * clock). A request sent before its intended time (a timer that fired early) counts from its
 * actual send: corrected latency is never below service latency, and the queue time never
 * negative, by construction.
 *
 * @param intendedMs When the schedule meant it to go (the actual send in a closed loop).
 * @param times `sentAtMs`: when it went; `endMs`: when it ended.
 * @returns Service, corrected and queue latency.
 *
 * @example A timer fired 2 ms early
 * ```ts
 * import { requestLatencies } from "./arrival_schedule.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(requestLatencies(100, { sentAtMs: 98, endMs: 110 }), {
 *   serviceMs: 12,
 *   correctedMs: 12,
 *   queueMs: 0,
 * });
 * assert.deepEqual(requestLatencies(100, { sentAtMs: 130, endMs: 140 }), {
 *   serviceMs: 10,
 *   correctedMs: 40,
 *   queueMs: 30,
 * });
 * ```
 */
export function requestLatencies(
  intendedMs: number,
  times: { sentAtMs: number; endMs: number },
): RequestLatencies {
  const from = Math.min(intendedMs, times.sentAtMs);
  return {
    serviceMs: times.endMs - times.sentAtMs,
    correctedMs: times.endMs - from,
    queueMs: times.sentAtMs - from,
  };
}
