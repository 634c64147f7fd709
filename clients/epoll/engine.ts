/**
 * The raw engine on Linux: the same lanes, pools, retries and error classes as
 * `clients/raw_engine.ts` (the `Deno.connect` engine, `engine: "raw-deno"`), on non-blocking
 * sockets driven by the worker's {@linkcode EpollLoop}. A lane's requests in a closed loop cost a
 * few synchronous FFI calls each: when a batch is answered, the next one is written from the
 * loop's callback, with no promise. An open model's lane waits for its next send time in the
 * loop's pacer (`pacer.ts`: the loop wakes for it), not on a timer: a lane awaits only its end.
 *
 * @module
 */

import { fillBatch, type LaneContext, timeoutError } from "../lane.ts";
import type { ParsedResponse } from "../http1_response_parser.ts";
import { UnwrittenRequestError } from "../raw_connection.ts";
import { ClientPools, type RawClient } from "../client_pools.ts";
import { countPooledStrays, rawError, takeIdle } from "../raw_engine.ts";
import { AWAITING_HEADERS, IDLE, type LaneSlot, laneSlot } from "../worker_state.ts";
import { epollLibc, sockaddrIn } from "./_libc.ts";
import { EpollConnection, type Exchange } from "./connection.ts";
import { EpollLoop, type Expiring } from "./loop.ts";
import type { Paced } from "./pacer.ts";

/**
 * A pooled connection idle this long or more is read once (`recv`, non-blocking) before it is
 * reused, so a close the server sent since the loop last looked is seen before the request is
 * written; a busy closed loop's connections skip it.
 */
const IDLE_CHECK_MS = 0.5;

/** Where a raw client on epoll connects: its servers' and its own addresses. */
interface Addresses {
  /** Each server's `sockaddr_in`, by server id. */
  addresses: Uint8Array[];
  /** The client's source address (`sockaddr_in`, port 0), or null. */
  local: Uint8Array | null;
}

/** A raw client on epoll: the raw engines' shape, and its addresses. */
type EpollClient = RawClient<EpollConnection> & Addresses;

let loop: EpollLoop | null = null;
/** Each raw client's pool and shape, by client id, for the current round. */
const pools = new ClientPools<EpollConnection, Addresses>(addressesOf);
/** Whether the fallback to raw-deno was told of already (once per thread). */
let toldFallback = false;

/** An IPv4 address for a URL's hostname (a literal, or localhost), or null. */
function ipv4Of(url: string): string | null {
  const hostname = new URL(url).hostname;
  if (hostname === "localhost") return "127.0.0.1";
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(hostname) ? hostname : null;
}

/**
 * Whether a raw client runs on epoll here: Linux, libc opened through FFI, and IPv4 servers.
 * Elsewhere it runs on `Deno.connect` (`clients/raw_engine.ts`).
 *
 * @param urls Every server's base URL, by server id.
 * @param targets The servers the client loads.
 * @returns True when the epoll engine can run the client.
 *
 * @example
 * ```ts ignore
 * const lanes = epollUsable(state.init.urls, spec.targets) ? epollLane : rawLane;
 * ```
 */
export function epollUsable(urls: readonly string[], targets: readonly number[]): boolean {
  if (!targets.every((t) => ipv4Of(urls[t]) !== null)) return false;
  const { problem } = epollLibc();
  // On other systems raw is raw-deno by design; without FFI the user may not know it.
  if (problem !== null && problem.kind !== "os" && !toldFallback) {
    toldFallback = true;
    console.warn(`wedge: the raw engine on epoll ${problem.message}; falling back to raw-deno`);
  }
  return problem === null;
}

/**
 * Whether this thread said that the raw engine falls back to raw-deno (or was told it was said),
 * so the runtime says it once for a run and its worker threads stay quiet.
 *
 * @param told Set: the fallback was said elsewhere (the runtime, before starting this worker).
 * @returns Whether it was said.
 *
 * @example
 * ```ts ignore
 * for (const spec of plan.clients) if (spec.engine === "raw") epollUsable(urls, spec.targets);
 * const init = { ...rest, epollFallbackTold: epollFallbackTold() };
 * ```
 */
export function epollFallbackTold(told = false): boolean {
  if (told) toldFallback = true;
  return toldFallback;
}

