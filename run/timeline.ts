/**
 * Live progress and the report's timeline: a sample every `progressIntervalMs` for the caller's
 * `onProgress`, and a timeline point every 250 ms in the collector (bounded there). A point holds
 * the request counts, the runtime's fds (and limit) and memory, each server process's fds and
 * memory as the memory sampler last read them, the latest socket census (states, listen queues),
 * the HTTP/2 streams per server and the errors by class. Reads only what runs already: the
 * runtime's fds and RSS come from the memory sampler's latest reading (a read of its own only
 * when that is stale or unknown), no second sampler.
 *
 * @module
 */

import type { RunCollector } from "./collector.ts";
import type { LoadClock } from "./load_clock.ts";
import type { ProgressSample } from "./options.ts";
import type { RunPlan } from "../plan/plan.ts";
import type { ErrorClass, TimelinePoint } from "../report/types.ts";
import type { MemorySampler } from "../system/memory_sampler.ts";
import { RecentRate } from "./recent_rate.ts";
import { fdLimit, sampleProcess } from "../system/process_probe.ts";
import { notify } from "./notify.ts";

/** Spacing of the timeline's points, ms (before the cap merges them). */
export const TIMELINE_INTERVAL_MS = 250;

/** Options for {@linkcode startTimeline}. */
export interface TimelineOptions {
  /** The load's clock. */
  clock: LoadClock;
  /** The servers' live counters by server id (HTTP/2 ones have `streams`). */
  counters: readonly { streams: { open: number } | null; acceptedDead?: number | null }[];
  /**
   * The run's memory sampler: each process's latest RSS, open fds and fd limit; a point takes the
   * runtime's own figures from it while its reading is fresh. @default {undefined}
   */
  sampler?: Pick<
    MemorySampler,
    "timeline" | "openFds" | "fdLimits" | "processes" | "rssBytes" | "sampledAt" | "intervalMs"
  >;
  /** How often `onProgress` is called, ms. @default {250} */
  intervalMs?: number;
  /** Called with live progress. @default {undefined} */
  onProgress?: (sample: ProgressSample) => void;
  /**
   * The servers' view of a run with no client worker (every client fleet a command): received and
   * answered so far, null where a server cannot count. @default {undefined}
   */
  serverView?: { received(): number | null; answered(): number | null };
}

/** A running timeline. */
export interface Timeline {
  /** Samples progress now (adding a timeline point when one is due). */
  sample(): ProgressSample;
  /** Stops the interval. Idempotent. */
  stop(): void;
}

/**
 * Samples progress on an interval until stopped.
 *
 * @param collector The run's collector (read, and given the timeline points).
 * @param plan The run plan (planned requests).
 * @param options Clock, servers' counters, memory sampler, interval, callback.
 * @returns The running timeline.
 *
 * @example
 * ```ts ignore
 * const timeline = startTimeline(collector, plan, { clock, counters: servers.counters, sampler });
 * // ... load ...
 * timeline.stop();
 * ```
 */
export function startTimeline(
  collector: RunCollector,
  plan: RunPlan,
  options: TimelineOptions,
): Timeline {
  const recent = new RecentRate();
  const workerIds = plan.workers.map((w) => w.id);
  const progressMs = options.intervalMs ?? 250;
  let last: TimelinePoint | undefined;
  const sample = (): ProgressSample => {
    const elapsedMs = options.clock.elapsedMs();
    // Timers fire a few ms early or late: a point is due a little before its 250 ms.
    if (last === undefined || elapsedMs - last.atMs >= 0.8 * TIMELINE_INTERVAL_MS) {
      last = timelinePoint(collector, elapsedMs, { ...options, workerIds });
      collector.observeOpenFds(last.openFds);
      collector.addTimelinePoint(last);
    }
    const counts = workerIds.length === 0 && options.serverView
      ? serverCounts(options.serverView)
      : clientCounts(collector, plan);
    return {
      elapsedMs,
      ...counts,
      recentRps: counts.completed === null ? null : recent.observe(elapsedMs, counts.completed),
      openFds: last.openFds,
      fdLimit: last.fdLimit ?? null,
      rssBytes: last.rssBytes,
      timeWait: last.timeWait,
    };
  };
  let notifiedAt = -Infinity;
  const tick = () => {
    const s = sample();
    if (s.elapsedMs - notifiedAt < 0.8 * progressMs) return;
    notifiedAt = s.elapsedMs;
    notify(options.onProgress, s);
  };
  sample(); // the first point, as the load starts
  const timer = setInterval(tick, Math.min(progressMs, TIMELINE_INTERVAL_MS));
  return { sample, stop: () => clearInterval(timer) };
}

