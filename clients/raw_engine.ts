/**
 * The raw engine: a client's lanes share a pool of idle {@linkcode RawConnection}s per server;
 * a lane sends up to `pipelining` requests together on one, reads their answers in order, and
 * gives the connection back. Retries and errors are counted as hyper (fetch) would see them.
 *
 * @module
 */

import { deadline } from "../units/deadline.ts";
import { Http1ProtocolError } from "./http1_response_parser.ts";
import { fillBatch, type LaneContext, timeoutError } from "./lane.ts";
import {
  BEHIND_CLOSE,
  type IdleEnd,
  RawConnection,
  UnwrittenRequestError,
} from "./raw_connection.ts";
import { ClientPools, type RawClient } from "./client_pools.ts";
import { AWAITING_HEADERS, IDLE, laneSlot } from "./worker_state.ts";

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
/** How a raw client reaches a server by `Deno.connect`. */
interface Opener {
  open(target: number): Promise<RawConnection>;
}

/** A raw client on `Deno.connect`: the raw engines' shape, and how it connects. */
type DenoClient = RawClient<RawConnection> & Opener;

/** Each raw client's pool and shape, by client id, for the current round. */
const rawPools = new ClientPools<RawConnection, Opener>(opener);

/** A batch of pipelined requests to one server, as it goes. */
interface Batch {
  target: number;
  intended: number[];
  t0: number;
  /** The server's idle connections (the pool's). */
  idle: RawConnection[];
  connection: RawConnection | null;
  /** Requests answered so far. */
  answered: number;
  timedOut: boolean;
}

/**
 * Opens a raw client's (empty) connection pool for this round.
 *
 * @param clientId The client.
 *
 * @example
 * ```ts ignore
 * openRawPool(spec.id);
 * await rawLane(lane);
 * closeRawPools();
 * ```
 */
export function openRawPool(clientId: number): void {
  rawPools.open(clientId);
}

/**
 * Closes every raw client's idle connections (the round's end).
 *
 * @example
 * ```ts ignore
 * closeRawPools();
 * ```
 */
export function closeRawPools(): void {
  rawPools.closeAll();
}

/**
 * Counts the second answers that came while the client's last connections sat idle (after its
 * lanes are done): each turns the request last answered there into a protocol error.
 *
 * @param lane The client (its id; where to count).
 *
 * @example
 * ```ts ignore
 * await Promise.all(lanes);
 * countIdleStrays(lane);
 * ```
 */
export function countIdleStrays(lane: LaneContext): void {
  countPooledStrays(lane, rawPools.idle(lane.spec.id));
}

/**
 * Counts the second answers that came on idle connections of either raw engine's pool: each
 * turns the request last answered there into a protocol error.
 *
 * @param lane The client (where to count).
 * @param connections Its idle connections, each already checked for what came while idle.
 *
 * @example
 * ```ts ignore
 * countPooledStrays(lane, pools.idle(lane.spec.id));
 * ```
 */
export function countPooledStrays(
  lane: LaneContext,
  connections: Iterable<PooledConnection>,
): void {
  for (const connection of connections) {
    const idleEnd = connection.idleEnd();
    if (idleEnd?.kind === "stray") lane.stray(idleEnd.status, rawError(idleEnd.error));
  }
}

/**
 * A raw lane: takes an idle connection to the chosen server from its client's pool (or opens
 * one), sends up to `pipelining` requests together, reads their answers in order, and gives the
 * connection back (not with `per-request`). A timeout closes the connection, connecting included.
 *
 * @param lane The lane's client (its pool opened with {@linkcode openRawPool}).
 * @returns Resolves when the client has no more requests for this lane.
 *
 * @example
 * ```ts ignore
 * await Promise.all(Array.from({ length: spec.concurrency }, () => rawLane(lane)));
 * ```
 */
