/**
 * The bytes a raw client writes: each request serialized once per server (the Host header and the
 * base path differ per server), and batches of it for pipelining. Both raw engines (epoll and
 * Deno.connect) send these.
 *
 * @module
 */

import { serializeRequest } from "./raw_connection.ts";
import type { LaneContext } from "./lane.ts";

/** The request bytes of a lane's client: `count` requests back to back, to server `target`. */
export type RequestBytes = (target: number, count: number) => Uint8Array;

/**
 * Makes the request-bytes source of a lane's client, caching each (server, batch size).
 *
 * @param lane The lane (its client's spec and the servers' URLs).
 * @returns A function of the target server and the batch size.
 *
 * @example
 * ```ts ignore
 * const bytes = requestBytes(lane);
 * await connection.write(bytes(0, 4)); // 4 pipelined requests to server 0
 * ```
 */
export function requestBytes(lane: Pick<LaneContext, "spec" | "state">): RequestBytes {
  const { spec, state } = lane;
  const servers = state.init.urls.map((url) => new URL(url));
  const close = spec.pool.maxIdlePerHost === 0;
  const batches = servers.map(() => new Map<number, Uint8Array>());
  return (target, count) => {
    let bytes = batches[target].get(count);
    if (!bytes) {
      const server = servers[target];
      const path = server.pathname.replace(/\/$/, "") + spec.request.path;
      const one = serializeRequest({ ...spec.request, path }, { host: server.host, close });
      bytes = new Uint8Array(one.length * count);
      for (let i = 0; i < count; i++) bytes.set(one, i * one.length);
      batches[target].set(count, bytes);
    }
    return bytes;
  };
}
