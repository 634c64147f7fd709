/**
 * The run report: one JSON-serialisable object that every assertion judges and every reporter
 * renders, its format's identifier and version, and the parts only it holds (outcome, timeline,
 * sockets, assertion verdicts). `--json PATH` writes it as is.
 *
 * @module
 */

import type { HostSettings, ListenReport, SocketCensus, StateCounts } from "../readings.ts";
import type { StallDiagnosis } from "../stall_diagnosis.ts";
import type { StallSpan } from "../stall_watchdog.ts";
import type { MemoryReport } from "./memory.ts";
import type { CommandClientsReport } from "./command_clients.ts";
import type {
  ClientReport,
  ErrorClass,
  ErrorCount,
  LatencySummary,
  RateReport,
  RequestTotals,
} from "./requests.ts";
import type {
  EventLoopReport,
  ProcessReport,
  ServerProcessReport,
  ServerReport,
} from "./servers.ts";

/** The report format's identifier. */
export const REPORT_SCHEMA = "wedge.report";
/** The report format's version; bumped on any incompatible change. */
export const REPORT_VERSION = 1;
/**
 * One sample of progress, taken every 250 ms; once the timeline holds 2,000 points, pairs of
 * neighbours merge (see `report/timeline_downsample.ts`): a level is then the peak over the span
 * the point covers, a cumulative count its value at `atMs`. Fields marked optional are absent only
 * from reports written before they existed.
 */
export interface TimelinePoint {
  /** Milliseconds since the load started. */
  atMs: number;
  /** Requests ended so far. */
  completed: number;
  /**
   * Requests in flight, or null while a running client worker has posted nothing for a second
   * (starved or blocked: its count would be stale).
   */
  inFlight: number | null;
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
  /** The runtime process's soft limit on open files, or null where unknown. */
  fdLimit?: number | null;
  /** Open fds of each process (order of `timelineProcesses`; a command's with its children). */
  processOpenFds?: (number | null)[];
  /** Resident bytes of each process (order of `timelineProcesses`; a command's with its children). */
  processRssBytes?: (number | null)[];
  /** Connections waiting to be accepted in the run's listen queues (summed), or null where unknown. */
  acceptQueue?: number | null;
  /**
   * HTTP/2 streams open per server (order of `servers`; null for a server not on HTTP/2), or null
   * without HTTP/2 servers.
   */
  streamsByServer?: (number | null)[] | null;
  /** Errors so far by class (classes with none left out). */
  errorsByClass?: Partial<Record<ErrorClass, number>>;
  /**
   * Accepted connections their clients had already closed, so far, summed over the servers that
   * count them (`acceptSlowly`, `stopAccepting`); null when none does.
   */
  acceptedDead?: number | null;
}

/** A process whose fds and memory the timeline follows. */
export interface TimelineProcess {
  /** Name, as in `memory.processes`: `runtime`, `servers (host)`, `app[0]`. */
  name: string;
  /** What it is. */
  role: "runtime" | "server-host" | "command";
  /** Process id. */
  pid: number;
  /** The server fleet it runs, or null for the runtime. */
  fleet: string | null;
  /** Its soft limit on open files, read at its first sample, or null where unknown. */
  fdLimit: number | null;
}

/** What an incident is about, for a marker on the timeline. */
export type IncidentKind =
  | "server-stopped-accepting"
  | "process-exited"
  | "worker-failed"
  | "fds-near-limit"
  | "did-not-stop"
  | "other";

/** An incident on the load's clock. */
export interface IncidentMark {
  /** Ms since the load started (negative: before it), or null where unknown. */
  atMs: number | null;
  /** What it is about. */
  kind: IncidentKind;
  /** The incident, as in `incidents`. */
  text: string;
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
  /**
   * Most sockets in ESTABLISHED at once, as the census saw them; null when none was seen and no
   * census was read during the load (a load shorter than a census interval).
   */
  peakEstablished: number | null;
  /** The census as the load ended (before anything was stopped). */
  atEnd: SocketCensus;
  /**
   * Sockets already on the run's ports as the load started, left out of every census: wedge's
   * readiness probes, an earlier run's TIME_WAIT toward a port given again, another program's
   * connections to a `url` server. Null when unread; absent in reports from before 2026-12-01.
   */
  before?: number | null;
}

/** How the load phase ended. */
export type RunOutcome = "completed" | "time-limit" | "aborted" | "stalled" | "server-exited";

/**
 * The outcomes of a run that did not carry out its load (a JUnit `<error>`; a worse outcome in
 * `wedge diff`): stopped by a signal, by the stall watchdog, or by a server that exited.
 */
export const INCOMPLETE_OUTCOMES: readonly RunOutcome[] = ["stalled", "aborted", "server-exited"];

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
  /**
   * Shape of the run; `concurrency` is requests in flight at most (each client's concurrency times
   * its pipelining; before 2026-12-01, concurrency alone).
   */
  shape: { servers: number; clients: number; workers: number; concurrency: number };
  /** Request counts. */
  totals: RequestTotals;
  /** ok / completed; null (unknown) when nothing completed (0 in reports before 2026-12-01). */
  successRate: number | null;
  /**
   * Requests wedge's clients completed per second over the load phase; null when no wedge client
   * ran (the user's own clients alone: see `commandClients`) or the load lasted no time (0 in
   * reports before 2026-12-01).
   */
  requestsPerSecond: number | null;
  /**
   * Latency of requests that got a response: in an open model (a client fleet with a rate),
   * corrected for coordinated omission (from each request's intended send time); else from its
   * actual send.
   */
  latency: LatencySummary;
  /**
   * The HDR histogram of `latency` (microseconds), hdr-histogram-js compressed base64, so that
   * reports merge exactly (`wedge merge`); null when nothing was recorded; absent in older reports.
   */
  latencyHistogram?: string | null;
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
  /** Progress every 250 ms (at most 2,000 points: longer runs merge neighbours). */
  timeline: TimelinePoint[];
  /** The processes the timeline's per-process arrays follow, the runtime first. */
  timelineProcesses?: TimelineProcess[];
  /** Spacing of the timeline's points, ms: 250, doubled each time the point cap merged them. */
  timelineResolutionMs?: number;
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
  /** The command client fleets (the user's own client programs), or null when there are none. */
  commandClients: CommandClientsReport | null;
  /** What the runtime itself noticed: worker failures, servers or workers that did not stop. */
  incidents: string[];
  /** The incidents (same order and text) with when and what, for markers on the timeline. */
  incidentMarks?: IncidentMark[];
  /** Assertion verdicts, in the scenario's order. */
  assertions: AssertionResult[];
  /** True when every assertion passed. */
  passed: boolean;
}
