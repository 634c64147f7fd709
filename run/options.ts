/**
 * What a caller gives `runScenario` and what it hears back while the run goes: options,
 * live progress samples, phases.
 *
 * @module
 */

import type { RunOutcome } from "../report/types.ts";
import type { StallDiagnosis } from "../report/stall_diagnosis.ts";

/** Live progress, sampled every `progressIntervalMs`. */
export interface ProgressSample {
  /** Milliseconds since the load started. */
  elapsedMs: number;
  /** Planned requests; `null` in duration mode. */
  planned: number | null;
  /**
   * Whose counts these are: wedge's client workers, or (a run whose every client fleet is a
   * command) the servers' view: received and answered by wedge's servers, errors unknown.
   */
  source?: "clients" | "servers";
  /** Requests started (received, in the servers' view); null where unknown. */
  sent: number | null;
  /** Requests ended (answered, in the servers' view); null where unknown. */
  completed: number | null;
  /** Requests in flight; null where unknown. */
  inFlight: number | null;
  /** Errors so far; null where unknown (the servers' view has none). */
  errors: number | null;
  /**
   * Completed requests per second over the last second; 0 once none completed for 600 ms; null
   * where completions are unknown.
   */
  recentRps: number | null;
  /** The runtime's open file descriptors (at the latest timeline point), null where unknown. */
  openFds?: number | null;
  /** The runtime's soft limit on open files, null where unknown. */
  fdLimit?: number | null;
  /** The runtime's resident memory, bytes, null where unknown. */
  rssBytes?: number | null;
  /** The run's sockets in TIME_WAIT at the latest census, null where unknown. */
  timeWait?: number | null;
}

/** Phases of a run, for messages such as "starting 40 servers". */
export type RunPhase =
  | { phase: "servers"; count: number }
  | { phase: "clients"; clients: number; workers: number }
  | { phase: "load" }
  | { phase: "round"; round: number; rounds: number; warmup: boolean }
  | { phase: "settle"; round: number; settleMs: number }
  | { phase: "stalled"; diagnosis: StallDiagnosis }
  | { phase: "stopping"; reason: RunOutcome };

/** Options for `runScenario`. */
export interface RunScenarioOptions {
  /**
   * Param overrides, as `--set` gives them (strings are coerced); for a definition only (a
   * resolved scenario has its own).
   * @default {{}}
   */
  set?: Record<string, unknown>;
  /** Seed of the run's random choices. @default {a random seed, printed in the report} */
  seed?: number;
  /**
   * The scenario file, for messages and the report; for a definition only (a resolved scenario
   * has its own).
   * @default {undefined}
   */
  file?: string;
  /**
   * Aborting it stops the run; the report is still returned, with outcome `aborted` (an abort
   * while servers start rejects). Without it, a run with server processes (server hosts, commands)
   * listens for SIGINT, SIGTERM and SIGHUP itself: it stops, reaps every server process, then
   * raises the signal again.
   */
  signal?: AbortSignal;
  /** Called with live progress. @default {undefined} */
  onProgress?: (sample: ProgressSample) => void;
  /** Called when the run enters a phase. @default {undefined} */
  onPhase?: (phase: RunPhase) => void;
  /** How often `onProgress` is called, ms. @default {250} */
  progressIntervalMs?: number;
  /** Cores the planner assumes when choosing worker threads. @default {navigator.hardwareConcurrency} */
  cores?: number;
  /**
   * Watch for stalls: the main-thread watchdog and the workers' in-flight tracking. `false` is for
   * measuring their cost; `noStallLongerThan` then fails as not judged.
   * @default {true}
   */
  watchdog?: boolean;
  /**
   * Directory for the server processes' logs (server hosts, commands).
   * @default {".wedge/logs/<scenario>-<time>" under the working directory}
   */
  logDir?: string;
}
