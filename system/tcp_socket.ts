/**
 * One TCP socket as the kernel lists it (by `/proc/net/tcp{,6}` or by netlink `sock_diag`): the
 * shape both readers give, declared once.
 *
 * @module
 */

import type { TcpState } from "../report/readings.ts";

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

/** A TCP socket with its inode (`/proc/PID/fd` links name it `socket:[INODE]`; 0 for TIME_WAIT). */
export type InodeSocket = TcpSocket & {
  /** The socket's inode. */
  inode: number;
};

/**
 * TCP states by the kernel's number (`include/net/tcp_states.h`: 1 ESTABLISHED ... 12
 * NEW_SYN_RECV); `/proc/net/tcp` prints the same numbers in hex.
 *
 * @example
 * ```ts
 * import { TCP_STATE_BY_NUMBER } from "./tcp_socket.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(TCP_STATE_BY_NUMBER[10], "LISTEN");
 * ```
 */
export const TCP_STATE_BY_NUMBER: readonly (TcpState | undefined)[] = [
  undefined,
  "ESTABLISHED",
  "SYN_SENT",
  "SYN_RECV",
  "FIN_WAIT1",
  "FIN_WAIT2",
  "TIME_WAIT",
  "CLOSE",
  "CLOSE_WAIT",
  "LAST_ACK",
  "LISTEN",
  "CLOSING",
  "NEW_SYN_RECV",
];
