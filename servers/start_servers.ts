/**
 * Every server of a run, wherever it runs: inside the runtime (`Deno.serve`), in a server host
 * process per isolated fleet, or as the user's own command. One handle gives their URLs and live
 * counters by server id, the processes to sample, their exits, and one bounded stop.
 *
 * @module
 */

import { resolve } from "node:path";
import { type CommandServer, startCommandServer } from "./command_server.ts";
import type { LagReading } from "../system/event_loop_lag.ts";
import { type HostedFleet, startHostedFleet } from "./hosted_fleet.ts";
import type { SampledProcess } from "../system/memory_sampler.ts";
import type { PlannedServer, RunPlan } from "../plan/plan.ts";
import type { ServerProcessReport } from "../report/types.ts";
import type { ProcessExit } from "../system/child_process.ts";
import { behaviorRunsCode, type Scenario } from "../scenario/schema.ts";
import { UsageError } from "../scenario/errors.ts";
import {
  newServerCounters,
  type ServerCounters,
  type ServerFleetHandle,
  startServerFleet,
} from "./fleet.ts";

/** A server process's end, as the run sees it: its {@linkcode ProcessExit} and its name. */
export type ServerProcessExit = ProcessExit & {
  /** E.g. `app[0]` or `servers (host)`. */
  name: string;
};

/** The run's servers. */
export interface RunServers {
  /** Base URL by server id. */
  urls: string[];
  /** Live counters by server id (zeros for commands, which wedge cannot see into). */
  counters: ServerCounters[];
  /** CA certificates clients must trust (HTTP/2 servers). */
  caCerts: string[];
  /** The server processes (hosts and commands), for memory sampling. */
  processes: SampledProcess[];
  /** Fetches fresh counters from the server hosts (bounded). */
  refresh(): Promise<void>;
  /**
   * Each server host's event-loop lag as it last reported it, and when it was last heard from
   * (epoch ms).
   */
  hostEventLoops(): { name: string; lag: LagReading | null; lastHeardMs: number }[];
  /**
   * The server processes for the report, with their exits so far.
   *
   * @param loadStartMs `performance.now()` when the load started (exit times are relative to it).
   */
  describe(loadStartMs: number): ServerProcessReport[];
  /** Stops every server within bounds; idempotent. */
  stop(options?: { timeoutMs?: number }): Promise<{ unstopped: string[] }>;
}

/** Options for {@linkcode startRunServers}. */
export interface StartRunServersOptions {
  /** The resolved scenario (for the file a server host loads code behaviours from). */
  scenario: Scenario;
  /** Directory for the server processes' logs. */
  logDir: string;
  /** The run's param overrides as given, for a server host that loads the scenario file. */
  set?: Record<string, unknown>;
  /** Aborting it while servers start stops them all and rejects. */
  signal?: AbortSignal;
  /** A server stopped serving on its own (e.g. EMFILE in its accept loop). */
  onServerFailure?: (serverId: number, message: string) => void;
  /** A server process exited before the run stopped it. */
  onProcessExit?: (exit: ServerProcessExit) => void;
}

/**
 * Starts every planned server and resolves once all of them are ready; on any failure, stops the
 * ones started and rethrows.
 *
 * @param plan The run plan (servers with their placement).
 * @param options Scenario, log directory and callbacks.
 * @returns The run's servers.
 * @throws {UsageError} If an isolated fleet runs code and the scenario has no file to load it from.
 * @throws {CommandServerError} If a command server cannot start or is not ready in time.
 *
 * @example
 * ```ts ignore
 * const servers = await startRunServers(plan, { scenario, logDir: ".wedge/logs/run" });
 * // ... load ...
 * await servers.stop();
 * ```
 */
