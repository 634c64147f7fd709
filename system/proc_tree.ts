/**
 * Process trees from Linux's `/proc`, read in one place: the children of a pid
 * (`/proc/PID/task/PID/children`), the tree under a pid, and in one walk each process's resident
 * memory (`/proc/PID/status`), open fds and the socket inodes it holds (`/proc/PID/fd/*` links to
 * `socket:[N]`). Each process is opened at most three times a walk (status, children, its fd
 * directory when sockets are wanted; an fd count alone is a `stat`, no open). Observes only.
 *
 * What cannot be read stays unknown: the root gone (or exiting) in the middle of its read makes
 * the whole reading null; a descendant gone in the middle of its read is no longer part of the
 * tree (it holds no memory and no fds) and is left out; an fd directory that exists but cannot be
 * read (another user's process) makes the tree's fd count null, never a smaller number.
 *
 * @module
 */

import { countOpenFds, parseStatusKb } from "./process_probe.ts";

/** The most processes a walk reads (a fork bomb's tree stays bounded). */
export const MAX_TREE_PROCESSES = 256;

/** One walk of a process tree. */
export interface TreeReading {
  /** The processes read, the root first, then breadth first. */
  pids: number[];
  /** Sum of VmRSS over the tree, bytes. */
  rssBytes: number;
  /** VmHWM (peak RSS) of the root itself, bytes, or null when absent. */
  peakRssBytes: number | null;
  /** Open fds over the tree, or null when not asked for (`fds`, `sockets`) or unknown. */
  openFds: number | null;
  /**
   * The most open fds one process of the tree holds (what its fd limit, which its children
   * inherit, bounds), or null as `openFds`.
   */
  busiestOpenFds: number | null;
  /** Socket inodes held by the tree, or null when not asked for (`sockets`) or none readable. */
  socketInodes: Set<number> | null;
}

/** Options for {@linkcode readProcessTree}. */
export interface ReadProcessTreeOptions {
  /** Read the descendants too; false reads the root alone. @default {true} */
  children?: boolean;
  /** Count open fds. @default {false} */
  fds?: boolean;
  /** List the socket inodes held (this counts the fds as well, from the same listing). @default {false} */
  sockets?: boolean;
}

/**
 * The direct children of a process (those of its main thread, as `/proc/PID/task/PID/children`
 * lists them).
 *
 * @param pid A process id.
 * @returns Their pids, or null when `/proc` cannot tell (the process is gone, or not Linux).
 *
 * @example
 * ```ts
 * import { childPids } from "./proc_tree.ts";
 * import assert from "node:assert/strict";
 *
 * const children = childPids(Deno.pid);
 * assert.ok(children === null || Array.isArray(children));
 * ```
 */
