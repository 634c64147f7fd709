/**
 * The diagnosis of a command client stall, from the server side: which client processes were
 * alive, what connections each held (state, age, bytes queued), what the servers had received
 * and answered, the HTTP/2 streams open on each connection, each process's fds and RSS, and hints
 * naming the seed patterns. Pure.
 *
 * @module
 */

import { formatByteSize } from "../units/byte_size.ts";
import type { ClientConnectionReport, CommandClientStall } from "./types.ts";

/** What {@linkcode diagnoseClientStall} works from. */
export type ClientStallInput = Omit<CommandClientStall, "hints">;

/** A process this close to its fd limit (fraction) is at it. */
const FD_LIMIT_SHARE = 0.9;

/**
 * Diagnoses a command client stall.
 *
 * @param input The processes, the servers' counts and the times.
 * @returns The diagnosis, hints first-most-specific.
 *
 * @example An idle client holding a connection while the servers have answered everything
 * ```ts
 * import { diagnoseClientStall } from "./client_stall_diagnosis.ts";
 * import assert from "node:assert/strict";
 *
 * const stall = diagnoseClientStall({
 *   boundMs: 2000, atMs: 5000, lastRequestAtMs: 3000,
 *   processes: [{ name: "py[0]", pid: 7, openFds: 4, fdLimit: 1024, rssBytes: 9e6, connections: [
 *     { localPort: 50000, remotePort: 8080, state: "ESTABLISHED", ageMs: 4000, unsentBytes: 0, unreadBytes: 0 },
 *   ] }],
 *   servers: [{ name: "hello[0]", received: 5, answered: 5 }],
 * });
 * assert.match(stall.hints[0], /seed 000/);
 * ```
 */
export function diagnoseClientStall(input: ClientStallInput): CommandClientStall {
  const hints: string[] = [];
  const silentS = ((input.atMs - input.lastRequestAtMs) / 1000).toFixed(1);
  for (const p of input.processes) {
    if (p.openFds !== null && p.fdLimit !== null && p.openFds >= FD_LIMIT_SHARE * p.fdLimit) {
      hints.push(
        `${p.name} has ${p.openFds} open fds of its limit ${p.fdLimit}: it cannot open another ` +
          "socket or file (too many open files); raise its ulimit -n or find what holds them",
      );
    }
  }
  const unanswered = sum(
    input.servers.map((s) =>
      s.received === null || s.answered === null ? null : s.received - s.answered
    ),
  );
  const full = fullStreamHints(input.processes, unanswered);
  hints.push(...full);
  // Behind full stream slots, the requests the servers hold are those streams: said there.
  if (unanswered !== null && unanswered > 0 && full.length === 0) {
    hints.push(
      `the servers hold ${unanswered} request(s) they received and have not answered: the wait is ` +
        "on the server side, not the client's",
    );
  }
  for (const p of input.processes) {
    const unread = p.connections.reduce((n, c) => n + c.unreadBytes, 0);
    if (unread > 0) {
      hints.push(
        `${p.name} leaves ${formatByteSize(unread)} of answers unread on its connections: it ` +
          "stopped reading (a blocked reader, or a response it does not expect)",
      );
    }
  }
  const idle = input.processes.filter((p) =>
    p.connections.some((c) => c.state === "ESTABLISHED") &&
    p.connections.every((c) => c.unsentBytes === 0 && c.unreadBytes === 0)
  );
  const received = sum(input.servers.map((s) => s.received));
  const queued = input.acceptQueued ?? 0;
  if (queued > 0) {
    // Connections the servers never accepted: what the client sent on them reached no handler.
    hints.push(
      `${queued} connection(s) wait in the accept queue of ${stallTargets(input)}: the servers ` +
        "are not accepting them, so the requests on them reached no handler; the wait is on the " +
        "server side (an accept loop that died or is blocked: EMFILE, a blocked event loop)",
    );
  } else if (idle.length && received === 0) {
    const held = idle.map((p) => `${p.name} (${countEstablished(p.connections)})`).join(", ");
    // On loopback a request sent on a connection the server never accepted leaves nothing
    // unsent on the client's side either: both are said.
    hints.push(
      `${held} held open connections and the servers received no request: either it sent none ` +
        "(it waits on something of its own before its first request: its input, a lock, " +
        "another service), or its requests wait at servers that have not accepted or read " +
        "those connections (see the servers' incidents and accept queues)",
    );
  } else if (idle.length && unanswered === 0) {
    const held = idle.map((p) => `${p.name} (${countEstablished(p.connections)})`).join(", ");
    hints.push(
      `${held} held open connections, idle: the servers answered every request they received, ` +
        `nothing is queued on the wire, and no new request came for ${silentS}s while the ` +
        "process runs. The client waits on something of its own, not on the servers: seed 000's " +
        "pattern (hyper's client pool holding connections while its callers wait); try the " +
        "client with its pool off (pool_max_idle_per_host(0)) or with a per-request timeout",
    );
  }
  if (hints.length === 0) {
    hints.push(
      `no new request reached ${
        stallTargets(input)
      } for ${silentS}s while the client process(es) held ` +
        "connections; see each process's connections below",
    );
  }
  return { ...input, hints };
}

