/**
 * The TCP connections a process tree holds: the socket inodes of `/proc/PID/fd` (the process and
 * its descendants, read by `proc_tree.ts`) matched to the TCP table's inodes (netlink `sock_diag`, else
 * `/proc/net/tcp{,6}`: `readTcpTable` in `socket_census.ts`). Linux only; elsewhere every reading
 * is null (unknown), never empty.
 *
 * @module
 */

import { readTcpTable, type TcpTableOptions } from "./socket_census.ts";
import type { InodeSocket } from "./tcp_socket.ts";
export type { InodeSocket };

/**
 * Reads the TCP sockets of this network namespace by inode (only the wanted ones, if given), by
 * netlink `sock_diag` or else `/proc/net/tcp{,6}` (`readTcpTable`). Sockets without an inode
 * (TIME_WAIT) are left out.
 *
 * @param only The inodes wanted. @default {every socket}
 * @param options Where to read. @default {netlink, else /proc}
 * @returns Sockets by inode, or null when the TCP table cannot be read.
 *
 * @example
 * ```ts
 * import { readTcpByInode } from "./process_sockets.ts";
 * import assert from "node:assert/strict";
 *
 * const sockets = await readTcpByInode();
 * assert.ok(sockets === null || sockets instanceof Map);
 * ```
 */
export async function readTcpByInode(
  only?: ReadonlySet<number>,
  options: TcpTableOptions = {},
): Promise<Map<number, InodeSocket> | null> {
  const sockets = await readTcpTable(options);
  if (!sockets) return null;
  const out = new Map<number, InodeSocket>();
  for (const socket of sockets) {
    if (socket.inode > 0 && (!only || only.has(socket.inode))) out.set(socket.inode, socket);
  }
  return out;
}
