/**
 * The hints of a stall's diagnosis, one line per recognised pattern, each reasoning only from what
 * is known (internal to `stall_diagnosis.ts`). Pure.
 *
 * @module
 */

import { formatDuration } from "../units/duration.ts";
import type { PortSockets } from "./readings.ts";
import type { BlockedThread, StallEvidence, StallServerView } from "./stall_types.ts";

/** Concurrent streams per HTTP/2 connection that `Deno.serve` (hyper's default) admits. */
export const H2_STREAM_LIMIT = 200;

/** The hint for a blocked thread. */
export function blockedThreadHint(b: BlockedThread): string {
  const span = `${b.ongoing ? "has been" : "was"} blocked for ${
    formatDuration(b.blockedMs)
  } (from ${formatDuration(b.fromMs)} into the load${b.ongoing ? ", still blocked" : ""})`;
  return b.kind === "runtime"
    ? `the runtime's main thread ${span}: its in-process servers answered nothing and the watchdog could not run meanwhile (a handler running synchronous code blocks it; \`isolate: true\` gives a fleet a process of its own)`
    : `${b.thread}'s event loop ${span}: its servers answered nothing meanwhile (a handler running synchronous code?)`;
}

/** HTTP/2 servers with a connection at the stream limit. */
export function streamLimitHints(e: StallEvidence): string[] {
  return e.servers.flatMap((counters, id) => {
    const streams = counters.streams;
    if (!streams) return [];
    const busiest = Math.max(0, ...[...streams.connections.values()].map((c) => c.open));
    if (busiest < H2_STREAM_LIMIT) return [];
    // wedge's clients cancel on timeout, or have none: the streams are the server's unanswered.
    const why = e.leakingTimeouts === false
      ? "the server holds those requests unanswered (wedge's clients cancel on timeout or have none: no stream leaks from them)"
      : "timeouts that do not cancel leak streams: seed 004";
    return [
      `${
        e.serverNames[id]
      } has ${busiest} HTTP/2 streams open on one connection: the limit of concurrent streams (${H2_STREAM_LIMIT}, max_concurrent_streams) is reached, so new requests on that connection wait for a stream that never frees (${why})`,
    ];
  });
}

/**
 * Where the requests in flight wait, and what each busy server saw of them. Only known counts
 * are reasoned from: a server whose in-flight count is unknown gets only its own counters' hint.
 */
export function serverHints(
  e: StallEvidence,
  servers: StallServerView[],
  inFlight: number | null,
): string[] {
  const hints: string[] = [];
  const busy = servers.filter((s) => (s.clientInFlight ?? 0) > 0);
  if (inFlight !== null && inFlight > 0 && busy.length === 1) {
    hints.push(`every request in flight (${inFlight}) waits on ${busy[0].server}`);
  } else if (inFlight !== null && inFlight > 0 && busy.length > 1) {
    const top = busy[0].clientInFlight!;
    if (top >= 0.5 * inFlight) {
      hints.push(`${top} of ${inFlight} requests in flight wait on ${busy[0].server}`);
    }
  }
  const watched = servers.filter((s) => s.clientInFlight === null || s.clientInFlight > 0);
  for (const s of watched.slice(0, 5)) {
    if (s.failure) continue;
    const id = e.serverNames.indexOf(s.server);
    // A request whose headers arrived has left the handler (its body may still be streaming):
    // only those still awaiting headers can be stuck before or in the handler.
    const tracked = e.awaitingHeadersByServer?.[id];
    const awaiting = tracked === undefined ? s.clientInFlight : tracked;
    if (s.received === null || s.responded === null) {
      // wedge cannot count inside this server: reason only from what the kernel shows.
      const silent = awaiting === null ? null : silentServerHint(e, id, s.server, awaiting);
      if (silent) hints.push(silent);
      continue;
    }
    // A request the client reset is still held by the handler: it counts as never answered.
    const inHandler = s.received - s.responded;
    if (inHandler > 0) {
      hints.push(
        `${s.server} received ${inHandler} request${
          inHandler === 1 ? "" : "s"
        } it never answered: its handler is stuck (a server-side hang)`,
      );
    }
    if (awaiting !== null && awaiting > inHandler) {
      hints.push(
        `${s.server}'s handler never saw ${
          awaiting - inHandler
        } of the ${awaiting} requests the clients are awaiting headers for: they wait before the handler (connection not accepted, accept queue, or the client's own pool)`,
      );
    }
  }
  return hints;
}

