/**
 * The stall watch: one watchdog per kind of progress (any completion; responses only), each armed
 * with the shortest bound its assertions ask for, looked at every 100 ms. The first to trip
 * diagnoses the stall and stops the run.
 *
 * @module
 */

import {
  diagnoseStall,
  type StallDiagnosis,
  type StallProgress,
} from "../report/stall_diagnosis.ts";
import { StallWatchdog } from "../report/stall_watchdog.ts";
import type { RunReport } from "../report/types.ts";
import type { Scenario } from "../scenario/schema.ts";
import { owedWork, type RoundPosition } from "./owed_work.ts";
import { StallEvidence } from "./stall_evidence.ts";
import { evidenceInput, stallInput, type StallSources } from "./stall_inputs.ts";

/** How often workers post a snapshot, ms. */
export const SNAPSHOT_INTERVAL_MS = 250;
/** How often the stall watchdog looks at progress, ms. */
const WATCHDOG_TICK_MS = 100;
/** A watchdog tick this late means the main thread was blocked, ms. */
const LATE_TICK_MS = 1000;
const KINDS: StallProgress[] = ["completions", "responses"];

/** What a started {@linkcode StallWatch} reads and whom it tells. */
export interface StallWatchStart extends Omit<StallSources, "silentMs"> {
  /** Where the rounds are. */
  rounds: RoundPosition;
  /** Called once, with the diagnosis, when a watchdog trips. */
  onStall(diagnosis: StallDiagnosis): void;
}

/**
 * The run's watchdogs and, once one trips, its stall.
 *
 * @example
 * ```ts ignore
 * const watch = new StallWatch(scenario, { enabled: true });
 * watch.start({ plan, collector, servers, lag, clock, rounds, onStall });
 * // ... load ...
 * watch.stop();
 * ```
 */
export class StallWatch {
  /** Whether the run watches for stalls at all. */
  readonly enabled: boolean;
  /** The watchdog of each kind of progress. */
  readonly watchdogs: Record<StallProgress, StallWatchdog>;
  /** The shortest armed bound, ms, or null when none is armed. */
  readonly shortestBoundMs: number | null;
  /** The stall, once diagnosed. */
  stall: StallDiagnosis | null = null;
  #timer: ReturnType<typeof setInterval> | undefined;
  /** Whether the user's own client programs run too (their timeouts are not known). */
  #ownClients: boolean;

  /**
   * Arms a watchdog per kind of progress from the scenario's assertions.
   *
   * @param scenario The validated scenario.
   * @param options `enabled`: false arms none (for measuring the watch's cost).
   */
  constructor(scenario: Scenario, options: { enabled: boolean }) {
    this.enabled = options.enabled;
    this.#ownClients = scenario.commandClients.length > 0;
    this.watchdogs = Object.fromEntries(KINDS.map((kind) => {
      const bounds = scenario.assert
        .filter((a) =>
          a.watch?.stallMs !== undefined && (a.watch.progress ?? "completions") === kind
        )
        .map((a) => a.watch!.stallMs!);
      const boundMs = options.enabled && bounds.length ? Math.min(...bounds) : null;
      return [kind, new StallWatchdog({ boundMs, resolutionMs: RESOLUTION_MS })];
    })) as Record<StallProgress, StallWatchdog>;
    const armed = KINDS.map((k) => this.watchdogs[k].boundMs).filter((b) => b !== null);
    this.shortestBoundMs = armed.length ? Math.min(...armed) : null;
  }

  /**
   * Looks at progress every 100 ms until {@linkcode StallWatch.stop} (nothing when disabled).
   *
   * @param run The run's parts, the rounds and the stall callback.
   */
  start(run: StallWatchStart): void {
    if (!this.enabled) return;
    const owed = owedWork(run.plan);
    const silentMs = Math.min(2000, (this.shortestBoundMs ?? 4000) / 2);
    let lastTickAt = performance.now();
    const evidence = new StallEvidence();
    let deferred = false;
    this.#timer = setInterval(() => {
      const nowMs = run.clock.elapsedMs();
      // A tick late by a second: the main thread was blocked, and what the workers posted
      // meanwhile still waits in its queue. Judge on the next tick, once it has been read.
      const late = performance.now() - lastTickAt - WATCHDOG_TICK_MS >= LATE_TICK_MS;
      lastTickAt = performance.now();
      const totals = run.collector.totals();
      const isOwed = owed({ nowMs, totals, perClient: run.collector.clients() }, run.rounds);
      // A silent worker makes progress unknown, not zero: time without evidence is no stall, and
      // a stall's span starts again once there is evidence (stall_evidence.ts).
      const known = evidence.observe(evidenceInput(run, { nowMs }));
      const tripped = KINDS.filter((kind) =>
        this.watchdogs[kind].observe({
          atMs: nowMs,
          completed: kind === "responses" ? totals.completed - totals.errors : totals.completed,
          owed: isOwed && known,
        })
      );
      if (tripped.length === 0 || this.stall) return void (deferred = false);
      if (late && !deferred) return void (deferred = true);
      deferred = false;
      const kind = tripped[0];
      const tripInput = { kind, watchdog: this.watchdogs[kind], nowMs };
      this.stall = diagnoseStall(
        stallInput(tripInput, { ...run, silentMs, ownClients: this.#ownClients }),
      );
      run.onStall(this.stall);
    }, WATCHDOG_TICK_MS);
  }

  /** Stops looking. Idempotent. */
  stop(): void {
    clearInterval(this.#timer);
  }

  /**
   * The report's watchdog fields.
   *
   * @returns `watchdog`, `longestStallByProgress` and `stall`.
   */
  report(): Pick<RunReport, "watchdog" | "longestStallByProgress" | "stall"> {
    return {
      watchdog: this.enabled
        ? { boundMs: this.shortestBoundMs, resolutionMs: RESOLUTION_MS }
        : null,
      longestStallByProgress: {
        completions: this.watchdogs.completions.longest,
        responses: this.watchdogs.responses.longest,
      },
      stall: this.stall,
    };
  }
}

/** How late the watchdogs can see a stall: a snapshot's interval plus a tick. */
const RESOLUTION_MS = SNAPSHOT_INTERVAL_MS + WATCHDOG_TICK_MS;
