/**
 * Event-loop lag: how late a steady timer fires. A thread whose event loop is blocked (a handler
 * running synchronous code, a long garbage collection) cannot fire its timers, answer requests or
 * post messages; the lateness of the next tick says for how long it was blocked, and when.
 *
 * `LagTracker` is pure (fed tick times); `startLagMonitor` drives one with a timer on the calling
 * thread. Times are epoch milliseconds (`performance.timeOrigin + performance.now()`), so readings
 * from several processes and threads share one clock.
 *
 * @module
 */

import type { EventLoopReport } from "./report.ts";
import type { BlockedThread } from "./stall_diagnosis.ts";

/** One period in which a thread's event loop did not run. */
export interface LagBlock {
  /** When the late tick was due, epoch ms (the block began at or before it). */
  fromMs: number;
  /** How late the tick fired, ms. */
  lagMs: number;
}

/** What a thread's ticks showed so far. */
export interface LagReading {
  /** The tick interval, ms. */
  intervalMs: number;
  /** The latest tick's lateness, ms. */
  lastLagMs: number;
  /** The latest tick, epoch ms. */
  lastTickMs: number;
  /** The latest block (tick late by at least `blockMs`), or null. */
  lastBlock: LagBlock | null;
  /** The largest lateness seen, or null before the first tick. */
  max: LagBlock | null;
}

/** Options for {@linkcode LagTracker} and {@linkcode startLagMonitor}. */
export interface LagTrackerOptions {
  /** Tick interval, ms. @default {50} */
  intervalMs?: number;
  /** Lateness that counts as a block (kept in `blocks`), ms. @default {200} */
  blockMs?: number;
  /** Blocks kept, most recent last. @default {20} */
  keep?: number;
}

/**
 * Keeps the lateness of a steady tick. Pure.
 *
 * @example A tick 1 s late is a block of about 1 s
 * ```ts
 * import { LagTracker } from "./event_loop_lag.ts";
 * import assert from "node:assert/strict";
 *
 * const lag = new LagTracker(1000, { intervalMs: 50 });
 * lag.tick(1050);
 * lag.tick(2100); // due at 1100
 * assert.deepEqual(lag.reading().max, { fromMs: 1100, lagMs: 1000 });
 * assert.equal(lag.blockedWithin(1500, 2100), 600);
 * ```
 */
export class LagTracker {
  #intervalMs: number;
  #blockMs: number;
  #keep: number;
  #lastTickMs: number;
  #lastLagMs = 0;
  #max: LagBlock | null = null;
  #blocks: LagBlock[] = [];

  /**
   * Starts tracking.
   *
   * @param startMs When the timer was started, epoch ms.
   * @param options Interval, block threshold, blocks kept.
   */
  constructor(startMs: number, options: LagTrackerOptions = {}) {
    this.#intervalMs = options.intervalMs ?? 50;
    this.#blockMs = options.blockMs ?? 200;
    this.#keep = options.keep ?? 20;
    this.#lastTickMs = startMs;
  }

  /**
   * Records one tick.
   *
   * @param nowMs When it fired, epoch ms.
   * @returns How late it fired, ms (0 or more).
   */
  tick(nowMs: number): number {
    const dueMs = this.#lastTickMs + this.#intervalMs;
    const lagMs = Math.max(0, nowMs - dueMs);
    this.#lastTickMs = nowMs;
    this.#lastLagMs = lagMs;
    if (this.#max === null || lagMs > this.#max.lagMs) this.#max = { fromMs: dueMs, lagMs };
    if (lagMs >= this.#blockMs) {
      this.#blocks.push({ fromMs: dueMs, lagMs });
      if (this.#blocks.length > this.#keep) this.#blocks.shift();
    }
    return lagMs;
  }

  /**
   * The blocks kept, oldest first.
   *
   * @returns Blocks of at least `blockMs`.
   */
  blocks(): LagBlock[] {
    return [...this.#blocks];
  }

  /**
   * How long the thread was blocked between two times (blocks overlapping the span, clipped).
   *
   * @param fromMs Start, epoch ms.
   * @param toMs End, epoch ms.
   * @returns Milliseconds blocked within the span.
   */
  blockedWithin(fromMs: number, toMs: number): number {
    let total = 0;
    for (const b of this.#blocks) {
      total += Math.max(0, Math.min(toMs, b.fromMs + b.lagMs) - Math.max(fromMs, b.fromMs));
    }
    return total;
  }

  /**
   * What the ticks showed so far.
   *
   * @returns The reading.
   */
  reading(): LagReading {
    return {
      intervalMs: this.#intervalMs,
      lastLagMs: this.#lastLagMs,
      lastTickMs: this.#lastTickMs,
      lastBlock: this.#blocks.at(-1) ?? null,
      max: this.#max,
    };
  }
}

/** Now, epoch ms, on a clock shared by threads and processes. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

/** A running lag monitor. */
export interface LagMonitor {
  /** The tracker its timer feeds. */
  tracker: LagTracker;
  /** Stops the timer. Idempotent. */
  stop(): void;
}

/**
 * Measures the calling thread's event-loop lag with a steady timer that does not keep the process
 * alive.
 *
 * @param options Interval, block threshold, blocks kept.
 * @returns The monitor; stop it when done.
 *
 * @example
 * ```ts
 * import { startLagMonitor } from "./event_loop_lag.ts";
 *
 * const monitor = startLagMonitor({ intervalMs: 50 });
 * monitor.stop();
 * ```
 */
export function startLagMonitor(options: LagTrackerOptions = {}): LagMonitor {
  const tracker = new LagTracker(epochNow(), options);
  const timer = setInterval(() => tracker.tick(epochNow()), options.intervalMs ?? 50);
  Deno.unrefTimer(timer);
  return { tracker, stop: () => clearInterval(timer) };
}

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
 * import { blockedThreadsDuring, LagTracker } from "./event_loop_lag.ts";
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
 * import { LagTracker, silentBeyondRuntime } from "./event_loop_lag.ts";
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
 * import { eventLoopReports, LagTracker } from "./event_loop_lag.ts";
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
