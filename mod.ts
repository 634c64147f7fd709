/**
 * wedge: turn "my HTTP server or client hangs / leaks / runs out of ports under load" into a short
 * scenario file that anyone can run, read and keep as a regression test.
 *
 * A scenario declares server fleets, client fleets (each client with its own connection pool, run
 * in worker threads) and assertions judged on the run's report. This entry is the authoring API:
 * `defineScenario`, the behaviours, the assertions, `runScenario`, `assertPassed`, `z`, and the
 * types a scenario author writes. Tools that read reports (the report's types, the text renderer,
 * `judge`, the leak verdict) import `./report.ts` (`@wedge/wedge/report`); the command line is
 * `./cli/main.ts` (`@wedge/wedge/cli`).
 *
 * @example A scenario file
 * ```ts
 * import { allRequestsComplete, defineScenario, hello, latencyBelow, z } from "./mod.ts";
 *
 * export default defineScenario({
 *   name: "my-check",
 *   description: "4 hello servers, 4 clients x 16 in flight",
 *   params: z.object({ nrequests: z.number().int().positive().default(10_000) }),
 *   servers: [{ count: 4, behavior: hello() }],
 *   clients: (p) => [{ count: 4, concurrency: 16, requests: p.nrequests }],
 *   assert: [allRequestsComplete(), latencyBelow({ p99: "50ms" })],
 * });
 * ```
 *
 * @module
 */

export { z } from "zod";
export {
  type ClientFleetInput,
  type CommandServerFleetInput,
  defineScenario,
  type DenoServerFleetInput,
  type ExternalServerFleetInput,
  type FromParams,
  type LimitsInput,
  type RequestInput,
  type ScenarioDefinition,
  type ScenarioModule,
  type ServerFleetInput,
} from "./scenario/define.ts";
export {
  acceptSlowly,
  type AcceptSlowlyBehavior,
  type Behavior,
  type BehaviorInput,
  closeMidBody,
  type CloseMidBodyBehavior,
  delay,
  type DelayBehavior,
  type DelayOptions,
  type FaultOptions,
  type FaultSelector,
  type FetchApp,
  handler,
  type HandlerBehavior,
  hang,
  type HangBehavior,
  hello,
  type HelloBehavior,
  type HelloOptions,
  type Latency,
  leak,
  type LeakBehavior,
  perServer,
  type PerServerBehavior,
  type RequestHandler,
  resetAfterHeaders,
  type ResetAfterHeadersBehavior,
  serial,
  type SerialBehavior,
  slowBody,
  type SlowBodyBehavior,
  stopAccepting,
  type StopAcceptingBehavior,
} from "./scenario/behaviors.ts";
export {
  allRequestsComplete,
  type Assertion,
  type AssertionOutcome,
  clientProcessesSucceed,
  fdsBelow,
  latencyBelow,
  type LatencyBounds,
  type LatencyHistogramName,
  type LatencyOptions,
  type MemoryWatch,
  noConnectErrors,
  noListenOverflows,
  noStallLongerThan,
  type NoStallOptions,
  openStreamsBelow,
  rateAchieved,
  rssDeltaBelow,
  type RssDeltaOptions,
  serverProcessesStayUp,
  serversStayAccepting,
  successRateAtLeast,
  throughputAtLeast,
  timeWaitBelow,
} from "./assert/assertions.ts";
export type { StallProgress } from "./report/stall_diagnosis.ts";
export {
  type ProgressSample,
  type RunPhase,
  runScenario,
  type RunScenarioOptions,
} from "./run/run_scenario.ts";
export { assertPassed } from "./assert/assert_passed.ts";
export type { Duration } from "./units/duration.ts";
export type { ByteSize } from "./units/byte_size.ts";
export { ScenarioError, type ScenarioIssue, UsageError } from "./scenario/errors.ts";
