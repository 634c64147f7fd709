/**
 * The TCP sockets of this network namespace asked of the kernel by netlink `sock_diag`
 * (`NETLINK_SOCK_DIAG`, every TCP socket in every state, both families), through libc by
 * `Deno.dlopen`: the binary replies give what `/proc/net/tcp{,6}` gives (state, ports, queues,
 * inode) without the kernel formatting text, ~5 times cheaper (figures in
 * `system/socket_census.ts`). The parser is pure; {@linkcode readTcpSockets} is the thin adapter,
 * and answers null (never throws) where netlink cannot be used (not Linux, FFI not granted, the
 * socket refused), so callers read `/proc` instead.
 *
 * Like `/proc/net/tcp`, the answer is the network namespace of the reader: the netlink socket
 * belongs to the namespace of the process that opens it (a run in its own namespace re-runs the
 * whole process there). One netlink socket is opened per read (`socket` + `close` cost ~30 us)
 * and closed on every path. `send` and `recv` run on another thread (`nonblocking` FFI), as
 * Deno's file reads do: the kernel's walk of its tables (tens of ms with 20k sockets) does not
 * block the caller's event loop. Receive buffers (64 KiB) are kept for the next read.
 *
 * @module
 */

import { type LibcSymbols, openLibc } from "./libc.ts";
import { type InodeSocket, TCP_STATE_BY_NUMBER } from "./tcp_socket.ts";

