/**
 * The one collector of a run: merges worker snapshots (cumulative counters, latency deltas) into
 * the run's totals, and keeps the rest of the run's state (incidents, timeline, memory
 * checkpoints, socket census peaks, peak fds, listen counters, failed workers). Pure: no Deno
 * APIs; the progress display and the report read from it.
 *
 * @module
 */

import { LatencyHistogram } from "../report/latency_histogram.ts";
import type { RunPlan } from "../plan/plan.ts";
import type {
  ErrorCount,
  IncidentMark,
  MemoryCheckpoint,
  SocketReport,
  TimelinePoint,
} from "../report/types.ts";
import { appendTimelinePoint } from "../report/timeline_downsample.ts";
import type { ListenCounters, SocketCensus } from "../report/readings.ts";
import type { InFlightRequest } from "../report/stall_diagnosis.ts";
import { type ClientCounters, type WorkerSnapshot, zeroCounters } from "../clients/protocol.ts";

/** Run-wide request counts at one moment. */
export interface CollectedTotals {
  /** Requests started. */
  sent: number;
  /** Requests ended. */
  completed: number;
  /** Ended with status < 400. */
  ok: number;
  /** Ended with an error. */
  errors: number;
  /** Timed out without cancel. */
  abandoned: number;
  /** Started and not ended. */
  inFlight: number;
  /** Open model: sent 10 ms or more after their intended time. */
  late: number;
  /** Open model: dropped (too many owed). */
  dropped: number;
  /** Raw engine: requests sent again because their pooled connection was found closed. */
  retried: number;
  /** Response body bytes received (decoded), whole and cut bodies. */
  bodyBytes: number;
}

/**
 * Merges worker snapshots.
 *
 * @example
 * ```ts
 * import { defineScenario, hello } from "../mod.ts";
 * import { planRun } from "../plan/plan.ts";
 * import { resolveScenario } from "../scenario/resolve.ts";
 * import { RunCollector } from "./collector.ts";
 * import assert from "node:assert/strict";
 *
 * const plan = planRun(resolveScenario(defineScenario({
 *   name: "tiny",
 *   description: "one hello server",
 *   servers: [{ behavior: hello() }],
 *   clients: [{ requests: 10 }],
 * })), { seed: 1 });
 * const collector = new RunCollector(plan);
 * collector.apply({
 *   type: "snapshot", workerId: 0, final: false, roundsDone: 0,
 *   clients: [{
 *     id: 0, sent: 4, completed: 3, ok: 3, errors: 0, abandoned: 0, late: 0, lateBusy: 0,
 *     dropped: 0, retried: 0, bodyBytes: 15,
 *   }],
 *   completedByServer: [3], inFlightByServer: [1], statusCodes: { "200": 3 }, errors: [],
 *   retries: [],
 *   oldestInFlight: [], awaitingHeadersByServer: [], latencyDelta: null, correctedDelta: null,
 *   queueDelta: null,
 * });
 * assert.equal(collector.totals().inFlight, 1);
 * ```
 */
export class RunCollector {
  /** Service latency of every response (end minus actual send), merged from the workers. */
  readonly latency: LatencyHistogram = new LatencyHistogram();
  /** Open model: latency from each request's intended send time (coordinated omission corrected). */
  readonly corrected: LatencyHistogram = new LatencyHistogram();
  /** Open model: how long requests waited past their intended send time. */
  readonly queue: LatencyHistogram = new LatencyHistogram();
  /** Open model: how late lanes woke for the requests they waited for (the generator's own). */
  readonly wake: LatencyHistogram = new LatencyHistogram();
  /**
   * What went wrong around the load (servers, processes, workers), in the order seen: when, what
   * about, and the text for people (see {@linkcode RunCollector.addIncident}).
   */
  readonly incidentMarks: IncidentMark[] = [];
  /** Progress every 250 ms, oldest first, bounded (see {@linkcode RunCollector.addTimelinePoint}). */
  readonly timeline: TimelinePoint[] = [];
  /** Spacing of the timeline's points, ms (doubles each time the cap merges them). */
  timelineResolutionMs = 250;
  /** Memory checkpoints between rounds (a memory verdict's). */
  readonly checkpoints: MemoryCheckpoint[] = [];
  /** Client workers known to have failed (not silent). */
  readonly failedWorkers: Set<number> = new Set();
  /** The latest socket census, or null before any. */
  census: SocketCensus | null = null;
  /** Most open fds of the runtime seen, or null when never read. */
  peakOpenFds: number | null = null;
  /** The kernel's listen counters as the load started and at the latest read. */
  listen: { before: ListenCounters | null; latest: ListenCounters | null } = {
    before: null,
    latest: null,
  };
  #peakTimeWait = 0;
  /** The most connections seen waiting in each port's accept queue at a census; null before one. */
  peakAcceptQueue: Record<string, number> | null = null;
  #socketsBefore: number | null = null;
  #censusesDuringLoad = 0;
  #peakEstablished = 0;
  #latest = new Map<number, WorkerSnapshot>();
  #receivedAt = new Map<number, number>();
  #servers: number;
  #clients: number;
  #workers: RunPlan["workers"];

