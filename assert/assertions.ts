/**
 * Assertions: data plus a pure check over the run report. New assertions are new constructors; the
 * runner never changes for them. This module gathers them, one file per family: the shared core
 * (`assertion.ts`, `judge.ts`), requests, latency, stalls, resources and memory.
 *
 * @example
 * ```ts
 * import { latencyBelow, noStallLongerThan } from "./assertions.ts";
 *
 * const assert = [latencyBelow({ p99: "50ms" }), noStallLongerThan("5s")];
 * ```
 *
 * @module
 */

export type { Assertion, AssertionOutcome, MemoryWatch } from "./assertion.ts";
export { judge } from "./judge.ts";
export {
  allRequestsComplete,
  rateAchieved,
  successRateAtLeast,
  throughputAtLeast,
} from "./requests.ts";
export {
  latencyBelow,
  type LatencyBounds,
  type LatencyHistogramName,
  type LatencyOptions,
} from "./latency.ts";
export { noStallLongerThan, type NoStallOptions } from "./stalls.ts";
export {
  fdsBelow,
  noConnectErrors,
  noListenOverflows,
  openStreamsBelow,
  serverProcessesStayUp,
  timeWaitBelow,
} from "./resources.ts";
export { rssDeltaBelow, type RssDeltaOptions } from "./memory.ts";
export { serversStayAccepting } from "./accepting.ts";
export { clientProcessesSucceed } from "./client_processes.ts";
