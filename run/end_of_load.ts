/**
 * The end of the load, before and while everything stops: the servers' view and the sockets as
 * the load ended, then the client workers and the servers stopped within bounds.
 *
 * @module
 */

import type { ClientFleetHandle } from "../clients/fleet.ts";
import type { EventLoopReport } from "../report/types.ts";
import type { ServerCounters } from "../servers/fleet.ts";
import type { RunServers } from "../servers/start_servers.ts";
import { epochNow, type LagTracker } from "../system/event_loop_lag.ts";
import { readListenBacklogs } from "../system/listen_overflow.ts";
import { delay } from "../units/deadline.ts";
import type { CensusLoop } from "./census_loop.ts";
import type { RunCollector } from "./collector.ts";
import type { LoadClock } from "./load_clock.ts";
import { eventLoopReports } from "./thread_lag.ts";

/** The servers and sockets as the load ended. */
export interface LoadEnd {
  /** Server counters as the load ended (copies: stopping changes the live ones). */
  counters: ServerCounters[];
  /** The threads' event loops over the run. */
  eventLoops: EventLoopReport[];
  /** Listen backlogs by port (read only when the listen counters were). */
  backlogs: Record<number, number>;
}

/**
 * Takes the servers' view and the last census as the load ended, before anything is stopped
 * (stopping releases held requests, answered 503: that belongs to the teardown, not the run).
 *
 * @param servers The run's servers.
 * @param run The census loop, the main thread's lag, the clock, the collector, the ports.
 * @returns What the report needs of that moment.
 *
 * @example
 * ```ts ignore
 * const end = await endOfLoad(servers, { census, lag: lag.tracker, clock, collector, ports });
 * ```
 */
export async function endOfLoad(
  servers: RunServers,
  run: {
    census: CensusLoop;
    lag: LagTracker;
    clock: LoadClock;
    collector: RunCollector;
    ports: ReadonlySet<number>;
  },
): Promise<LoadEnd> {
  // Resets of the last cancelled HTTP/2 streams reach the servers a moment after the clients
  // finish: let them land (bounded) before taking the servers' view.
  await settleStreams(servers.counters.filter((c) => c.streams !== null), servers.refresh);
  await servers.refresh();
  const eventLoops = eventLoopReports(epochNow(), {
    runtime: run.lag,
    hosts: servers.hostEventLoops(),
    loadStartMs: run.clock.epochOriginMs(),
  });
  const counters = servers.counters.map((c) => ({
    ...c,
    streams: c.streams && {
      ...c.streams,
      connections: new Map([...c.streams.connections].map(([port, s]) => [port, { ...s }])),
    },
  }));
  await run.census.finish(); // the sockets as the load ended, before anything is stopped
  const backlogs = run.collector.listen.before ? await readListenBacklogs(run.ports) : {};
  return { counters, eventLoops, backlogs };
}

/**
 * Stops the client workers, then the servers, each within 2 s; what did not stop in time is an
 * incident.
 *
 * @param clients The client workers.
 * @param servers The run's servers.
 * @param options `collector` takes the incidents, timed on `clock`; `afterClients` runs between
 *   the two (the probe phase: the clients' connections are closed, the servers still run).
 *
 * @example
 * ```ts ignore
 * await stopFleets(clients, servers, { collector, clock });
 * ```
 */
export async function stopFleets(
  clients: ClientFleetHandle,
  servers: RunServers,
  options: { collector: RunCollector; clock: LoadClock; afterClients?: () => Promise<void> },
): Promise<void> {
  const { collector, clock } = options;
  const { unresponsive } = await clients.stop({ graceMs: 2000 });
  if (unresponsive.length) {
    collector.addIncident(
      `client workers ${
        unresponsive.join(", ")
      } did not report within 2s of stop and were terminated`,
      { kind: "did-not-stop", atMs: clock.elapsedMs() },
    );
  }
  // The clients' connections are closed: the load has eased (the probe phase runs here).
  await options.afterClients?.();
  const { unstopped } = await servers.stop({ timeoutMs: 2000 });
  if (unstopped.length) {
    collector.addIncident(`did not shut down in time: ${unstopped.join(", ")}`, {
      kind: "did-not-stop",
      atMs: clock.elapsedMs(),
    });
  }
}

/** Waits until the HTTP/2 servers' open streams are 0 or unchanged for 100 ms, at most 300 ms. */
async function settleStreams(
  h2Servers: readonly { streams: { open: number } | null }[],
  refresh: () => Promise<void>,
): Promise<void> {
  if (h2Servers.length === 0) return;
  const open = () => h2Servers.reduce((sum, c) => sum + c.streams!.open, 0);
  let last = open();
  let stableFor = 0;
  for (let waited = 0; waited < 300 && last > 0 && stableFor < 100; waited += 25) {
    await delay(25);
    await refresh();
    const now = open();
    stableFor = now === last ? stableFor + 25 : 0;
    last = now;
  }
}
