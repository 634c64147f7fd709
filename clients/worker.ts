/**
 * Client worker thread: runs some clients of a fleet, each with its own `Deno.createHttpClient`
 * (its own connection pool) and `concurrency` request loops. Aggregates locally and posts a
 * {@linkcode WorkerSnapshot} every `snapshotIntervalMs`; never a message per request.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import { classifyError } from "../report/error_class.ts";
import { LatencyHistogram } from "../report/latency_histogram.ts";
import type { PlannedClient } from "../plan/plan.ts";
import { createRandom } from "../plan/random.ts";
import { ArrivalSchedule, ArrivalTickets, requestLatencies } from "../plan/arrival_schedule.ts";
import { RawConnection, serializeRequest, UnwrittenRequestError } from "./raw_connection.ts";
import { Http1ProtocolError } from "./http1_response_parser.ts";
import type { ErrorClass } from "../report/types.ts";
import type { InFlightRequest } from "../report/stall_diagnosis.ts";
import {
  type ClientCounters,
  type FromWorker,
  type ToWorker,
  type WorkerInit,
  type WorkerSnapshot,
  zeroCounters,
} from "./protocol.ts";

const MAX_DISTINCT_ERRORS = 50;
/** A request sent this long or more after its intended time counts as late (open model). */
const LATE_MS = 10;
const OLDEST_KEPT = 5;
/** Fetch: a body whose Content-Length is at most this is read whole (faster than a stream). */
const WHOLE_BODY_MAX = 64 * 1024;
/**
 * A pooled connection idle this long or more waits for a timer (`setTimeout(0)`, about 2 ms in
 * Deno 2.9.6) before it is reused, so a close the server sent meanwhile is seen before the request
 * is written, as hyper's connection task reads before it writes. Only a timer lets Deno poll the
 * socket: a microtask, a MessageChannel message or setImmediate saw an arrived FIN 2-16% of the
 * time, the timer 77-100%. The wait shows in corrected and queue latency, not in service latency.
 * Shorter idles (a busy closed loop) skip it. Raw still learns of a close later than hyper, whose
 * pool notices it in native code: on a server that closes idle connections after 1 ms it meets
 * the race 3-18x as often as fetch (tests/e2e/engine_truth_test.ts).
 */
const IDLE_CHECK_MS = 0.5;
/** Methods a request may be sent again for (RFC 9110 §9.2.2), as hyper retries them. */
const IDEMPOTENT = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"]);

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
  /** End minus intended send time (every client; the same as service in a closed loop). */
  corrected: LatencyHistogram;
  /** Open model only: actual minus intended send time. */
  queue: LatencyHistogram | null;
  counters: ClientCounters[];
  completedByServer: number[];
  inFlightByServer: number[];
  statusCodes: Record<string, number>;
  errors: Map<string, { class: ErrorClass; message: string; count: number }>;
  /** Raw engine: why requests were sent again on a new connection. */
  retries: Map<string, { class: ErrorClass; message: string; count: number }>;
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
    retries: [...s.retries.values()].map((e) => ({ ...e })),
    oldestInFlight: oldestInFlight(s.slots, performance.now()),
    awaitingHeadersByServer: awaitingHeaders(s.slots, s.inFlightByServer.length),
    latencyDelta: s.histogram.takeDelta(),
    correctedDelta: s.corrected.takeDelta(),
    queueDelta: s.queue?.takeDelta() ?? null,
    heap: isolateHeap(),
  };
}

