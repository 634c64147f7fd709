/**
 * The run report: one JSON-serialisable object that every assertion judges and every reporter
 * renders. `--json PATH` writes it as is; its shape is versioned by `schema` and `version`.
 * This module gathers its types, declared by concept in `types/` (requests and latency, servers
 * and processes, memory, the run report itself) and beside the probes' readings and the stall
 * diagnosis.
 *
 * @module
 */

export type {
  HostSettings,
  ListenCounters,
  ListenReport,
  SocketCensus,
  StateCounts,
  TcpState,
} from "./readings.ts";
export type {
  InFlightPhase,
  StallDiagnosis,
  StalledRequest,
  StallServerView,
} from "./stall_diagnosis.ts";
export type { StallSpan } from "./stall_watchdog.ts";

export * from "./types/command_clients.ts";
export * from "./types/memory.ts";
export * from "./types/requests.ts";
export * from "./types/run_report.ts";
export * from "./types/servers.ts";
