/**
 * Runs a plan's clients in worker threads: creates the workers, waits until every one is ready,
 * starts them together, forwards their snapshots, and stops them within a bound.
 *
 * @module
 */

import type { RunPlan } from "../plan/plan.ts";
import { deadline, isTimeout } from "../units/deadline.ts";
import type { FromWorker, ToWorker, WorkerHeap, WorkerSnapshot } from "./protocol.ts";
import { epollFallbackTold, epollUsable } from "./epoll/engine.ts";

/** Options for {@linkcode startClientFleet}. */
export interface StartClientFleetOptions {
  /** Base URL of each server, by server id. */
  urls: string[];
  /** The run's CA certificate (PEM) for HTTP/2 clients. @default {[]} */
  caCerts?: string[];
  /** Called with every snapshot a worker posts. */
  onSnapshot(snapshot: WorkerSnapshot): void;
  /** Called when a worker fails outside of a request. */
  onFailure(workerId: number, message: string): void;
  /** How often workers post snapshots, ms. @default {250} */
  snapshotIntervalMs?: number;
  /** How long workers may take to become ready, ms. @default {30000} */
  readyTimeoutMs?: number;
  /** Track each in-flight request's age and phase for stall diagnoses. @default {true} */
  trackInFlight?: boolean;
}

/** Ready client workers. */
export interface ClientFleetHandle {
  /** Number of worker threads. */
  workers: number;
  /**
   * Starts a round of load in every worker at once (a run has one round, or several for a memory
   * verdict).
   *
   * @returns Resolves when every worker has finished that round (or its final snapshot came).
   */
  start(options?: { round?: number; last?: boolean }): Promise<void>;
  /** Resolves when every worker has posted its final snapshot. */
  finished: Promise<void>;
  /**
   * Asks workers to stop and post a final snapshot, waits up to `graceMs`, then terminates them all.
   *
   * @returns Worker ids that posted no final snapshot in time.
   */
  stop(options?: { graceMs?: number }): Promise<{ unresponsive: number[] }>;
  /**
   * Each worker's isolate memory from its latest snapshot (by worker id), null for a worker that
   * has not reported it yet.
   */
  heaps(): (WorkerHeap | null)[];
}

/**
 * Creates the plan's worker threads and resolves when all of them are ready to start.
 *
 * @param plan The run plan.
 * @param options Server URLs and snapshot callbacks.
 * @returns A handle to start and stop them.
 * @throws {Error} If a worker does not become ready within `readyTimeoutMs`.
 *
 * @example
 * ```ts ignore
 * // As runScenario uses it, once the servers listen:
 * const fleet = await startClientFleet(plan, {
 *   urls: servers.urls,
 *   onSnapshot: (snapshot) => collector.apply(snapshot),
 *   onFailure: (workerId, message) => incidents.push(`worker ${workerId}: ${message}`),
 * });
 * fleet.start();
 * await fleet.finished;
 * await fleet.stop();
 * ```
 */
