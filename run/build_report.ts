/**
 * Builds the {@linkcode RunReport} from what a run collected, then judges its assertions. Pure.
 *
 * @module
 */

import { judge, serverProcessesStayUp } from "../assert/assertions.ts";
import { describeBehavior } from "../scenario/describe_behavior.ts";
import { ArrivalSchedule } from "../plan/arrival_schedule.ts";
import type { PlannedClient, RunPlan } from "../plan/plan.ts";
import {
  type AcceptProbeReport,
  type RateReport,
  REPORT_SCHEMA,
  REPORT_VERSION,
  type RunReport,
  type ServerReport,
  type WakeLateness,
} from "../report/types.ts";
import type { LatencyHistogram } from "../report/latency_histogram.ts";
import type { RunCollector } from "./collector.ts";
import type { Scenario } from "../scenario/schema.ts";
import type { ServerCounters } from "../servers/fleet.ts";
import type { ClientCounters } from "../clients/protocol.ts";

/**
 * What a run measured, as {@linkcode buildReport} takes it. The fields the report carries as they
 * are have the report's own types; the rest is turned into report fields here.
 */
export interface RunMeasurements extends
  Pick<
    RunReport,
    | "durationMs"
    | "outcome"
    | "outcomeDetail"
    | "timeline"
    | "timelineProcesses"
    | "timelineResolutionMs"
    | "incidents"
    | "incidentMarks"
    | "process"
    | "host"
    | "sockets"
    | "listen"
    | "watchdog"
    | "longestStallByProgress"
    | "stall"
    | "eventLoops"
    | "serverProcesses"
    | "memory"
    | "commandClients"
  > {
  /** The validated scenario. */
  scenario: Scenario;
  /** The plan that ran. */
  plan: RunPlan;
  /** The merged worker snapshots. */
  collector: RunCollector;
  /** Server-side counters, by server id. */
  servers: ServerCounters[];
  /** Server URLs, by server id. */
  urls: string[];
  /** Each server's probe after the load (by server id), or null when none was asked for. */
  probes?: (AcceptProbeReport | null)[] | null;
  /** Wall-clock start of the load, ms since the epoch. */
  startedAt: number;
  /** How long each round's load lasted, ms (one entry per round that started). */
  roundLoadMs: number[];
}

/**
 * Whether wedge counts the requests of a server placed so: it does for servers it runs (in the
 * runtime or a server host), not for a command or an external URL, whose counters are unknown.
 *
 * @param placement Where the server runs.
 * @returns True when its `received`/`responded` counters are measured.
 *
 * @example
 * ```ts
 * import { serverCountsRequests } from "./build_report.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(serverCountsRequests("command"), false);
 * ```
 */
export function serverCountsRequests(placement: ServerReport["placement"]): boolean {
  return placement === "runtime" || placement === "host";
}

/**
 * Builds the report and judges the scenario's assertions on it.
 *
 * @param m What the run measured.
 * @returns The complete report, verdicts included.
 *
 * @example
 * ```ts ignore
 * // Called by runScenario once the load phase has ended and everything has stopped:
 * const report = buildReport({ scenario, plan, collector, servers, urls, startedAt, durationMs,
 *   outcome, outcomeDetail, timeline, incidents });
 * ```
 */