/**
 * Opens a client's (empty) pool for this round.
 *
 * @param clientId The client.
 *
 * @example
 * ```ts ignore
 * openEpollPool(spec.id);
 * ```
 */
export function openEpollPool(clientId: number): void {
  pools.open(clientId);
}

/**
 * Closes every client's idle connections (the round's end).
 *
 * @example
 * ```ts ignore
 * closeEpollPools();
 * ```
 */
export function closeEpollPools(): void {
  pools.closeAll();
}

/**
 * Closes every socket of the worker's loop at once (the worker is stopping and will be
 * terminated: its fds would outlive it otherwise).
 *
 * @example
 * ```ts ignore
 * shutdownEpoll();
 * ```
 */
export function shutdownEpoll(): void {
  loop?.shutdown();
  pools.forget();
}

/**
 * Counts the second answers that came while the client's last connections sat idle.
 *
 * @param lane The client (its id; where to count).
 *
 * @example
 * ```ts ignore
 * countEpollIdleStrays(lane);
 * ```
 */
export function countEpollIdleStrays(lane: LaneContext): void {
  const idle = [...pools.idle(lane.spec.id)];
  for (const connection of idle) connection.checkIdle();
  countPooledStrays(lane, idle);
}

/**
 * A raw lane on epoll: as `rawLane` of `clients/raw_engine.ts`, with its batches driven by the
 * loop's callbacks.
 *
 * @param lane The lane's client (its pool opened with {@linkcode openEpollPool}).
 * @returns Resolves when the client has no more requests for this lane.
 *
 * @example
 * ```ts ignore
 * await Promise.all(Array.from({ length: spec.concurrency }, () => epollLane(lane)));
 * ```
 */
export async function epollLane(lane: LaneContext): Promise<void> {
  loop ??= new EpollLoop(epollLibc().symbols!);
  const client = pools.client(lane);
  const runner = new LaneRunner(lane, client, loop);
  loop.hold();
  try {
    await runner.run();
  } finally {
    loop.release();
  }
}

/** Where a client connects: each server's `sockaddr_in`, and its own source address. */
function addressesOf(lane: LaneContext): Addresses {
  const { spec, state } = lane;
  const addresses = state.init.urls.map((url) => {
    const ip = ipv4Of(url);
    return ip === null ? new Uint8Array(16) : sockaddrIn(ip, Number(new URL(url).port || 80));
  });
  return {
    addresses,
    local: spec.localAddress === null ? null : sockaddrIn(spec.localAddress, 0),
  };
}

/**
 * One lane's batches: each taken, sent, answered and counted in the loop's callbacks; the next
 * one starts from the last one's end, at once or (the open model) when the loop's pacer calls
 * it at its intended time.
 */
class LaneRunner implements Exchange, Expiring, Paced {
  deadline = Infinity;
  dueAt = 0;
  #lane: LaneContext;
  #client: EpollClient;
  #loop: EpollLoop;
  #slot: LaneSlot;
  #timeoutMs: number | null;
  #intended: number[] = [];
  #target = 0;
  #t0 = 0;
  #answered = 0;
  #connection: EpollConnection | null = null;
  #reused = false;
  #timedOut = false;
  /** Counts batches, so an end deferred for one batch cannot end the next. */
  #batch = 0;
  #done: (() => void) | null = null;

  constructor(lane: LaneContext, client: EpollClient, loop: EpollLoop) {
    this.#lane = lane;
    this.#client = client;
    this.#loop = loop;
    this.#slot = laneSlot(lane.state, lane.spec.id);
    this.#timeoutMs = lane.spec.timeout?.afterMs ?? null;
  }

  /** Reads a pooled connection idle 0.5 ms or more once, by the loop's clock, before reuse. */
  #checkIdle = (candidate: EpollConnection): void => {
    if (this.#loop.now - candidate.idleSince >= IDLE_CHECK_MS) candidate.checkIdle();
  };

  /** Runs the lane's batches in the loop until its client has no more requests; resolves then. */
  run(): Promise<void> {
    this.#loop.enter();
    return new Promise((resolve) => {
      this.#done = resolve;
      this.#next();
    });
  }