export async function rawLane(lane: LaneContext): Promise<void> {
  const client = rawPools.client(lane);
  const slot = laneSlot(lane.state, lane.spec.id);
  const intended: number[] = [];
  while (true) {
    const first = await lane.nextRequest();
    if (first === null) break;
    fillBatch(lane, first, intended);
    const target = lane.pick();
    const idle = client.pool.get(target) ?? [];
    client.pool.set(target, idle);
    // A pooled connection the server closed while it sat idle is found closed before the
    // request is written: the batch goes on another connection, and each request counts as
    // retried. Bytes that came on it with no request waiting are a protocol error.
    if (idle.length && performance.now() - idle[idle.length - 1].idleSince >= IDLE_CHECK_MS) {
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    const connection = takeIdle(lane, idle, { count: intended.length });
    const t0 = performance.now();
    for (let i = 0; i < intended.length; i++) lane.sent(target, intended[i], t0);
    slot.target = target;
    slot.startedAt = t0;
    slot.phase = AWAITING_HEADERS;
    const batch = { target, intended, t0, idle, connection, answered: 0, timedOut: false };
    await sendBatch(lane, client, batch);
    slot.phase = IDLE;
  }
}

/** How a client connects to its servers by `Deno.connect` (host and port from their URLs). */
function opener(lane: LaneContext): Opener {
  const servers = lane.state.init.urls.map((url) => new URL(url));
  const open = (target: number) => {
    const server = servers[target];
    return RawConnection.open(server.hostname, Number(server.port || 80));
  };
  return { open };
}

/** A pooled connection of either raw engine, as the pool's checks see it. */
export interface PooledConnection {
  /** Closed (by either side, or failed). */
  readonly done: boolean;
  /** How its idle time ended (closed by the server, or a stray answer), or null: still usable. */
  idleEnd(): IdleEnd | null;
  /** Closes it. */
  close(): void;
}

/**
 * The newest idle connection still open, or null; those found closed are closed and counted
 * (a close: each of the batch's `count` requests retried; a second answer: a protocol error).
 *
 * @param lane The lane taking it.
 * @param idle The pool's idle connections to the server (the newest last; taken ones removed).
 * @param options `count`: the batch's requests; `check`: looks at a candidate first (the epoll
 *   engine reads one that sat idle, so a close the loop has not seen yet is found).
 * @returns The connection, or null when none is left.
 *
 * @example
 * ```ts ignore
 * const connection = takeIdle(lane, idle, { count: intended.length });
 * ```
 */
export function takeIdle<C extends PooledConnection>(
  lane: LaneContext,
  idle: C[],
  options: { count: number; check?: (candidate: C) => void },
): C | null {
  while (idle.length) {
    const candidate = idle.pop()!;
    options.check?.(candidate);
    const idleEnd = candidate.idleEnd();
    if (!candidate.done && idleEnd === null) return candidate;
    candidate.close();
    if (idleEnd?.kind === "closed") lane.retried(options.count, rawError(idleEnd.error));
    else if (idleEnd?.kind === "stray") lane.stray(idleEnd.status, rawError(idleEnd.error));
  }
  return null;
}

/**
 * Sends a batch within the client's timeout (which closes its connection) and counts its end:
 * the connection goes back to the pool, or the unanswered requests end with the error.
 */
async function sendBatch(lane: LaneContext, client: DenoClient, batch: Batch): Promise<void> {
  const timeout = lane.spec.timeout;
  let expiry: AbortController | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  if (timeout !== null) {
    expiry = new AbortController();
    timer = setTimeout(() => {
      batch.timedOut = true;
      batch.connection?.close();
      expiry!.abort(timeoutError());
    }, timeout.afterMs);
  }
  try {
    const connection = await roundTrip(lane, client, { batch, signal: expiry?.signal });
    if (client.perRequest || connection.done) connection.close();
    else batch.idle.push(connection);
  } catch (error) {
    batch.connection?.close();
    const why = batch.timedOut ? timeoutError() : rawError(error);
    for (let i = batch.answered; i < batch.intended.length; i++) {
      lane.record(batch.target, batch.intended[i], batch.t0, undefined, why);
    }
  } finally {
    clearTimeout(timer);
    if (batch.connection !== null) lane.received(batch.connection.takeBodyBytes());
  }
}

/**
 * Writes the batch and reads its answers, connecting first if it has no connection (bounded by
 * `signal`); resolves with the connection it went on.
 */
async function roundTrip(
  lane: LaneContext,
  client: DenoClient,
  options: { batch: Batch; signal: AbortSignal | undefined },
): Promise<RawConnection> {
  const { batch, signal } = options;
  const { target, intended, t0 } = batch;
  const count = intended.length;
  const onResponse = (response: { status: number }, i: number) => {
    batch.answered = i + 1;
    lane.record(target, intended[i], t0, response.status);
  };
  // Retried as hyper retries: a reused connection whose first write failed before any byte
  // went out (the server had reset it), for idempotent methods, once. A request that was
  // written and then met a close or a reset is the keep-alive race: an error, as with fetch.
  let reused = batch.connection !== null;
  while (true) {
    batch.connection ??= await connect(client.open(target), signal);
    try {
      const head = client.head;
      await batch.connection.roundTrip(client.bytes(target, count), { count, head }, onResponse);
      return batch.connection;
    } catch (error) {
      if (!(error instanceof UnwrittenRequestError) || !reused || batch.timedOut) throw error;
      if (!client.idempotent) throw error;
      lane.retried(count, rawError(error));
      batch.connection = null;
      reused = false;
    }
  }
}

/** A new connection, unless `signal` aborts first (then it is closed if it connects later). */
async function connect(
  connecting: Promise<RawConnection>,
  signal: AbortSignal | undefined,
): Promise<RawConnection> {
  try {
    return await deadline(connecting, Infinity, { signal });
  } catch (error) {
    if (signal?.aborted) connecting.then((c) => c.close(), () => {}); // close it when it connects
    throw error;
  }
}

/**
 * The raw engines' errors with fixed messages, classed as fetch's are: the report keeps one line
 * per kind, not one per byte count.
 *
 * @param error What a raw connection threw.
 * @returns The error to count.
 *
 * @example
 * ```ts
 * import { rawError } from "./raw_engine.ts";
 * import assert from "node:assert/strict";
 *
 * const error = rawError(new Error("connection closed before message completed (1 of 4 requests unanswered)"));
 * assert.equal((error as Error).message, "connection closed before message completed");
 * ```
 */
export function rawError(error: unknown): unknown {
  if (error instanceof UnwrittenRequestError) return rawError(error.cause);
  if (error instanceof Http1ProtocolError) {
    if (error.kind === "unexpected-bytes") {
      return new Http1ProtocolError(
        error.kind,
        "invalid HTTP response (unexpected-bytes: bytes after the response with no request waiting for them: a second response, or a body longer than its Content-Length)",
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
    // Equal failures group: the counts go; whether the close was announced stays.
    return new Error(
      `connection closed before message completed${
        error.message.includes(BEHIND_CLOSE) ? `: ${BEHIND_CLOSE}` : ""
      }`,
    );
  }
  return error;
}
