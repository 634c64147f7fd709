/**
 * What a stall looks like from every side, with a one-line hint per recognised pattern. Pure: it
 * reads the collector's view, the servers' counters and a process sample; it changes nothing.
 *
 * @module
 */

import {
  acceptedConnections,
  blockedThreadHint,
  processHints,
  serverHints,
  socketHints,
  streamLimitHints,
} from "./_stall_hints.ts";
import type {
  InFlightRequest,
  StallDiagnosis,
  StallEvidence,
  StallServerView,
} from "./stall_types.ts";

export { H2_STREAM_LIMIT } from "./_stall_hints.ts";
export type {
  AgeAsOf,
  BlockedThread,
  InFlightPhase,
  InFlightRequest,
  StallDiagnosis,
  StalledRequest,
  StallEvidence,
  StallProgress,
  StallServerView,
} from "./stall_types.ts";

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
  // A silent worker's counts are stale or missing: the run's total is unknown, never their sum.
  const inFlight = e.silentWorkers.length ? null : e.totals.inFlight;
  const servers = stalledServers(e);
  // Oldest first by when each was sent: a silent worker's ages are as of its last post.
  const sentAt = (r: InFlightRequest) => (r.asOf?.atMs ?? e.detectedAtMs) - r.ageMs;
  const oldest = [...e.oldest]
    .sort((a, b) => sentAt(a) - sentAt(b))
    .slice(0, 10)
    .map((r) => ({
      client: e.clientNames[r.clientId] ?? `client ${r.clientId}`,
      server: e.serverNames[r.server] ?? `server ${r.server}`,
      ageMs: r.ageMs,
      phase: r.phase,
      asOf: r.asOf ?? null,
    }));
  // Only the requests known now: a silent worker's may have ended since.
  const current = oldest.filter((r) => r.asOf === null);
  // A blocked event loop comes first: it explains everything that thread did not do meanwhile.
  const blockedThreads = [...(e.blockedThreads ?? [])].sort((a, b) => b.blockedMs - a.blockedMs);
  const owed = e.totals.planned === null ? null : e.totals.planned - e.totals.completed;
  const hints = [
    ...blockedThreads.map(blockedThreadHint),
    ...streamLimitHints(e),
    ...serverHints(e, servers, inFlight),
    ...servers.filter((s) => s.failure).map((s) => `${s.server} stopped serving: ${s.failure}`),
    ...(current.length && current.every((r) => r.phase === "reading-body")
      ? [
        "the oldest requests got their headers but their bodies never ended: a slow or cut-off body",
      ]
      : []),
    ...socketHints(e),
    ...processHints(e, { inFlight, owed }),
  ];
  return {
    detectedAtMs: e.detectedAtMs,
    progressStoppedAtMs: e.progressStoppedAtMs,
    boundMs: e.boundMs,
    progress: e.progress ?? "completions",
    completed: e.totals.completed,
    owed,
    inFlight,
    servers: servers.slice(0, 10),
    clients: stalledClients(e),
    oldest,
    process: e.process,
    silentWorkers: e.silentWorkers,
    blockedThreads,
    sockets: e.sockets,
    hints,
  };
}

/** A count by id: 0 for an id without one, null (unknown) kept. */
function orZero(n: number | null | undefined): number | null {
  return n === undefined ? 0 : n;
}

/** Most first; an unknown count (null) after every known one. */
function byMostInFlight(a: number | null, b: number | null): number {
  return (b ?? -1) - (a ?? -1);
}

/**
 * The servers worth showing: requests in flight to them, a failure, or requests in their
 * handler. One whose in-flight count is unknown is shown only for those last two.
 */
function stalledServers(e: StallEvidence): StallServerView[] {
  const portOf = (id: number) => e.sockets?.ports?.[String(e.serverPorts[id])] ?? null;
  return e.serverNames
    .map((server, id) => {
      const port = portOf(id);
      return {
        server,
        clientInFlight: orZero(e.inFlightByServer[id]),
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
      (s.clientInFlight ?? 0) > 0 || s.failure !== null || (s.received ?? 0) > (s.responded ?? 0)
    )
    .sort((a, b) => byMostInFlight(a.clientInFlight, b.clientInFlight));
}

/** Clients with requests in flight, most first, then those whose count is unknown; at most 10. */
function stalledClients(e: StallEvidence): StallDiagnosis["clients"] {
  return e.clientNames
    .map((client, id) => ({ client, inFlight: orZero(e.inFlightByClient[id]) }))
    .filter((c) => c.inFlight === null || c.inFlight > 0)
    .sort((a, b) => byMostInFlight(a.inFlight, b.inFlight))
    .slice(0, 10);
}
