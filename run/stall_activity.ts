/**
 * What counts as the run's own activity while a client worker is silent: its sockets changing
 * state, and bytes waiting on them (read from the socket census of the run's server ports). Not
 * the runtime's open fds: wedge's own housekeeping opens and closes fds while a run is idle (the
 * census's netlink socket, about every 250 ms; /proc reads), so a sample of the fd count catches
 * one now and then (55 -> 56 -> 55 about every 4.5 s, measured on an idle run), and that is no
 * evidence that a client's requests move. TIME_WAIT is left out too: those sockets expire on the
 * kernel's timer, not by anything a client or server does.
 *
 * @module
 */

import type { SocketCensus, TcpState } from "../report/readings.ts";

/** The states read, for each end: every state a client or server moves a socket into. */
const STATES: readonly TcpState[] = [
  "SYN_SENT",
  "SYN_RECV",
  "NEW_SYN_RECV",
  "ESTABLISHED",
  "FIN_WAIT1",
  "FIN_WAIT2",
  "CLOSE_WAIT",
  "LAST_ACK",
  "CLOSING",
];

/** How many readings {@linkcode socketActivity} returns, always. */
export const SOCKET_ACTIVITY_READINGS = 2 * STATES.length + 4;

/**
 * The run's sockets as readings that move while clients and servers work: for each end (client,
 * server) the sockets in each state but TIME_WAIT, then the connections in accept queues, and the
 * sockets holding unread requests, unsent responses and unread responses. One reading moving is
 * activity; all of them still is a quiet run.
 *
 * @param census The latest census of the run's ports, or null where there is none.
 * @returns {@linkcode SOCKET_ACTIVITY_READINGS} readings in a fixed order; all null without a census.
 *
 * @example A connection opened moves a reading; a TIME_WAIT socket expiring does not
 * ```ts
 * import { socketActivity } from "./stall_activity.ts";
 * import assert from "node:assert/strict";
 *
 * const census = (established: number, timeWait: number) => ({
 *   server: { ESTABLISHED: established }, client: { ESTABLISHED: established, TIME_WAIT: timeWait },
 *   timeWait, established: 2 * established, acceptQueue: {}, ports: {},
 * });
 * assert.deepEqual(socketActivity(census(1, 5)), socketActivity(census(1, 4)));
 * assert.notDeepEqual(socketActivity(census(1, 5)), socketActivity(census(2, 5)));
 * assert.ok(socketActivity(null).every((reading) => reading === null));
 * ```
 */
export function socketActivity(census: SocketCensus | null): (number | null)[] {
  if (!census) return Array(SOCKET_ACTIVITY_READINGS).fill(null);
  const ports = Object.values(census.ports ?? {});
  const sum = (of: (p: (typeof ports)[number]) => number) =>
    ports.reduce((total, p) => total + of(p), 0);
  return [
    ...STATES.map((state) => census.client[state] ?? 0),
    ...STATES.map((state) => census.server[state] ?? 0),
    Object.values(census.acceptQueue).reduce((total, n) => total + n, 0),
    sum((p) => p.serverUnread),
    sum((p) => p.serverUnsent),
    sum((p) => p.clientUnread),
  ];
}
