/**
 * An accept gate: a TCP listener in front of a server that accepts `after` connections (forwarding
 * each to the server), then stops calling accept() while its port stays open. Later connections
 * complete the TCP handshake and wait in the kernel's backlog, never served: the listener failure
 * of seeds 000 and 001, which `Deno.serve` alone cannot produce (it closes its listener instead).
 *
 * @module
 */

/** A running gate. */
export interface AcceptGate {
  /** The gate's port: clients connect here. */
  port: number;
  /** Connections accepted so far. */
  accepted(): number;
  /** Closes the listener and every forwarded connection. */
  close(): Promise<void>;
}

/** Options for {@linkcode startAcceptGate}. */
export interface AcceptGateOptions {
  /** Address to listen on and to reach the upstream server at. @default {"127.0.0.1"} */
  hostname?: string;
  /** Connections to accept before the gate stops accepting. */
  after: number;
}

/**
 * Starts a gate in front of `upstreamPort`.
 *
 * @param upstreamPort The real server's port.
 * @param options Where to listen and how many connections to accept.
 * @returns The gate.
 *
 * @example A server that takes one connection and then stops accepting
 * ```ts
 * import { startAcceptGate } from "./accept_gate.ts";
 * import assert from "node:assert/strict";
 *
 * const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => new Response("hi"));
 * const gate = startAcceptGate(server.addr.port, { after: 1 });
 * const client = Deno.createHttpClient({});
 * const response = await fetch(`http://127.0.0.1:${gate.port}/`, { client });
 * assert.equal(await response.text(), "hi");
 * assert.equal(gate.accepted(), 1);
 * client.close();
 * await gate.close();
 * await server.shutdown();
 * ```
 */
export function startAcceptGate(
  upstreamPort: number,
  options: AcceptGateOptions,
): AcceptGate {
  const hostname = options.hostname ?? "127.0.0.1";
  const listener = Deno.listen({ hostname, port: 0 });
  const open = new Set<Deno.TcpConn>();
  const pipes: Promise<unknown>[] = [];
  let accepted = 0;
  let closed = false;

  const forward = async (inbound: Deno.TcpConn) => {
    open.add(inbound);
    let outbound: Deno.TcpConn;
    try {
      outbound = await Deno.connect({ hostname, port: upstreamPort });
    } catch {
      if (open.delete(inbound)) inbound.close();
      return;
    }
    if (closed) {
      // close() ran while this connection was being set up: it must not outlive the gate.
      if (open.delete(inbound)) inbound.close();
      outbound.close();
      return;
    }
    inbound.setNoDelay(true);
    outbound.setNoDelay(true);
    open.add(outbound);
    const end = () => {
      for (const conn of [inbound, outbound]) {
        if (open.delete(conn)) {
          try {
            conn.close();
          } catch { /* already closed */ }
        }
      }
    };
    await Promise.allSettled([
      inbound.readable.pipeTo(outbound.writable, { preventClose: true }),
      outbound.readable.pipeTo(inbound.writable, { preventClose: true }),
    ].map((p) => p.finally(end)));
  };

  const acceptLoop = (async () => {
    while (!closed && accepted < options.after) {
      let conn: Deno.TcpConn;
      try {
        conn = await listener.accept() as Deno.TcpConn;
      } catch {
        return;
      }
      accepted++;
      pipes.push(forward(conn));
    }
    // Stop accepting: the listener stays open until close(), so the kernel keeps queueing.
  })();

  return {
    port: (listener.addr as Deno.NetAddr).port,
    accepted: () => accepted,
    async close() {
      closed = true;
      listener.close();
      for (const conn of open) {
        try {
          conn.close();
        } catch { /* already closed */ }
      }
      open.clear();
      await acceptLoop;
      await Promise.allSettled(pipes);
    },
  };
}