export function buildReport(m: RunMeasurements): RunReport {
  const totals = m.collector.totals();
  const completedByServer = m.collector.completedByServer();
  const inFlightByServer = m.collector.inFlightByServer();
  const clients = m.collector.clients();
  const seconds = m.durationMs / 1000;
  const open = m.plan.clients.filter((c) => c.arrival !== null);
  const report: RunReport = {
    schema: REPORT_SCHEMA,
    version: REPORT_VERSION,
    scenario: {
      name: m.scenario.name,
      description: m.scenario.description,
      file: m.scenario.file,
      params: m.scenario.params,
    },
    seed: m.plan.seed,
    startedAt: new Date(m.startedAt).toISOString(),
    durationMs: m.durationMs,
    outcome: m.outcome,
    outcomeDetail: m.outcomeDetail,
    shape: {
      servers: m.plan.servers.length,
      clients: m.plan.clients.length,
      workers: m.plan.workers.length,
      concurrency: m.plan.concurrency,
    },
    totals: {
      planned: m.plan.planned,
      sent: totals.sent,
      completed: totals.completed,
      ok: totals.ok,
      failed: totals.completed - totals.ok,
      errors: totals.errors,
      inFlight: m.collector.inFlightAtEnd(),
      abandoned: totals.abandoned,
      retried: m.plan.clients.some((c) => c.engine === "fetch") ? null : totals.retried,
      bodyBytes: totals.bodyBytes,
    },
    successRate: totals.completed === 0 ? null : totals.ok / totals.completed, // unknown, not 0
    // Unknown, not 0: no wedge client ran (only the user's own), or no time passed.
    requestsPerSecond: seconds > 0 && m.plan.clients.length > 0 ? totals.completed / seconds : null,
    latency: open.length ? m.collector.corrected.summary() : m.collector.latency.summary(),
    latencyHistogram: (open.length ? m.collector.corrected : m.collector.latency).encode(),
    latencyBreakdown: open.length
      ? {
        corrected: m.collector.corrected.summary(),
        service: m.collector.latency.summary(),
        queue: m.collector.queue.summary(),
      }
      : null,
    rate: open.length ? rateReport(m, open, clients) : null,
    statusCodes: m.collector.statusCodes(),
    errors: m.collector.errors(),
    retries: m.collector.retries(),
    servers: m.plan.servers.map((s) => ({
      fleet: s.fleet,
      index: s.index,
      url: m.urls[s.id] ?? "",
      // A command's line as it ran: `{port}` filled with the port it was given.
      behavior: describeBehavior(s.behavior, {
        port: m.urls[s.id] ? Number(new URL(m.urls[s.id]).port) || null : null,
      }),
      // A command's or a URL's counters are unknown, never 0.
      received: serverCountsRequests(s.placement) ? m.servers[s.id]?.received ?? null : null,
      responded: serverCountsRequests(s.placement) ? m.servers[s.id]?.responded ?? null : null,
      handlerErrors: serverCountsRequests(s.placement)
        ? m.servers[s.id]?.handlerErrors ?? null
        : null,
      handlerErrorMessages: m.servers[s.id]?.handlerErrorMessages ?? [],
      completedByClients: completedByServer[s.id],
      inFlight: inFlightByServer[s.id],
      failure: m.servers[s.id]?.failure ?? null,
      streams: m.servers[s.id]?.streams
        ? {
          reset: m.servers[s.id].streams!.reset,
          resetByServer: m.servers[s.id].streams!.resetByServer,
          openAtEnd: m.servers[s.id].streams!.open,
          peakOnOneConnection: m.servers[s.id].streams!.peakOnOneConnection,
        }
        : null,
      placement: s.placement,
      probe: m.probes?.[s.id] ?? null,
      acceptedDead: m.servers[s.id]?.acceptedDead ?? null,
    })),
    clients: m.plan.clients.map((c) => ({
      fleet: c.fleet,
      index: c.index,
      worker: c.worker,
      planned: c.requests === null ? null : c.requests * m.plan.rounds,
      sent: clients[c.id].sent,
      completed: clients[c.id].completed,
      ok: clients[c.id].ok,
    })),
    timeline: m.timeline,
    timelineProcesses: m.timelineProcesses,
    timelineResolutionMs: m.timelineResolutionMs,
    process: m.process,
    host: m.host,
    sockets: m.sockets,
    listen: m.listen,
    watchdog: m.watchdog,
    longestStall: m.longestStallByProgress.completions,
    longestStallByProgress: m.longestStallByProgress,
    stall: m.stall,
    eventLoops: m.eventLoops,
    serverProcesses: m.serverProcesses,
    memory: m.memory && {
      ...m.memory,
      runtimeJudged: m.scenario.assert.some((a) => a.watch?.memory?.of === "runtime"),
    },
    commandClients: m.commandClients,
    incidents: m.incidents,
    incidentMarks: m.incidentMarks,
    assertions: [],
    passed: true,
  };
  // A server process that dies during the run fails it, whatever the scenario asserts.
  const implicit = m.serverProcesses.length ? [serverProcessesStayUp()] : [];
  report.assertions = judge(report, [...m.scenario.assert, ...implicit]);
  report.passed = report.assertions.every((a) => a.pass);
  return report;
}

/** How late the lanes woke for the requests they waited for, or null when none waited. */
function wakeLateness(wake: LatencyHistogram): WakeLateness | null {
  const { count, percentiles: { p50, p99 }, max } = wake.summary(1);
  return p50 === null || p99 === null || max === null ? null : { count, p50, p99, max };
}

/** The open model's schedule over the load that ran, against what its clients sent. */
function rateReport(
  m: RunMeasurements,
  open: readonly PlannedClient[],
  clients: readonly ClientCounters[],
): RateReport {
  let scheduled = 0;
  // The schedule's own time that ran (a load's drain after its schedule ended is not part of it).
  let scheduleMs = 0;
  for (const loadMs of m.roundLoadMs) {
    let roundMs = 0;
    for (const c of open) {
      const schedule = new ArrivalSchedule(c.arrival!);
      const ranMs = Math.min(loadMs, c.durationMs ?? Infinity, schedule.durationMs);
      scheduled += Math.min(c.requests ?? Infinity, schedule.dueBy(ranMs));
      roundMs = Math.max(roundMs, ranMs);
    }
    scheduleMs += roundMs;
  }
  const sum = (pick: (c: ClientCounters) => number) =>
    open.reduce((total, c) => total + pick(clients[c.id]), 0);
  const sent = sum((c) => c.sent);
  const seconds = scheduleMs / 1000;
  return {
    scheduled,
    sent,
    achieved: scheduled === 0 ? 1 : Math.min(1, sent / scheduled),
    targetPerSecond: seconds > 0 ? scheduled / seconds : 0,
    achievedPerSecond: seconds > 0 ? sent / seconds : 0,
    late: sum((c) => c.late),
    lateBusy: sum((c) => c.lateBusy),
    wakeLatenessMs: wakeLateness(m.collector.wake),
    dropped: sum((c) => c.dropped),
  };
}
