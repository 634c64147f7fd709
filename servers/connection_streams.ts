/**
 * HTTP/2 streams per connection as wedge's server counts them: open now, the most ever open at
 * once, and when the oldest open stream opened. `Deno.serve` shows requests, not protocol streams:
 * a stream counts as open while its request is in the handler or its response is still being sent,
 * so a fast handler keeps these counts near 1 whatever the client has in flight. A connection is
 * known by its client's port (the local port of the client's socket, which the census of a client
 * process reads), so a client process's connections can be matched to the server's view of them.
 *
 * @module
 */

/**
 * Deno.serve's limit of concurrent streams per HTTP/2 connection: hyper's default
 * (`SETTINGS_MAX_CONCURRENT_STREAMS` 200), which Deno does not let JS configure. The server side
 * knows it from here, not from a reading: measured on Deno 2.9.6, a client that never closes its
 * streams gets 200 open on one connection and no more (tests/e2e/http2_test.ts).
 */
export const DENO_SERVE_MAX_CONCURRENT_STREAMS = 200;

/** What a server saw of the HTTP/2 streams of one connection. */
export interface ConnectionStreams {
  /** Streams open now (a request in the handler or a response still being sent). */
  open: number;
  /** The most open at once on it (as counted here, not the client's streams in flight). */
  peak: number;
  /** Epoch ms at which its oldest open stream opened, or null when none is open. */
  oldestOpenSinceMs: number | null;
}

/** Connections kept after their last stream closed (for their peak), before the oldest go. */
export const CLOSED_CONNECTIONS_KEPT = 1024;

/**
 * Counts a stream opening on a connection; returns the function that counts it closed.
 *
 * @param connections The server's streams by client port (changed in place).
 * @param clientPort The connection's client port.
 * @returns Call once when the stream closes (later calls do nothing).
 *
 * @example
 * ```ts
 * import { type ConnectionStreams, openConnectionStream } from "./connection_streams.ts";
 * import assert from "node:assert/strict";
 *
 * const connections = new Map<number, ConnectionStreams>();
 * const close = openConnectionStream(connections, 50000);
 * openConnectionStream(connections, 50000);
 * close();
 * assert.deepEqual([connections.get(50000)!.open, connections.get(50000)!.peak], [1, 2]);
 * ```
 */
export function openConnectionStream(
  connections: Map<number, ConnectionStreams>,
  clientPort: number,
): () => void {
  const entry = connections.get(clientPort) ?? { open: 0, peak: 0, oldestOpenSinceMs: null };
  connections.set(clientPort, entry);
  const opens = openTimes(entry);
  const token = Symbol();
  opens.set(token, Date.now());
  entry.open++;
  entry.peak = Math.max(entry.peak, entry.open);
  entry.oldestOpenSinceMs ??= Date.now();
  let closed = false;
  return () => {
    if (closed) return;
    closed = true;
    opens.delete(token);
    entry.open--;
    // Insertion order is opening order: the first left is the oldest open.
    entry.oldestOpenSinceMs = opens.values().next().value ?? null;
    if (entry.open === 0 && connections.size > CLOSED_CONNECTIONS_KEPT) forgetClosed(connections);
  };
}

/** The opening times of each entry's open streams, beside the entry (not sent on the wire). */
const OPEN_TIMES = new WeakMap<ConnectionStreams, Map<symbol, number>>();

function openTimes(entry: ConnectionStreams): Map<symbol, number> {
  let opens = OPEN_TIMES.get(entry);
  if (!opens) OPEN_TIMES.set(entry, opens = new Map());
  return opens;
}

/** Forgets the oldest connections without an open stream, down to the bound. */
function forgetClosed(connections: Map<number, ConnectionStreams>): void {
  for (const [port, entry] of connections) {
    if (connections.size <= CLOSED_CONNECTIONS_KEPT) return;
    if (entry.open === 0) connections.delete(port);
  }
}