export function childPids(pid: number): number[] | null {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/task/${pid}/children`).split(" ").filter(Boolean)
      .map(Number);
  } catch {
    return null;
  }
}

/**
 * The pids of a process and its descendants (at most {@linkcode MAX_TREE_PROCESSES}).
 *
 * @param pid The root process.
 * @returns The pids, the root first; just the root when `/proc` cannot tell.
 *
 * @example
 * ```ts
 * import { processTree } from "./proc_tree.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(processTree(Deno.pid)[0], Deno.pid);
 * ```
 */
export function processTree(pid: number): number[] {
  const seen = [pid];
  for (let i = 0; i < seen.length; i++) {
    for (const child of childPids(seen[i]) ?? []) {
      if (seen.length < MAX_TREE_PROCESSES && !seen.includes(child)) seen.push(child);
    }
  }
  return seen;
}

/**
 * Reads a process and its descendants in one walk: the memory of each, and when asked its open
 * fds and the socket inodes it holds. One read per process and figure.
 *
 * @param pid The root process.
 * @param options What to read besides memory. @default {the tree's memory}
 * @returns The reading, or null when the root is gone, or `/proc` cannot tell its RSS or read a
 *   process of the tree that is still there.
 *
 * @example
 * ```ts
 * import { readProcessTree } from "./proc_tree.ts";
 * import assert from "node:assert/strict";
 *
 * const mine = readProcessTree(Deno.pid, { children: false, sockets: true });
 * assert.ok(mine === null || (mine.rssBytes > 0 && mine.socketInodes !== null));
 * ```
 */
export function readProcessTree(
  pid: number,
  options: ReadProcessTreeOptions = {},
): TreeReading | null {
  const root = readProcess(pid, options);
  if (root === "gone" || root === "unreadable" || root.rssBytes === null) return null;
  const out: TreeReading = {
    pids: [pid],
    rssBytes: root.rssBytes,
    peakRssBytes: root.peakRssBytes,
    openFds: root.openFds,
    busiestOpenFds: root.openFds,
    socketInodes: root.socketInodes,
  };
  const queue = options.children === false ? [] : [...root.children];
  while (queue.length && out.pids.length < MAX_TREE_PROCESSES) {
    const child = queue.shift()!;
    if (out.pids.includes(child)) continue;
    const one = readProcess(child, options);
    if (one === "gone") continue;
    if (one === "unreadable") return null;
    out.pids.push(child);
    out.rssBytes += one.rssBytes ?? 0; // a zombie has no VmRSS: it holds no memory
    if (out.openFds !== null) out.openFds = one.openFds === null ? null : out.openFds + one.openFds;
    if (out.busiestOpenFds !== null) {
      out.busiestOpenFds = one.openFds === null ? null : Math.max(out.busiestOpenFds, one.openFds);
    }
    if (one.socketInodes !== null) {
      out.socketInodes ??= new Set();
      for (const inode of one.socketInodes) out.socketInodes.add(inode);
    }
    queue.push(...one.children);
  }
  return out;
}

/**
 * The socket inodes held open by the given processes (`/proc/PID/fd/*` links to `socket:[N]`).
 *
 * @param pids The processes.
 * @returns The inodes, or null when no process's fd directory could be read.
 *
 * @example
 * ```ts
 * import { socketInodes } from "./proc_tree.ts";
 * import assert from "node:assert/strict";
 *
 * const inodes = socketInodes([Deno.pid]);
 * assert.ok(inodes === null || inodes instanceof Set);
 * ```
 */
export function socketInodes(pids: readonly number[]): Set<number> | null {
  let out: Set<number> | null = null;
  for (const pid of pids) {
    const listed = listFds(pid);
    if (listed === "gone" || listed === null) continue;
    out ??= new Set();
    for (const inode of listed.socketInodes) out.add(inode);
  }
  return out;
}

/** One process's figures. */
interface ProcessReading {
  rssBytes: number | null;
  peakRssBytes: number | null;
  openFds: number | null;
  socketInodes: Set<number> | null;
  children: number[];
}

/**
 * Reads one process: status, then fds, then children; "gone" when it vanished meanwhile,
 * "unreadable" when it is there but its status or children could not be read (wedge at its own fd
 * limit: EMFILE), so the tree's figures are unknown, never an undercount.
 */
function readProcess(
  pid: number,
  options: ReadProcessTreeOptions,
): ProcessReading | "gone" | "unreadable" {
  let status: string;
  try {
    status = Deno.readTextFileSync(`/proc/${pid}/status`);
  } catch {
    return exists(pid) ? "unreadable" : "gone";
  }
  let openFds: number | null = null;
  let inodes: Set<number> | null = null;
  if (options.sockets) {
    const listed = listFds(pid);
    if (listed === "gone") return "gone";
    openFds = listed?.count ?? null;
    inodes = listed?.socketInodes ?? null;
  } else if (options.fds) {
    openFds = countOpenFds(pid);
    if (openFds === null && !exists(pid)) return "gone";
  }
  let children: number[] = [];
  if (options.children !== false) {
    const read = childPids(pid);
    if (read === null) return exists(pid) ? "unreadable" : "gone";
    children = read;
  }
  return {
    rssBytes: parseStatusKb(status, "VmRSS"),
    peakRssBytes: parseStatusKb(status, "VmHWM"),
    openFds,
    socketInodes: inodes,
    children,
  };
}

/** A process's fds: their count and socket inodes; "gone" when it vanished; null: unreadable. */
function listFds(pid: number): { count: number; socketInodes: Set<number> } | "gone" | null {
  const dir = `/proc/${pid}/fd`;
  let names: string[];
  try {
    names = [...Deno.readDirSync(dir)].map((entry) => entry.name);
  } catch (error) {
    return error instanceof Deno.errors.NotFound ? "gone" : null;
  }
  const socketInodes = new Set<number>();
  for (const name of names) {
    const link = readLink(`${dir}/${name}`);
    const match = link && /^socket:\[(\d+)\]$/.exec(link);
    if (match) socketInodes.add(Number(match[1]));
  }
  // Listing this process's own fds holds one fd while it runs: the listing's, not the process's.
  return { count: pid === Deno.pid ? names.length - 1 : names.length, socketInodes };
}

function readLink(path: string): string | null {
  try {
    return Deno.readLinkSync(path);
  } catch {
    return null; // closed meanwhile
  }
}

/** Whether `/proc/PID` still exists (a `stat`, no open). */
function exists(pid: number): boolean {
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}