  /**
   * Creates an empty collector for a run.
   *
   * @param plan The run plan (for the number of servers and clients).
   */
  constructor(plan: RunPlan) {
    this.#servers = plan.servers.length;
    this.#clients = plan.clients.length;
    this.#workers = plan.workers;
  }

  /**
   * Takes in one snapshot.
   *
   * @param snapshot A worker's snapshot.
   * @param receivedAtMs When it arrived, on the caller's clock (ages of in-flight requests and
   *   silent workers are measured from it).
   */
  apply(snapshot: WorkerSnapshot, receivedAtMs = 0): void {
    if (snapshot.latencyDelta) this.latency.addDelta(snapshot.latencyDelta);
    if (snapshot.correctedDelta) this.corrected.addDelta(snapshot.correctedDelta);
    if (snapshot.queueDelta) this.queue.addDelta(snapshot.queueDelta);
    if (snapshot.wakeDelta) this.wake.addDelta(snapshot.wakeDelta);
    const previous = this.#latest.get(snapshot.workerId);
    if (previous?.final) return;
    this.#latest.set(snapshot.workerId, { ...snapshot, latencyDelta: null });
    this.#receivedAt.set(snapshot.workerId, receivedAtMs);
  }

  /**
   * The oldest requests in flight across workers, with ages brought up to `nowMs`.
   *
   * @param nowMs Now, on the clock given to `apply`.
   * @param limit How many to return.
   * @returns Oldest first.
   */
  oldestInFlight(nowMs: number, limit = 10): InFlightRequest[] {
    const all: InFlightRequest[] = [];
    for (const [id, snapshot] of this.#latest) {
      if (snapshot.final) continue;
      const since = nowMs - (this.#receivedAt.get(id) ?? nowMs);
      for (const r of snapshot.oldestInFlight) all.push({ ...r, ageMs: r.ageMs + since });
    }
    return all.sort((a, b) => b.ageMs - a.ageMs).slice(0, limit);
  }

  /**
   * Workers still running that have posted nothing for at least `thresholdMs`.
   *
   * @param nowMs Now, on the clock given to `apply`.
   * @param options `thresholdMs`: silence that counts; `workerIds`: every worker of the run (one
   *   never heard from counts from time 0); `failed`: workers known to have crashed (not silent).
   * @returns Silent workers and for how long.
   */
  silentWorkers(
    nowMs: number,
    options: { thresholdMs: number; workerIds: readonly number[]; failed?: ReadonlySet<number> },
  ): { worker: number; silentForMs: number }[] {
    const { thresholdMs, workerIds, failed } = options;
    return workerIds
      .filter((id) => !this.isFinal(id) && !failed?.has(id))
      .map((id) => ({ worker: id, silentForMs: nowMs - (this.#receivedAt.get(id) ?? 0) }))
      .filter((w) => w.silentForMs >= thresholdMs);
  }

  /**
   * Requests in flight per client.
   *
   * @returns Requests in flight per client id.
   */
  inFlightByClient(): number[] {
    return this.clients().map((c) => c.sent - c.completed);
  }

  /**
   * Tells whether a worker has posted its final snapshot.
   *
   * @param workerId The worker.
   * @returns True after its final snapshot.
   */
  isFinal(workerId: number): boolean {
    return this.#latest.get(workerId)?.final ?? false;
  }

  /**
   * Run-wide request counts now.
   *
   * @returns Run-wide totals now.
   */
  totals(): CollectedTotals {
    const t: CollectedTotals = {
      sent: 0,
      completed: 0,
      ok: 0,
      errors: 0,
      abandoned: 0,
      inFlight: 0,
      late: 0,
      dropped: 0,
      retried: 0,
      bodyBytes: 0,
    };
    for (const snapshot of this.#latest.values()) {
      for (const c of snapshot.clients) {
        t.retried += c.retried;
        t.bodyBytes += c.bodyBytes;
        t.sent += c.sent;
        t.completed += c.completed;
        t.ok += c.ok;
        t.errors += c.errors;
        t.abandoned += c.abandoned;
        t.late += c.late;
        t.dropped += c.dropped;
      }
    }
    t.inFlight = t.sent - t.completed;
    return t;
  }

  /**
   * Requests in flight as the load ended, for the report: null (unknown, never 0) when a client
   * worker of the run posted no final snapshot (never posted, failed, or was terminated after the
   * stop's grace), because its count is then stale or missing. The same rule as the timeline's,
   * which is null while a worker is silent.
   *
   * @returns Requests started and not ended, or null where unknown.
   */
  inFlightAtEnd(): number | null {
    if (!this.#workers.every((w) => this.isFinal(w.id))) return null;
    return this.totals().inFlight;
  }

  /**
   * Counters of each client.
   *
   * @returns Counters of each client, by client id (zeros for a client not heard from).
   */
  clients(): ClientCounters[] {
    const out: ClientCounters[] = Array.from(
      { length: this.#clients },
      (_, id) => zeroCounters(id),
    );
    for (const snapshot of this.#latest.values()) {
      for (const c of snapshot.clients) out[c.id] = { ...c };
    }
    return out;
  }

  /**
   * Requests ended per server (client view).
   *
   * @returns Requests ended per server id (client view).
   */
  completedByServer(): number[] {
    return this.#sumPerServer((s) => s.completedByServer);
  }

  /**
   * Requests in flight per server (client view).
   *
   * @returns Requests in flight per server id (client view).
   */
  inFlightByServer(): number[] {
    return this.#sumPerServer((s) => s.inFlightByServer);
  }

  /**
   * Requests still awaiting response headers per server id, or null when the workers do not
   * track phases.
   *
   * @returns Counts by server id, or null.
   */
  awaitingHeadersByServer(): number[] | null {
    const tracked = [...this.#latest.values()].some((s) => s.awaitingHeadersByServer.length > 0);
    return tracked ? this.#sumPerServer((s) => s.awaitingHeadersByServer) : null;
  }

  /**
   * Responses by status code.
   *
   * @returns Responses by status code.
   */
  statusCodes(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const snapshot of this.#latest.values()) {
      for (const [code, count] of Object.entries(snapshot.statusCodes)) {
        out[code] = (out[code] ?? 0) + count;
      }
    }
    return out;
  }

  /**
   * Errors by class and message.
   *
   * @returns Errors by class and message, most frequent first.
   */
  errors(): ErrorCount[] {
    return this.#mergeCounts((s) => s.errors);
  }

  /**
   * Raw engine: requests sent again on a new connection, by why their pooled connection was found
   * closed (class and message, as errors are).
   *
   * @returns Retries by class and message, most frequent first.
   */
  retries(): ErrorCount[] {
    return this.#mergeCounts((s) => s.retries ?? []);
  }

  /**
   * Records a client worker's failure: an incident, and the worker is not counted as silent.
   *
   * @param workerId The worker.
   * @param message What failed.
   * @param atMs When, ms since the load started, or null where unknown.
   */
  failWorker(workerId: number, message: string, atMs: number | null = null): void {
    this.failedWorkers.add(workerId);
    this.addIncident(`client worker ${workerId} failed: ${message}`, {
      kind: "worker-failed",
      atMs,
    });
  }

  /**
   * Records an incident, with when it happened on the load's clock and what it is about.
   *
   * @param text The incident, for people.
   * @param mark What it is about, and when (ms since the load started, or null where unknown).
   */
  addIncident(text: string, mark: Omit<IncidentMark, "text">): void {
    this.incidentMarks.push({
      atMs: mark.atMs === null ? null : Math.round(mark.atMs),
      kind: mark.kind,
      text,
    });
  }

  /**
   * Adds a sample to the timeline, which keeps at most 2,000 points: when full, neighbours merge
   * in pairs (levels keep their peak) and later samples merge into buckets twice as wide.
   *
   * @param point The sample, later than the timeline's last point.
   */
  addTimelinePoint(point: TimelinePoint): void {
    this.timelineResolutionMs = appendTimelinePoint(this.timeline, point, {
      resolutionMs: this.timelineResolutionMs,
    });
  }

  /**
   * Takes in how many sockets were on the run's ports before the load (left out of every census).
   *
   * @param count Their number, or null when the TCP table could not be read.
   */
  observeSocketsBefore(count: number | null): void {
    this.#socketsBefore = count;
  }

  /**
   * Takes in a socket census and keeps its peaks.
   *
   * @param census The run's sockets now.
   * @param options `during`: read during the load (not as it started, nor as it ended).
   */
  observeCensus(census: SocketCensus, options: { during?: boolean } = {}): void {
    if (options.during) this.#censusesDuringLoad++;
    this.census = census;
    this.#peakTimeWait = Math.max(this.#peakTimeWait, census.timeWait);
    this.peakAcceptQueue ??= {};
    for (const [port, sockets] of Object.entries(census.ports)) {
      this.peakAcceptQueue[port] = Math.max(this.peakAcceptQueue[port] ?? 0, sockets.acceptQueue);
    }
    this.#peakEstablished = Math.max(this.#peakEstablished, census.established);
  }

  /**
   * Takes in the listen counters: the first call sets the load's start; null (unreadable) keeps
   * the latest.
   *
   * @param counters The kernel's counters now, or null.
   * @param options `start`: they are the counters as the load starts.
   */
  observeListen(counters: ListenCounters | null, options: { start?: boolean } = {}): void {
    if (options.start) this.listen = { before: counters, latest: counters };
    else this.listen.latest = counters ?? this.listen.latest;
  }

  /**
   * Takes in a reading of the runtime's open fds (null: unknown, ignored).
   *
   * @param openFds Open file descriptors now, or null.
   */
  observeOpenFds(openFds: number | null): void {
    if (openFds !== null) this.peakOpenFds = Math.max(this.peakOpenFds ?? 0, openFds);
  }

  /**
   * The run's sockets for the report: the peaks and the latest census, or null without one.
   *
   * @returns The socket report, or null.
   */
  sockets(): SocketReport | null {
    if (this.census === null) return null;
    return {
      peakTimeWait: this.#peakTimeWait,
      // Connections come and go between reads: with none read during the load, a peak of 0
      // is unknown (a short load's connections may all have closed by its end).
      peakEstablished: this.#peakEstablished > 0 || this.#censusesDuringLoad > 0
        ? this.#peakEstablished
        : null,
      atEnd: this.census,
      before: this.#socketsBefore,
    };
  }

  #mergeCounts(pick: (s: WorkerSnapshot) => ErrorCount[]): ErrorCount[] {
    const merged = new Map<string, ErrorCount>();
    for (const snapshot of this.#latest.values()) {
      for (const e of pick(snapshot)) {
        const key = `${e.class}\u0000${e.message}`;
        const entry = merged.get(key);
        if (entry) entry.count += e.count;
        else merged.set(key, { ...e });
      }
    }
    return [...merged.values()].sort((a, b) => b.count - a.count);
  }

  #sumPerServer(pick: (s: WorkerSnapshot) => number[]): number[] {
    const out = new Array<number>(this.#servers).fill(0);
    for (const snapshot of this.#latest.values()) {
      pick(snapshot).forEach((n, i) => (out[i] += n));
    }
    return out;
  }
}
