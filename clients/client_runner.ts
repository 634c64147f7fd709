/**
 * Runs one client of a worker for a round: its `concurrency` lanes (fetch or raw engine), the
 * schedule they take requests from (closed loop, or the open model's intended send times) and the
 * counting of what happens to each request into the worker's state.
 *
 * @module
 */

import type { PlannedClient } from "../plan/plan.ts";
import { createRandom } from "../plan/random.ts";
import { ArrivalSchedule, ArrivalTickets, requestLatencies } from "../plan/arrival_schedule.ts";
import { delay } from "../units/deadline.ts";
import { fetchLane, openFetchClient } from "./fetch_engine.ts";
import type { LaneContext } from "./lane.ts";
import type { ClientCounters } from "./protocol.ts";
import { countIdleStrays, openRawPool, rawLane } from "./raw_engine.ts";
import { countEpollIdleStrays, epollLane, epollUsable, openEpollPool } from "./epoll/engine.ts";
import { countError, type WorkerState } from "./worker_state.ts";
import { LATE_MS, LateCauses } from "./late_causes.ts";

/** A lane of one of the engines. */
type Lane = (lane: LaneContext) => Promise<void>;

/** Each client's lane, chosen once (the same every round). */
const lanes = new WeakMap<PlannedClient, Lane>();

/** Where a client's requests come from: the closed loop's limit or the open model's tickets. */
type Schedule = Pick<LaneContext, "nextRequest" | "reserve" | "admit" | "nextDue" | "woke">;

/** What a client's lanes count (every method but the schedule and the pick). */
type Counting = Pick<LaneContext, "sent" | "record" | "retried" | "stray" | "received">;

/**
 * Runs a client's lanes until its requests, its duration or the worker's run end; its counts go
 * into `state` (its counters run on over rounds).
 *
 * @param state The worker's state.
 * @param spec The client.
 * @param options `startedAt`: when the round started (`performance.now()`).
 * @returns Resolves when every lane is done.
 *
 * @example
 * ```ts ignore
 * const startedAt = performance.now();
 * await Promise.all(state.init.clients.map((spec) => runClient(state, spec, { startedAt })));
 * ```
 */
export async function runClient(
  state: WorkerState,
  spec: PlannedClient,
  options: { startedAt: number },
): Promise<void> {
  const counters = state.counters.find((c) => c.id === spec.id)!;
  // Open model: requests have intended send times from one schedule; closed model: a lane sends
  // its next request as soon as the previous one ends.
  const tickets = spec.arrival && new ArrivalTickets(new ArrivalSchedule(spec.arrival), {
    startMs: options.startedAt,
    limit: spec.requests ?? Infinity,
    maxOwed: spec.maxInFlight ?? Infinity,
  });
  const lane: LaneContext = {
    state,
    spec,
    counters,
    pick: targetPicker(spec),
    ...schedule(state, spec, { counters, tickets, startedAt: options.startedAt }),
    ...counting(state, counters, { open: tickets !== null }),
  };
  const run = laneOf(state, spec);
  await Promise.all(Array.from({ length: spec.concurrency }, () => run(lane)));
  // A second answer that came while the last connections sat idle counts too.
  if (run === epollLane) countEpollIdleStrays(lane);
  else if (run === rawLane) countIdleStrays(lane);
}

/**
 * Opens a client's connection pool for a round in the engine that runs it: fetch's HTTP client,
 * or the raw pool of epoll or of `Deno.connect` (only that one).
 *
 * @param state The worker's state.
 * @param spec The client.
 * @throws {Error} If the client cannot run here (`sourceAddresses` without epoll).
 *
 * @example
 * ```ts ignore
 * for (const spec of state.init.clients) openClient(state, spec);
 * ```
 */
export function openClient(state: WorkerState, spec: PlannedClient): void {
  const run = laneOf(state, spec);
  if (run === fetchLane) openFetchClient(state, spec);
  else if (run === epollLane) openEpollPool(spec.id);
  else openRawPool(spec.id);
}

/** The client's lane, chosen the first time it is asked for (its pool's opening). */
function laneOf(state: WorkerState, spec: PlannedClient): Lane {
  let lane = lanes.get(spec);
  if (lane === undefined) lanes.set(spec, lane = chooseLane(state, spec));
  return lane;
}

/**
 * The client's lane: fetch, raw on epoll (Linux, IPv4 servers), or raw on `Deno.connect`
 * (`"raw-deno"`, and `"raw"` where epoll cannot run).
 */
function chooseLane(state: WorkerState, spec: PlannedClient): Lane {
  if (spec.engine === "fetch") return fetchLane;
  if (spec.engine === "raw" && epollUsable(state.init.urls, spec.targets)) return epollLane;
  if (spec.localAddress !== null) {
    throw new Error(
      `client ${spec.fleet}[${spec.index}]: sourceAddresses needs engine "raw" on Linux (epoll through FFI, --allow-ffi) or engine "fetch"`,
    );
  }
  return rawLane;
}

