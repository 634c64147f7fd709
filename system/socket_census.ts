/**
 * Socket census: TCP sockets by state for a run's ports, read from Linux's `/proc/net/tcp` and
 * `/proc/net/tcp6`. The parser and the counting are pure; {@linkcode readSocketCensus} is the thin
 * adapter that reads the files. On loopback every connection appears twice, once per end: the
 * server's end has the server's port as its local port, the client's end has it as its remote port.
 *
 * Cost measured here: with 30k sockets `/proc/net/tcp` is ~4.5 MB and takes 70-100 ms to read
 * (mostly kernel time), so the runtime samples it about once a second.
 *
 * @module
 */

import type { PortSockets, SocketCensus, StateCounts, TcpState } from "../report/readings.ts";
export type { PortSockets, SocketCensus, StateCounts, TcpState };

/** TCP states as `/proc/net/tcp` numbers them (hex). */
export const TCP_STATES: Record<string, TcpState> = {
  "01": "ESTABLISHED",
  "02": "SYN_SENT",
  "03": "SYN_RECV",
  "04": "FIN_WAIT1",
  "05": "FIN_WAIT2",
  "06": "TIME_WAIT",
  "07": "CLOSE",
  "08": "CLOSE_WAIT",
  "09": "LAST_ACK",
  "0A": "LISTEN",
  "0B": "CLOSING",
  "0C": "NEW_SYN_RECV",
};

/** One socket line. */
export interface TcpSocket {
  /** Local port. */
  localPort: number;
  /** Remote port. */
  remotePort: number;
  /** State. */
  state: TcpState;
  /** Receive queue; for a LISTEN socket, connections waiting to be accepted. */
  rxQueue: number;
  /** Send queue: bytes written and not yet acknowledged by the peer (0 for a LISTEN socket). */
  txQueue: number;
}

/**
 * Parses the text of `/proc/net/tcp` or `/proc/net/tcp6` (both have the same columns; addresses
 * are hex, ports are the 4 hex digits after the colon).
 *
 * @param text The file's content.
 * @returns One entry per socket line; the header and malformed lines are skipped.
 *
 * @example
 * ```ts
 * import { parseProcNetTcp } from "./socket_census.ts";
 * import assert from "node:assert/strict";
 *
 * const text = "  sl  local_address rem_address   st ...\n" +
 *   "   1: 0100007F:88EB 0100007F:D27C 06 00000000:00000000 03:000005FE 00000000     0        0 0 3 0\n";
 * assert.deepEqual(parseProcNetTcp(text), [
 *   { localPort: 0x88eb, remotePort: 0xd27c, state: "TIME_WAIT", rxQueue: 0, txQueue: 0 },
 * ]);
 * ```
 */
export function parseProcNetTcp(text: string): TcpSocket[] {
  const out: TcpSocket[] = [];
  for (const line of text.split("\n")) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 4 || !fields[0].endsWith(":")) continue;
    const local = fields[1].lastIndexOf(":");
    const remote = fields[2].lastIndexOf(":");
    const state = TCP_STATES[fields[3].toUpperCase()];
    if (local < 0 || remote < 0 || !state) continue;
    const [tx, rx] = fields[4]?.split(":") ?? [];
    out.push({
      localPort: parseInt(fields[1].slice(local + 1), 16),
      remotePort: parseInt(fields[2].slice(remote + 1), 16),
      state,
      rxQueue: rx ? parseInt(rx, 16) || 0 : 0,
      txQueue: tx ? parseInt(tx, 16) || 0 : 0,
    });
  }
  return out;
}

/**
 * Counts the sockets of a run's connections by state and end.
 *
 * @param sockets Parsed sockets (IPv4 and IPv6 together).
 * @param ports The run's server ports.
 * @returns The census.
 *
 * @example
 * ```ts
 * import { countSockets } from "./socket_census.ts";
 * import assert from "node:assert/strict";
 *
 * const census = countSockets([
 *   { localPort: 8080, remotePort: 50000, state: "ESTABLISHED", rxQueue: 0, txQueue: 0 },
 *   { localPort: 50000, remotePort: 8080, state: "ESTABLISHED", rxQueue: 0, txQueue: 0 },
 *   { localPort: 50001, remotePort: 8080, state: "TIME_WAIT", rxQueue: 0, txQueue: 0 },
 *   { localPort: 9999, remotePort: 40000, state: "ESTABLISHED", rxQueue: 0, txQueue: 0 },
 * ], new Set([8080]));
 * assert.deepEqual(census.client, { ESTABLISHED: 1, TIME_WAIT: 1 });
 * assert.equal(census.timeWait, 1);
 * assert.deepEqual(census.ports["8080"].server, { ESTABLISHED: 1 });
 * ```
 */
export function countSockets(
  sockets: readonly TcpSocket[],
  ports: ReadonlySet<number>,
): SocketCensus {
  const census: SocketCensus = {
    server: {},
    client: {},
    timeWait: 0,
    established: 0,
    acceptQueue: {},
    ports: {},
  };
  for (const port of ports) {
    census.ports[port] = {
      listening: false,
      acceptQueue: 0,
      server: {},
      client: {},
      serverUnread: 0,
      serverUnsent: 0,
      clientUnread: 0,
    };
  }
  for (const s of sockets) {
    if (s.state === "LISTEN" && ports.has(s.localPort)) {
      const port = census.ports[s.localPort];
      port.listening = true;
      port.acceptQueue += s.rxQueue;
      if (s.rxQueue > 0) {
        census.acceptQueue[s.localPort] = (census.acceptQueue[s.localPort] ?? 0) + s.rxQueue;
      }
    }
    let end: StateCounts | null = null;
    let portEnd: StateCounts | null = null;
    if (ports.has(s.localPort) && s.state !== "LISTEN") {
      end = census.server;
      const port = census.ports[s.localPort];
      portEnd = port.server;
      if (s.rxQueue > 0) port.serverUnread++;
      if (s.txQueue > 0) port.serverUnsent++;
    } else if (ports.has(s.remotePort) && s.state !== "LISTEN") {
      end = census.client;
      const port = census.ports[s.remotePort];
      portEnd = port.client;
      if (s.rxQueue > 0) port.clientUnread++;
    }
    if (!end || !portEnd) continue;
    end[s.state] = (end[s.state] ?? 0) + 1;
    portEnd[s.state] = (portEnd[s.state] ?? 0) + 1;
    if (s.state === "TIME_WAIT") census.timeWait++;
    if (s.state === "ESTABLISHED") census.established++;
  }
  return census;
}

/**
 * Reads `/proc/net/tcp` and `/proc/net/tcp6` and counts the run's sockets. Observes only.
 *
 * @param ports The run's server ports.
 * @returns The census, or null where `/proc/net` cannot be read (not Linux).
 *
 * @example
 * ```ts
 * import { readSocketCensus } from "./socket_census.ts";
 *
 * const census = await readSocketCensus(new Set([8080]));
 * ```
 */
export async function readSocketCensus(ports: ReadonlySet<number>): Promise<SocketCensus | null> {
  const texts = await Promise.all(
    ["/proc/net/tcp", "/proc/net/tcp6"].map((path) => Deno.readTextFile(path).catch(() => null)),
  );
  if (texts.every((t) => t === null)) return null;
  return countSockets(texts.flatMap((t) => (t === null ? [] : parseProcNetTcp(t))), ports);
}