type Counts = Pick<
  ProgressSample,
  "source" | "planned" | "sent" | "completed" | "inFlight" | "errors"
>;

/** The client workers' counts. */
function clientCounts(collector: RunCollector, plan: RunPlan): Counts {
  const t = collector.totals();
  return {
    source: "clients",
    planned: plan.planned,
    sent: t.sent,
    completed: t.completed,
    inFlight: t.inFlight,
    errors: t.errors,
  };
}

/** The servers' view: what they received and answered; errors are not theirs to see. */
function serverCounts(view: NonNullable<TimelineOptions["serverView"]>): Counts {
  const received = view.received();
  const answered = view.answered();
  return {
    source: "servers",
    planned: null,
    sent: received,
    completed: answered,
    inFlight: received === null || answered === null ? null : received - answered,
    errors: null,
  };
}

/**
 * Tells whether a running client worker has posted nothing for a second: the in-flight count is
 * then what it last said, not what it has now (a starved or blocked worker), so it is unknown.
 */
function silentWorkers(
  collector: RunCollector,
  elapsedMs: number,
  workerIds: readonly number[],
): boolean {
  return collector.silentWorkers(elapsedMs, { thresholdMs: 1000, workerIds }).length > 0;
}

/** One timeline point now (its own copy of everything it holds). */
function timelinePoint(
  collector: RunCollector,
  elapsedMs: number,
  options: TimelineOptions & { workerIds: readonly number[] },
): TimelinePoint {
  const t = collector.totals();
  const probe = runtimeReading(options.sampler);
  const { census, listen } = collector;
  const h2 = options.counters.some((c) => c.streams !== null);
  const streams = options.counters.map((c) => c.streams?.open ?? null);
  const memory = options.sampler?.timeline.at(-1);
  return {
    atMs: Math.round(elapsedMs),
    completed: t.completed,
    inFlight: silentWorkers(collector, elapsedMs, options.workerIds) ? null : t.inFlight,
    errors: t.errors,
    openStreams: h2 ? streams.reduce((sum: number, n) => sum + (n ?? 0), 0) : null,
    timeWait: census?.timeWait ?? null,
    established: census?.established ?? null,
    sockets: census ? { client: { ...census.client }, server: { ...census.server } } : null,
    openFds: probe.openFds,
    rssBytes: probe.rssBytes,
    listenDrops: listen.before && listen.latest ? listen.latest.drops - listen.before.drops : null,
    fdLimit: fdLimit("self"),
    processOpenFds: options.sampler ? [...options.sampler.openFds] : [],
    processRssBytes: memory
      ? [...memory.rssBytes]
      : (options.sampler?.openFds.map(() => null) ?? []),
    acceptQueue: census ? Object.values(census.acceptQueue).reduce((a, b) => a + b, 0) : null,
    streamsByServer: h2 ? streams : null,
    errorsByClass: errorsByClass(collector),
    acceptedDead: acceptedDead(options.counters),
  };
}

/**
 * The runtime's open fds and RSS: the sampler's reading of this process when it is at most about
 * one sampling interval old (the sampler reads it on the same 250 ms beat: one `/proc/self` read
 * a tick, not two), else a fresh read (no sampler, or it has stopped).
 */
function runtimeReading(
  sampler: TimelineOptions["sampler"],
): { openFds: number | null; rssBytes: number | null } {
  const i = sampler?.processes.findIndex((p) => p.pid === Deno.pid) ?? -1;
  const age = sampler?.sampledAt == null ? Infinity : performance.now() - sampler.sampledAt;
  const openFds = i >= 0 ? sampler!.openFds[i] : null;
  const rssBytes = i >= 0 ? sampler!.rssBytes[i] : null;
  // At the fd limit the sampler cannot open /proc/self/status and knows nothing; a stat of
  // /proc/self/fd still counts the fds (no fd needed).
  if (openFds !== null && rssBytes !== null && age <= 1.2 * sampler!.intervalMs) {
    return { openFds, rssBytes };
  }
  return sampleProcess("self");
}

/** Accepted connections already closed by their clients, summed over the servers that count. */
function acceptedDead(counters: TimelineOptions["counters"]): number | null {
  const counted = counters.flatMap((c) => c.acceptedDead ?? []);
  return counted.length ? counted.reduce((a, b) => a + b, 0) : null;
}

function errorsByClass(collector: RunCollector): Partial<Record<ErrorClass, number>> {
  const out: Partial<Record<ErrorClass, number>> = {};
  for (const e of collector.errors()) out[e.class] = (out[e.class] ?? 0) + e.count;
  return out;
}
