/**
 * What a stall looks like from every side, with a one-line hint per recognisable pattern. Pure: it
 * reads the collector's view, the servers' counters and a process sample; it changes nothing.
 *
 * @module
 */

import { formatDuration } from "../units/duration.ts";
import type { PortSockets, SocketCensus } from "./readings.ts";

/** What a request in flight is waiting for: response headers (or a connection), or its body. */
export type InFlightPhase = "awaiting-headers" | "reading-body";

/**
 * One request in flight, as a worker saw it when posting a snapshot (ids, not names; `ageMs` as of
 * then). `awaiting-headers`: sent, or still connecting (fetch does not tell which), no response
 * headers yet; `reading-body`: headers arrived, the body has not ended.
 */
export interface InFlightRequest {
  /** Client id. */
  clientId: number;
  /** Server id. */
  server: number;
  /** Age now, ms. */
  ageMs: number;
  /** What it waits for. */
  phase: InFlightPhase;
}

/**
 * What counts as progress for the stall watchdog: `"completions"` (a response or an error ends a
 * request) or `"responses"` (only a response; errors and timeouts do not count, so a run whose
 * every request times out is stalled).
 */
export type StallProgress = "completions" | "responses";

/** Concurrent streams per HTTP/2 connection that `Deno.serve` (hyper's default) admits. */
export const H2_STREAM_LIMIT = 200;

/** One server's side of a stall. */
export interface StallServerView {
  /** `fleet[index]`. */
  server: string;
  /** Requests the clients have in flight to it. */
  clientInFlight: number;
  /** Requests its handler received; null where wedge cannot count them (a command, a URL). */
  received: number | null;
  /** Responses its handler returned; null where wedge cannot count them. */
  responded: number | null;
  /** Why it stopped serving, if it did. */
  failure: string | null;
  /**
   * Its port as the kernel shows it at the last census: connections it accepted (server ends in
   * ESTABLISHED or CLOSE_WAIT, less the accept queue) and connections waiting in its accept queue;
   * null without a census.
   */
  connections: { accepted: number; acceptQueue: number } | null;
}

/** A request in flight at the stall, named. */
export interface StalledRequest {
  /** `fleet[index]` of the client. */
  client: string;
  /** `fleet[index]` of the server. */
  server: string;
  /** How long it has been in flight, ms. */
  ageMs: number;
  /** `awaiting-headers` (sent or connecting, no headers yet) or `reading-body`. */
  phase: InFlightPhase;
}

/**
 * A thread whose event loop did not run during the stall (its steady timer fired late, or it
 * stopped posting): `runtime` is the runtime's main thread (its in-process servers, the collector
 * and the watchdog), `host` a server host process.
 */
export interface BlockedThread {
  /** E.g. `runtime main thread` or `servers (host)`. */
  thread: string;
  /** Which thread it is. */
  kind: "runtime" | "host";
  /** When the block began, ms into the load. */
  fromMs: number;
  /** How long it lasted (or has lasted so far), ms. */
  blockedMs: number;
  /** True when it was still blocked as the stall was detected. */
  ongoing: boolean;
}

/** The diagnosis of a stall, kept in the report. */
export interface StallDiagnosis {
  /** Threads whose event loop was blocked during the stall, longest first. */
  blockedThreads: BlockedThread[];
  /** When the watchdog tripped, ms into the load. */
  detectedAtMs: number;
  /** When the last request completed, ms into the load. */
  progressStoppedAtMs: number;
  /** The bound that was passed, ms. */
  boundMs: number;
  /** What counted as progress: any completion, or responses only. */
  progress: StallProgress;
  /** Requests ended when progress stopped. */
  completed: number;
  /** Planned requests not yet ended; null in duration mode. */
  owed: number | null;
  /** Requests in flight. */
  inFlight: number;
  /** Servers with requests in flight or a failure, most in flight first. */
  servers: StallServerView[];
  /** Clients with requests in flight, most first (at most 10). */
  clients: { client: string; inFlight: number }[];
  /** The oldest requests in flight (at most 10), oldest first. */
  oldest: StalledRequest[];
  /** The runtime process. */
  process: { openFds: number | null; fdLimit: number | null; rssBytes: number | null };
  /** Worker threads that have posted nothing for a while (their event loop may be blocked). */
  silentWorkers: { worker: number; silentForMs: number }[];
  /** The run's sockets by state at the last census before the stall was detected. */
  sockets: SocketCensus | null;
  /** One line per recognised pattern. */
  hints: string[];
}

