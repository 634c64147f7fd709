/**
 * The run's command client fleets with the run's hooks: their processes (`command_clients.ts`),
 * the watch over them (`client_process_watch.ts`) armed with the scenario's stall bound, their
 * part of the report, and a client-fleet handle that drives them beside wedge's own workers.
 *
 * @module
 */

import type { ClientFleetHandle } from "../clients/fleet.ts";
import type { RunPlan } from "../plan/plan.ts";
import type { CommandClientsReport, CommandClientStall } from "../report/types.ts";
import type { Scenario } from "../scenario/schema.ts";
import type { RunServers } from "../servers/start_servers.ts";
import { serverCountsRequests } from "./build_report.ts";
import { ClientProcessWatch, fleetTargets } from "./client_process_watch.ts";
import { CommandClients } from "./command_clients.ts";
import { commandClientsReport } from "./command_clients_report.ts";
import type { LoadClock } from "./load_clock.ts";

/** The run's command clients, their watch and their report. */
export interface RunCommandClients {
  /** The processes. */
  clients: CommandClients;
  /** The watch over them (started with the load). */
  watch: ClientProcessWatch;
  /** Requests the servers they target answered so far, or null if one cannot count. */
  answered(): number | null;
  /** Requests the servers they target received so far, or null if one cannot count. */
  received(): number | null;
  /** Their part of the report, once they stopped. */
  report(): CommandClientsReport;
}

/** What {@linkcode commandClientsForRun} needs. */
export interface CommandClientHooks {
  /** The run's servers (URLs, counters). */
  servers: Pick<RunServers, "urls" | "counters" | "refresh" | "caCerts">;
  /** The run's log directory. */
  logDir: string;
  /** The load's clock. */
  clock: LoadClock;
  /** Called once with a stall. */
  onStall(stall: CommandClientStall): void;
}

/**
 * Prepares the scenario's command client fleets, or returns null when it has none.
 *
 * @param scenario The validated scenario.
 * @param plan The run plan.
 * @param hooks Servers, log directory, clock, stall callback.
 * @returns The command clients, not started.
 *
 * @example
 * ```ts ignore
 * const commands = commandClientsForRun(scenario, plan, { servers, logDir, clock, onStall });
 * ```
 */
export function commandClientsForRun(
  scenario: Scenario,
  plan: RunPlan,
  hooks: CommandClientHooks,
): RunCommandClients | null {
  if (scenario.commandClients.length === 0) return null;
  const { servers } = hooks;
  const clients = new CommandClients(scenario.commandClients, plan, {
    urls: servers.urls,
    logDir: hooks.logDir,
    caCerts: servers.caCerts,
  });
  const targeted = plan.servers.filter((s) =>
    scenario.commandClients.some((f) => f.target === null || f.target === s.fleet)
  );
  const portOf = (id: number) => Number(new URL(servers.urls[id]).port);
  // Only wedge's own servers count what they receive; a command or external server cannot.
  const serverCounts = () =>
    targeted.map((s) => {
      const counted = serverCountsRequests(s.placement);
      const c = servers.counters[s.id];
      return {
        name: `${s.fleet}[${s.index}]`,
        received: counted ? c.received : null,
        answered: counted ? c.responded : null,
      };
    });
  // HTTP/2 servers wedge counts inside, by port: their streams per client port.
  const h2ByPort = new Map(
    targeted.filter((s) => serverCountsRequests(s.placement)).map((s) =>
      [portOf(s.id), s.id] as const
    ),
  );
  const streamsOf = (serverPort: number, clientPort: number) => {
    const id = h2ByPort.get(serverPort);
    const streams = id === undefined ? null : servers.counters[id].streams;
    if (!streams) return null;
    const seen = streams.connections.get(clientPort);
    // No entry: the connection has opened no stream yet.
    if (!seen) return { open: 0, peak: 0, oldestAgeMs: null, limit: streams.maxConcurrent };
    const oldestAgeMs = seen.oldestOpenSinceMs === null
      ? null
      : Math.max(0, Date.now() - seen.oldestOpenSinceMs);
    return { open: seen.open, peak: seen.peak, oldestAgeMs, limit: streams.maxConcurrent };
  };
  const portByName = new Map(targeted.map((s) => [`${s.fleet}[${s.index}]`, portOf(s.id)]));
  const stallBounds = scenario.assert.flatMap((a) => a.watch?.stallMs ?? []);
  const watch = new ClientProcessWatch({
    clients,
    ports: new Set(targeted.map((s) => portOf(s.id))),
    elapsedMs: () => hooks.clock.elapsedMs(),
    serverCounts,
    streamsOf,
    targetsOf: fleetTargets(scenario.commandClients, targeted),
    portOf: (name) => portByName.get(name) ?? null,
    refresh: () =>
      targeted.some((s) => s.placement === "host") ? servers.refresh() : Promise.resolve(),
    stallBoundMs: stallBounds.length ? Math.min(...stallBounds) : null,
    onStall: hooks.onStall,
  });
  return {
    clients,
    watch,
    answered: () => sumKnown(serverCounts().map((c) => c.answered)),
    received: () => sumKnown(serverCounts().map((c) => c.received)),
    report: () =>
      commandClientsReport(clients, { watch, counts: watch.finalCounts ?? serverCounts() }),
  };
}

/**
 * One client-fleet handle over wedge's own workers (or none) and the command clients: a round
 * starts both and ends when both did; stop stops both.
 *
 * @param workers The worker fleet, or null when every client fleet is a command.
 * @param commands The command clients.
 * @returns The handle the rounds drive.
 *
 * @example
 * ```ts ignore
 * const handle = withCommandClients(workers, commands.clients);
 * ```
 */
export function withCommandClients(
  workers: ClientFleetHandle | null,
  commands: CommandClients,
): ClientFleetHandle {
  let last: Promise<void> = Promise.resolve();
  return {
    workers: workers?.workers ?? 0,
    start(options = {}) {
      last = Promise.all([workers?.start(options), commands.start(options)]).then(() => {});
      return last;
    },
    get finished() {
      return Promise.all([workers?.finished, last]).then(() => {});
    },
    async stop(options = {}) {
      const [stopped] = await Promise.all([workers?.stop(options), commands.stop()]);
      return { unresponsive: stopped?.unresponsive ?? [] };
    },
    heaps: () => workers?.heaps() ?? [],
  };
}

/** The sum, or null when any term is unknown. */
function sumKnown(values: readonly (number | null)[]): number | null {
  return values.some((v) => v === null) ? null : (values as number[]).reduce((a, b) => a + b, 0);
}
