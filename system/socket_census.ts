/**
 * Socket census: TCP sockets by state for a run's ports. The TCP table is asked of the kernel by
 * netlink `sock_diag` (`system/sock_diag.ts`, needs `--allow-ffi`), else read from Linux's
 * `/proc/net/tcp` and `/proc/net/tcp6` (needs `--allow-all`: Deno asks it for `/proc/net`); both
 * give the same sockets, and `WEDGE_NO_SOCK_DIAG=1` keeps to `/proc`. The parsers and the counting
 * are pure; {@linkcode readTcpTable} and {@linkcode readSocketCensus} are the thin adapters. On
 * loopback every connection appears twice, once per end: the server's end has the server's port
 * as its local port, the client's end has it as its remote port.
 *
 * Cost of one read, measured 2026-11-30 (2 cores shared with other work, load ~1, the two sources
 * alternated in the same sitting; `deno run -A bench/census_cost.ts --held 50`, and for 30k
 * sockets the command in `bench/census_cost.ts`, in a network namespace): with 102 sockets
 * netlink 4.6 ms (CPU 4.7 ms), `/proc` 13.2 ms (CPU 15 ms); with 30,001 sockets netlink 57 ms
 * (CPU 58 ms), `/proc` 229 ms (CPU 254 ms). Either way the kernel walks its whole TCP hash table
 * (262,144 buckets here, which sets netlink's ~4 ms floor); netlink walks it once for both
 * families and skips formatting text. The runtime reads about every 250 ms (`run/census_loop.ts`).
 *
 * @module
 */

import type { PortSockets, SocketCensus, StateCounts, TcpState } from "../report/readings.ts";
import type { InodeSocket, TcpSocket } from "./tcp_socket.ts";
import { readTcpSockets } from "./sock_diag.ts";
export type { InodeSocket, PortSockets, SocketCensus, StateCounts, TcpSocket, TcpState };

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
  return parseLines(text).map(({ inode: _, ...socket }) => socket);
}

/**
 * Parses `/proc/net/tcp` or `/proc/net/tcp6` as {@linkcode parseProcNetTcp} does, keeping each
 * socket's inode (column 10; 0 for TIME_WAIT and request sockets).
 *
 * @param text The file's content.
 * @returns One entry per socket line.
 *
 * @example
 * ```ts
 * import { parseProcNetTcpInodes } from "./socket_census.ts";
 * import assert from "node:assert/strict";
 *
 * const line = "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000002 00:00000000 00000000     0        0 1076 1\n";
 * assert.equal(parseProcNetTcpInodes(line)[0].inode, 1076);
 * ```
 */
export function parseProcNetTcpInodes(text: string): InodeSocket[] {
  return parseLines(text);
}

function parseLines(text: string): InodeSocket[] {
  const out: InodeSocket[] = [];
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
      inode: Number(fields[9]) || 0,
    });
  }
  return out;
}

/** A socket's identity from one read to the next: its ports and its inode (0 in TIME_WAIT). */
function socketKey(s: TcpSocket & { inode?: number }): string {
  return `${s.localPort}>${s.remotePort}#${s.inode ?? 0}`;
}

/**
 * The sockets already on the run's server ports, LISTEN aside, for {@linkcode countSockets} to
 * leave out: an earlier run's TIME_WAIT toward a port the kernel gave again (a listener on port 0
 * may get a port that TIME_WAIT sockets still name as their remote port), another program's
 * connections to a `url` server. None of them is the run's.
 *
 * @param sockets The TCP table before the load.
 * @param ports The run's server ports.
 * @returns Their keys.
 *
 * @example
 * ```ts
 * import { countSockets, socketsOnPorts } from "./socket_census.ts";
 * import assert from "node:assert/strict";
 *
 * const old = { localPort: 50001, remotePort: 8080, state: "TIME_WAIT", rxQueue: 0, txQueue: 0, inode: 0 } as const;
 * const leaveOut = socketsOnPorts([old], new Set([8080]));
 * assert.equal(countSockets([old], new Set([8080]), { leaveOut }).timeWait, 0);
 * ```
 */
export function socketsOnPorts(
  sockets: readonly InodeSocket[],
  ports: ReadonlySet<number>,
): Set<string> {
  return new Set(
    sockets.filter((s) =>
      s.state !== "LISTEN" && (ports.has(s.localPort) || ports.has(s.remotePort))
    ).map(socketKey),
  );
}

