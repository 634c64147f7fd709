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