export async function startRunServers(
  plan: RunPlan,
  options: StartRunServersOptions,
): Promise<RunServers> {
  const { scenario } = options;
  const urls: string[] = [];
  const counters: ServerCounters[] = [];
  const caCerts: string[] = [];

  const inRuntime = plan.servers.filter((s) => s.placement === "runtime");
  const hostedFleets = Map.groupBy(
    plan.servers.filter((s) => s.placement === "host"),
    (s) => s.fleet,
  );
  const commands = plan.servers.filter((s) => s.placement === "command");
  // A process fleet's soft open-files limit (its own, or the scenario's), set before it execs.
  const nofile = (fleet: string) =>
    scenario.servers.find((f) => f.name === fleet)?.limits?.nofile ?? null;
  for (const [fleet, servers] of hostedFleets) {
    if (servers.some((s) => behaviorRunsCode(s.behavior)) && scenario.file === null) {
      throw new UsageError(
        `server fleet "${fleet}" runs in a process of its own (isolate, or a memory assertion), and its behaviour is your code: the server host loads it from the scenario file. Pass { file } to runScenario (the path of the scenario module), or run it with the CLI.`,
      );
    }
  }

  // Aborted by the caller, or by the first command that fails to start.
  const starting = new AbortController();
  const forward = () => starting.abort();
  if (options.signal?.aborted) starting.abort();
  options.signal?.addEventListener("abort", forward, { once: true });

  let local: ServerFleetHandle | undefined;
  const hosts: { fleet: string; ids: number[]; host: HostedFleet }[] = [];
  const started: { server: PlannedServer; command: CommandServer }[] = [];
  let stopping = false;
  const exits = new Map<string, ServerProcessExit>();
  const exitsAfterStop = new Set<string>();
  const watchExit = (name: string, exited: Promise<ProcessExit>) => {
    exited.then((exit) => {
      const full = { name, ...exit };
      exits.set(name, full);
      if (!stopping) options.onProcessExit?.(full);
    });
  };

  const stopAll = async (timeoutMs: number) => {
    stopping = true;
    const unstopped: string[] = [];
    await Promise.all([
      local?.stop({ timeoutMs }).then((r) => unstopped.push(...r.unstopped)),
      ...hosts.map(({ host }) =>
        host.stop({ timeoutMs }).then((r) => unstopped.push(...r.unstopped))
      ),
      ...started.map(async ({ server, command }) => {
        const { exit } = await command.stop();
        if (command.stopFailure !== null) {
          unstopped.push(
            `${server.fleet}[${server.index}] (pid ${command.pid}): could not be signalled ` +
              `(${command.stopFailure}); its supervisor killed its group`,
          );
        } else if (exit === null) {
          unstopped.push(`${server.fleet}[${server.index}] (pid ${command.pid})`);
        }
      }),
    ]);
    return { unstopped };
  };

  try {
    if (inRuntime.length) {
      local = await startServerFleet(inRuntime.map((s, i) => ({ ...s, id: i })), {
        onServerFailure: (i, error) =>
          options.onServerFailure?.(
            inRuntime[i].id,
            error instanceof Error ? error.message : String(error),
          ),
      });
      inRuntime.forEach((s, i) => {
        urls[s.id] = local!.urls[i];
        counters[s.id] = local!.counters[i];
      });
      caCerts.push(...local.caCerts);
    }
    for (const [fleet, servers] of hostedFleets) {
      const host = await startHostedFleet(servers.map((s, i) => ({ ...s, id: i })), {
        name: fleet,
        logDir: options.logDir,
        scenario: scenario.file === null
          ? null
          : { file: resolve(scenario.file), set: options.set ?? {} },
        signal: starting.signal,
        nofile: nofile(fleet),
        onServerFailure: (i, message) => options.onServerFailure?.(servers[i].id, message),
      });
      hosts.push({ fleet, ids: servers.map((s) => s.id), host });
      watchExit(`${fleet} (host)`, host.exited);
      servers.forEach((s, i) => {
        urls[s.id] = host.urls[i];
        counters[s.id] = host.counters[i];
      });
      caCerts.push(...host.caCerts);
    }
    // The user's servers start together; if one fails, the others are stopped too.
    let firstFailure: unknown;
    const results = await Promise.allSettled(commands.map(async (server) => {
      if (server.behavior.kind !== "command") throw new Error("not a command server");
      try {
        const command = await startCommandServer(server.behavior, {
          name: `${server.fleet}[${server.index}]`,
          logDir: options.logDir,
          signal: starting.signal,
          nofile: nofile(server.fleet),
        });
        started.push({ server, command });
        return command;
      } catch (error) {
        if (!starting.signal.aborted) firstFailure ??= error;
        starting.abort(); // the others need not finish starting
        throw error;
      }
    }));
    // The first failure is the cause; the others were stopped because of it.
    if (firstFailure !== undefined) throw firstFailure;
    const failed = results.find((r) => r.status === "rejected");
    if (failed) throw (failed as PromiseRejectedResult).reason;
    if (options.signal?.aborted) throw new Error("the run was stopped while its servers started");
    for (const server of plan.servers.filter((s) => s.placement === "external")) {
      if (server.behavior.kind !== "external") continue;
      urls[server.id] = server.behavior.url;
      counters[server.id] = newServerCounters("h1");
    }
    for (const { server, command } of started) {
      urls[server.id] = command.url;
      counters[server.id] = newServerCounters("h1");
      watchExit(command.name, command.exited);
    }
  } catch (error) {
    await stopAll(2000);
    throw error;
  } finally {
    options.signal?.removeEventListener("abort", forward);
  }

  let stopped: Promise<{ unstopped: string[] }> | undefined;
  return {
    urls,
    counters,
    caCerts,
    processes: [
      ...hosts.map(({ fleet, host }) => ({
        name: `${fleet} (host)`,
        role: "server-host" as const,
        pid: host.pid,
        fleet,
      })),
      ...started.map(({ server, command }) => ({
        name: command.name,
        role: "command" as const,
        pid: command.pid,
        fleet: server.fleet,
      })),
    ],
    async refresh() {
      await Promise.all(hosts.map(({ host }) => host.refresh()));
    },
    hostEventLoops: () =>
      hosts.map(({ fleet, host }) => ({ name: `${fleet} (host)`, ...host.eventLoop() })),
    describe(loadStartMs) {
      const exitOf = (name: string) => {
        const exit = exits.get(name);
        if (!exit) return null;
        return {
          code: exit.code,
          signal: exit.signal,
          atMs: Math.round(exit.atMs - loadStartMs),
          early: !exitsAfterStop.has(name),
          stderrTail: exit.stderrTail,
        };
      };
      return [
        ...hosts.map(({ fleet, host }): ServerProcessReport => ({
          name: `${fleet} (host)`,
          fleet,
          role: "server-host",
          pid: host.pid,
          command: `deno run servers/host.ts (${fleet})`,
          stdoutLog: host.stdoutLog,
          stderrLog: host.stderrLog,
          exit: exitOf(`${fleet} (host)`),
          stopFailure: host.stopFailure,
        })),
        ...started.map(({ server, command }): ServerProcessReport => ({
          name: command.name,
          fleet: server.fleet,
          role: "command",
          pid: command.pid,
          command: command.argv.join(" "),
          stdoutLog: command.stdoutLog,
          stderrLog: command.stderrLog,
          exit: exitOf(command.name),
          stopFailure: command.stopFailure,
        })),
      ];
    },
    stop(stopOptions = {}) {
      if (!stopped) {
        // Exits seen from now on were asked for.
        for (
          const name of [
            ...hosts.map((h) => `${h.fleet} (host)`),
            ...started.map((s) => s.command.name),
          ]
        ) {
          if (!exits.has(name)) exitsAfterStop.add(name);
        }
        stopped = stopAll(stopOptions.timeoutMs ?? 2000);
      }
      return stopped;
    },
  };
}
