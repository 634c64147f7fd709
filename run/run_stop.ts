/**
 * What stops a run before its clients finish: the time limit, a server process's exit, the
 * caller's abort signal, the stall watchdog. The first one wins; its outcome is the reason of
 * one abort signal that every wait of the run listens to.
 *
 * @module
 */

import type { RunOutcome } from "../report/types.ts";
import { delay } from "../units/deadline.ts";

/** An outcome that stops a run early. */
export type StopOutcome = Exclude<RunOutcome, "completed">;

/**
 * The run's stop: `signal` aborts, with the outcome as its reason, at the first stop.
 *
 * @example
 * ```ts
 * import { RunStop } from "./run_stop.ts";
 * import assert from "node:assert/strict";
 *
 * const stop = new RunStop();
 * stop.serverExited("app[0]");
 * stop.stop("time-limit");
 * assert.equal(stop.signal.reason, "server-exited");
 * assert.equal(stop.exitedProcess, "app[0]");
 * stop.close();
 * ```
 */
export class RunStop {
  /** The first server process that exited, or null. */
  exitedProcess: string | null = null;
  #stop = new AbortController();
  #closed = new AbortController();

  /** Aborts at the first stop, with its {@linkcode StopOutcome} as the reason. */
  get signal(): AbortSignal {
    return this.#stop.signal;
  }

  /**
   * Stops the run, unless it was stopped already.
   *
   * @param outcome Why.
   */
  stop(outcome: StopOutcome): void {
    if (!this.#closed.signal.aborted) this.#stop.abort(outcome);
  }

  /**
   * A server process exited: remembered, and the run stops.
   *
   * @param name The process, e.g. `app[0]`.
   */
  serverExited(name: string): void {
    this.exitedProcess ??= name;
    this.stop("server-exited");
  }

  /**
   * Stops the run with `"time-limit"` after `ms`, unless it stops or closes first.
   *
   * @param ms The time limit, ms.
   */
  armTimeLimit(ms: number): void {
    const signal = AbortSignal.any([this.#stop.signal, this.#closed.signal]);
    delay(ms, { signal }).then(() => this.stop("time-limit"), () => {});
  }

  /**
   * Stops the run with `"aborted"` when the caller's signal aborts (at once if it has).
   *
   * @param signal The caller's signal, if any.
   */
  follow(signal: AbortSignal | undefined): void {
    if (!signal) return;
    if (signal.aborted) return this.stop("aborted");
    const onAbort = () => this.stop("aborted");
    signal.addEventListener("abort", onAbort, { once: true });
    this.#closed.signal.addEventListener(
      "abort",
      () => signal.removeEventListener("abort", onAbort),
    );
  }

  /** Ends the time limit and the caller's signal's hold; later stops change nothing. */
  close(): void {
    this.#closed.abort();
  }
}
