/**
 * wedge's second entry, for tools that read reports: the run report's types (the shape `--json`
 * writes, versioned by `schema` and `version`; `report.schema.json` is its JSON Schema), the text
 * and JUnit renderers, `diffReports` and `renderDiff` (what `wedge diff` prints), `replayCommand`,
 * `judge` (assertions over a report), the memory-leak verdict, and the unit formatters the
 * renderer uses. Scenario authors need only `mod.ts`.
 *
 * @example Re-judge a saved report and print it
 * ```ts ignore
 * import { allRequestsComplete } from "@wedge/wedge";
 * import { judge, renderTextReport, REPORT_SCHEMA, type RunReport } from "@wedge/wedge/report";
 *
 * const report: RunReport = JSON.parse(await Deno.readTextFile("report.json"));
 * if (report.schema !== REPORT_SCHEMA || report.version !== 1) throw new Error("not a v1 report");
 * console.log(judge(report, [allRequestsComplete()]));
 * console.log(renderTextReport(report));
 * ```
 *
 * @example Judge memory readings: a server that keeps 4 KiB per request
 * ```ts
 * import { judgeLeak } from "./report.ts";
 * import assert from "node:assert/strict";
 *
 * const points = [0, 1, 2, 3, 4, 5].map((i) => ({ completed: i * 1000, rssBytes: 50e6 + i * 4096e3 }));
 * assert.equal(judgeLeak(points, { boundBytes: 2 * 1024 * 1024, what: "servers" }).kind, "growing");
 * ```
 *
 * @module
 */

export type {
  AssertionResult,
  ClientReport,
  ErrorClass,
  ErrorCount,
  EventLoopReport,
  HostSettings,
  InFlightPhase,
  LatencySummary,
  ListenCounters,
  ListenReport,
  MemoryCheckpoint,
  MemoryReport,
  ProcessExitReport,
  ProcessReport,
  RateReport,
  RequestTotals,
  RunOutcome,
  RunReport,
  RuntimeMemory,
  ServerProcessReport,
  ServerReport,
  SocketCensus,
  SocketReport,
  StallDiagnosis,
  StalledRequest,
  StallServerView,
  StallSpan,
  StateCounts,
  TcpState,
  TimelinePoint,
} from "./report/types.ts";
export { REPORT_SCHEMA, REPORT_VERSION } from "./report/types.ts";
export type { PortSockets, WorkerHeap } from "./report/readings.ts";
export type { BlockedThread, StallProgress } from "./report/stall_diagnosis.ts";
export { renderTextReport, type TextReportOptions } from "./report/text.ts";
export { renderJUnit } from "./report/junit.ts";
export { replayCommand } from "./report/replay_command.ts";
export {
  DEFAULT_NOISE,
  diffReports,
  type FigureDiff,
  type FigureKind,
  type ParamDiff,
  type RunDiff,
  type SideSummary,
  type VerdictChange,
  type VerdictDiff,
} from "./report/diff.ts";
export { renderDiff, type RenderDiffOptions } from "./report/text/diff.ts";
export { renderStallDiagnosis } from "./report/text/stall.ts";
export { judge } from "./assert/assertions.ts";
export {
  judgeLeak,
  type LeakVerdict,
  type LeakVerdictKind,
  type MemoryPoint,
} from "./report/leak_verdict.ts";
export { formatDuration } from "./units/duration.ts";
export { formatByteSize } from "./units/byte_size.ts";
