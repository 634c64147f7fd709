/**
 * Client worker thread: runs some clients of a fleet, each with its own `Deno.createHttpClient`
 * (its own connection pool) and `concurrency` request loops. Aggregates locally and posts a
 * {@linkcode WorkerSnapshot} every `snapshotIntervalMs`; never a message per request.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import { classifyError } from "./error_class.ts";
import { LatencyHistogram } from "./latency_histogram.ts";
import type { PlannedClient } from "./plan.ts";
import { createRandom } from "./random.ts";
import type { ErrorClass } from "./report.ts";
import type {
  ClientCounters,
  FromWorker,
  InFlightRequest,
  ToWorker,
  WorkerInit,
  WorkerSnapshot,
} from "./worker_protocol.ts";

const MAX_DISTINCT_ERRORS = 50;
const OLDEST_KEPT = 5;

const IDLE = 0;
const AWAITING_HEADERS = 1;
const READING_BODY = 2;

/** What one request loop (lane) is doing now; updated in place, read at snapshot time. */
interface LaneSlot {
  clientId: number;
  target: number;
  startedAt: number;
  phase: typeof IDLE | typeof AWAITING_HEADERS | typeof READING_BODY;
}

interface WorkerState {
  init: WorkerInit;
  histogram: LatencyHistogram;
  counters: ClientCounters[];
  completedByServer: number[];
  inFlightByServer: number[];
  statusCodes: Record<string, number>;
  errors: Map<string, { class: ErrorClass; message: string; count: number }>;
  slots: LaneSlot[];
  stopped: boolean;
  finished: boolean;
  roundsDone: number;
  timer: ReturnType<typeof setTimeout> | undefined;
}

let state: WorkerState | undefined;

function post(message: FromWorker): void {
  self.postMessage(message);
}

function snapshot(s: WorkerState, final: boolean): WorkerSnapshot {
  return {
    type: "snapshot",
    workerId: s.init.workerId,
    final,
    roundsDone: s.roundsDone,
    clients: s.counters.map((c) => ({ ...c })),
    completedByServer: s.completedByServer.slice(),
    inFlightByServer: s.inFlightByServer.slice(),
    statusCodes: { ...s.statusCodes },
    errors: [...s.errors.values()].map((e) => ({ ...e })),
    oldestInFlight: oldestInFlight(s.slots, performance.now()),
    awaitingHeadersByServer: awaitingHeaders(s.slots, s.inFlightByServer.length),
    latencyDelta: s.histogram.takeDelta(),
  };
}

function awaitingHeaders(slots: readonly LaneSlot[], servers: number): number[] {
  if (slots.length === 0) return [];
  const counts = new Array<number>(servers).fill(0);
  for (const slot of slots) if (slot.phase === AWAITING_HEADERS) counts[slot.target]++;
  return counts;
}

function oldestInFlight(slots: readonly LaneSlot[], now: number): InFlightRequest[] {
  const oldest: LaneSlot[] = [];
  for (const slot of slots) {
    if (slot.phase === IDLE) continue;
    if (oldest.length < OLDEST_KEPT) {
      oldest.push(slot);
      oldest.sort((a, b) => a.startedAt - b.startedAt);
    } else if (slot.startedAt < oldest[OLDEST_KEPT - 1].startedAt) {
      oldest[OLDEST_KEPT - 1] = slot;
      oldest.sort((a, b) => a.startedAt - b.startedAt);
    }
  }
  return oldest.map((slot) => ({
    clientId: slot.clientId,
    server: slot.target,
    ageMs: now - slot.startedAt,
    phase: slot.phase === AWAITING_HEADERS ? "awaiting-headers" : "reading-body",
  }));
}

function countError(s: WorkerState, error: unknown): void {
  const classified = classifyError(error);
  let key = `${classified.class}\u0000${classified.message}`;
  if (!s.errors.has(key) && s.errors.size >= MAX_DISTINCT_ERRORS) {
    key = "other\u0000(more distinct error messages than the report keeps)";
    classified.class = "other";
    classified.message = "(more distinct error messages than the report keeps)";
  }
  const entry = s.errors.get(key);
  if (entry) entry.count++;
  else s.errors.set(key, { ...classified, count: 1 });
}

function timeoutError(): DOMException {
  return new DOMException("request timed out", "TimeoutError");
}