/** This isolate's heap figures (a few microseconds; read once per snapshot). */
function isolateHeap(): WorkerSnapshot["heap"] {
  try {
    const { heapUsed, heapTotal, external } = Deno.memoryUsage();
    return { heapUsed, heapTotal, external };
  } catch {
    return null;
  }
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

function countError(errors: WorkerState["errors"], error: unknown, count = 1): void {
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

function createFetchClient(s: WorkerState, spec: PlannedClient): Deno.HttpClient {
  return Deno.createHttpClient({
    ...(spec.pool.maxIdlePerHost === null ? {} : { poolMaxIdlePerHost: spec.pool.maxIdlePerHost }),
    ...(spec.pool.idleTimeoutMs === null ? {} : { poolIdleTimeout: spec.pool.idleTimeoutMs }),
    ...(spec.localAddress === null ? {} : { localAddress: spec.localAddress }),
    ...(spec.protocol === "h2" ? { caCerts: s.init.caCerts, http2: true, http1: false } : {}),
  });
}

function timeoutError(): DOMException {
  return new DOMException("request timed out", "TimeoutError");
}

async function runClient(s: WorkerState, spec: PlannedClient, startedAt: number): Promise<void> {
  const counters = s.counters.find((c) => c.id === spec.id)!;
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
  // Open model: requests have intended send times from one schedule; closed model: a lane sends
  // its next request as soon as the previous one ends.
  const tickets = spec.arrival && new ArrivalTickets(new ArrivalSchedule(spec.arrival), {
    startMs: startedAt,
    limit: spec.requests ?? Infinity,
    maxOwed: spec.maxInFlight ?? Infinity,
  });
  const droppedBefore = counters.dropped;
  // Closed model: requests are reserved when a lane decides to send one (lanes decide between
  // awaits), so the limit is never overshot.
  let reserved = counters.sent;

  /** The next request's intended send time (waiting for it, in the open model), or null. */
  async function nextRequest(): Promise<number | null> {
    if (s.stopped) return null;
    const now = performance.now();
    if (now >= deadline) return null;
    if (tickets === null) return reserved < limit ? (reserved++, now) : null;
    const at = tickets.take(now, counters.sent - counters.completed);
    counters.dropped = droppedBefore + tickets.dropped;
    if (at === null || at >= deadline) return null;
    // A timer may fire early: sleep until the clock says the intended time has come, so no
    // request goes before it (corrected latency never below service latency).
    for (let wait = at - now; wait > 0; wait = at - performance.now()) {
      await new Promise((resolve) => setTimeout(resolve, wait));
      if (s.stopped) return null;
    }
    // While this lane slept, others may have filled what may be owed: then this one is dropped.
    if (!tickets.maySend(counters.sent - counters.completed)) {
      tickets.dropTaken();
      counters.dropped = droppedBefore + tickets.dropped;
      return nextRequest();
    }
    return at;
  }

  /** Another request for a pipelined batch, only if it may go now; else null. */
  function nextDue(): number | null {
    const now = performance.now();
    if (s.stopped || now >= deadline) return null;
    if (tickets === null) return reserved < limit ? (reserved++, now) : null;
    const at = tickets.takeDue(now, counters.sent - counters.completed);
    counters.dropped = droppedBefore + tickets.dropped;
    return at;
  }

  /** Counts a request as sent at `sentAt`, and how late that was against its intended time. */
  function sent(target: number, intended: number, sentAt: number): void {
    counters.sent++;
    s.inFlightByServer[target]++;
    if (tickets === null) return;
    const { queueMs } = requestLatencies(intended, { sentAtMs: sentAt, endMs: sentAt });
    s.queue!.recordMs(queueMs);
    if (queueMs >= LATE_MS) counters.late++;
  }

  function record(
    target: number,
    intended: number,
    sentAt: number,
    status: number | undefined,
    error?: unknown,
  ) {
    if (status !== undefined) {
      const latencies = requestLatencies(intended, { sentAtMs: sentAt, endMs: performance.now() });
      s.histogram.recordMs(latencies.serviceMs);
      // Closed loop: intended is the actual send, so corrected equals service.
      s.corrected.recordMs(latencies.correctedMs);
      s.statusCodes[status] = (s.statusCodes[status] ?? 0) + 1;
      if (status < 400) counters.ok++;
    } else {
      counters.errors++;
      countError(s.errors, error);
    }
    counters.completed++;
    s.completedByServer[target]++;
    s.inFlightByServer[target]--;
  }

  function retried(count: number, why: unknown): void {
    counters.retried += count;
    countError(s.retries, why, count);
  }

  function stray(status: number, error: unknown): void {
    // The last request answered on that connection got a second answer: it ends as a protocol
    // error, not as the response it first seemed to get (its latency sample stays recorded).
    if (status < 400) counters.ok--;
    const code = String(status);
    if (s.statusCodes[code] > 1) s.statusCodes[code]--;
    else delete s.statusCodes[code];
    counters.errors++;
    countError(s.errors, error);
  }

  function received(bytes: number): void {
    counters.bodyBytes += bytes;
  }

  const context = { pick, nextRequest, nextDue, sent, record, retried, stray, received };
  const lanes = Array.from(
    { length: spec.concurrency },
    spec.engine === "raw" ? () => rawLane(s, spec, context) : () => fetchLane(s, spec, context),
  );
  await Promise.all(lanes);
  // A second answer that came while the last connections sat idle counts too.
  for (const idle of rawPools.get(spec.id)?.values() ?? []) {
    for (const connection of idle) {
      const idleEnd = connection.idleEnd();
      if (idleEnd?.kind === "stray") stray(idleEnd.status, rawError(idleEnd.error));
    }
  }
}

/** What a lane needs of its client: pick a server, get the next request, count what happens. */
interface LaneContext {
  pick(): number;
  nextRequest(): Promise<number | null>;
  nextDue(): number | null;
  sent(target: number, intended: number, sentAt: number): void;
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

/** A client's fetch lanes share its `Deno.createHttpClient` (its connection pool). */
const fetchClients = new Map<number, Deno.HttpClient>();
/** A client's request URL per server, made once for all its lanes. */
const fetchUrls = new Map<number, string[]>();

async function fetchLane(s: WorkerState, spec: PlannedClient, lane: LaneContext): Promise<void> {
  const http = fetchClients.get(spec.id)!;
  const base = fetchUrls.get(spec.id)!;
  const { method, headers, body } = spec.request;
  const timeout = spec.timeout;
  const counters = s.counters.find((c) => c.id === spec.id)!;

  async function exchange(
    target: number,
    signal: AbortSignal | undefined,
    slot: LaneSlot | null,
  ): Promise<number> {
    // A 3xx is a response, counted by its status: never followed (a redirect could take the load
    // off loopback).
    const response = await fetch(base[target], {
      method,
      headers,
      body,
      client: http,
      signal,
      redirect: "manual",
    });
    if (slot) slot.phase = READING_BODY;
    // A body of a known small length is read whole (the fast path); any other is streamed and
    // discarded: what is held per request is one chunk, however long the body.
    const length = Number(response.headers.get("content-length") ?? NaN);
    if (response.body !== null && length <= WHOLE_BODY_MAX) {
      lane.received((await response.arrayBuffer()).byteLength);
    } else if (response.body !== null) {
      const reader = response.body.getReader();
      while (true) {
        const chunk = await reader.read();
        if (chunk.done) break;
        lane.received(chunk.value.byteLength);
      }
    }
    return response.status;
  }

  const slot: LaneSlot = { clientId: spec.id, target: 0, startedAt: 0, phase: IDLE };
  if (s.init.trackInFlight) s.slots.push(slot);
  while (true) {
    const intended = await lane.nextRequest();
    if (intended === null) break;
    const target = lane.pick();
    const t0 = performance.now();
    lane.sent(target, intended, t0);
    slot.target = target;
    slot.startedAt = t0;
    slot.phase = AWAITING_HEADERS;
    if (timeout === null || timeout.cancel) {
      try {
        const signal = timeout === null ? undefined : AbortSignal.timeout(timeout.afterMs);
        lane.record(target, intended, t0, await exchange(target, signal, slot));
      } catch (error) {
        lane.record(target, intended, t0, undefined, error);
      }
      slot.phase = IDLE;
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
        lane.record(target, intended, t0, undefined, timeoutError());
        work.catch(() => {}); // it goes on unwatched; its end is not counted again
        continue;
      }
      lane.record(target, intended, t0, outcome);
    } catch (error) {
      lane.record(target, intended, t0, undefined, error);
    } finally {
      clearTimeout(timer);
    }
    slot.phase = IDLE;
  }
}

/** A client's raw connections that are idle, by server: its pool, shared by its lanes. */
const rawPools = new Map<number, Map<number, RawConnection[]>>();

/**
 * A raw lane: takes an idle connection to the chosen server from its client's pool (or opens
 * one), sends up to `pipelining` requests together, reads their answers in order, and gives the
 * connection back (not with `per-request`). A timeout closes the connection, connecting included.
 */
async function rawLane(s: WorkerState, spec: PlannedClient, lane: LaneContext): Promise<void> {
  const servers = s.init.urls.map((url) => new URL(url));
  const perRequest = spec.pool.maxIdlePerHost === 0;
  const head = spec.request.method === "HEAD";
  const idempotent = IDEMPOTENT.has(spec.request.method.toUpperCase());
  const pool = rawPools.get(spec.id)!;
  // Each distinct request serialized once per server (Host header and base path differ), and
  // batches of it for pipelining.
  const batches = servers.map(() => new Map<number, Uint8Array>());
  const batch = (target: number, count: number): Uint8Array => {
    let bytes = batches[target].get(count);
    if (!bytes) {
      const server = servers[target];
      const request = {
        ...spec.request,
        path: server.pathname.replace(/\/$/, "") + spec.request.path,
      };
      const one = serializeRequest(request, { host: server.host, close: perRequest });
      bytes = new Uint8Array(one.length * count);
      for (let i = 0; i < count; i++) bytes.set(one, i * one.length);
      batches[target].set(count, bytes);
    }
    return bytes;
  };
  const open = (target: number) => {
    const server = servers[target];
    return RawConnection.open(server.hostname, Number(server.port || 80));
  };
  const timeout = spec.timeout;
  const slot: LaneSlot = { clientId: spec.id, target: 0, startedAt: 0, phase: IDLE };
  if (s.init.trackInFlight) s.slots.push(slot);
  const intended: number[] = [];
  while (true) {
    const first = await lane.nextRequest();
    if (first === null) break;
    intended.length = 0;
    intended.push(first);
    while (intended.length < spec.pipelining) {
      const more = lane.nextDue();
      if (more === null) break;
      intended.push(more);
    }
    const count = intended.length;
    const target = lane.pick();
    const idle = pool.get(target) ?? [];
    pool.set(target, idle);
    // A pooled connection the server closed while it sat idle is found closed before the
    // request is written: the batch goes on another connection, and each request counts as
    // retried. Bytes that came on it with no request waiting are a protocol error.
    let connection: RawConnection | null = null;
    if (idle.length && performance.now() - idle[idle.length - 1].idleSince >= IDLE_CHECK_MS) {
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    while (idle.length && connection === null) {
      const candidate = idle.pop()!;
      const idleEnd = candidate.idleEnd();
      if (candidate.done || idleEnd !== null) {
        candidate.close();
        if (idleEnd?.kind === "closed") lane.retried(count, rawError(idleEnd.error));
        else if (idleEnd?.kind === "stray") lane.stray(idleEnd.status, rawError(idleEnd.error));
      } else connection = candidate;
    }
    const t0 = performance.now();
    for (let i = 0; i < count; i++) lane.sent(target, intended[i], t0);
    slot.target = target;
    slot.startedAt = t0;
    slot.phase = AWAITING_HEADERS;
    let answered = 0;
    let timedOut = false;
    let onTimeout = () => {};
    const expired = new Promise<"expired">((resolve) => (onTimeout = () => resolve("expired")));
    let timer: ReturnType<typeof setTimeout> | undefined;
    if (timeout !== null) {
      timer = setTimeout(() => {
        timedOut = true;
        connection?.close();
        onTimeout();
      }, timeout.afterMs);
    }
    const onResponse = (response: { status: number }, i: number) => {
      answered = i + 1;
      lane.record(target, intended[i], t0, response.status);
    };
    // Retried as hyper retries: a reused connection whose first write failed before any byte
    // went out (the server had reset it), for idempotent methods, once. A request that was
    // written and then met a close or a reset is the keep-alive race: an error, as with fetch.
    let reused = connection !== null;
    try {
      while (true) {
        if (connection === null) {
          const connecting = open(target);
          const opened = await Promise.race([connecting, expired]);
          if (opened === "expired") {
            connecting.then((c) => c.close(), () => {}); // it may still connect: close it then
            throw timeoutError();
          }
          connection = opened;
        }
        try {
          await connection.roundTrip(batch(target, count), { count, head }, onResponse);
          break;
        } catch (error) {
          if (!(error instanceof UnwrittenRequestError) || !reused || timedOut || !idempotent) {
            throw error;
          }
          lane.retried(count, rawError(error));
          connection = null;
          reused = false;
        }
      }
      if (perRequest || connection.done) connection.close();
      else idle.push(connection);
    } catch (error) {
      connection?.close();
      const why = timedOut ? timeoutError() : rawError(error);
      for (let i = answered; i < count; i++) lane.record(target, intended[i], t0, undefined, why);
    } finally {
      clearTimeout(timer);
      if (connection !== null) lane.received(connection.takeBodyBytes());
    }
    slot.phase = IDLE;
  }
}

/**
 * The raw engine's errors with fixed messages, classed as fetch's are: the report keeps one line
 * per kind, not one per byte count.
 */
function rawError(error: unknown): unknown {
  if (error instanceof UnwrittenRequestError) return rawError(error.cause);
  if (error instanceof Http1ProtocolError) {
    if (error.kind === "unexpected-bytes") {
      return new Http1ProtocolError(
        error.kind,
        "invalid HTTP response (unexpected-bytes: a response with no request waiting)",
      );
    }
    if (error.kind === "truncated") {
      return new Error(
        error.inBody
          ? "error reading a body from connection: closed before the body was complete"
          : "connection closed before message completed",
      );
    }
    return new Http1ProtocolError(error.kind, `invalid HTTP response (${error.kind})`);
  }
  if (error instanceof Error && /^connection closed before message completed/.test(error.message)) {
    return new Error("connection closed before message completed");
  }
  return error;
}

async function start(s: WorkerState, round: number, last: boolean): Promise<void> {
  const startedAt = performance.now();
  s.slots.length = 0; // the previous round's lanes are done
  s.timer ??= setInterval(() => {
    if (!s.finished) post(snapshot(s, false));
  }, s.init.snapshotIntervalMs);
  // Each client's lanes share its connection pool (fetch: one HTTP client), fresh every round.
  for (const spec of s.init.clients) {
    if (spec.engine === "fetch") {
      fetchClients.set(spec.id, createFetchClient(s, spec));
      fetchUrls.set(spec.id, s.init.urls.map((url) => url.replace(/\/$/, "") + spec.request.path));
    } else rawPools.set(spec.id, new Map());
  }
  try {
    await Promise.all(s.init.clients.map((spec) => runClient(s, spec, startedAt)));
  } finally {
    for (const client of fetchClients.values()) client.close();
    fetchClients.clear();
    fetchUrls.clear();
    for (const pool of rawPools.values()) {
      for (const idle of pool.values()) for (const connection of idle) connection.close();
    }
    rawPools.clear();
  }
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
        corrected: new LatencyHistogram(),
        queue: message.clients.some((c) => c.arrival) ? new LatencyHistogram() : null,
        counters: message.clients.map((c) => zeroCounters(c.id)),
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
