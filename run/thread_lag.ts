/**
 * Which threads were blocked, from the lag of the runtime's main thread and of each server host:
 * the names and spans a stall diagnosis and the report's `eventLoops` give. Pure: it reads the
 * trackers (`system/event_loop_lag.ts`) and the hosts' last reports.
 *
 * @module
 */

import type { EventLoopReport } from "../report/types.ts";
import type { BlockedThread } from "../report/stall_diagnosis.ts";
import type { LagBlock, LagReading, LagTracker } from "../system/event_loop_lag.ts";

/** A server host's event loop as the runtime last heard of it. */
export interface HostLag {
  /** E.g. `servers (host)`. */
  name: string;
  /** Its lag as it last reported it, or null before its first report. */
  lag: LagReading | null;
  /** When the runtime last heard from it, epoch ms. */
  lastHeardMs: number;
}

/** Options for {@linkcode blockedThreadsDuring} and {@linkcode eventLoopReports}. */
export interface ThreadLagOptions {
  /** The runtime main thread's tracker. */
  runtime: LagTracker;
  /** The server hosts. @default {[]} */
  hosts?: readonly HostLag[];
  /** When the load started, epoch ms (times in the result are relative to it). */
  loadStartMs: number;
  /** Shortest block worth naming, ms. @default {500} */
  minMs?: number;
  /** A host not heard from for this long is blocked now (it reports every 250 ms). @default {1000} */
  hostSilentMs?: number;
}

/**
 * The threads whose event loop was blocked within a span (a stall): the runtime's main thread
 * (blocks its own timer saw) and server hosts (a block they reported, or silence now). A host's
 * silence while the runtime itself was blocked is the runtime's, not the host's.
 *
 * @param span `fromMs`-`toMs`, epoch ms (`toMs` is now).
 * @param options The trackers and the load's start.
 * @returns Blocked threads, times in ms since the load started.
 *
 * @example The runtime's main thread blocked for 3 s during a stall
 * ```ts
 * import { LagTracker } from "../system/event_loop_lag.ts";
 * import { blockedThreadsDuring } from "./thread_lag.ts";
 * import assert from "node:assert/strict";
 *
 * const runtime = new LagTracker(0);
 * runtime.tick(1000);
 * runtime.tick(4050); // due at 1050
 * const blocked = blockedThreadsDuring({ fromMs: 500, toMs: 4100 }, { runtime, loadStartMs: 0 });
 * assert.deepEqual(blocked, [
 *   { thread: "runtime main thread", kind: "runtime", fromMs: 1050, blockedMs: 3000, ongoing: false },
 * ]);
 * ```
 */
export function blockedThreadsDuring(
  span: { fromMs: number; toMs: number },
  options: ThreadLagOptions,
): BlockedThread[] {
  const { runtime, loadStartMs } = options;
  const minMs = options.minMs ?? 500;
  const hostSilentMs = options.hostSilentMs ?? 1000;
  const overlapping = (b: LagBlock) =>
    b.lagMs >= minMs && b.fromMs < span.toMs && b.fromMs + b.lagMs > span.fromMs;
  const out: BlockedThread[] = [];
  const own = runtime.blocks().filter(overlapping);
  if (own.length) {
    const longest = own.reduce((a, b) => (b.lagMs > a.lagMs ? b : a));
    out.push({
      thread: "runtime main thread",
      kind: "runtime",
      fromMs: Math.round(longest.fromMs - loadStartMs),
      blockedMs: Math.round(longest.lagMs),
      ongoing: false,
    });
  }
  for (const host of options.hosts ?? []) {
    const silentMs = span.toMs - host.lastHeardMs -
      runtime.blockedWithin(host.lastHeardMs, span.toMs);
    if (silentMs >= hostSilentMs) {
      out.push({
        thread: host.name,
        kind: "host",
        fromMs: Math.round(host.lastHeardMs - loadStartMs),
        blockedMs: Math.round(span.toMs - host.lastHeardMs),
        ongoing: true,
      });
      continue;
    }
    const block = host.lag?.lastBlock;
    if (block && overlapping(block)) {
      out.push({
        thread: host.name,
        kind: "host",
        fromMs: Math.round(block.fromMs - loadStartMs),
        blockedMs: Math.round(block.lagMs),
        ongoing: false,
      });
    }
  }
  return out;
}

