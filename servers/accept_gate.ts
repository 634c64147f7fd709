/**
 * An accept gate: a TCP listener in front of a server that decides when to call accept(), and
 * forwards each accepted connection to the server. It accepts `after` connections, then stops
 * while its port stays open (later connections complete the TCP handshake and wait in the kernel's
 * backlog, never served: the listener failure of seeds 000 and 001, which `Deno.serve` alone
 * cannot produce, as it closes its listener instead); or it accepts at most `perSecond` a second,
 * so connections wait in the backlog, and clients that gave up meanwhile have closed them before
 * they are accepted. Those are counted: a connection whose first read gives EOF or a reset before
 * any byte was already closed by its client when accepted (seed 001's "hangup right after accept").
 *
 * @module
 */

import { delay } from "../units/deadline.ts";

/** A running gate. */
export interface AcceptGate {
  /** The gate's port: clients connect here. */
  port: number;
  /** Connections accepted so far. */
  accepted(): number;
  /** Accepted connections whose client had already closed them (EOF or reset before any byte). */
  acceptedDead(): number;
  /** Closes the listener and every forwarded connection. */
  close(): Promise<void>;
}

/** Options for {@linkcode startAcceptGate}. */
export interface AcceptGateOptions {
  /** Address to listen on and to reach the upstream server at. @default {"127.0.0.1"} */
  hostname?: string;
  /** Connections to accept before the gate stops accepting. @default {Infinity} */
  after?: number;
  /** Connections accepted per second at most, 0 for no limit. @default {0} */
  perSecond?: number;
  /** Connections accepted at once before `perSecond` applies. @default {1} */
  burst?: number;
  /** Called for each accepted connection its client had already closed. @default {undefined} */
  onAcceptedDead?: () => void;
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
  const after = options.after ?? Infinity;
  const pace = pacer(options.perSecond ?? 0, options.burst ?? 1);
  let accepted = 0;
  let acceptedDead = 0;
  let closed = false;

  const forward = async (inbound: Deno.TcpConn) => {
    open.add(inbound);
    // Its opening, before the server hears of the connection: a client that has gone is not served.
    const opening = await readOpening(inbound);
    if (opening === null) {
      // A read that close() ended is not a client's doing.
      if (!closed) {
        acceptedDead++;
        options.onAcceptedDead?.();
      }
      if (open.delete(inbound)) inbound.close();
      return;
    }
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
      pumpOpened(opening, outbound),
      outbound.readable.pipeTo(inbound.writable, { preventClose: true }),
    ].map((p) => p.finally(end)));
  };

  const acceptLoop = (async () => {
    while (!closed && accepted < after) {
      await pace(() => closed);
      if (closed) return;
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
    acceptedDead: () => acceptedDead,
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

/** How long after its first bytes a client's close counts as "there already" (its FIN queued). */
const HANGUP_WINDOW_MS = 10;

/** A connection's first bytes, and the read of what follows them when it is still pending. */
interface Opening {
  conn: Deno.TcpConn;
  bytes: Uint8Array;
  buffer: Uint8Array;
  next: Promise<number | null> | null;
}

/**
 * Reads what a connection opens with; null when its client had already closed it when accepted:
 * the first read gives EOF or fails (a reset), or the bytes it sent before closing (a request,
 * its FIN queued behind it in the kernel) are followed by EOF at once (the "hangup event right
 * after accept" an edge-triggered listener sees).
 */
async function readOpening(conn: Deno.TcpConn): Promise<Opening | null> {
  const first = new Uint8Array(16 * 1024);
  const n = await conn.read(first).catch(() => null);
  if (n === null) return null;
  const buffer = new Uint8Array(16 * 1024);
  const pending = conn.read(buffer).catch(() => null);
  const soon = await Promise.race([pending.then((m) => ({ m })), delay(HANGUP_WINDOW_MS)]);
  if (soon && soon.m === null) return null;
  const bytes = soon
    ? concat(first.subarray(0, n), buffer.subarray(0, soon.m!))
    : first.subarray(0, n);
  return { conn, bytes, buffer, next: soon ? null : pending };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Copies the opening, then the rest of the connection, to `outbound` until EOF. */
async function pumpOpened(opening: Opening, outbound: Deno.TcpConn): Promise<void> {
  const { conn, buffer } = opening;
  await writeAll(outbound, opening.bytes);
  let n = opening.next ? await opening.next : await conn.read(buffer);
  while (n !== null) {
    await writeAll(outbound, buffer.subarray(0, n));
    n = await conn.read(buffer);
  }
}

async function writeAll(conn: Deno.TcpConn, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length;) at += await conn.write(bytes.subarray(at));
}

/**
 * Waits, before each accept, for a token of a bucket of `burst` refilled at `perSecond`; no wait
 * at all for `perSecond` 0. Polls `stopped` at least every 100 ms.
 */
function pacer(perSecond: number, burst: number): (stopped: () => boolean) => Promise<void> {
  if (perSecond <= 0) return () => Promise.resolve();
  let tokens = burst;
  let lastMs = performance.now();
  return async (stopped) => {
    for (;;) {
      const now = performance.now();
      tokens = Math.min(burst, tokens + ((now - lastMs) / 1000) * perSecond);
      lastMs = now;
      if (tokens >= 1 || stopped()) break;
      await delay(Math.min(100, ((1 - tokens) / perSecond) * 1000));
    }
    tokens -= 1;
  };
}
