/**
 * The load rounds: one, or warm-up loads and measured iterations with a settle time and a memory
 * checkpoint after each (a memory verdict's). Every wait ends at the run's stop.
 *
 * @module
 */

import type { ClientFleetHandle } from "../clients/fleet.ts";
import type { RunPlan } from "../plan/plan.ts";
import type { RunOutcome } from "../report/types.ts";
import { type MemorySampler, readRuntimeMemory } from "../system/memory_sampler.ts";
import { deadline, delay, isTimeout } from "../units/deadline.ts";
import type { RunCollector } from "./collector.ts";
import type { LoadClock } from "./load_clock.ts";
import type { RunPhase } from "./options.ts";
import { notify } from "./notify.ts";

/** What {@linkcode LoadRounds} drives and records into. */
export interface LoadRoundsOptions {
  /** The ready client workers. */
  clients: ClientFleetHandle;
  /** The run's collector (memory checkpoints). */
  collector: RunCollector;
  /** Memory of the runtime and the server processes. */
  sampler: MemorySampler;
  /** The load's clock. */
  clock: LoadClock;
  /**
   * Requests completed so far, for the checkpoints, when the clients' own count is not the whole
   * story (command client processes: their servers' count). @default {the collector's count}
   */
  completed?: () => number | null;
  /** Called when a round or a settle starts. */
  onPhase?: (phase: RunPhase) => void;
}

/**
 * Runs the plan's rounds; its state (the current round, whether it runs, each round's load time)
 * is read by the stall watch and the report.
 *
 * @example
 * ```ts ignore
 * const rounds = new LoadRounds(plan, { clients, collector, sampler, clock });
 * const outcome = await rounds.run(stop.signal);
 * ```
 */
export class LoadRounds {
  /** The current round (1-based; 0 before the first). */
  round = 0;
  /** Whether a round's load is under way. */
  running = false;
  /** When the current round's load started, ms since the load started. */
  startedAtMs = 0;
  /** Each round's load time, settles excluded (one entry per round that started). */
  readonly loadMs: number[] = [];
  /**
   * Clients that all run for a duration stop at the longest one plus a grace for the requests
   * still in flight (2 s, or the longest request timeout + 1 s), not at the time limit: an
   * endless response must not hold the run. Null when a client counts requests.
   */
  readonly durationGraceMs: number | null;
  /** Whether the duration's grace ran out with requests in flight. */
  graceExpired = false;
  #plan: RunPlan;
  #options: LoadRoundsOptions;

  /**
   * Prepares the rounds of a plan.
   *
   * @param plan The run plan (rounds, memory rounds, clients).
   * @param options Clients, collector, sampler, clock, phase callback.
   */
  constructor(plan: RunPlan, options: LoadRoundsOptions) {
    this.#plan = plan;
    this.#options = options;
    // (No worker client at all: command client processes bound their own time.)
    this.durationGraceMs = plan.clients.length && plan.clients.every((c) => c.durationMs !== null)
      ? Math.max(...plan.clients.map((c) => c.durationMs!)) +
        Math.max(2000, ...plan.clients.map((c) => (c.timeout?.afterMs ?? 0) + 1000))
      : null;
  }

  /**
   * Runs every round, or until `stop` aborts.
   *
   * @param stop The run's stop; its reason is the outcome.
   * @returns `"completed"`, or the stop's outcome.
   */
  async run(stop: AbortSignal): Promise<RunOutcome> {
    try {
      return await this.#rounds(stop);
    } catch (error) {
      if (stop.aborted) return stop.reason as RunOutcome;
      throw error;
    } finally {
      if (this.running) this.loadMs.push(this.#options.clock.elapsedMs() - this.startedAtMs);
      this.running = false;
    }
  }

  async #rounds(stop: AbortSignal): Promise<RunOutcome> {
    // No load against a server that is already gone.
    stop.throwIfAborted();
    const memoryRounds = this.#plan.memoryRounds;
    if (memoryRounds) this.#checkpoint(); // round 0: before any load
    for (this.round = 1; this.round <= this.#plan.rounds; this.round++) {
      if (memoryRounds) {
        notify(this.#options.onPhase, {
          phase: "round",
          round: this.round,
          rounds: this.#plan.rounds,
          warmup: this.round <= memoryRounds.warmup,
        });
      }
      if (!(await this.#load(stop))) return "completed";
      if (!memoryRounds) continue;
      notify(this.#options.onPhase, {
        phase: "settle",
        round: this.round,
        settleMs: memoryRounds.settleMs,
      });
      await delay(memoryRounds.settleMs, { signal: stop });
      this.#checkpoint();
    }
    return "completed";
  }

  /** One round's load; false when the duration's grace ran out (the run ends as completed). */
  async #load(stop: AbortSignal): Promise<boolean> {
    const { clients, clock } = this.#options;
    this.startedAtMs = clock.elapsedMs();
    this.running = true;
    const done = clients.start({ round: this.round, last: this.round === this.#plan.rounds });
    try {
      await deadline(done, this.durationGraceMs ?? Infinity, { signal: stop });
    } catch (error) {
      if (!isTimeout(error) || stop.aborted) throw error;
      this.graceExpired = true;
    }
    this.running = false;
    this.loadMs.push(clock.elapsedMs() - this.startedAtMs);
    return !this.graceExpired;
  }

  #checkpoint(): void {
    const { sampler, collector, clients } = this.#options;
    const reading = sampler.sample();
    collector.checkpoints.push({
      round: this.round,
      atMs: reading.atMs,
      completed: this.#options.completed?.() ?? collector.totals().completed,
      rssBytes: reading.rssBytes,
      runtime: readRuntimeMemory(clients.heaps()),
    });
  }
}