/** What {@linkcode diagnoseStall} reads. */
export interface StallEvidence {
  /** When the watchdog tripped, ms into the load. */
  detectedAtMs: number;
  /** When the last completion happened, ms into the load. */
  progressStoppedAtMs: number;
  /** The bound, ms. */
  boundMs: number;
  /** What counted as progress. @default {"completions"} */
  progress?: StallProgress;
  /** Totals now. */
  totals: { completed: number; inFlight: number; planned: number | null };
  /** Server names by id, `fleet[index]`. */
  serverNames: string[];
  /** Client names by id. */
  clientNames: string[];
  /** Requests in flight per server id (client view). */
  inFlightByServer: number[];
  /** Of those, the ones still awaiting response headers, or null when phases are not tracked. */
  awaitingHeadersByServer: number[] | null;
  /** Requests in flight per client id. */
  inFlightByClient: number[];
  /**
   * Server counters by id; `streams` for HTTP/2 servers. `received` and `responded` are null
   * where wedge cannot count requests (a command, an external URL): no hint reasons from them.
   */
  servers: {
    received: number | null;
    responded: number | null;
    failure: string | null;
    streams?: { reset: number; open: number; byConnection: Map<string, number> } | null;
  }[];
  /** Oldest requests in flight, ages as of now. */
  oldest: InFlightRequest[];
  /** The runtime process now. */
  process: { openFds: number | null; fdLimit: number | null; rssBytes: number | null };
  /** Workers that have posted nothing for a while. */
  silentWorkers: { worker: number; silentForMs: number }[];
  /** Threads whose event loop was blocked during the stall. @default {[]} */
  blockedThreads?: BlockedThread[];
  /** The latest socket census of the run's ports, or null where unknown. */
  sockets: SocketCensus | null;
  /** Each server's port, by server id (to name accept queues). */
  serverPorts: number[];
}

/**
 * Builds the diagnosis of a stall.
 *
 * @param e What the runtime knows at the moment the watchdog tripped.
 * @returns The diagnosis, with hints.
 *
 * @example Every request waits on one server that received them and never answered
 * ```ts
 * import { diagnoseStall } from "./stall_diagnosis.ts";
 * import assert from "node:assert/strict";
 *
 * const d = diagnoseStall({
 *   detectedAtMs: 7000, progressStoppedAtMs: 2000, boundMs: 5000,
 *   totals: { completed: 900, inFlight: 8, planned: 1000 },
 *   serverNames: ["hello[0]", "hello[1]"], clientNames: ["c[0]"],
 *   inFlightByServer: [0, 8], awaitingHeadersByServer: [0, 8], inFlightByClient: [8],
 *   servers: [{ received: 450, responded: 450, failure: null }, { received: 458, responded: 450, failure: null }],
 *   oldest: [], process: { openFds: 30, fdLimit: 1024, rssBytes: null }, silentWorkers: [],
 *   sockets: null, serverPorts: [8080, 8081],
 * });
 * assert.match(d.hints[0], /every request in flight \(8\) waits on hello\[1\]/);
 * ```
 */
