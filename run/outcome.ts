/**
 * How a run ended, in words, and the report put together from the run's parts once everything
 * has stopped.
 *
 * @module
 */

import type { RunPlan } from "../plan/plan.ts";
import type {
  AcceptProbeReport,
  CommandClientsReport,
  RunOutcome,
  RunReport,
} from "../report/types.ts";
import { clientCompleted, describeClientEnd } from "../report/client_process_end.ts";
import { stallTargets } from "../report/client_stall_diagnosis.ts";
import type { StallDiagnosis } from "../report/stall_diagnosis.ts";
import type { Scenario } from "../scenario/schema.ts";
import type { RunServers } from "../servers/start_servers.ts";
import { readHostSettings } from "../system/host_settings.ts";
import { listenReport } from "../system/listen_overflow.ts";
import type { MemorySampler } from "../system/memory_sampler.ts";
import { fdLimit, sampleProcess } from "../system/process_probe.ts";
import { formatDuration } from "../units/duration.ts";
import { buildReport } from "./build_report.ts";
import type { RunCollector } from "./collector.ts";
import type { LoadEnd } from "./end_of_load.ts";
import type { LoadClock } from "./load_clock.ts";
import { insideNamespace } from "./network_namespace.ts";
import type { LoadRounds } from "./rounds.ts";
import type { RunStop } from "./run_stop.ts";
import type { StallWatch } from "./stall_watch.ts";

/**
 * Says why a run ended, for the report's `outcomeDetail`.
 *
 * @param outcome How it ended.
 * @param run The plan, whether the duration's grace ran out, the stall, the exited process, the
 *   user's client processes (a completed run names those that did not complete).
 * @returns One sentence.
 *
 * @example
 * ```ts ignore
 * outcomeDetail("stalled", { plan, graceExpired: false, stall, exitedProcess: null });
 * // "stopped by the stall watchdog: no request completed for 5.00s"
 * ```
 */
export function outcomeDetail(
  outcome: RunOutcome,
  run: {
    plan: RunPlan;
    graceExpired: boolean;
    durationGraceMs: number | null;
    stall: StallDiagnosis | null;
    exitedProcess: string | null;
    commandClients?: CommandClientsReport | null;
  },
): string {
  switch (outcome) {
    case "completed": {
      const failed = failedClients(run.commandClients ?? null);
      if (!run.graceExpired) {
        return failed ? `every client ended; ${failed}` : "every client finished";
      }
      const graceMs = run.durationGraceMs! -
        Math.max(...run.plan.clients.map((c) => c.durationMs!));
      return `the clients' duration ended; requests still in flight ${
        formatDuration(graceMs)
      } later were stopped${failed ? `; ${failed}` : ""}`;
    }
    case "time-limit":
      return `stopped by the time limit (${formatDuration(run.plan.timeLimitMs)})`;
    case "stalled":
      return `stopped by the stall watchdog: no ${
        run.stall?.progress === "responses" ? "response" : "request completed"
      } for ${formatDuration(run.stall?.boundMs ?? 0)}`;
    case "server-exited":
      return `stopped because server process ${run.exitedProcess} exited`;
    default:
      return "stopped by an abort signal";
  }
}

/**
 * The user's client processes that did not complete, for a completed run's detail ("every client
 * finished" alone would read as if they had), or null when all did.
 */
function failedClients(commandClients: CommandClientsReport | null): string | null {
  const processes = commandClients?.processes ?? [];
  const failed = processes.filter((p) => !clientCompleted(p));
  if (failed.length === 0) return null;
  return `${failed.length} of ${processes.length} client processes did not complete: ${
    failed.map((p) => `${p.name} ${describeClientEnd(p).split("\n")[0]}`).join(", ")
  }`;
}

/** A run's parts once everything has stopped, as {@linkcode reportRun} reads them. */
export interface FinishedRun {
  /** The validated scenario. */
  scenario: Scenario;
  /** The plan that ran. */
  plan: RunPlan;
  /** How it ended. */
  outcome: RunOutcome;
  /** The run's collector. */
  collector: RunCollector;
  /** The load's clock. */
  clock: LoadClock;
  /** The rounds (load times, duration grace). */
  rounds: LoadRounds;
  /** The run's stop (the exited process). */
  stop: RunStop;
  /** The stall watch. */
  watch: StallWatch;
  /** The run's servers. */
  servers: RunServers;
  /** The servers and sockets as the load ended. */
  end: LoadEnd;
  /** The memory sampler. */
  sampler: MemorySampler;
  /** The command client fleets' part, or null without any. */
  commandClients: CommandClientsReport | null;
  /** Each server's probe after the load (by server id), or null when none was asked for. */
  probes?: (AcceptProbeReport | null)[] | null;
}

/**
 * An incident for each process that came within 10% of its fd limit: the runtime, and each server
 * host or command (whose accept() then fails with EMFILE), at the first timeline point that close.
 */
