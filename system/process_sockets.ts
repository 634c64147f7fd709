/**
 * The TCP connections a process tree holds: the socket inodes of `/proc/PID/fd` (the process and
 * its descendants) matched to the TCP table's inodes (netlink `sock_diag`, else
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

/**
 * The pids of a process and its descendants (at most 256), from `/proc/PID/task/PID/children`.
 *
 * @param pid The root process.
 * @returns The pids, the root first; just the root when `/proc` cannot tell.
 *
 * @example
 * ```ts
 * import { processTree } from "./process_sockets.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(processTree(Deno.pid)[0], Deno.pid);
 * ```
 */
export function processTree(pid: number): number[] {
  const seen = [pid];
  for (let i = 0; i < seen.length && seen.length < 256; i++) {
    let children: number[] = [];
    try {
      children = Deno.readTextFileSync(`/proc/${seen[i]}/task/${seen[i]}/children`).split(" ")
        .filter(Boolean).map(Number);
    } catch { /* gone, or no /proc: its children are unknown */ }
    for (const child of children) if (!seen.includes(child)) seen.push(child);
  }
  return seen;
}

/**
 * The socket inodes held open by the given processes (`/proc/PID/fd/*` links to `socket:[N]`).
 *
 * @param pids The processes.
 * @returns The inodes, or null when no process's fd directory could be read.
 *
 * @example
 * ```ts
 * import { socketInodes } from "./process_sockets.ts";
 * import assert from "node:assert/strict";
 *
 * const inodes = socketInodes([Deno.pid]);
 * assert.ok(inodes === null || inodes instanceof Set);
 * ```
 */
export function socketInodes(pids: readonly number[]): Set<number> | null {
  const out = new Set<number>();
  let read = false;
  for (const pid of pids) {
    try {
      for (const entry of Deno.readDirSync(`/proc/${pid}/fd`)) {
        const link = readLink(`/proc/${pid}/fd/${entry.name}`);
        const match = link && /^socket:\[(\d+)\]$/.exec(link);
        if (match) out.add(Number(match[1]));
      }
      read = true;
    } catch { /* gone meanwhile, or not ours to read */ }
  }
  return read ? out : null;
}

function readLink(path: string): string | null {
  try {
    return Deno.readLinkSync(path);
  } catch {
    return null;
  }
}
