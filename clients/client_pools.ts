/**
 * The raw engines' connection pools: each client's idle connections by server, for the current
 * round, shared by the client's lanes. One instance per engine per worker thread.
 *
 * @module
 */

/**
 * Each client's pool of idle connections, by client id, then by server id.
 *
 * @example
 * ```ts
 * import { ClientPools } from "./client_pools.ts";
 * import assert from "node:assert/strict";
 *
 * let closed = 0;
 * const pools = new ClientPools<{ close(): void }>();
 * pools.open(0);
 * pools.of(0).set(3, [{ close: () => closed++ }]);
 * assert.equal([...pools.idle(0)].length, 1);
 * pools.closeAll();
 * assert.equal(closed, 1);
 * ```
 */
export class ClientPools<C extends { close(): void }> {
  #byClient = new Map<number, Map<number, C[]>>();

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
