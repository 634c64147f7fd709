/**
 * Report types of command client fleets (the user's own client programs): what wedge saw of each
 * process from the host (exit, RSS, fds, the TCP connections it held) and from its servers
 * (requests received and answered). Latency is not among them: only the client could measure it.
 *
 * @module
 */

import type { TcpState } from "../readings.ts";

/** One TCP connection a client process held to the run's servers, as the census read it. */
export interface ClientConnectionReport {
  /** The client's end. */
  localPort: number;
  /** The server's port. */
  remotePort: number;
  /** TCP state. */
  state: TcpState;
  /** Since wedge first saw it (sampled every 250 ms), ms. */
  ageMs: number;
  /** Bytes sent and not yet acknowledged by the server. */
  unsentBytes: number;
  /** Bytes the server sent that the client has not read. */
  unreadBytes: number;
  /**
   * Its HTTP/2 streams as the server counted them, matched by this client port: open now, the
   * most open at once, the age of the oldest open stream (ms; null when none is open) and the
   * server's limit per connection. Null for an HTTP/1.1 server or one wedge cannot count inside.
   */
  streams?: ClientConnectionStreams | null;
}

/** HTTP/2 streams of one client connection, from the server's view. */
export interface ClientConnectionStreams {
  /** Open now. */
  open: number;
  /** The most open at once. */
  peak: number;
  /** Age of its oldest open stream, ms, or null when none is open. */
  oldestAgeMs: number | null;
  /** The server's limit of concurrent streams per connection (Deno.serve: 200). */
  limit: number;
}

/** How a client process ended. */
export type ClientProcessEnding =
  | "exited"
  | "stopped-after-duration"
  | "timed-out"
  | "stopped-by-run"
  | "not-started";

/** One client process. */
export interface ClientProcessReport {
  /** E.g. `my-client[0]`. */
  name: string;
  /** Its fleet. */
  fleet: string;
  /** Its index in the fleet. */
  index: number;
  /** Process id (its group's too), or null if it never started. */
  pid: number | null;
  /** The command, placeholders replaced. */
  argv: string[];
  /** Its `{url}`. */
  url: string;
  /** How it ended. */
  ending: ClientProcessEnding;
  /** Exit code (null when a signal ended it or it did not end). */
  code: number | null;
  /** The signal that ended it, or null. */
  signal: string | null;
  /** How long it ran, ms, or null. */
  runMs: number | null;
  /** The last lines of its stderr. */
  stderrTail: string;
  /** The last lines of its stdout (a load tool's own summary, e.g. hey's). */
  stdoutTail: string;
  /** Its log files. */
  stdoutLog: string | null;
  /** Its stderr log. */
  stderrLog: string | null;
  /** Highest resident memory of its process tree, bytes, or null when never read. */
  peakRssBytes: number | null;
  /** Its tree's RSS over its life (sampled), with the servers' answered count at each sample. */
  rss: { atMs: number; rssBytes: number; answered: number | null }[];
  /** Most open fds of its process tree, or null when never read. */
  peakOpenFds: number | null;
  /** Its fd limit (`/proc/PID/limits`), or null. */
  fdLimit: number | null;
  /**
   * Distinct TCP connections to the run's servers seen in its fds (sampled every 250 ms: ones
   * shorter than that can be missed, so this is at least), or null when unreadable.
   */
  connectionsSeen: number | null;
  /** Its connections at its last sample (or when a stall was diagnosed). */
  connections: ClientConnectionReport[];
  /**
   * The most HTTP/2 streams open at once on one of its connections (server view, sampled every
   * 250 ms), or null when none of its connections was to an HTTP/2 server wedge counts inside.
   */
  peakStreamsOnOneConnection?: number | null;
}

/** A command client stall: alive, holding connections, no new request at the servers. */
export interface CommandClientStall {
  /** The bound that tripped, ms. */
  boundMs: number;
  /** When the servers last received a request, ms since the load started. */
  lastRequestAtMs: number;
  /** When it was diagnosed, ms since the load started. */
  atMs: number;
  /** The client processes still running, with their connections, fds and RSS then. */
  processes: {
    name: string;
    pid: number;
    connections: ClientConnectionReport[];
    openFds: number | null;
    fdLimit: number | null;
    rssBytes: number | null;
  }[];
  /** Each target server's counts then; null where wedge cannot count inside it. */
  servers: { name: string; received: number | null; answered: number | null }[];
  /**
   * Connections waiting in those servers' accept queues then (never accepted: their requests
   * reached no handler), or null where unknown; absent in reports before 2026-12-01.
   */
  acceptQueued?: number | null;
  /** What the figures point at, most specific first. */
  hints: string[];
}

/** The command client fleets of a run. */
export interface CommandClientsReport {
  /** Where the figures come from, in words (printed with them). */
  source: string;
  /** Requests the target servers received during the load; null if one cannot count. */
  received: number | null;
  /** Requests the target servers answered; null if one cannot count. */
  answered: number | null;
  /** Every client process. */
  processes: ClientProcessReport[];
  /** The stall, if one stopped the run. */
  stall: CommandClientStall | null;
}