const SYMBOLS = {
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  send: { parameters: ["i32", "buffer", "usize", "i32"], result: "i32", nonblocking: true },
  recv: { parameters: ["i32", "buffer", "usize", "i32"], result: "i32", nonblocking: true },
  close: { parameters: ["i32"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

const AF_NETLINK = 16;
const SOCK_DGRAM = 2;
const SOCK_CLOEXEC = 0o2000000;
const NETLINK_SOCK_DIAG = 4;
const SOCK_DIAG_BY_FAMILY = 20;
/** The older request type (`inet_diag_req`): both families in one walk of the kernel's tables. */
const TCPDIAG_GETSOCK = 18;
const NLM_F_REQUEST_DUMP = 0x301;
const NLMSG_DONE = 3;
const MSG_DONTWAIT = 0x40;
const IPPROTO_TCP = 6;
/** `nlmsghdr` + `inet_diag_msg` (72 bytes); attributes may follow. */
const MESSAGE_BYTES = 88;
/** The kernel fills a dump's datagrams up to 32 KiB; twice that never truncates one. */
const BUFFER_BYTES = 65536;

/**
 * The requests of one read: AF_UNSPEC (0) asks both families at once (`TCPDIAG_GETSOCK`); where
 * the kernel refuses it, AF_INET (2) then AF_INET6 (10) by `SOCK_DIAG_BY_FAMILY`.
 */
const PLANS = [[0], [2, 10]] as const;

/** Receive buffers not in use (reads may overlap: each has its own while it runs). */
const spareBuffers: Uint8Array<ArrayBuffer>[] = [];
/** The first plan the kernel answered (kept: a refused plan is not asked again). */
let plan = 0;

/**
 * The dump request for an address family, every TCP socket in every state, no extensions, no
 * filter. Every family walks all of the kernel's TCP tables (262,144 buckets here, ~1-3 ms), so
 * AF_UNSPEC asks both in one walk by the older `TCPDIAG_GETSOCK` (`nlmsghdr` + `inet_diag_req`,
 * 76 bytes); AF_INET or AF_INET6 by `SOCK_DIAG_BY_FAMILY` (`nlmsghdr` + `inet_diag_req_v2`, 72).
 *
 * @param family AF_UNSPEC (0), AF_INET (2) or AF_INET6 (10).
 * @returns The request's bytes.
 *
 * @example
 * ```ts
 * import { sockDiagRequest } from "./sock_diag.ts";
 * import assert from "node:assert/strict";
 *
 * const request = sockDiagRequest(2);
 * assert.equal(request.length, 72);
 * assert.deepEqual([...request.subarray(16, 20)], [2, 6, 0, 0]);
 * assert.equal(sockDiagRequest(0).length, 76);
 * ```
 */
export function sockDiagRequest(family: number): Uint8Array<ArrayBuffer> {
  const both = family === 0;
  const bytes = new Uint8Array(both ? 76 : 72);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, bytes.length, true);
  view.setUint16(4, both ? TCPDIAG_GETSOCK : SOCK_DIAG_BY_FAMILY, true);
  view.setUint16(6, NLM_F_REQUEST_DUMP, true);
  view.setUint32(8, family + 1, true); // sequence number
  if (both) {
    view.setUint32(16 + 52, 0xffffffff, true); // idiag_states: all
  } else {
    bytes[16] = family;
    bytes[17] = IPPROTO_TCP;
    view.setUint32(20, 0xffffffff, true); // idiag_states: all
  }
  return bytes;
}

/** What one datagram of a dump said: more to come, the end, or the kernel's error. */
export type DumpStep = "more" | "done" | "error";

/**
 * Parses one datagram of a `sock_diag` dump reply (netlink messages, each an `inet_diag_msg`).
 * A LISTEN socket's send queue is given as 0, as `/proc/net/tcp` does (the kernel puts its
 * backlog limit there).
 *
 * @param bytes The datagram (what one `recv` returned).
 * @param into Receives one entry per socket.
 * @returns "done" at NLMSG_DONE; "error" at a failed NLMSG_DONE, at NLMSG_ERROR (or any other
 *   message type) or at a malformed message; else "more".
 *
 * @example
 * ```ts
 * import { parseSockDiag } from "./sock_diag.ts";
 * import assert from "node:assert/strict";
 *
 * const done = new Uint8Array(20);
 * new DataView(done.buffer).setUint32(0, 20, true);
 * done[4] = 3; // NLMSG_DONE
 * assert.equal(parseSockDiag(done, []), "done");
 * ```
 */
export function parseSockDiag(bytes: Uint8Array, into: InodeSocket[]): DumpStep {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  while (at + 16 <= bytes.length) {
    const length = view.getUint32(at, true);
    const type = view.getUint16(at + 4, true);
    if (length < 16 || at + length > bytes.length) return "error";
    // NLMSG_DONE carries the dump's result: a negative errno when it was cut short.
    if (type === NLMSG_DONE) {
      return length >= 20 && view.getInt32(at + 16, true) < 0 ? "error" : "done";
    }
    if (type !== SOCK_DIAG_BY_FAMILY && type !== TCPDIAG_GETSOCK || length < MESSAGE_BYTES) {
      return "error";
    }
    const state = TCP_STATE_BY_NUMBER[bytes[at + 17]];
    if (state) {
      into.push({
        localPort: view.getUint16(at + 20, false),
        remotePort: view.getUint16(at + 22, false),
        state,
        rxQueue: view.getUint32(at + 72, true),
        txQueue: state === "LISTEN" ? 0 : view.getUint32(at + 76, true),
        inode: view.getUint32(at + 84, true),
      });
    }
    at += (length + 3) & ~3;
  }
  return "more";
}

/**
 * Every TCP socket (IPv4 and IPv6, every state) of this process's network namespace, by netlink.
 *
 * @returns The sockets, or null where netlink cannot answer (not Linux, `--allow-ffi` not
 * granted, libc or the netlink socket refused, a reply cut short): read `/proc/net/tcp` instead.
 *
 * @example
 * ```ts
 * import { readTcpSockets } from "./sock_diag.ts";
 * import assert from "node:assert/strict";
 *
 * const sockets = await readTcpSockets();
 * assert.ok(sockets === null || Array.isArray(sockets));
 * ```
 */
export async function readTcpSockets(): Promise<InodeSocket[] | null> {
  const libc = openLibc(SYMBOLS).symbols; // null: not Linux, no --allow-ffi, dlopen refused
  if (!libc) return null;
  for (; plan < PLANS.length; plan++) {
    const sockets = await dump(libc, PLANS[plan]);
    if (sockets) return sockets;
    if (sockets === null) return null;
  }
  return null;
}

/** One read by a plan: the sockets, null (netlink failed), false (the kernel refused the plan). */
async function dump(
  libc: Libc,
  families: readonly number[],
): Promise<InodeSocket[] | null | false> {
  const fd = libc.socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (fd < 0) return null;
  const buffer = spareBuffers.pop() ?? new Uint8Array(BUFFER_BYTES);
  try {
    const out: InodeSocket[] = [];
    for (const family of families) {
      const step = await dumpFamily(libc, { fd, family, buffer }, out);
      if (step !== "done") return step === "error" && out.length === 0 ? false : null;
    }
    return out;
  } finally {
    libc.close(fd);
    spareBuffers.push(buffer);
  }
}

/** Sends one request and reads its replies to the end (or the first failure). */
async function dumpFamily(
  libc: Libc,
  read: { fd: number; family: number; buffer: Uint8Array<ArrayBuffer> },
  into: InodeSocket[],
): Promise<DumpStep | "failed"> {
  const { fd, buffer } = read;
  const request = sockDiagRequest(read.family);
  const sent = await libc.send(fd, request, BigInt(request.length), 0);
  if (sent !== request.length) return "failed";
  // The kernel queues the next datagram of a dump before `recv` returns the current one, so the
  // queue is never empty before NLMSG_DONE: MSG_DONTWAIT cannot cut a dump short, and a reply
  // that never comes cannot block the thread.
  for (let i = 0; i < 1_000_000; i++) {
    const got = await libc.recv(fd, buffer, BigInt(BUFFER_BYTES), MSG_DONTWAIT);
    if (got <= 0) return "failed";
    const step = parseSockDiag(buffer.subarray(0, got), into);
    if (step !== "more") return step;
  }
  return "failed";
}

type Libc = LibcSymbols<typeof SYMBOLS>;