/**
 * Workers whose silence is not explained by the runtime's own main thread being blocked (their
 * snapshots wait in its queue meanwhile).
 *
 * @param silent Workers and how long they have posted nothing, ms.
 * @param options `runtime`: the main thread's tracker; `nowMs`: now, epoch ms; `thresholdMs`:
 *   silence that counts.
 * @returns The workers still silent once the runtime's blocks are taken out.
 *
 * @example
 * ```ts
 * import { LagTracker } from "../system/event_loop_lag.ts";
 * import { silentBeyondRuntime } from "./thread_lag.ts";
 * import assert from "node:assert/strict";
 *
 * const runtime = new LagTracker(0);
 * runtime.tick(3050); // blocked 3 s
 * const silent = [{ worker: 0, silentForMs: 3100 }];
 * assert.deepEqual(silentBeyondRuntime(silent, { runtime, nowMs: 3100, thresholdMs: 1000 }), []);
 * ```
 */
export function silentBeyondRuntime<T extends { silentForMs: number }>(
  silent: readonly T[],
  options: { runtime: LagTracker; nowMs: number; thresholdMs: number },
): T[] {
  const { runtime, nowMs, thresholdMs } = options;
  return silent.filter((w) =>
    w.silentForMs - runtime.blockedWithin(nowMs - w.silentForMs, nowMs) >= thresholdMs
  );
}

/**
 * The report's view of each thread's event loop: the runtime's main thread and each server host
 * (a host not heard from for `hostSilentMs` is still blocked as the load ends).
 *
 * @param nowMs Now, epoch ms.
 * @param options The trackers and the load's start.
 * @returns One entry per thread.
 *
 * @example
 * ```ts
 * import { LagTracker } from "../system/event_loop_lag.ts";
 * import { eventLoopReports } from "./thread_lag.ts";
 * import assert from "node:assert/strict";
 *
 * const runtime = new LagTracker(0);
 * runtime.tick(50);
 * runtime.tick(1100); // due at 100
 * const [main] = eventLoopReports(1200, { runtime, loadStartMs: 0 });
 * assert.deepEqual(main, {
 *   thread: "runtime main thread", intervalMs: 50, maxLagMs: 1000, maxLagAtMs: 100, blockedAtEndMs: null,
 * });
 * ```
 */
export function eventLoopReports(nowMs: number, options: ThreadLagOptions): EventLoopReport[] {
  const { runtime, loadStartMs } = options;
  const hostSilentMs = options.hostSilentMs ?? 1000;
  const of = (thread: string, r: LagReading | null, blockedAtEndMs: number | null) => {
    let max = r?.max ?? null;
    if (blockedAtEndMs !== null && (max === null || blockedAtEndMs > max.lagMs)) {
      max = { fromMs: nowMs - blockedAtEndMs, lagMs: blockedAtEndMs };
    }
    return {
      thread,
      intervalMs: r?.intervalMs ?? 50,
      maxLagMs: max && Math.round(max.lagMs),
      maxLagAtMs: max && Math.round(max.fromMs - loadStartMs),
      blockedAtEndMs,
    };
  };
  return [
    of("runtime main thread", runtime.reading(), null),
    ...(options.hosts ?? []).map((h) => {
      const silentMs = nowMs - h.lastHeardMs - runtime.blockedWithin(h.lastHeardMs, nowMs);
      return of(h.name, h.lag, silentMs >= hostSilentMs ? Math.round(nowMs - h.lastHeardMs) : null);
    }),
  ];
}
