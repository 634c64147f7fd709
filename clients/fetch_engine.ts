/**
 * The fetch engine: a client's lanes share one `Deno.createHttpClient` (its connection pool, in
 * hyper) and send each request with `fetch`; a timeout aborts the request, or with `cancel: false`
 * stops waiting for it and leaves it running.
 *
 * @module
 */

import type { PlannedClient } from "../plan/plan.ts";
import { deadline, isTimeout } from "../units/deadline.ts";
import { type LaneContext, timeoutError } from "./lane.ts";
import {
  AWAITING_HEADERS,
  IDLE,
  type LaneSlot,
  laneSlot,
  READING_BODY,
  type WorkerState,
} from "./worker_state.ts";

/** Fetch: a body whose Content-Length is at most this is read whole (faster than a stream). */
const WHOLE_BODY_MAX = 64 * 1024;

/** A client's HTTP client and its request URL per server, made once for all its lanes. */
interface FetchClient {
  http: Deno.HttpClient;
  urls: string[];
}

/** A request a lane has sent: where, when it was meant to go, and when it went. */
interface SentRequest {
  target: number;
  intended: number;
  t0: number;
}

/** Each fetch client's HTTP client, by client id, for the current round. */
const fetchClients = new Map<number, FetchClient>();

/**
 * Opens a fetch client's HTTP client (its connection pool) for this round.
 *
 * @param state The worker's state (server URLs, CA certificates).
 * @param spec The client.
 *
 * @example
 * ```ts ignore
 * openFetchClient(state, spec);
 * await fetchLane(lane);
 * closeFetchClients();
 * ```
 */
export function openFetchClient(state: WorkerState, spec: PlannedClient): void {
  const http = Deno.createHttpClient({
    ...(spec.pool.maxIdlePerHost === null ? {} : { poolMaxIdlePerHost: spec.pool.maxIdlePerHost }),
    ...(spec.pool.idleTimeoutMs === null ? {} : { poolIdleTimeout: spec.pool.idleTimeoutMs }),
    ...(spec.localAddress === null ? {} : { localAddress: spec.localAddress }),
    ...(spec.protocol === "h2" ? { caCerts: state.init.caCerts, http2: true, http1: false } : {}),
  });
  const urls = state.init.urls.map((url) => url.replace(/\/$/, "") + spec.request.path);
  fetchClients.set(spec.id, { http, urls });
}

/**
 * Closes every fetch client's HTTP client (the round's end).
 *
 * @example
 * ```ts ignore
 * closeFetchClients();
 * ```
 */
export function closeFetchClients(): void {
  for (const client of fetchClients.values()) client.http.close();
  fetchClients.clear();
}

/**
 * A fetch lane: sends its client's requests one at a time until the client has no more, on the
 * client's HTTP client (opened with {@linkcode openFetchClient}).
 *
 * @param lane The lane's client.
 * @returns Resolves when the client has no more requests for this lane.
 *
 * @example
 * ```ts ignore
 * await Promise.all(Array.from({ length: spec.concurrency }, () => fetchLane(lane)));
 * ```
 */
export async function fetchLane(lane: LaneContext): Promise<void> {
  const client = fetchClients.get(lane.spec.id)!;
  const timeout = lane.spec.timeout;
  const slot = laneSlot(lane.state, lane.spec.id);
  while (true) {
    const intended = await lane.nextRequest();
    if (intended === null) break;
    const target = lane.pick();
    const t0 = performance.now();
    lane.sent(target, intended, t0);
    slot.target = target;
    slot.startedAt = t0;
    slot.phase = AWAITING_HEADERS;
    const request = { target, intended, t0 };
    if (timeout === null || timeout.cancel) {
      const signal = timeout === null ? undefined : AbortSignal.timeout(timeout.afterMs);
      await awaitExchange(lane, request, { client, signal, slot });
    } else {
      // cancel: false — stop waiting after the timeout, but leave the request running. The lane
      // (and its slot) moves on; the abandoned request is no longer tracked by phase.
      await abandonAfter(lane, request, { client, afterMs: timeout.afterMs });
    }
    slot.phase = IDLE;
  }
}

/** Sends a request and counts its end (a response, or the error it ended with). */
async function awaitExchange(
  lane: LaneContext,
  request: SentRequest,
  options: { client: FetchClient; signal: AbortSignal | undefined; slot: LaneSlot },
): Promise<void> {
  const { target, intended, t0 } = request;
  try {
    lane.record(target, intended, t0, await exchange(lane, target, options));
  } catch (error) {
    lane.record(target, intended, t0, undefined, error);
  }
}

/**
 * Sends a request and counts its end, or after `afterMs` counts it as timed out and abandoned
 * (it goes on unwatched; its end is not counted again).
 */
async function abandonAfter(
  lane: LaneContext,
  request: SentRequest,
  options: { client: FetchClient; afterMs: number },
): Promise<void> {
  const { target, intended, t0 } = request;
  const work = exchange(lane, target, { client: options.client, signal: undefined, slot: null });
  try {
    lane.record(target, intended, t0, await deadline(work, options.afterMs));
  } catch (error) {
    // Without a signal, fetch never rejects with a TimeoutError: this one is the deadline's.
    if (!isTimeout(error)) return lane.record(target, intended, t0, undefined, error);
    lane.counters.abandoned++;
    lane.record(target, intended, t0, undefined, timeoutError());
    work.catch(() => {}); // it goes on unwatched; its end is not counted again
  }
}

/** One request and its whole response body; resolves with the response status. */
async function exchange(
  lane: LaneContext,
  target: number,
  options: { client: FetchClient; signal: AbortSignal | undefined; slot: LaneSlot | null },
): Promise<number> {
  const { method, headers, body } = lane.spec.request;
  // A 3xx is a response, counted by its status: never followed (a redirect could take the load
  // off loopback).
  const response = await fetch(options.client.urls[target], {
    method,
    headers,
    body,
    client: options.client.http,
    signal: options.signal,
    redirect: "manual",
  });
  if (options.slot) options.slot.phase = READING_BODY;
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