export async function startClientFleet(
  plan: RunPlan,
  options: StartClientFleetOptions,
): Promise<ClientFleetHandle> {
  const workerUrl = new URL("./worker.ts", import.meta.url).href;
  const finals = new Set<number>();
  let resolveFinished!: () => void;
  const finished = new Promise<void>((resolve) => (resolveFinished = resolve));
  const ready = new Set<number>();
  let resolveReady!: () => void;
  let rejectReady!: (error: Error) => void;
  const allReady = new Promise<void>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  allReady.catch(() => {});
  const total = plan.workers.length;

  // Rounds finished per worker; waiters for a round to be finished by every worker.
  const roundsDone = new Map<number, number>();
  const roundWaiters: { round: number; resolve: () => void }[] = [];
  const checkRounds = () => {
    for (let i = roundWaiters.length - 1; i >= 0; i--) {
      const { round, resolve } = roundWaiters[i];
      const done = plan.workers.every((w) =>
        finals.has(w.id) || (roundsDone.get(w.id) ?? 0) >= round
      );
      if (done) {
        roundWaiters.splice(i, 1);
        resolve();
      }
    }
  };
  const markFinal = (id: number) => {
    finals.add(id);
    if (finals.size === total) resolveFinished();
    checkRounds();
  };

  const heaps: (WorkerHeap | null)[] = plan.workers.map(() => null);
  const workers: Worker[] = [];
  // A raw client that falls back to raw-deno (no --allow-ffi) is said once, here, for the run.
  for (const spec of plan.clients) {
    if (spec.engine === "raw") epollUsable(options.urls, spec.targets);
  }
  const fallbackTold = epollFallbackTold();
  const terminateCreated = () => {
    for (const worker of workers) worker.terminate();
  };
  for (const planned of plan.workers) {
    let worker: Worker;
    try {
      worker = new Worker(workerUrl, { type: "module", name: `wedge-client-${planned.id}` });
    } catch (error) {
      terminateCreated();
      throw new Error(`could not start client worker ${planned.id}: ${error}`);
    }
    workers.push(worker);
    worker.onmessage = (event: MessageEvent<FromWorker>) => {
      const message = event.data;
      if (message.type === "ready") {
        ready.add(message.workerId);
        if (ready.size === total) resolveReady();
      } else if (message.type === "snapshot") {
        options.onSnapshot(message);
        if (message.heap) heaps[planned.id] = message.heap;
        roundsDone.set(message.workerId, message.roundsDone);
        if (message.final) markFinal(message.workerId);
        else checkRounds();
      } else if (message.type === "failure") {
        // The fleet knows which worker this is (one that fails in its init has no id yet).
        options.onFailure(planned.id, message.message);
        if (!ready.has(planned.id)) {
          rejectReady(new Error(`client worker ${planned.id} failed to start: ${message.message}`));
        }
      }
    };
    worker.onerror = (event) => {
      event.preventDefault();
      options.onFailure(planned.id, event.message);
      if (!ready.has(planned.id)) {
        rejectReady(new Error(`client worker ${planned.id} failed to start: ${event.message}`));
      }
      markFinal(planned.id);
    };
    const init: ToWorker = {
      type: "init",
      epollFallbackTold: fallbackTold,
      workerId: planned.id,
      clients: planned.clients.map((id) => plan.clients[id]),
      urls: options.urls,
      caCerts: options.caCerts ?? [],
      snapshotIntervalMs: options.snapshotIntervalMs ?? 250,
      trackInFlight: options.trackInFlight ?? true,
    };
    worker.postMessage(init);
  }

  let terminated = false;
  const terminateAll = () => {
    if (terminated) return;
    terminated = true;
    for (const worker of workers) worker.terminate();
  };

  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
  try {
    await deadline(allReady, readyTimeoutMs);
  } catch (error) {
    terminateAll();
    // allReady rejects with an Error, never a TimeoutError: this one is the deadline's.
    if (!isTimeout(error)) throw error;
    throw new Error(
      `client workers not ready after ${readyTimeoutMs}ms (${ready.size}/${total} ready)`,
    );
  }

  return {
    workers: total,
    start(startOptions = {}) {
      const round = startOptions.round ?? 1;
      const last = startOptions.last ?? true;
      const done = new Promise<void>((resolve) => roundWaiters.push({ round, resolve }));
      checkRounds();
      for (const worker of workers) {
        worker.postMessage({ type: "start", round, last } satisfies ToWorker);
      }
      return done;
    },
    finished,
    async stop(stopOptions = {}) {
      if (!terminated && finals.size < total) {
        for (const worker of workers) worker.postMessage({ type: "stop" } satisfies ToWorker);
        // Past the grace, the workers that posted no final snapshot are named unresponsive.
        await deadline(finished, stopOptions.graceMs ?? 2000).catch(() => {});
      }
      const unresponsive = plan.workers.map((w) => w.id).filter((id) => !finals.has(id));
      terminateAll();
      return { unresponsive };
    },
    heaps() {
      return heaps.slice();
    },
  };
}
