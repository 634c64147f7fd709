/**
 * The raw engines' clients: each client's idle connections by server, for the current round,
 * shared by the client's lanes, and the one shape of a raw client both engines send with (its
 * pool, its request bytes, keep-alive or not, HEAD, whether a request may be retried), plus what
 * each engine adds to reach a server (epoll: `sockaddr_in`s; `Deno.connect`: an opener). One
 * instance per engine per worker thread; a client's pool is opened only in the engine that runs it.
 *
 * @module
 */

import type { LaneContext } from "./lane.ts";
import { type RequestBytes, requestBytes } from "./request_bytes.ts";

/** Methods a request may be sent again for (RFC 9110 §9.2.2), as hyper retries them. */
const IDEMPOTENT = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"]);

/** What a lane of one raw client needs to send to any server, whichever raw engine runs it. */
export interface RawClient<C> {
  /** The client's idle connections by server id (this round's pool), shared by its lanes. */
  pool: Map<number, C[]>;
  /** No keep-alive (`pool.maxIdlePerHost: 0`): a connection is closed after its batch. */
  perRequest: boolean;
  /** HEAD requests: responses have no body. */
  head: boolean;
  /** The method may be sent again after an unwritten request (RFC 9110 §9.2.2). */
  idempotent: boolean;
  /** The request, serialized for a server, repeated `count` times (pipelining). */
  bytes: RequestBytes;
}

/**
 * Each client's pool of idle connections, by client id, then by server id, and each client's
 * {@linkcode RawClient} shape (with what the engine adds, `E`), made once per round.
 *
 * @example
 * ```ts
 * import { ClientPools } from "./client_pools.ts";
 * import assert from "node:assert/strict";
 *
 * let closed = 0;
 * const pools = new ClientPools<{ close(): void }>(() => ({}));
 * pools.open(0);
 * pools.of(0).set(3, [{ close: () => closed++ }]);
 * assert.equal([...pools.idle(0)].length, 1);
 * pools.closeAll();
 * assert.equal(closed, 1);
 * ```
 */
export class ClientPools<C extends { close(): void }, E extends object = Record<never, never>> {
  #byClient = new Map<number, Map<number, C[]>>();
  #clients = new WeakMap<LaneContext, RawClient<C> & E>();
  #reach: (lane: LaneContext) => E;

  /**
   * @param reach What the engine adds to a client's shape to reach its servers (made once per
   *   client and round).
   */
  constructor(reach: (lane: LaneContext) => E) {
    this.#reach = reach;
  }

  /**
   * Opens a client's (empty) pool for this round.
   *
   * @param clientId The client.
   */
  open(clientId: number): void {
    this.#byClient.set(clientId, new Map());
  }

  /**
   * A client's pool: its idle connections by server id.
   *
   * @param clientId The client (its pool opened with {@linkcode ClientPools.open}).
   * @returns The pool.
   */
  of(clientId: number): Map<number, C[]> {
    const pool = this.#byClient.get(clientId);
    if (!pool) throw new Error(`no connection pool open for client ${clientId}`);
    return pool;
  }

  /**
   * The shape a lane's client sends with, made for the first of its lanes and shared by the
   * others (the lane context is the client's for this round).
   *
   * @param lane A lane of the client (its pool opened with {@linkcode ClientPools.open}).
   * @returns Its pool, request bytes, flags and what the engine added.
   */
  client(lane: LaneContext): RawClient<C> & E {
    let client = this.#clients.get(lane);
    if (client === undefined) {
      const { spec } = lane;
      client = {
        pool: this.of(spec.id),
        perRequest: spec.pool.maxIdlePerHost === 0,
        head: spec.request.method === "HEAD",
        idempotent: IDEMPOTENT.has(spec.request.method.toUpperCase()),
        bytes: requestBytes(lane),
        ...this.#reach(lane),
      };
      this.#clients.set(lane, client);
    }
    return client;
  }

  /**
   * Every idle connection of a client, whatever its server.
   *
   * @param clientId The client.
   * @returns Its idle connections (none when its pool is not open).
   */
  *idle(clientId: number): Iterable<C> {
    for (const idle of this.#byClient.get(clientId)?.values() ?? []) yield* idle;
  }

  /** Closes every client's idle connections and forgets the pools (the round's end). */
  closeAll(): void {
    for (const pool of this.#byClient.values()) {
      for (const idle of pool.values()) for (const connection of idle) connection.close();
    }
    this.#byClient.clear();
  }

  /** Forgets the pools without closing their connections (their sockets are closed already). */
  forget(): void {
    this.#byClient.clear();
  }
}
