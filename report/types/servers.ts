/**
 * The run report's servers and processes: each server as it saw its traffic, the processes that ran
 * servers and how they ended, the runtime process's resources, and each thread's event-loop lag.
 *
 * @module
 */
/** One server of a fleet, as the server saw its traffic. */
export interface ServerReport {
  /** Fleet name. */
  fleet: string;
  /** Index in the fleet. */
  index: number;
  /** Base URL. */
  url: string;
  /** Behaviour, described. */
  behavior: string;
  /** Requests the server's handler received; null where wedge cannot count (command, external). */
  received: number | null;
  /** Responses the handler returned; null where wedge cannot count (command, external). */
  responded: number | null;
  /**
   * Handler failures answered with 500 (it threw, rejected, or returned no Response); null where
   * wedge cannot count (command, external).
   */
  handlerErrors: number | null;
  /** The first handler failure messages (at most 5). */
  handlerErrorMessages: string[];
  /** Requests the clients completed against this server (client view). */
  completedByClients: number;
  /** Requests in flight to this server when the run stopped (client view). */
  inFlight: number;
  /** Why the server stopped serving during the run (e.g. "Too many open files"), or null. */
  failure: string | null;
  /**
   * HTTP/2 servers (null for HTTP/1.1). `Deno.serve` shows requests, not protocol streams: a stream
   * is counted open from the handler's call until its response has been sent or torn down, so a
   * client's streams whose requests the server has not yet handed to the handler, or whose
   * responses are already sent, are not among them.
   */
  streams: {
    /** Streams the client reset (gave up on) before its response was sent. */
    reset: number;
    /**
     * Streams the server reset: their response body failed after the headers went out (its own
     * behaviour, `closeMidBody` or `resetAfterHeaders`, or a user handler's body that errored). A
     * handler that threw is answered 500 and is neither. Absent (or null) in reports written before
     * it was counted apart, whose `reset` includes these.
     */
    resetByServer?: number | null;
    /** Streams counted open (a request in the handler, or its response not yet sent) at the end. */
    openAtEnd: number;
    /**
     * The most streams counted open at once on one connection: requests in the handler or
     * responses not yet finished, not the streams the client had open (a fast handler keeps it
     * near 1 whatever the client's concurrency).
     */
    peakOnOneConnection: number;
  } | null;
  /**
   * Where it ran: inside the runtime, in a server host process, as the user's own command, or
   * already running at a URL (wedge cannot count the requests of the last two: `received`,
   * `responded` and `handlerErrors` are then null).
   */
  placement: "runtime" | "host" | "command" | "external";
  /**
   * Whether it still accepted after the load (`serversStayAccepting()` asks for it), or null when
   * it was not probed; absent in reports written before it existed.
   */
  probe?: AcceptProbeReport | null;
  /**
   * Accepted connections its client had already closed (the first read gave EOF or a reset before
   * any byte: they waited in the backlog longer than the client did), where wedge holds the
   * listener (`acceptSlowly`, `stopAccepting`); null where it is not counted.
   */
  acceptedDead?: number | null;
}

/**
 * After the load, once the clients stopped and their connections closed: a TCP connect and one
 * `GET /` to the server, repeated until one is answered or the probes run out.
 */
export interface AcceptProbeReport {
  /** Probes tried. */
  attempts: number;
  /** Ms from the first probe to the one answered, or null when none was answered. */
  answeredAfterMs: number | null;
  /** Status of the answered probe, or null. */
  status: number | null;
  /** Why the last failed probe failed (e.g. `connection refused`), or null when none failed. */
  lastError: string | null;
  /**
   * Whether the last failed probe's TCP connection was made and not left in the listener's accept
   * queue (a server that accepts and is silent is not answering; one with connections waiting in
   * its accept queue is not accepting), or null when none failed; absent in reports from before
   * 2026-12-01.
   */
  lastConnected?: boolean | null;
  /** Time the probes had, ms (the bound: `attempts` at most every `intervalMs`). */
  boundMs: number;
}

/** How a server process (host or command) ended during or after the run. */
export interface ProcessExitReport {
  /** Exit code. */
  code: number;
  /** Signal that ended it, or null. */
  signal: string | null;
  /** When, in ms since the load started (negative: before it). */
  atMs: number;
  /** True when it exited before wedge stopped it. */
  early: boolean;
  /** The last lines of its stderr. */
  stderrTail: string;
}

/** A process that ran servers: a server host, or one of the user's commands. */
export interface ServerProcessReport {
  /** E.g. `servers (host)` or `app[0]`. */
  name: string;
  /** Server fleet. */
  fleet: string;
  /** What it is. */
  role: "server-host" | "command";
  /** Process id. */
  pid: number;
  /** The command line (for a command: after `{port}` was replaced). */
  command: string;
  /** File with its stdout. */
  stdoutLog: string;
  /** File with its stderr. */
  stderrLog: string;
  /** How it ended, or null when it was still running as the report was built. */
  exit: ProcessExitReport | null;
  /**
   * Why wedge could not signal its process group (e.g. `NotCapable` under narrowed permissions,
   * EPERM), else null. wedge's supervisor killed the group then; the run fails.
   */
  stopFailure: string | null;
}

/** The runtime process (servers and client workers run inside it in this version). */
export interface ProcessReport {
  /** Process id. */
  pid: number;
  /** Soft limit on open files, or null where unknown. */
  fdLimit: number | null;
  /** Most open file descriptors seen in the timeline, or null. */
  peakOpenFds: number | null;
  /** Peak resident memory (VmHWM) in bytes, or null. */
  peakRssBytes: number | null;
}

/** One thread's event loop: how late its steady timer fired (`system/event_loop_lag.ts`). */
export interface EventLoopReport {
  /** E.g. `runtime main thread`, `servers (host)`, `client worker 0`. */
  thread: string;
  /** The timer's interval, ms. */
  intervalMs: number;
  /** The largest lateness, ms, or null where it was never measured. */
  maxLagMs: number | null;
  /** When that block began, ms since the load started (negative: before it), or null. */
  maxLagAtMs: number | null;
  /**
   * A thread that was still blocked (silent) as the load ended: for how long, ms; else null. Its
   * `maxLagMs` is then at least this.
   */
  blockedAtEndMs: number | null;
}