async function runClient(s: WorkerState, spec: PlannedClient, startedAt: number): Promise<void> {
  const counters = s.counters.find((c) => c.id === spec.id)!;
  const http = Deno.createHttpClient({
    ...(spec.pool.maxIdlePerHost === null ? {} : { poolMaxIdlePerHost: spec.pool.maxIdlePerHost }),
    ...(spec.pool.idleTimeoutMs === null ? {} : { poolIdleTimeout: spec.pool.idleTimeoutMs }),
    ...(spec.localAddress === null ? {} : { localAddress: spec.localAddress }),
    ...(spec.protocol === "h2" ? { caCerts: s.init.caCerts, http2: true, http1: false } : {}),
  });
  const base = s.init.urls.map((url) => url.replace(/\/$/, "") + spec.request.path);
  const { method, headers, body } = spec.request;
  const targets = spec.targets;
  const random = createRandom(spec.seed);
  let next = spec.id % targets.length;
  const pick = spec.select === "random"
    ? () => targets[Math.floor(random() * targets.length)]
    : () => {
      const target = targets[next];
      next = next + 1 === targets.length ? 0 : next + 1;
      return target;
    };
  const deadline = spec.durationMs === null ? Infinity : startedAt + spec.durationMs;
  // Counters run on over rounds; each round sends `requests` more.
  const limit = (spec.requests ?? Infinity) + counters.sent;
  const timeout = spec.timeout;

  async function exchange(
    target: number,
    signal: AbortSignal | undefined,
    slot: LaneSlot | null,
  ): Promise<number> {
    const response = await fetch(base[target], { method, headers, body, client: http, signal });
    if (slot) slot.phase = READING_BODY;
    await response.arrayBuffer();
    return response.status;
  }

  function record(target: number, t0: number, status: number | undefined, error?: unknown) {
    if (status !== undefined) {
      s.histogram.recordMs(performance.now() - t0);
      s.statusCodes[status] = (s.statusCodes[status] ?? 0) + 1;
      if (status < 400) counters.ok++;
    } else {
      counters.errors++;
      countError(s, error);
    }
    counters.completed++;
    s.completedByServer[target]++;
  }

  async function lane(): Promise<void> {
    const slot: LaneSlot = { clientId: spec.id, target: 0, startedAt: 0, phase: IDLE };
    if (s.init.trackInFlight) s.slots.push(slot);
    while (!s.stopped && counters.sent < limit && performance.now() < deadline) {
      const target = pick();
      counters.sent++;
      s.inFlightByServer[target]++;
      const t0 = performance.now();
      slot.target = target;
      slot.startedAt = t0;
      slot.phase = AWAITING_HEADERS;
      if (timeout === null || timeout.cancel) {
        try {
          const signal = timeout === null ? undefined : AbortSignal.timeout(timeout.afterMs);
          record(target, t0, await exchange(target, signal, slot));
        } catch (error) {
          record(target, t0, undefined, error);
        }
        slot.phase = IDLE;
        s.inFlightByServer[target]--;
        continue;
      }
      // cancel: false — stop waiting after the timeout, but leave the request running. The lane
      // (and its slot) moves on; the abandoned request is no longer tracked by phase.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const work = exchange(target, undefined, null);
      const expired = new Promise<"expired">((resolve) => {
        timer = setTimeout(() => resolve("expired"), timeout.afterMs);
      });
      try {
        const outcome = await Promise.race([work, expired]);
        if (outcome === "expired") {
          slot.phase = IDLE;
          counters.abandoned++;
          record(target, t0, undefined, timeoutError());
          s.inFlightByServer[target]--;
          work.catch(() => {}); // it goes on unwatched; its end is not counted again
          continue;
        }
        record(target, t0, outcome);
      } catch (error) {
        record(target, t0, undefined, error);
      } finally {
        clearTimeout(timer);
      }
      slot.phase = IDLE;
      s.inFlightByServer[target]--;
    }
  }

  try {
    await Promise.all(Array.from({ length: spec.concurrency }, lane));
  } finally {
    http.close();
  }
}

async function start(s: WorkerState, round: number, last: boolean): Promise<void> {
  const startedAt = performance.now();
  s.slots.length = 0; // the previous round's lanes are done
  s.timer ??= setInterval(() => {
    if (!s.finished) post(snapshot(s, false));
  }, s.init.snapshotIntervalMs);
  await Promise.all(s.init.clients.map((spec) => runClient(s, spec, startedAt)));
  s.roundsDone = round;
  if (last || s.stopped) finish(s);
  else post(snapshot(s, false)); // the round's end, at once
}

function finish(s: WorkerState): void {
  if (s.finished) return;
  s.finished = true;
  clearInterval(s.timer);
  post(snapshot(s, true));
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  try {
    if (message.type === "init") {
      const servers = message.urls.length;
      state = {
        init: message,
        histogram: new LatencyHistogram(),
        counters: message.clients.map((c) => ({
          id: c.id,
          sent: 0,
          completed: 0,
          ok: 0,
          errors: 0,
          abandoned: 0,
        })),
        completedByServer: new Array(servers).fill(0),
        inFlightByServer: new Array(servers).fill(0),
        statusCodes: {},
        errors: new Map(),
        slots: [],
        stopped: false,
        finished: false,
        roundsDone: 0,
        timer: undefined,
      };
      post({ type: "ready", workerId: message.workerId });
    } else if (message.type === "start" && state && !state.finished) {
      const s = state;
      start(s, message.round, message.last).catch((error) => {
        post({
          type: "failure",
          workerId: s.init.workerId,
          message: String(error?.stack ?? error),
        });
        finish(s);
      });
    } else if (message.type === "stop" && state) {
      // Report what is still in flight as it stands; the runtime then terminates this worker.
      state.stopped = true;
      finish(state);
    }
  } catch (error) {
    post({
      type: "failure",
      workerId: state?.init.workerId ?? -1,
      message: String((error as Error)?.stack ?? error),
    });
  }
};