export function diagnoseStall(e: StallEvidence): StallDiagnosis {
  const portOf = (id: number) => e.sockets?.ports?.[String(e.serverPorts[id])] ?? null;
  const servers: StallServerView[] = e.serverNames
    .map((server, id) => {
      const port = portOf(id);
      return {
        server,
        clientInFlight: e.inFlightByServer[id] ?? 0,
        received: e.servers[id] ? e.servers[id].received : null,
        responded: e.servers[id] ? e.servers[id].responded : null,
        failure: e.servers[id]?.failure ?? null,
        connections: port && {
          accepted: acceptedConnections(port),
          acceptQueue: port.acceptQueue,
        },
      };
    })
    .filter((s) =>
      s.clientInFlight > 0 || s.failure !== null || (s.received ?? 0) > (s.responded ?? 0)
    )
    .sort((a, b) => b.clientInFlight - a.clientInFlight);
  const clients = e.clientNames
    .map((client, id) => ({ client, inFlight: e.inFlightByClient[id] ?? 0 }))
    .filter((c) => c.inFlight > 0)
    .sort((a, b) => b.inFlight - a.inFlight)
    .slice(0, 10);
  const oldest = [...e.oldest]
    .sort((a, b) => b.ageMs - a.ageMs)
    .slice(0, 10)
    .map((r) => ({
      client: e.clientNames[r.clientId] ?? `client ${r.clientId}`,
      server: e.serverNames[r.server] ?? `server ${r.server}`,
      ageMs: r.ageMs,
      phase: r.phase,
    }));

  const hints: string[] = [];
  // A blocked event loop comes first: it explains everything that thread did not do meanwhile.
  const blockedThreads = [...(e.blockedThreads ?? [])].sort((a, b) => b.blockedMs - a.blockedMs);
  for (const b of blockedThreads) {
    const span = `${b.ongoing ? "has been" : "was"} blocked for ${
      formatDuration(b.blockedMs)
    } (from ${formatDuration(b.fromMs)} into the load${b.ongoing ? ", still blocked" : ""})`;
    hints.push(
      b.kind === "runtime"
        ? `the runtime's main thread ${span}: its in-process servers answered nothing and the watchdog could not run meanwhile (a handler running synchronous code blocks it; \`isolate: true\` gives a fleet a process of its own)`
        : `${b.thread}'s event loop ${span}: its servers answered nothing meanwhile (a handler running synchronous code?)`,
    );
  }
  e.servers.forEach((counters, id) => {
    const streams = counters.streams;
    if (!streams) return;
    const busiest = Math.max(0, ...streams.byConnection.values());
    if (busiest >= H2_STREAM_LIMIT) {
      hints.push(
        `${
          e.serverNames[id]
        } has ${busiest} HTTP/2 streams open on one connection: the limit of concurrent streams (${H2_STREAM_LIMIT}, max_concurrent_streams) is reached, so new requests on that connection wait for a stream that never frees (timeouts that do not cancel leak streams: seed 004)`,
      );
    }
  });
  const inFlight = e.totals.inFlight;
  const busy = servers.filter((s) => s.clientInFlight > 0);
  if (inFlight > 0 && busy.length === 1) {
    hints.push(`every request in flight (${inFlight}) waits on ${busy[0].server}`);
  } else if (inFlight > 0 && busy.length > 1 && busy[0].clientInFlight >= 0.5 * inFlight) {
    hints.push(
      `${busy[0].clientInFlight} of ${inFlight} requests in flight wait on ${busy[0].server}`,
    );
  }
  for (const s of busy.slice(0, 5)) {
    const id = e.serverNames.indexOf(s.server);
    if (s.failure) continue;
    // A request whose headers arrived has left the handler (its body may still be streaming):
    // only those still awaiting headers can be stuck before or in the handler.
    const awaiting = e.awaitingHeadersByServer?.[id] ?? s.clientInFlight;
    if (s.received === null || s.responded === null) {
      // wedge cannot count inside this server: reason only from what the kernel shows.
      const silent = silentServerHint(e, id, s.server, awaiting);
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
    if (awaiting > inHandler) {
      const missing = awaiting - inHandler;
      hints.push(
        `${s.server}'s handler never saw ${missing} of the ${awaiting} requests the clients are awaiting headers for: they wait before the handler (connection not accepted, accept queue, or the client's own pool)`,
      );
    }
  }
  for (const s of servers.filter((s) => s.failure)) {
    hints.push(`${s.server} stopped serving: ${s.failure}`);
  }
  if (oldest.length && oldest.every((r) => r.phase === "reading-body")) {
    hints.push(
      "the oldest requests got their headers but their bodies never ended: a slow or cut-off body",
    );
  }
  if (e.sockets) {
    for (const [port, queued] of Object.entries(e.sockets.acceptQueue)) {
      const id = e.serverPorts.indexOf(Number(port));
      hints.push(
        `${e.serverNames[id] ?? `port ${port}`}: ${queued} connection${
          queued === 1 ? "" : "s"
        } wait in its accept queue, never accepted (the listener is not calling accept())`,
      );
    }
    const synSent = e.sockets.client.SYN_SENT ?? 0;
    if (synSent > 0) {
      hints.push(
        `${synSent} client connection${
          synSent === 1 ? " is" : "s are"
        } stuck in SYN_SENT: the handshake does not complete (accept queue full, or SYNs dropped)`,
      );
    }
  }
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
      }: its event loop may be blocked`,
    );
  }
  const owed = e.totals.planned === null ? null : e.totals.planned - e.totals.completed;
  if (inFlight === 0 && (owed ?? 0) > 0 && e.silentWorkers.length === 0) {
    hints.push(
      `nothing is in flight but ${owed} requests are still owed: the clients stopped sending`,
    );
  }
  return {
    detectedAtMs: e.detectedAtMs,
    progressStoppedAtMs: e.progressStoppedAtMs,
    boundMs: e.boundMs,
    progress: e.progress ?? "completions",
    completed: e.totals.completed,
    owed,
    inFlight,
    servers: servers.slice(0, 10),
    clients,
    oldest,
    process: e.process,
    silentWorkers: e.silentWorkers,
    blockedThreads,
    sockets: e.sockets,
    hints,
  };
}

/** Connections a server accepted: its ends in ESTABLISHED or CLOSE_WAIT, less its accept queue. */
function acceptedConnections(port: PortSockets): number {
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
  // An HTTP/1.1 request needs a connection of its own: past the accepted ones, they wait in the
  // client's pool.
  const onThem = Math.min(awaiting, accepted);
  const pooled = awaiting - onThem;
  const ages = e.oldest.filter((r) => r.server === id).map((r) => r.ageMs);
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
  }): the server reads requests and never answers, a server-side hang (wedge cannot count requests inside it: received and answered are unknown)`;
}
