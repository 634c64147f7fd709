/**
 * The run report's requests and latency, as the clients saw them: request counts, errors by class,
 * latency statistics, an open model's rate, and each client's counts.
 *
 * @module
 */
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

/**
 * Latency statistics, in milliseconds. When nothing was recorded (`count` 0) every figure is null:
 * unknown, not 0 ms.
 */
export interface LatencySummary {
  /** Number of recorded latencies (completed requests that got a response). */
  count: number;
  /** Fastest, in ms; null when none was recorded. */
  min: number | null;
  /** Mean, in ms; null when none was recorded. */
  mean: number | null;
  /** Slowest, in ms; null when none was recorded. */
  max: number | null;
  /** Standard deviation, in ms; null when none was recorded. */
  stdev: number | null;
  /** Percentiles, in ms; each null when none was recorded. */
  percentiles: {
    p50: number | null;
    p75: number | null;
    p90: number | null;
    p95: number | null;
    p99: number | null;
    "p99.9": number | null;
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
  /**
   * Started but not ended when the run stopped, or null when a client worker posted no final
   * count (it never posted, failed, or did not answer the stop: its count would be stale).
   */
  inFlight: number | null;
  /** Timed out without cancel: the client stopped waiting but the request went on. */
  abandoned: number;
  /**
   * Requests sent again on a new connection because their pooled connection was found closed
   * before the request was written (raw engine; by why in `retries`). Null when a client uses
   * fetch: hyper retries such requests inside, unseen.
   */
  retried: number | null;
  /**
   * Response body bytes received (decoded; bodies streamed and discarded). A cut body's bytes count
   * with the raw engines; with fetch only when it streamed the body: one of at most 64 KiB with a
   * Content-Length is read whole, and counts only when complete.
   */
  bodyBytes: number;
}

/** How late the load generator woke for requests it waited for (ms). */
export interface WakeLateness {
  /** Requests a free connection waited for. */
  count: number;
  /** Median, ms. */
  p50: number;
  /** 99th percentile, ms. */
  p99: number;
  /** Largest, ms. */
  max: number;
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
  /**
   * Of `late`, those no connection of their client was free for at their intended time: they
   * waited for a response to free one (the server's pace, or too small a `concurrency`). The rest
   * of `late` is the load generator's own lateness. Absent from reports made before it was.
   */
  lateBusy?: number;
  /**
   * How late wedge woke for the requests a free connection waited for, ms: the load generator's
   * own lateness (its timer or pacer, and its event loop), apart from waiting for a connection.
   * Null when no request waited so; absent from reports made before it was.
   */
  wakeLatenessMs?: WakeLateness | null;
  /** Dropped because `maxInFlight` requests were owed. */
  dropped: number;
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
