/**
 * The run's servers started with the run's hooks: a server that stops accepting connections and a
 * server process that exits are incidents, and an exit stops the run.
 *
 * @module
 */

import { exitText } from "../report/process_exit.ts";
import type { RunPlan } from "../plan/plan.ts";
import type { Scenario } from "../scenario/schema.ts";
import { type RunServers, startRunServers } from "../servers/start_servers.ts";
import { fdLimit, sampleProcess } from "../system/process_probe.ts";
import type { RunCollector } from "./collector.ts";
import type { LoadClock } from "./load_clock.ts";
import type { RunScenarioOptions } from "./options.ts";
import type { RunStop } from "./run_stop.ts";

/** What the servers' hooks report to. */
export interface ServerHooks {
  /** Takes the incidents. */
  collector: RunCollector;
  /** Times the incidents. */
  clock: LoadClock;
  /** Stopped when a server process exits. */
  stop: RunStop;
}

/**
 * Starts the plan's servers, logging server processes under `options.logDir`.
 *
 * @param scenario The validated scenario.
 * @param plan The run plan.
 * @param options The run's options (`set`, `signal`, `logDir`) and the hooks' targets.
 * @returns The run's servers.
 *
 * @example
 * ```ts ignore
 * const servers = await startServersForRun(scenario, plan, { ...options, collector, clock, stop });
 * ```
 */
export function startServersForRun(
  scenario: Scenario,
  plan: RunPlan,
  options: RunScenarioOptions & ServerHooks,
): Promise<RunServers> {
  const { collector, clock, stop } = options;
  return startRunServers(plan, {
    scenario,
    set: options.set,
    signal: options.signal,
    logDir: options.logDir ?? defaultLogDir(scenario.name),
    onServerFailure: (id, message) =>
      collector.addIncident(serverFailure(plan, id, message, clock), {
        kind: "server-stopped-accepting",
        atMs: clock.elapsedMs(),
      }),
    onProcessExit: (exit) => {
      collector.addIncident(
        `server process ${exit.name} exited ${clock.at()} with ${exitText(exit)}`,
        {
          kind: "process-exited",
          atMs: clock.elapsedMs(),
        },
      );
      stop.serverExited(exit.name); // also while the client workers start
    },
  });
}

/** An incident for a server that stopped accepting connections (with the fds on EMFILE). */
function serverFailure(plan: RunPlan, id: number, message: string, clock: LoadClock): string {
  const s = plan.servers[id];
  const emfile = /os error 24|too many open files/i.test(message) && s.placement === "runtime";
  const fds = emfile
    ? ` (open fds ${sampleProcess("self").openFds ?? "?"} of limit ${fdLimit("self") ?? "?"})`
    : "";
  return `server ${s.fleet}[${s.index}] stopped accepting connections ${clock.at()}: ${message}${fds}`;
}

/**
 * The run's log directory when none is given: `.wedge/logs/<scenario>-<time>`.
 *
 * @param scenario The scenario's name.
 * @returns The directory (relative to the working directory).
 *
 * @example
 * ```ts
 * import { defaultLogDir } from "./run_servers.ts";
 * import assert from "node:assert/strict";
 *
 * assert.match(defaultLogDir("demo"), /^\.wedge\/logs\/demo-/);
 * ```
 */
export function defaultLogDir(scenario: string): string {
  return `.wedge/logs/${scenario}-${new Date().toISOString().replace(/[:.]/g, "-")}`;
}
