/**
 * What the stall diagnosis is given when a watchdog trips: the collector's view, the servers'
 * counters, the sockets, the process, silent workers and blocked threads.
 *
 * @module
 */

import type { RunPlan } from "../plan/plan.ts";
import type { StallWatchdog } from "../report/stall_watchdog.ts";
import { type diagnoseStall, type StallProgress } from "../report/stall_diagnosis.ts";
import type { RunServers } from "../servers/start_servers.ts";
import { epochNow, type LagTracker } from "../system/event_loop_lag.ts";
import { fdLimit, sampleProcess } from "../system/process_probe.ts";
import type { MemorySampler } from "../system/memory_sampler.ts";
import { serverCountsRequests } from "./build_report.ts";
import type { RunCollector } from "./collector.ts";
import type { LoadClock } from "./load_clock.ts";
import {
  type EvidenceObservation,
  knownInFlight,
  knownOldest,
  UNKNOWN_AFTER_MS,
} from "./stall_evidence.ts";
import { socketActivity } from "./stall_activity.ts";
import { blockedThreadsDuring, silentBeyondRuntime } from "./thread_lag.ts";

/** The diagnosis's input. */
export type StallInput = Parameters<typeof diagnoseStall>[0];

/** Where {@linkcode stallInput} reads from. */
export interface StallSources {
  /** The run plan. */
  plan: RunPlan;
  /** The run's collector. */
  collector: RunCollector;
  /** The run's servers. */
  servers: RunServers;
  /** The main thread's lag tracker. */
  lag: LagTracker;
  /** The load's clock. */
  clock: LoadClock;
  /** A worker silent this long counts as silent, ms. */
  silentMs: number;
  /** Whether the user's own client programs run too (timeouts unknown). @default {false} */
  ownClients?: boolean;
  /** The server processes' latest fds (hosts, commands; the runtime first), when sampled. */
  sampler?: Pick<MemorySampler, "processes" | "busiestOpenFds" | "fdLimits">;
}

/**
 * The open fds and fd limit of the process serving each server (its command, its fleet's host, or
 * the runtime), by server id, at the sampler's latest reading: the most one process of a command's
 * tree holds (a server and its workers each have the limit); null where unknown (a URL's).
 *
 * @param plan The run plan.
 * @param sampler The memory sampler (runtime first, then hosts and commands).
 * @returns One entry per server id.
 *
 * @example
 * ```ts ignore
 * const fds = serverProcessFds(plan, sampler);
 * ```
 */
export function serverProcessFds(
  plan: Pick<RunPlan, "servers">,
  sampler: Pick<MemorySampler, "processes" | "busiestOpenFds" | "fdLimits">,
): ({ openFds: number | null; fdLimit: number | null } | null)[] {
  return plan.servers.map((s) => {
    const at = sampler.processes.findIndex((p) =>
      s.placement === "runtime"
        ? p.role === "runtime"
        : s.placement === "host"
        ? p.role === "server-host" && p.fleet === s.fleet
        : s.placement === "command" && p.role === "command" && p.name === `${s.fleet}[${s.index}]`
    );
    return at < 0 ? null : { openFds: sampler.busiestOpenFds[at], fdLimit: sampler.fdLimits[at] };
  });
}

/**
 * Whether a client of the run has timeouts that stop waiting without cancelling (they leak HTTP/2
 * streams): true when a wedge client fleet has them, false when none has and no client of the
 * user's own runs (their timeouts are unknown: then undefined).
 *
 * @param plan The run plan.
 * @param options Whether the user's own client programs run too.
 * @returns True, false, or undefined (unknown).
 *
 * @example
 * ```ts
 * import { leakingTimeouts } from "./stall_inputs.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(leakingTimeouts({ clients: [] }, { ownClients: true }), undefined);
 * ```
 */
export function leakingTimeouts(
  plan: { clients: readonly { timeout: { cancel: boolean } | null }[] },
  options: { ownClients: boolean },
): boolean | undefined {
  if (plan.clients.some((c) => c.timeout !== null && !c.timeout.cancel)) return true;
  return options.ownClients ? undefined : false;
}

/**
 * Gathers the diagnosis's input as a watchdog trips.
 *
 * @param tripped The kind of progress that stopped, and its watchdog.
 * @param sources The run's parts to read.
 * @returns The input of `diagnoseStall`.
 *
 * @example
 * ```ts ignore
 * const stall = diagnoseStall(stallInput({ kind, watchdog, nowMs }, sources));
 * ```
 */