  /** The intended time of the request it waited for has come (called by the loop's pacer). */
  onDue(): void {
    const now = performance.now();
    this.#lane.woke(this.dueAt, now);
    if (this.#lane.admit()) this.#start(this.dueAt, now);
    else this.#next();
  }

  onResponse(response: ParsedResponse, index: number): void {
    this.#answered = index + 1;
    this.#lane.record(this.#target, this.#intended[index], this.#t0, response.status);
  }

  onBodyBytes(bytes: number): void {
    this.#lane.received(bytes);
  }

  onEnd(error: unknown): void {
    const lane = this.#lane;
    const client = this.#client;
    const count = this.#intended.length;
    // Retried as hyper retries: a reused connection whose first write failed before any byte
    // went out, for idempotent methods, once.
    if (
      error instanceof UnwrittenRequestError && this.#reused && !this.#timedOut && client.idempotent
    ) {
      lane.retried(count, rawError(error));
      this.#connection = null;
      this.#reused = false;
      return this.#send();
    }
    this.#loop.unwatch(this);
    const connection = this.#connection;
    this.#connection = null;
    if (error === null) {
      if (client.perRequest || connection!.done) connection!.close();
      else client.pool.get(this.#target)!.push(connection!);
    } else {
      connection?.close();
      const why = this.#timedOut ? timeoutError() : rawError(error);
      for (let i = this.#answered; i < count; i++) {
        lane.record(this.#target, this.#intended[i], this.#t0, undefined, why);
      }
    }
    if (connection !== null) lane.received(connection.takeBodyBytes());
    this.#slot.phase = IDLE;
    this.#next();
  }

  /** The timeout: the connection is closed (connecting included) and the batch ends. */
  expire(): void {
    this.#timedOut = true;
    this.#connection?.close();
    this.onEnd(timeoutError());
  }

  /**
   * Starts the next batch: now if its request is due, else when the loop's pacer calls
   * `onDue`; ends the lane when there is none. Requests dropped at their time are skipped.
   */
  #next(): void {
    const lane = this.#lane;
    // One clock read a batch: its reservation, and its send time (a closed loop's is both).
    const now = performance.now();
    while (true) {
      const at = lane.reserve(now);
      if (at === null) break;
      if (at > now) {
        this.dueAt = at;
        return this.#loop.pace(this);
      }
      if (lane.admit()) return this.#start(at, now);
    }
    const done = this.#done!;
    this.#done = null;
    this.#loop.leave();
    done();
  }

  /**
   * Starts a batch whose first request is intended at `first`, at `now` (the lane's clock, read
   * as it took that request; read again when more were taken after it, so none is sent before
   * it was taken). Its service latency so counts the check of a pooled connection idle 0.5 ms or
   * more (one `recv`, microseconds) that the batch makes before it writes.
   */
  #start(first: number, now: number): void {
    const lane = this.#lane;
    const intended = this.#intended;
    fillBatch(lane, first, intended);
    const t0 = intended.length > 1 ? performance.now() : now;
    const target = lane.pick();
    let idle = this.#client.pool.get(target);
    if (idle === undefined) this.#client.pool.set(target, idle = []);
    // The loop's clock (read at its last turn, or as this lane entered) tells a connection idle
    // 0.5 ms or more.
    this.#connection = takeIdle(lane, idle, { count: intended.length, check: this.#checkIdle });
    this.#reused = this.#connection !== null;
    for (let i = 0; i < intended.length; i++) lane.sent(target, intended[i], t0);
    this.#target = target;
    this.#t0 = t0;
    this.#answered = 0;
    this.#timedOut = false;
    this.#batch++;
    this.#slot.target = target;
    this.#slot.startedAt = t0;
    this.#slot.phase = AWAITING_HEADERS;
    if (this.#timeoutMs !== null) {
      this.deadline = t0 + this.#timeoutMs;
      this.#loop.watch(this);
    }
    this.#send();
  }

  /** Sends the batch on its connection, opening one if it has none. */
  #send(): void {
    const client = this.#client;
    if (this.#connection === null) {
      try {
        this.#connection = EpollConnection.open(this.#loop, {
          address: client.addresses[this.#target],
          local: client.local,
        });
      } catch (error) {
        const batch = this.#batch;
        this.#loop.defer(() => {
          if (batch === this.#batch && !this.#timedOut) this.onEnd(error);
        });
        return;
      }
    }
    const count = this.#intended.length;
    this.#connection.exchange(
      client.bytes(this.#target, count),
      { count, head: client.head },
      this,
    );
  }
}
