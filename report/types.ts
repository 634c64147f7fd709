/**
 * The run report: one JSON-serialisable object that every assertion judges and every reporter
 * renders. `--json PATH` writes it as is; its shape is versioned by `schema` and `version`.
 *
 * @module
 */

import type {
  HostSettings,
  ListenCounters,
  ListenReport,
  SocketCensus,
  StateCounts,
  TcpState,
} from "./readings.ts";
import type {
  InFlightPhase,
  StallDiagnosis,
  StalledRequest,
  StallServerView,
} from "./stall_diagnosis.ts";
import type { StallSpan } from "./stall_watchdog.ts";

export type {
  HostSettings,
  InFlightPhase,
  ListenCounters,
  ListenReport,
  SocketCensus,
  StallDiagnosis,
  StalledRequest,
  StallServerView,
  StallSpan,
  StateCounts,
  TcpState,
};

/** The report format's identifier. */
export const REPORT_SCHEMA = "wedge.report";
/** The report format's version; bumped on any incompatible change. */
export const REPORT_VERSION = 1;

/** Error classes a failed request is sorted into. */
export type ErrorClass =
  | "timeout"
  | "connection_refused"
  | "connection_reset"
  | "connection_closed"
  | "address_unavailable"
  | "too_many_open_files"
  | "protocol_error"
  | "body_error"
  | "aborted"
  | "other";

/** One distinct error and how often it happened. */
export interface ErrorCount {
  /** The class. */
  class: ErrorClass;
  /** The message with addresses and ports removed, so equal failures group. */
  message: string;
  /** Occurrences. */
  count: number;
}

/** Latency statistics, in milliseconds. */
export interface LatencySummary {
  /** Number of recorded latencies (completed requests that got a response). */
  count: number;
  /** Fastest, in ms. */
  min: number;
  /** Mean, in ms. */
  mean: number;
  /** Slowest, in ms. */
  max: number;
  /** Standard deviation, in ms. */
  stdev: number;
  /** Percentiles, in ms. */
  percentiles: {
    p50: number;
    p75: number;
    p90: number;
    p95: number;
    p99: number;
    "p99.9": number;
  };
  /** Linear buckets between min and max (like oha's): requests with latency up to `le` ms. */
  histogram: { le: number; count: number }[];
}

/** Request counts of a run, as seen by the clients. */
export interface RequestTotals {
  /** Requests the scenario asked for; `null` in duration mode. */
  planned: number | null;
  /** Requests started. */
  sent: number;
  /** Requests that ended: a full response or an error. */
  completed: number;
  /** Completed with a status below 400. */
  ok: number;
  /** Completed with an error or a status of 400 or more. */
  failed: number;
  /** Completed with an error (no usable response). */
  errors: number;
  /** Started but not ended when the run stopped. */
  inFlight: number;
  /** Timed out without cancel: the client stopped waiting but the request went on. */
  abandoned: number;
  /**
   * Requests sent again on a new connection because their pooled connection was found closed
   * before the request was written (raw engine; by why in `retries`). Null when a client uses
   * fetch: hyper retries such requests inside, unseen.
   */
  retried: number | null;
  /** Response body bytes received (decoded; bodies streamed and discarded, cut ones included). */
  bodyBytes: number;
}

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
   * HTTP/2 servers (null for HTTP/1.1): streams reset by the client before the answer, streams
   * open as the load ended, and the most open at once on one connection.
   */
  streams: { reset: number; openAtEnd: number; peakOnOneConnection: number } | null;
  /**
   * Where it ran: inside the runtime, in a server host process, as the user's own command, or
   * already running at a URL (wedge cannot count the requests of the last two: `received`,
   * `responded` and `handlerErrors` are then null).
   */
  placement: "runtime" | "host" | "command" | "external";
}

