/**
 * The types of a stall's diagnosis: what `diagnoseStall` reads (the evidence) and what it keeps in
 * the report. Declared here once; `stall_diagnosis.ts` re-exports them.
 *
 * @module
 */

import type { SocketCensus } from "./readings.ts";

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
  /**
   * Set where the request's worker has been silent since its last snapshot: `ageMs` is then its
   * age as of that post, and whether it is still in flight is unknown. Absent: the age is now's.
   */
  asOf?: AgeAsOf;
}

/** When a request's age was last known: its client worker's last post before going silent. */
export interface AgeAsOf {
  /** The client worker's id. */
  worker: number;
  /** When it last posted, ms into the load. */
  atMs: number;
}

/**
 * What counts as progress for the stall watchdog: `"completions"` (a response or an error ends a
 * request) or `"responses"` (only a response; errors and timeouts do not count, so a run whose
 * every request times out is stalled).
 */
export type StallProgress = "completions" | "responses";

/** One server's side of a stall. */
export interface StallServerView {
  /** `fleet[index]`. */
  server: string;
  /**
   * Requests the clients have in flight to it; null when a silent client worker targets it (its
   * count is stale or missing).
   */
  clientInFlight: number | null;
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
  /** How long it has been in flight, ms: now, or as of `asOf` when that is set. */
  ageMs: number;
  /** `awaiting-headers` (sent or connecting, no headers yet) or `reading-body`. */
  phase: InFlightPhase;
  /**
   * Null where the age is now's; else the silent client worker whose last post is the latest
   * word on this request (its age then; whether it is still in flight is unknown).
   */
  asOf: AgeAsOf | null;
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
  /** Requests in flight; null while a client worker is silent (its count is stale or missing). */
  inFlight: number | null;
  /**
   * Servers with requests in flight or a failure, most in flight first; a server whose in-flight
   * count is unknown is listed only for what else is known (a failure, requests in its handler).
   */
  servers: StallServerView[];
  /** Clients with requests in flight, most first, then those of silent workers (null; at most 10). */
  clients: { client: string; inFlight: number | null }[];
  /** The oldest requests in flight (at most 10), oldest first (by when they were sent). */
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
  /** Totals now; `inFlight` is null where unknown (and is, whenever a worker is silent). */
  totals: { completed: number; inFlight: number | null; planned: number | null };
  /** Server names by id, `fleet[index]`. */
  serverNames: string[];
  /** Client names by id. */
  clientNames: string[];
  /** Requests in flight per server id (client view); null where a silent worker's clients target it. */
  inFlightByServer: (number | null)[];
  /** Of those, the ones still awaiting response headers, or null when phases are not tracked. */
  awaitingHeadersByServer: (number | null)[] | null;
  /** Requests in flight per client id; null for the clients of a silent worker. */
  inFlightByClient: (number | null)[];
  /**
   * Server counters by id; `streams` for HTTP/2 servers. `received` and `responded` are null
   * where wedge cannot count requests (a command, an external URL): no hint reasons from them.
   */
  servers: {
    received: number | null;
    responded: number | null;
    failure: string | null;
    streams?: { reset: number; open: number; connections: Map<number, { open: number }> } | null;
  }[];
  /** Oldest requests in flight, ages as of now, or as of `asOf` for a silent worker's. */
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
  /**
   * The open fds and fd limit of the process serving each server (its command, its host, the
   * runtime), by server id; null where unknown. @default {[]}
   */
  serverFds?: ({ openFds: number | null; fdLimit: number | null } | null)[];
  /**
   * Whether a client fleet of the run has timeouts that stop waiting without cancelling (`cancel:
   * false`), which leak HTTP/2 streams; absent: unknown. @default {undefined}
   */
  leakingTimeouts?: boolean;
  /**
   * By server id, the most requests a client sends together on one connection to it (`pipelining`;
   * 1 without). @default {[]} (1 each)
   */
  pipeliningTo?: number[];
}