/** Accept queues that hold connections, and handshakes that do not complete. */
export function socketHints(e: StallEvidence): string[] {
  if (!e.sockets) return [];
  const hints = Object.entries(e.sockets.acceptQueue).map(([port, queued]) => {
    const id = e.serverPorts.indexOf(Number(port));
    const waiting = `${e.serverNames[id] ?? `port ${port}`}: ${queued} connection${
      queued === 1 ? "" : "s"
    } wait in its accept queue, never accepted`;
    // A process out of fds calls accept() and gets EMFILE: the queue stays full all the same.
    const fds = id < 0 ? null : e.serverFds?.[id];
    if (fds && fds.openFds !== null && fds.fdLimit !== null && fds.openFds >= 0.9 * fds.fdLimit) {
      return `${waiting}: its process holds ${fds.openFds} file descriptors of its limit ${fds.fdLimit}, so accept() fails with EMFILE ("Too many open files")`;
    }
    return `${waiting} (the listener is not calling accept())`;
  });
  const synSent = e.sockets.client.SYN_SENT ?? 0;
  if (synSent > 0) {
    hints.push(
      `${synSent} client connection${
        synSent === 1 ? " is" : "s are"
      } stuck in SYN_SENT: the handshake does not complete (accept queue full, or SYNs dropped)`,
    );
  }
  return hints;
}

/** fds near the limit, silent workers, and clients that stopped sending. */
export function processHints(
  e: StallEvidence,
  known: { inFlight: number | null; owed: number | null },
): string[] {
  const hints: string[] = [];
  const { openFds, fdLimit } = e.process;
  if (openFds !== null && fdLimit !== null && openFds >= 0.9 * fdLimit) {
    hints.push(
      `open file descriptors ${openFds} are near the limit ${fdLimit}: new connections and accepts fail with EMFILE ("Too many open files")`,
    );
  }
  for (const w of e.silentWorkers) {
    hints.push(
      `client worker ${w.worker} has posted nothing for ${
        formatDuration(w.silentForMs)
      }: its event loop may be blocked, and what its clients have in flight is unknown`,
    );
  }
  // An unknown in-flight count (null) is no evidence that nothing is in flight.
  if (known.inFlight === 0 && (known.owed ?? 0) > 0) {
    hints.push(
      `nothing is in flight but ${known.owed} requests are still owed: the clients stopped sending`,
    );
  }
  return hints;
}

/** Connections a server accepted: its ends in ESTABLISHED or CLOSE_WAIT, less its accept queue. */
export function acceptedConnections(port: PortSockets): number {
  const ends = (port.server.ESTABLISHED ?? 0) + (port.server.CLOSE_WAIT ?? 0);
  return Math.max(0, ends - port.acceptQueue);
}

/**
 * The hint for a server wedge cannot count in (a command, a URL), from its port's sockets only:
 * it accepted the connections (none queued, none in a handshake) and no answer is on its way (no
 * bytes in its send queues nor unread at the clients), yet the clients await headers.
 */
function silentServerHint(
  e: StallEvidence,
  id: number,
  name: string,
  awaiting: number,
): string | null {
  const port = e.sockets?.ports?.[String(e.serverPorts[id])];
  if (!port || !port.listening || awaiting === 0) return null;
  const accepted = acceptedConnections(port);
  const handshaking = (port.client.SYN_SENT ?? 0) + (port.server.SYN_RECV ?? 0) +
    (port.server.NEW_SYN_RECV ?? 0);
  if (accepted === 0 || port.acceptQueue > 0 || handshaking > 0) return null;
  if (port.serverUnsent > 0 || port.clientUnread > 0) return null;
  // An HTTP/1.1 request needs a connection of its own, or shares one with the batch pipelined on
  // it: past what the accepted ones carry, they wait in the client's pool.
  const onThem = Math.min(awaiting, accepted * (e.pipeliningTo?.[id] ?? 1));
  const pooled = awaiting - onThem;
  const ages = e.oldest.filter((r) => r.server === id && !r.asOf).map((r) => r.ageMs);
  const forMs = ages.length ? Math.max(...ages) : e.detectedAtMs - e.progressStoppedAtMs;
  const unread = port.serverUnread > 0
    ? `; ${port.serverUnread} of them hold request bytes it has not even read`
    : "";
  return `${name} accepted ${accepted} connection${
    accepted === 1 ? "" : "s"
  } and answered none of the ${onThem} request${onThem === 1 ? "" : "s"} on them for ${
    formatDuration(forMs)
  } (its accept queue is empty and no answer bytes wait in any socket${unread}${
    pooled > 0 ? `; ${pooled} more wait in the clients' pools for a connection` : ""
  }): ${
    unread ? "it has not read all of them" : "it reads requests"
  } and has answered none, a server-side hang or work slower than the bound (wedge cannot count requests inside it: received and answered are unknown)`;
}