/** An open model's schedule against what was sent (client fleets with a rate only). */
export interface RateReport {
  /** Requests the schedule made due during the load. */
  scheduled: number;
  /** Requests sent. */
  sent: number;
  /** sent / scheduled. */
  achieved: number;
  /** Scheduled requests per second of the schedule's time that ran. */
  targetPerSecond: number;
  /** Sent requests per second of the same time. */
  achievedPerSecond: number;
  /** Sent 10 ms or more after their intended time. */
  late: number;
  /** Dropped because `maxInFlight` requests were owed. */
  dropped: number;
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

/** A memory reading after one load of a repeated run. */
export interface MemoryCheckpoint {
  /** Loads finished by then (0: before the first). */
  round: number;
  /** Ms since the load started. */
  atMs: number;
  /** Requests completed by then. */
  completed: number;
  /** Resident bytes per process (order of `memory.processes`), null for one that is gone. */
  rssBytes: (number | null)[];
  /** The runtime process's resident memory split by what holds it, or null where unknown. */
  runtime?: RuntimeMemory | null;
}

/**
 * wedge's own process at a checkpoint: its resident memory and the part of it wedge can name.
 * The client engines live here; a verdict on servers never reads these figures.
 */
export interface RuntimeMemory {
  /** VmRSS of the runtime process. */
  rssBytes: number;
  /** Resident file-backed pages (RssFile: mostly the deno executable's code). */
  fileBytes: number | null;
  /** The main isolate's V8 heap (`heapTotal`). */
  mainHeapBytes: number;
  /** The client workers' V8 heaps (`heapTotal`, summed), null before any worker reported. */
  workerHeapBytes: number | null;
  /** Client workers that reported (`workerHeapBytes` sums these). */
  workers: number;
  /** Memory held outside the V8 heaps by JS objects (`external`: ArrayBuffers), all isolates. */
  externalBytes: number | null;
  /**
   * RSS minus all of the above: anonymous memory no isolate accounts for (the allocator's free
   * lists, the HTTP stacks' buffers, thread stacks); null when a part is unknown.
   */
  otherBytes: number | null;
}

/** The run's memory: every process's resident memory over time, and readings between loads. */
export interface MemoryReport {
  /** Sampling interval, ms. */
  intervalMs: number;
  /** The processes, in the order of every `rssBytes` array. */
  processes: {
    name: string;
    role: "runtime" | "server-host" | "command";
    pid: number;
    fleet: string | null;
    /** The highest VmHWM seen (peak resident memory of the process itself). */
    peakRssBytes: number | null;
  }[];
  /** Samples, oldest first (`atMs` since the load started; negative before it). */
  timeline: { atMs: number; rssBytes: (number | null)[] }[];
  /** Warm-up loads, measured iterations and settle time, or null for a single load. */
  rounds: { warmup: number; iterations: number; settleMs: number } | null;
  /** A reading before the first load and after each load has settled. */
  checkpoints: MemoryCheckpoint[];
  /**
   * Whether a memory assertion judges the runtime (`of: "runtime"`); otherwise the runtime's
   * figures (wedge's own client engines) are shown and never judged.
   */
  runtimeJudged?: boolean;
}

/** One client: its own HTTP client and connection pool. */
export interface ClientReport {
  /** Fleet name. */
  fleet: string;
  /** Index in the fleet. */
  index: number;
  /** Worker thread that ran it. */
  worker: number;
  /** Requests planned for it; `null` in duration mode. */
  planned: number | null;
  /** Requests started. */
  sent: number;
  /** Requests ended. */
  completed: number;
  /** Requests that ended with a status below 400. */
  ok: number;
}

/** One sample of progress, taken about once a second. */
export interface TimelinePoint {
  /** Milliseconds since the load started. */
  atMs: number;
  /** Requests ended so far. */
  completed: number;
  /** Requests in flight. */
  inFlight: number;
  /** Errors so far. */
  errors: number;
  /** HTTP/2 streams open on the servers, or null without HTTP/2 servers. */
  openStreams: number | null;
  /** Sockets of the run in TIME_WAIT (either end), or null where unknown. */
  timeWait: number | null;
  /** Sockets of the run in ESTABLISHED (either end), or null where unknown. */
  established: number | null;
  /** The run's sockets by state, per end, at the latest census, or null where unknown. */
  sockets: { client: StateCounts; server: StateCounts } | null;
  /** Open file descriptors of the runtime process, or null where unknown. */
  openFds: number | null;
  /** Resident memory of the runtime process in bytes, or null where unknown. */
  rssBytes: number | null;
  /**
   * Connection attempts the kernel dropped at full listen queues since the load started
   * (`ListenDrops`; namespace-wide, see `listen.scope`), or null where unknown.
   */
  listenDrops: number | null;
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

/** An assertion's verdict. */
export interface AssertionResult {
  /** Assertion name, e.g. `latencyBelow`. */
  name: string;
  /** What it requires, e.g. `p99 latency below 50ms`. */
  description: string;
  /** Whether it holds. */
  pass: boolean;
  /** The measured value, e.g. `p99 = 73.2ms`. */
  measured: string;
  /** Why it failed, when it did. */
  detail?: string;
}

/** The run's sockets (its server ports, either end), sampled about once a second. */
export interface SocketReport {
  /** Most sockets in TIME_WAIT at once. */
  peakTimeWait: number;
  /** Most sockets in ESTABLISHED at once. */
  peakEstablished: number;
  /** The census as the load ended (before anything was stopped). */
  atEnd: SocketCensus;
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

/** How the load phase ended. */
export type RunOutcome = "completed" | "time-limit" | "aborted" | "stalled" | "server-exited";

/** Everything a run measured, plus the verdicts. */
export interface RunReport {
  /** Always `"wedge.report"`. */
  schema: typeof REPORT_SCHEMA;
  /** Report format version. */
  version: typeof REPORT_VERSION;
  /** The scenario as run. */
  scenario: {
    name: string;
    description: string;
    file: string | null;
    params: Record<string, unknown>;
  };
  /** Seed of the run's random choices; pass it to `--seed` to replay. */
  seed: number;
  /** Wall-clock start of the load, ISO 8601. */
  startedAt: string;
  /** Length of the load phase, in ms (with repeated loads, their sum, without the settle time). */
  durationMs: number;
  /** How the load phase ended. */
  outcome: RunOutcome;
  /** Why it ended that way, for people. */
  outcomeDetail: string;
  /** Shape of the run. */
  shape: { servers: number; clients: number; workers: number; concurrency: number };
  /** Request counts. */
  totals: RequestTotals;
  /** ok / completed, or 0 when nothing completed. */
  successRate: number;
  /** Completed requests per second over the load phase. */
  requestsPerSecond: number;
  /**
   * Latency of requests that got a response: in an open model (a client fleet with a rate),
   * corrected for coordinated omission (from each request's intended send time); else from its
   * actual send.
   */
  latency: LatencySummary;
  /** Open model: the three latencies (corrected, service, queue); null in a closed loop. */
  latencyBreakdown:
    | { corrected: LatencySummary; service: LatencySummary; queue: LatencySummary }
    | null;
  /** Open model: the schedule against what was sent; null in a closed loop. */
  rate: RateReport | null;
  /** Response counts by status code. */
  statusCodes: Record<string, number>;
  /** Errors by class and message, most frequent first. */
  errors: ErrorCount[];
  /** Raw engine: retried requests by why their pooled connection was found closed. */
  retries: ErrorCount[];
  /** Per-server view. */
  servers: ServerReport[];
  /** Per-client view. */
  clients: ClientReport[];
  /** Progress about once a second. */
  timeline: TimelinePoint[];
  /** The runtime process's resources. */
  process: ProcessReport;
  /** The host's (or the run's network namespace's) connection settings. */
  host: HostSettings & { networkNamespace: boolean };
  /** The run's sockets by state, or null where `/proc/net/tcp` cannot be read. */
  sockets: SocketReport | null;
  /**
   * Connection attempts the kernel refused at full listen queues during the run (its namespace's
   * counters), the run's listeners' backlogs, and a hint; null where `/proc/net/netstat` is unknown.
   */
  listen: ListenReport | null;
  /** How the run was watched for stalls, or null when the watchdog was off. */
  watchdog: { boundMs: number | null; resolutionMs: number } | null;
  /**
   * The longest stall by what counted as progress: `completions`, the longest period with work owed
   * and no request completing (errors included); `responses`, with no response. Null when there was
   * none.
   */
  longestStallByProgress: { completions: StallSpan | null; responses: StallSpan | null };
  /**
   * The same value as `longestStallByProgress.completions`, kept so that readers of version 1
   * reports keep working; wedge itself reads `longestStallByProgress`.
   *
   * @deprecated Read `longestStallByProgress.completions`; this field goes with the next version.
   */
  longestStall: StallSpan | null;
  /** The diagnosis, when the stall watchdog stopped the run (outcome `stalled`); else null. */
  stall: StallDiagnosis | null;
  /**
   * Event-loop lag of each thread wedge runs (the runtime's main thread, each server host, each
   * client worker): how late a steady timer fired. A blocked loop serves, sends and watches
   * nothing for that long.
   */
  eventLoops: EventLoopReport[];
  /** Processes that ran servers (server hosts, the user's commands), with their logs and exits. */
  serverProcesses: ServerProcessReport[];
  /** Memory of the runtime and the server processes, or null where `/proc` cannot tell. */
  memory: MemoryReport | null;
  /** What the runtime itself noticed: worker failures, servers or workers that did not stop. */
  incidents: string[];
  /** Assertion verdicts, in the scenario's order. */
  assertions: AssertionResult[];
  /** True when every assertion passed. */
  passed: boolean;
}