function addFdIncidents(
  collector: RunCollector,
  of: {
    sampler: FinishedRun["sampler"];
    runtime: { peakOpenFds: number | null; limit: number | null };
  },
): void {
  const { peakOpenFds, limit } = of.runtime;
  if (peakOpenFds !== null && limit !== null && peakOpenFds >= 0.9 * limit) {
    const near = collector.timeline.find((p) => p.openFds !== null && p.openFds >= 0.9 * limit);
    collector.addIncident(
      `the runtime's open file descriptors reached ${peakOpenFds} of its limit ${limit} (ulimit -n)`,
      { kind: "fds-near-limit", atMs: near?.atMs ?? null },
    );
  }
  of.sampler.processes.forEach((p, i) => {
    const max = of.sampler.fdLimits[i];
    const peak = of.sampler.peakBusiestFds[i];
    if (p.role === "runtime" || max === null || peak === null || peak.openFds < 0.9 * max) return;
    collector.addIncident(
      `server process ${p.name}'s open file descriptors reached ${peak.openFds} of its limit ${max} (ulimit -n): its accept() and new sockets fail with EMFILE ("Too many open files")`,
      { kind: "fds-near-limit", atMs: peak.atMs },
    );
  });
}

/**
 * Builds the run's report (verdicts included) from its parts.
 *
 * @param run The run's parts.
 * @returns The report.
 *
 * @example
 * ```ts ignore
 * return reportRun({ scenario, plan, outcome, collector, clock, rounds, stop, watch, servers,
 *   end, sampler });
 * ```
 */
export function reportRun(run: FinishedRun): RunReport {
  const { plan, collector, servers, sampler, rounds } = run;
  const limit = fdLimit("self");
  const peakOpenFds = collector.peakOpenFds;
  const runtimePeakRss = sampleProcess("self").peakRssBytes; // VmHWM: the peak so far
  addFdIncidents(collector, { sampler, runtime: { peakOpenFds, limit } });
  const watch = run.watch.report();
  return buildReport({
    scenario: run.scenario,
    plan,
    collector,
    servers: run.end.counters,
    probes: run.probes ?? null,
    urls: servers.urls,
    startedAt: run.clock.startedAt,
    roundLoadMs: rounds.loadMs,
    durationMs: rounds.loadMs.reduce((a, b) => a + b, 0),
    outcome: run.outcome,
    commandClients: run.commandClients,
    outcomeDetail: run.commandClients?.stall && run.outcome === "stalled"
      ? `stopped by the client stall watch: no new request reached ${
        stallTargets(run.commandClients.stall)
      } for ${formatDuration(run.commandClients.stall.boundMs)} while ${
        run.commandClients.stall.processes.map((p) => p.name).join(", ")
      } held connections to them`
      : outcomeDetail(run.outcome, {
        plan,
        graceExpired: rounds.graceExpired,
        durationGraceMs: rounds.durationGraceMs,
        stall: watch.stall,
        exitedProcess: run.stop.exitedProcess,
        commandClients: run.commandClients,
      }),
    timeline: collector.timeline,
    timelineProcesses: sampler.processes.map((p, i) => ({ ...p, fdLimit: sampler.fdLimits[i] })),
    timelineResolutionMs: collector.timelineResolutionMs,
    incidents: collector.incidentMarks.map((m) => m.text),
    incidentMarks: collector.incidentMarks,
    process: {
      pid: Deno.pid,
      fdLimit: limit,
      peakOpenFds,
      peakRssBytes: runtimePeakRss,
    },
    host: { ...readHostSettings(), networkNamespace: insideNamespace() },
    sockets: collector.sockets(),
    listen: listenReport({
      before: collector.listen.before,
      after: collector.listen.latest,
      namespace: insideNamespace(),
      peakAcceptQueue: collector.peakAcceptQueue,
      listeners: plan.servers.map((s) => {
        const port = Number(new URL(servers.urls[s.id]).port);
        return { server: `${s.fleet}[${s.index}]`, port, backlog: run.end.backlogs[port] ?? null };
      }),
    }),
    ...watch,
    eventLoops: run.end.eventLoops,
    serverProcesses: servers.describe(run.clock.originMs),
    memory: sampler.timeline.every((t) => t.rssBytes[0] === null) ? null : {
      intervalMs: sampler.intervalMs,
      // VmHWM only grows: the runtime's read now (after the sampler stopped) is its peak, the one
      // `process.peakRssBytes` gives too.
      processes: sampler.processes.map((p, i) => ({
        ...p,
        peakRssBytes: p.role === "runtime" && runtimePeakRss !== null
          ? Math.max(runtimePeakRss, sampler.peakRssBytes[i] ?? 0)
          : sampler.peakRssBytes[i],
      })),
      timeline: sampler.timeline,
      rounds: plan.memoryRounds,
      checkpoints: collector.checkpoints,
    },
  });
}