/** The client's server choice: round robin from its id, or seeded random. */
function targetPicker(spec: PlannedClient): () => number {
  const targets = spec.targets;
  const random = createRandom(spec.seed);
  let next = spec.id % targets.length;
  return spec.select === "random" ? () => targets[Math.floor(random() * targets.length)] : () => {
    const target = targets[next];
    next = next + 1 === targets.length ? 0 : next + 1;
    return target;
  };
}

/** The client's requests for this round: when each may go, until its limit or deadline. */
function schedule(
  state: WorkerState,
  spec: PlannedClient,
  options: { counters: ClientCounters; tickets: ArrivalTickets | null; startedAt: number },
): Schedule {
  const { counters, tickets } = options;
  const deadline = spec.durationMs === null ? Infinity : options.startedAt + spec.durationMs;
  // Counters run on over rounds; each round sends `requests` more.
  const limit = (spec.requests ?? Infinity) + counters.sent;
  const droppedBefore = counters.dropped;
  // Closed model: requests are reserved when a lane decides to send one (lanes decide between
  // awaits), so the limit is never overshot.
  let reserved = counters.sent;

  const causes = new LateCauses(options.startedAt, { lanes: spec.concurrency });

  function reserve(now: number): number | null {
    if (state.stopped || now >= deadline) return null;
    if (tickets === null) return reserved < limit ? (reserved++, now) : null;
    const at = tickets.take(now, counters.sent - counters.completed);
    counters.dropped = droppedBefore + tickets.dropped;
    if (at === null || at >= deadline) return null;
    // A request not due yet, the lane waits for: `woke` when its time has come.
    if (causes.took(now, at)) counters.lateBusy++;
    return at;
  }

  function admit(): boolean {
    if (state.stopped) return false;
    if (tickets === null || tickets.maySend(counters.sent - counters.completed)) return true;
    // While this lane waited, others may have filled what may be owed: then this one is dropped.
    tickets.dropTaken();
    counters.dropped = droppedBefore + tickets.dropped;
    return false;
  }

  async function nextRequest(): Promise<number | null> {
    while (true) {
      let now = performance.now();
      const at = reserve(now);
      if (at === null) return null;
      // A timer may fire early: sleep until the clock says the intended time has come, so no
      // request goes before it (corrected latency never below service latency).
      if (at > now) {
        for (; at > now; now = performance.now()) {
          await delay(at - now);
          if (state.stopped) return null;
        }
        woke(at, now);
      }
      if (admit()) return at;
    }
  }

  function nextDue(): number | null {
    const now = performance.now();
    if (state.stopped || now >= deadline) return null;
    if (tickets === null) return reserved < limit ? (reserved++, now) : null;
    const at = tickets.takeDue(now, counters.sent - counters.completed);
    counters.dropped = droppedBefore + tickets.dropped;
    if (at !== null && causes.busy(now, at)) counters.lateBusy++;
    return at;
  }

  function woke(intended: number, now: number): void {
    state.wake?.recordMs(now - intended);
    causes.woke(intended, now);
  }

  return { nextRequest, reserve, admit, nextDue, woke };
}

/** Counts a client's requests into its counters and the worker's histograms and tallies. */
function counting(
  state: WorkerState,
  counters: ClientCounters,
  options: { open: boolean },
): Counting {
  function sent(target: number, intended: number, sentAt: number): void {
    counters.sent++;
    state.inFlightByServer[target]++;
    if (!options.open) return;
    const { queueMs } = requestLatencies(intended, { sentAtMs: sentAt, endMs: sentAt });
    state.queue!.recordMs(queueMs);
    if (queueMs >= LATE_MS) counters.late++;
  }

  function record(
    target: number,
    intended: number,
    sentAt: number,
    status: number | undefined,
    error?: unknown,
  ): void {
    if (status !== undefined) {
      const latencies = requestLatencies(intended, { sentAtMs: sentAt, endMs: performance.now() });
      state.histogram.recordMs(latencies.serviceMs);
      // Closed loop: intended is the actual send, so corrected equals service.
      state.corrected.recordMs(latencies.correctedMs);
      state.statusCodes[status] = (state.statusCodes[status] ?? 0) + 1;
      if (status < 400) counters.ok++;
    } else {
      counters.errors++;
      countError(state.errors, error);
    }
    counters.completed++;
    state.completedByServer[target]++;
    state.inFlightByServer[target]--;
  }

  function retried(count: number, why: unknown): void {
    counters.retried += count;
    countError(state.retries, why, count);
  }

  function stray(status: number, error: unknown): void {
    // The last request answered on that connection got a second answer: it ends as a protocol
    // error, not as the response it first seemed to get (its latency sample stays recorded).
    if (status < 400) counters.ok--;
    const code = String(status);
    if (state.statusCodes[code] > 1) state.statusCodes[code]--;
    else delete state.statusCodes[code];
    counters.errors++;
    countError(state.errors, error);
  }

  function received(bytes: number): void {
    counters.bodyBytes += bytes;
  }

  return { sent, record, retried, stray, received };
}
