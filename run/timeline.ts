/**
 * Live progress and the report's timeline: a sample every `progressIntervalMs` for the caller's
 * `onProgress`, and at most one timeline point a second (with the runtime's fds and memory, the
 * latest socket census and listen counters) in the collector.
 *
 * @module
 */

import type { RunCollector } from "./collector.ts";
import type { LoadClock } from "./load_clock.ts";
import type { ProgressSample } from "./options.ts";
import type { RunPlan } from "../plan/plan.ts";
import { RecentRate } from "./recent_rate.ts";
import { sampleProcess } from "../system/process_probe.ts";
import { notify } from "./notify.ts";

/** Options for {@linkcode startTimeline}. */
export interface TimelineOptions {
  /** The load's clock. */
  clock: LoadClock;
  /** The servers' live counters (HTTP/2 ones have `streams`). */
  counters: readonly { streams: { open: number } | null }[];
  /** How often `onProgress` is called, ms. @default {250} */
  intervalMs?: number;
  /** Called with live progress. @default {undefined} */
  onProgress?: (sample: ProgressSample) => void;
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
 * @param options Clock, servers' counters, interval, callback.
 * @returns The running timeline.
 *
 * @example
 * ```ts ignore
 * const timeline = startTimeline(collector, plan, { clock, counters: servers.counters });
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
  const sample = (): ProgressSample => {
    const elapsedMs = options.clock.elapsedMs();
    const t = collector.totals();
    const last = collector.timeline.at(-1);
    if (last === undefined || elapsedMs - last.atMs >= 1000) {
      addTimelinePoint(collector, elapsedMs, options.counters);
    }
    return {
      elapsedMs,
      planned: plan.planned,
      sent: t.sent,
      completed: t.completed,
      inFlight: t.inFlight,
      errors: t.errors,
      recentRps: recent.observe(elapsedMs, t.completed),
    };
  };
  const timer = setInterval(() => notify(options.onProgress, sample()), options.intervalMs ?? 250);
  return { sample, stop: () => clearInterval(timer) };
}

function addTimelinePoint(
  collector: RunCollector,
  elapsedMs: number,
  counters: TimelineOptions["counters"],
): void {
  const t = collector.totals();
  const probe = sampleProcess("self");
  collector.observeOpenFds(probe.openFds);
  const { census, listen } = collector;
  const h2 = counters.filter((c) => c.streams !== null);
  collector.timeline.push({
    atMs: Math.round(elapsedMs),
    completed: t.completed,
    inFlight: t.inFlight,
    errors: t.errors,
    openStreams: h2.length ? h2.reduce((sum, c) => sum + c.streams!.open, 0) : null,
    timeWait: census?.timeWait ?? null,
    established: census?.established ?? null,
    sockets: census ? { client: { ...census.client }, server: { ...census.server } } : null,
    openFds: probe.openFds,
    rssBytes: probe.rssBytes,
    listenDrops: listen.before && listen.latest ? listen.latest.drops - listen.before.drops : null,
  });
}
