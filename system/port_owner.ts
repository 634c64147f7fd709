/**
 * Port owner: which processes hold the LISTEN socket of a port, read from Linux's `/proc`. A
 * LISTEN line of `/proc/net/tcp{,6}` names the socket's inode; `/proc/PID/fd/N` links to
 * `socket:[INODE]` in every process that holds it. Observes only; elsewhere than Linux (or
 * without `/proc`) the answer is null (unknown).
 *
 * A command server's readiness uses it: a listener on the port wedge picked counts only when a
 * process of the command's group (or session) holds it, never a foreign process that took the
 * port between wedge's pick and the command's bind.
 *
 * @module
 */

import { socketInodes } from "./proc_tree.ts";

/** A LISTEN socket on a port: its local address (hex, as `/proc/net/tcp` writes it) and inode. */
export interface ListenSocket {
  /** Local address in `/proc/net/tcp` hex, e.g. `0100007F` (127.0.0.1) or `00000000` (any). */
  address: string;
  /** Socket inode, as `/proc/PID/fd` links name it (`socket:[INODE]`). */
  inode: number;
}

/** A process that holds a LISTEN socket. */
export interface PortHolder {
  /** Its process id. */
  pid: number;
  /** Its command line (arguments joined by spaces), or its `comm` when that is unreadable. */
  command: string;
}

/** Who listens on a port, as seen from `/proc`. */
export interface PortOwnership {
  /** At least one listener on the port is held by a process of the group. */
  owned: boolean;
  /** Listeners on the port that no process of the group holds (their inodes). */
  foreignInodes: number[];
}

/**
 * Finds the LISTEN sockets on `port` in the text of `/proc/net/tcp` or `/proc/net/tcp6`.
 *
 * @param text The file's content.
 * @param port The port.
 * @returns One entry per LISTEN line on that port.
 *
 * @example
 * ```ts
 * import { parseListenSockets } from "./port_owner.ts";
 * import assert from "node:assert/strict";
 *
 * const text = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n" +
 *   "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1\n";
 * assert.deepEqual(parseListenSockets(text, 8080), [{ address: "0100007F", inode: 4242 }]);
 * assert.deepEqual(parseListenSockets(text, 8081), []);
 * ```
 */
export function parseListenSockets(text: string, port: number): ListenSocket[] {
  const out: ListenSocket[] = [];
  for (const line of text.split("\n")) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 10 || !fields[0].endsWith(":") || fields[3].toUpperCase() !== "0A") {
      continue;
    }
    const colon = fields[1].lastIndexOf(":");
    if (colon < 0 || parseInt(fields[1].slice(colon + 1), 16) !== port) continue;
    const inode = Number(fields[9]);
    if (Number.isInteger(inode) && inode > 0) {
      out.push({ address: fields[1].slice(0, colon).toUpperCase(), inode });
    }
  }
  return out;
}

/**
 * The `/proc/net/tcp{,6}` addresses a listener may have for a connection to `hostname` to reach
 * it: the address itself, the wildcard, and IPv4-mapped IPv6 forms. Null when any address may
 * (a name, not a literal this knows).
 *
 * @param hostname `127.0.0.1`, `::1`, or another address.
 * @returns Hex addresses, or null.
 *
 * @example
 * ```ts
 * import { listenAddressesFor } from "./port_owner.ts";
 * import assert from "node:assert/strict";
 *
 * assert.ok(listenAddressesFor("127.0.0.1")!.has("0100007F"));
 * assert.ok(listenAddressesFor("127.0.0.1")!.has("00000000"));
 * assert.equal(listenAddressesFor("localhost"), null);
 * ```
 */
export function listenAddressesFor(hostname: string): Set<string> | null {
  const v4Any = "00000000";
  const v6Any = "0".repeat(32);
  const v4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(hostname);
  if (v4) {
    const hex = v4.slice(1, 5).reverse().map((b) => Number(b).toString(16).padStart(2, "0"))
      .join("").toUpperCase();
    // On x86 /proc writes each 32-bit word of an IPv6 address little-endian.
    return new Set([hex, v4Any, v6Any, `0000000000000000FFFF0000${hex}`]);
  }
  if (hostname === "::1" || hostname === "[::1]") {
    return new Set(["00000000000000000000000001000000", v6Any]);
  }
  return null;
}

function readText(path: string): string | null {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return null;
  }
}

/** Process ids whose process group or session is `leader`. */
function groupMembers(leader: number): number[] {
  const pids: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    const stat = readText(`/proc/${entry.name}/stat`);
    if (stat === null) continue;
    // After "(comm)": state, ppid, pgrp, session.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[2]) === leader || Number(fields[3]) === leader) pids.push(Number(entry.name));
  }
  return pids;
}

function listenSockets(port: number, hostname: string): ListenSocket[] | null {
  const texts = ["/proc/net/tcp", "/proc/net/tcp6"].map(readText);
  if (texts.every((t) => t === null)) return null;
  const addresses = listenAddressesFor(hostname);
  return texts.flatMap((t) => (t === null ? [] : parseListenSockets(t, port)))
    .filter((s) => addresses === null || addresses.has(s.address));
}

/**
 * Tells whether the process group (or session) led by `leader` holds a listener on `port` that a
 * connection to `hostname` would reach, and which such listeners it does not hold.
 *
 * @param port The port.
 * @param options `leader`: the group's leader pid; `hostname`: the address connected to.
 * @returns The ownership, or null when `/proc` cannot tell.
 *
 * @example
 * ```ts
 * import { portOwnership } from "./port_owner.ts";
 * import assert from "node:assert/strict";
 *
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const seen = portOwnership(listener.addr.port, { leader: 999_999_999, hostname: "127.0.0.1" });
 * if (seen) assert.equal(seen.owned, false); // held by this process, not by that group
 * listener.close();
 * ```
 */
export function portOwnership(
  port: number,
  options: { leader: number; hostname: string },
): PortOwnership | null {
  if (Deno.build.os !== "linux") return null;
  const sockets = listenSockets(port, options.hostname);
  if (sockets === null) return null;
  if (sockets.length === 0) return { owned: false, foreignInodes: [] };
  let members: number[];
  try {
    members = groupMembers(options.leader);
  } catch {
    return null;
  }
  const held = socketInodes(members) ?? new Set<number>();
  return {
    owned: sockets.some((s) => held.has(s.inode)),
    foreignInodes: sockets.filter((s) => !held.has(s.inode)).map((s) => s.inode),
  };
}

/**
 * Finds the processes that hold any of the given socket inodes (for a message that names what
 * took a port). Reads every process's fds, so it is meant for an error path, not a loop.
 *
 * @param inodes Socket inodes, e.g. {@linkcode PortOwnership.foreignInodes}.
 * @returns The holders wedge may see (others' processes may be unreadable without root).
 *
 * @example
 * ```ts
 * import { socketHolders } from "./port_owner.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(socketHolders([]), []);
 * ```
 */
export function socketHolders(inodes: readonly number[]): PortHolder[] {
  if (inodes.length === 0 || Deno.build.os !== "linux") return [];
  const wanted = new Set(inodes);
  const holders: PortHolder[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync("/proc")];
  } catch {
    return [];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry.name)) continue;
    const pid = Number(entry.name);
    const held = socketInodes([pid]);
    if (held === null || ![...held].some((inode) => wanted.has(inode))) continue;
    const cmdline = readText(`/proc/${pid}/cmdline`)?.split("\0").filter((s) => s).join(" ");
    const comm = readText(`/proc/${pid}/comm`)?.trim();
    holders.push({ pid, command: cmdline || comm || "?" });
  }
  return holders;
}