/**
 * Forgets the left-out sockets that are gone from this read: a socket that closed never comes
 * back, so its key must not hide a later socket of the run with the same ports (on loopback a new
 * connection may take the ports of a TIME_WAIT socket, `tcp_tw_reuse`, and its own TIME_WAIT then
 * has the same key).
 *
 * @param leaveOut The keys {@linkcode socketsOnPorts} gave; pruned in place.
 * @param sockets The TCP table now.
 *
 * @example
 * ```ts
 * import { forgetGone, socketsOnPorts } from "./socket_census.ts";
 * import assert from "node:assert/strict";
 *
 * const old = { localPort: 50001, remotePort: 8080, state: "TIME_WAIT", rxQueue: 0, txQueue: 0, inode: 0 } as const;
 * const leaveOut = socketsOnPorts([old], new Set([8080]));
 * forgetGone(leaveOut, []);
 * assert.equal(leaveOut.size, 0);
 * ```
 */
export function forgetGone(leaveOut: Set<string>, sockets: readonly InodeSocket[]): void {
  if (leaveOut.size === 0) return;
  const now = new Set(sockets.map(socketKey));
  for (const key of leaveOut) if (!now.has(key)) leaveOut.delete(key);
}

/** Options of {@linkcode countSockets}. */
export interface CountSocketsOptions {
  /** Sockets not to count ({@linkcode socketsOnPorts}: those there before the load). */
  leaveOut?: ReadonlySet<string>;
}

/**
 * Counts the sockets of a run's connections by state and end.
 *
 * @param sockets Parsed sockets (IPv4 and IPv6 together).
 * @param ports The run's server ports.
 * @param options Sockets to leave out.
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
  sockets: readonly (TcpSocket & { inode?: number })[],
  ports: ReadonlySet<number>,
  options: CountSocketsOptions = {},
): SocketCensus {
  const { leaveOut } = options;
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
    if (leaveOut?.size && leaveOut.has(socketKey(s))) continue; // never LISTEN (socketsOnPorts)
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

/** Where the TCP table is read from: netlink first, then `/proc` ("auto"), or only one of them. */
export type TcpTableSource = "auto" | "netlink" | "proc";

/** Options of {@linkcode readTcpTable} and {@linkcode readSocketCensus}. */
export interface TcpTableOptions {
  /**
   * Where to read. "auto" asks netlink `sock_diag` and reads `/proc/net/tcp{,6}` where netlink
   * cannot answer, or when the environment variable {@linkcode NO_SOCK_DIAG_ENV} is set.
   *
   * @default {"auto"}
   */
  source?: TcpTableSource;
}

/** When set (to any value but "" or "0"), "auto" reads `/proc/net/tcp{,6}` and never netlink. */
export const NO_SOCK_DIAG_ENV = "WEDGE_NO_SOCK_DIAG";

/**
 * Every TCP socket of this network namespace (IPv4 and IPv6) with its inode: by netlink
 * `sock_diag` (`system/sock_diag.ts`), else from `/proc/net/tcp` and `/proc/net/tcp6`. Both give
 * the same sockets, states, ports, queues and inodes.
 *
 * @param options Where to read.
 * @returns The sockets, or null where the chosen source cannot be read (not Linux).
 *
 * @example
 * ```ts
 * import { readTcpTable } from "./socket_census.ts";
 * import assert from "node:assert/strict";
 *
 * const sockets = await readTcpTable({ source: "proc" });
 * assert.ok(sockets === null || Array.isArray(sockets));
 * ```
 */
export async function readTcpTable(options: TcpTableOptions = {}): Promise<InodeSocket[] | null> {
  const source = options.source ?? "auto";
  if (source === "netlink" || (source === "auto" && !sockDiagDisabled())) {
    const sockets = await readTcpSockets();
    if (sockets || source === "netlink") return sockets;
  }
  const texts = await Promise.all(
    ["/proc/net/tcp", "/proc/net/tcp6"].map((path) => Deno.readTextFile(path).catch(() => null)),
  );
  if (texts.every((t) => t === null)) return null;
  return texts.flatMap((t) => (t === null ? [] : parseLines(t)));
}

function sockDiagDisabled(): boolean {
  try {
    if (
      Deno.permissions.querySync({ name: "env", variable: NO_SOCK_DIAG_ENV }).state !== "granted"
    ) {
      return false;
    }
    const value = Deno.env.get(NO_SOCK_DIAG_ENV);
    return value !== undefined && value !== "" && value !== "0";
  } catch {
    return false;
  }
}

/**
 * Reads the TCP table ({@linkcode readTcpTable}: netlink, else `/proc/net/tcp{,6}`) and counts
 * the run's sockets. Observes only.
 *
 * @param ports The run's server ports.
 * @param options Where to read.
 * @returns The census, or null where the TCP table cannot be read (not Linux).
 *
 * @example
 * ```ts
 * import { readSocketCensus } from "./socket_census.ts";
 *
 * const census = await readSocketCensus(new Set([8080]));
 * ```
 */
export async function readSocketCensus(
  ports: ReadonlySet<number>,
  options: TcpTableOptions = {},
): Promise<SocketCensus | null> {
  const sockets = await readTcpTable(options);
  return sockets && countSockets(sockets, ports);
}