export function stallInput(
  tripped: { kind: StallProgress; watchdog: StallWatchdog; nowMs: number },
  sources: StallSources,
): StallInput {
  const { plan, collector, servers, lag, clock } = sources;
  const { kind, watchdog, nowMs } = tripped;
  const t = collector.totals();
  const loadStartMs = clock.epochOriginMs();
  const silentWorkers = silentClientWorkers(sources, { nowMs, thresholdMs: sources.silentMs });
  // What a silent worker holds is unknown (null), never its stale count.
  const inFlight = knownInFlight({
    total: t.inFlight,
    byServer: collector.inFlightByServer(),
    awaitingHeadersByServer: collector.awaitingHeadersByServer(),
    byClient: collector.inFlightByClient(),
  }, { silentWorkers: silentWorkers.map((w) => w.worker), clients: plan.clients });
  return {
    detectedAtMs: nowMs,
    progressStoppedAtMs: watchdog.current!.fromMs,
    progress: kind,
    boundMs: watchdog.boundMs!,
    totals: { completed: t.completed, inFlight: inFlight.total, planned: plan.planned },
    serverNames: plan.servers.map((s) => `${s.fleet}[${s.index}]`),
    clientNames: plan.clients.map((c) => `${c.fleet}[${c.index}]`),
    inFlightByServer: inFlight.byServer,
    awaitingHeadersByServer: inFlight.awaitingHeadersByServer,
    inFlightByClient: inFlight.byClient,
    // A command's or a URL's counters are unknown (null), never 0.
    servers: servers.counters.map((c, id) =>
      serverCountsRequests(plan.servers[id].placement)
        ? c
        : { ...c, received: null, responded: null }
    ),
    // A silent worker's requests: their ages as of its last post, marked so.
    oldest: knownOldest(collector.oldestInFlight(nowMs), {
      nowMs,
      lastPostMs: lastPosts(collector, { nowMs, workers: silentWorkers }),
      clients: plan.clients,
    }),
    sockets: collector.census,
    serverPorts: servers.urls.map((url) => Number(new URL(url).port)),
    leakingTimeouts: leakingTimeouts(plan, { ownClients: sources.ownClients ?? false }),
    pipeliningTo: plan.servers.map((s) =>
      Math.max(1, ...plan.clients.filter((c) => c.targets.includes(s.id)).map((c) => c.pipelining))
    ),
    process: { ...sampleProcess("self"), fdLimit: fdLimit("self") },
    serverFds: sources.sampler ? serverProcessFds(plan, sources.sampler) : [],
    silentWorkers,
    // Blocks during the stall or just before it (what the workers posted during a block of the
    // main thread is read after it, and counts as progress then).
    blockedThreads: blockedThreadsDuring({
      fromMs: watchdog.current!.fromMs - watchdog.boundMs! + loadStartMs,
      toMs: epochNow(),
    }, { runtime: lag, hosts: servers.hostEventLoops(), loadStartMs }),
  };
}

/**
 * What the stall evidence is given at each look: the client workers silent for
 * a second (beyond the runtime's own blocks), and what moves while clients work: the requests the
 * servers wedge counts have received (null without one, or while a server host is itself silent:
 * its count is stale), and the run's sockets by state and with bytes waiting (stall_activity.ts).
 *
 * @param sources The run's parts to read.
 * @param options `nowMs`: now, on the load's clock.
 * @returns The evidence's observation.
 *
 * @example
 * ```ts ignore
 * const known = evidence.observe(evidenceInput(run, { nowMs }));
 * ```
 */
export function evidenceInput(
  sources: Omit<StallSources, "silentMs">,
  options: { nowMs: number },
): EvidenceObservation {
  const { plan, collector, servers, clock } = sources;
  const { nowMs } = options;
  const epochMs = nowMs + clock.epochOriginMs();
  const silent = silentClientWorkers(sources, { nowMs, thresholdMs: UNKNOWN_AFTER_MS });
  const counted = plan.servers.filter((s) => serverCountsRequests(s.placement));
  const hostSilent = servers.hostEventLoops().some((h) =>
    epochMs - h.lastHeardMs >= UNKNOWN_AFTER_MS
  );
  return {
    atMs: nowMs,
    silentWorkers: silent.length,
    // Not the runtime's open fds: wedge's own probes and reads open some while a run is idle.
    activity: [
      counted.length === 0 || hostSilent
        ? null
        : counted.reduce((sum, s) => sum + (servers.counters[s.id]?.received ?? 0), 0),
      ...socketActivity(collector.census),
    ],
  };
}

/**
 * Client workers silent for `thresholdMs`, less the silence that is the main thread's (a worker's
 * snapshots wait in the queue while the main thread is blocked).
 */
function silentClientWorkers(
  sources: Pick<StallSources, "plan" | "collector" | "lag" | "clock">,
  options: { nowMs: number; thresholdMs: number },
): { worker: number; silentForMs: number }[] {
  const { plan, collector, lag, clock } = sources;
  const { nowMs, thresholdMs } = options;
  return silentBeyondRuntime(
    collector.silentWorkers(nowMs, {
      thresholdMs,
      workerIds: plan.workers.map((w) => w.id),
      failed: collector.failedWorkers,
    }),
    { runtime: lag, nowMs: nowMs + clock.epochOriginMs(), thresholdMs },
  );
}

/** When each of these workers last posted, ms on the load's clock, by worker id. */
function lastPosts(
  collector: RunCollector,
  options: { nowMs: number; workers: readonly { worker: number }[] },
): Map<number, number> {
  const { nowMs, workers } = options;
  const silent = collector.silentWorkers(nowMs, {
    thresholdMs: 0,
    workerIds: workers.map((w) => w.worker),
  });
  return new Map(silent.map((w) => [w.worker, nowMs - w.silentForMs]));
}
