/**
 * The run's client fleet started with the run's hooks: its workers' snapshots go to the collector
 * (timed by the load clock) and a worker that fails is recorded there.
 *
 * @module
 */

import { type ClientFleetHandle, startClientFleet } from "../clients/fleet.ts";
import type { RunPlan } from "../plan/plan.ts";
import type { RunServers } from "../servers/start_servers.ts";
import type { RunCollector } from "./collector.ts";
import type { LoadClock } from "./load_clock.ts";
import { notify } from "./notify.ts";
import type { RunScenarioOptions } from "./options.ts";
import { SNAPSHOT_INTERVAL_MS, type StallWatch } from "./stall_watch.ts";

/** Where the client workers' hooks report to, and what they connect to. */
export interface ClientHooks {
  /** The run's servers: their URLs and CA certificates. */
  servers: Pick<RunServers, "urls" | "caCerts">;
  /** Takes the workers' snapshots and failures. */
  collector: RunCollector;
  /** Times the snapshots. */
  clock: LoadClock;
  /** Whether in-flight requests are tracked (only an enabled watch reads them). */
  watch: Pick<StallWatch, "enabled">;
  /** Told the "clients" phase before the workers start. */
  onPhase?: RunScenarioOptions["onPhase"];
}

/**
 * Starts the plan's client workers, after telling `onPhase` how many.
 *
 * @param plan The run plan.
 * @param options The servers to connect to and the hooks' targets.
 * @returns The client fleet, every worker ready.
 *
 * @example
 * ```ts ignore
 * const clients = await startClientsForRun(plan, { servers, collector, clock, watch, onPhase });
 * ```
 */
export function startClientsForRun(
  plan: RunPlan,
  options: ClientHooks,
): Promise<ClientFleetHandle> {
  const { servers, collector, clock } = options;
  const { length: workers } = plan.workers;
  notify(options.onPhase, { phase: "clients", clients: plan.clients.length, workers });
  return startClientFleet(plan, {
    urls: servers.urls,
    caCerts: servers.caCerts,
    trackInFlight: options.watch.enabled,
    snapshotIntervalMs: SNAPSHOT_INTERVAL_MS,
    onSnapshot: (snapshot) => collector.apply(snapshot, clock.elapsedMs()),
    onFailure: (workerId, message) => collector.failWorker(workerId, message, clock.elapsedMs()),
  });
}