/**
 * The servers a client stall was judged on (the stalled processes' targets), for its sentences:
 * `a[0], a[1]`, at most four named.
 *
 * @param stall The stall.
 * @returns The names, e.g. `a[0]`, or `the servers` when none is listed.
 *
 * @example
 * ```ts
 * import { stallTargets } from "./client_stall_diagnosis.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(stallTargets({ servers: [{ name: "a[0]", received: 5, answered: 5 }] }), "a[0]");
 * ```
 */
export function stallTargets(stall: Pick<CommandClientStall, "servers">): string {
  const names = stall.servers.map((s) => s.name);
  if (names.length === 0) return "the servers";
  const more = names.length > 4 ? ` and ${names.length - 4} more` : "";
  return names.slice(0, 4).join(", ") + more;
}

/**
 * Seed 004: a connection on which every stream slot is held. The limit is the server's own
 * figure (`streams.limit`: Deno.serve's 200, `servers/connection_streams.ts`), not a reading;
 * the open count is the server's count of that connection's streams, matched by client port. A
 * stall (no new request) with every slot held means the client queues its new streams behind
 * streams that do not close. Who holds them is not seen from the server side when the servers
 * have requests unanswered: a slow or hung server, or a client that gave up on them without
 * cancelling; both are said.
 */
function fullStreamHints(
  processes: ClientStallInput["processes"],
  unanswered: number | null,
): string[] {
  const leak = "without cancelling the stream (RST_STREAM) leaks one per timeout: seed 004 " +
    "(elixir-mint/mint#450); cancel a request when it times out";
  const why = unanswered !== null && unanswered > 0
    ? `The servers hold ${unanswered} request(s) they have not answered: if the client still ` +
      `waits for them, the wait is on the server side; a client that gave up on them ${leak}`
    : `A client whose timeouts stop waiting ${leak}`;
  return processes.flatMap((p) =>
    p.connections.flatMap((c) => {
      const s = c.streams ?? null;
      if (s === null || s.open < s.limit) return [];
      return [
        `every stream slot of connection :${c.localPort} is held (${s.open} of ${s.limit} ` +
        `open${oldest(c)}): \`max_concurrent_streams\` is exhausted and ${p.name}'s new ` +
        `requests queue behind them. ${why}`,
      ];
    })
  );
}

function oldest(c: ClientConnectionReport): string {
  const ageMs = c.streams?.oldestAgeMs ?? null;
  return ageMs === null ? "" : `, oldest ${(ageMs / 1000).toFixed(1)} s`;
}

function countEstablished(connections: readonly { state: string }[]): string {
  const n = connections.filter((c) => c.state === "ESTABLISHED").length;
  return `${n} connection${n === 1 ? "" : "s"}`;
}

function sum(values: readonly (number | null)[]): number | null {
  if (values.some((v) => v === null)) return null;
  return (values as number[]).reduce((a, b) => a + b, 0);
}
