/**
 * `runScenario`: validate, plan, start servers, start client workers, collect, stop everything
 * within bounds, build the report and judge it.
 *
 * @module
 */

import type { z } from "zod";
import { checkFdHeadroom } from "../plan/fd_headroom.ts";
import { checkHostLimits } from "../plan/host_limits.ts";
import { checkLimits, LIMIT_RESERVE_FDS } from "../plan/fd_limits.ts";
import { planRun, type RunPlan } from "../plan/plan.ts";
import { randomSeed } from "../plan/random.ts";
import type { RunReport } from "../report/types.ts";
import type { ScenarioDefinition } from "../scenario/define.ts";
import type { Scenario } from "../scenario/schema.ts";
import type { ClientFleetHandle } from "../clients/fleet.ts";
import { startLagMonitor } from "../system/event_loop_lag.ts";
import { readHostSettings } from "../system/host_settings.ts";
import { readListenCounters } from "../system/listen_overflow.ts";
import { MemorySampler } from "../system/memory_sampler.ts";
import { type FdReserve, hardFdLimit, reserveFds, setOwnFdLimit } from "../system/fd_limit.ts";
import { fdLimit, sampleProcess } from "../system/process_probe.ts";
import { type CensusLoop, startCensusLoop } from "./census_loop.ts";
import { RunCollector } from "./collector.ts";
import { endOfLoad, stopFleets } from "./end_of_load.ts";
import { LoadClock } from "./load_clock.ts";
import { namespaceStep } from "./network_namespace.ts";
import { notify } from "./notify.ts";
import type { RunScenarioOptions } from "./options.ts";
import { reportRun } from "./outcome.ts";
import { probeServers } from "./accept_probe.ts";
import { resolvedOnce } from "./resolved_once.ts";
import { LoadRounds } from "./rounds.ts";
import { startClientsForRun } from "./run_clients.ts";
import { RunStop } from "./run_stop.ts";
import { defaultLogDir, startServersForRun } from "./run_servers.ts";
import { checkClientPrograms } from "./command_clients.ts";
import {
  commandClientsForRun,
  type RunCommandClients,
  withCommandClients,
} from "./run_command_clients.ts";
import { guardSignals } from "./signal_guard.ts";
import { StallWatch } from "./stall_watch.ts";
import { startTimeline, type Timeline } from "./timeline.ts";

export type { ProgressSample, RunPhase, RunScenarioOptions } from "./options.ts";

/**
 * Runs a scenario and returns its report; never throws for a failed assertion (see
 * `report.passed`).
 *
 * @param input A scenario made by `defineScenario`, or one `resolveScenario` already validated
 *   (then it is not validated again, and `set` and `file` are its own).
 * @param options Param overrides, seed, abort signal, progress callback.
 * @returns The report, with every assertion judged.
 * @throws {ScenarioError} If the scenario or a param is invalid, or the host cannot give its
 *   servers ports or file descriptors (before anything starts).
 * @throws {UsageError} If it asks for a network namespace of its own (only the CLI makes one).
 * @throws {TypeError} If `set` or `file` is given with an already resolved scenario.
 *
 * @example Run a scenario from a test
 * ```ts ignore
 * import { assertPassed, runScenario } from "../mod.ts";
 * import scenario from "../scenarios/hang_mre_ok.ts";
 *
 * Deno.test("the MRE-OK shape completes", async () => {
 *   assertPassed(await runScenario(scenario, { set: { nrequests: 2000 } }));
 * });
 * ```
 */
export async function runScenario<P extends z.ZodObject>(
  input: ScenarioDefinition<P> | Scenario,
  options: RunScenarioOptions = {},
): Promise<RunReport> {
  const scenario = resolvedOnce(input, options);
  // What the scenario asked for of this process is known: nothing starts if it cannot have it.
  namespaceStep(scenario, { canEnter: false });
  checkHostLimits(scenario, readHostSettings());
  checkClientPrograms(scenario.commandClients);
  options = { ...options, set: scenario.set, file: scenario.file ?? undefined };
  const plan = planRun(scenario, { seed: options.seed ?? randomSeed(), cores: options.cores });
  // A plan the fd limit cannot even start is refused before any process or worker exists.
  checkFdHeadroom(plan, { limit: fdLimit("self"), openFds: sampleProcess("self").openFds });
  checkLimits(scenario, plan, {
    hardLimit: hardFdLimit("self"),
    openFds: sampleProcess("self").openFds,
  });
  // Server processes are out of a terminal's Ctrl-C: without a caller's signal, the run listens.
  const processes = plan.servers.some((s) => s.placement === "host" || s.placement === "command") ||
    scenario.commandClients.length > 0;
  if (options.signal !== undefined || !processes) return await runPlanned(scenario, plan, options);
  return await guardSignals((signal) => runPlanned(scenario, plan, { ...options, signal }));
}

/** Runs a validated, planned scenario: servers, clients, load rounds, then the report. */
async function runPlanned(
  scenario: Scenario,
  plan: RunPlan,
  options: RunScenarioOptions,
): Promise<RunReport> {
  const collector = new RunCollector(plan);
  const clock = new LoadClock();
  const stop = new RunStop();
  const watch = new StallWatch(scenario, { enabled: options.watchdog ?? true });
  const { onPhase, onProgress, progressIntervalMs: intervalMs } = options;
  notify(onPhase, { phase: "servers", count: plan.servers.length });
  options = { ...options, logDir: options.logDir ?? defaultLogDir(scenario.name) };
  const servers = await startServersForRun(scenario, plan, { ...options, collector, clock, stop });
  const sampler = new MemorySampler([RUNTIME_PROCESS, ...servers.processes]);
  sampler.start(); // from here to the end
  // The main thread's lag: a handler of an in-process server that runs synchronous code blocks
  // the servers, the collector and the watchdog alike; the lag says for how long.
  const lag = startLagMonitor();
  const ports = new Set(servers.urls.map((url) => Number(new URL(url).port)));
  let clients: ClientFleetHandle | undefined;
  let timeline: Timeline | undefined;
  let census: CensusLoop | undefined;
  let commands: RunCommandClients | null = null;
  let limitBefore: number | null = null;
  let reserve: FdReserve | undefined;
  try {
    // The user's own client programs (command client fleets), beside wedge's workers.
    const onStall = () => stop.stop("stalled");
    const logDir = options.logDir!;
    commands = commandClientsForRun(scenario, plan, { servers, logDir, clock, onStall });
    const workers = plan.workers.length
      ? await startClientsForRun(plan, { servers, collector, clock, watch, onPhase })
      : null;
    clients = commands ? withCommandClients(workers, commands.clients) : workers!;
    // The run's limit, as a shell's `ulimit -Sn` would have set it, from the load on: workers
    // and servers started (and took their descriptors) under the host's limit.
    if (scenario.limits) {
      limitBefore = await setOwnFdLimit(scenario.limits.nofile);
      reserve = reserveFds(LIMIT_RESERVE_FDS.held);
    }
    collector.observeListen(await readListenCounters(), { start: true });
    census = await startCensusLoop(ports, collector); // first, the sockets already there
    clock.start();
    timeline = startTimeline(collector, plan, {
      clock,
      counters: servers.counters,
      sampler,
      intervalMs,
      onProgress,
      serverView: commands ?? undefined,
    });
    notify(onPhase, { phase: "load" });
    sampler.setOrigin(clock.originMs);
    stop.armTimeLimit(plan.timeLimitMs);
    stop.follow(options.signal);
    const completed = commands?.answered; // client processes: the servers' count
    const rounds = new LoadRounds(plan, { clients, collector, sampler, clock, onPhase, completed });
    watch.start({
      plan,
      collector,
      servers,
      sampler,
      lag: lag.tracker,
      clock,
      rounds,
      onStall: (diagnosis) => {
        notify(onPhase, { phase: "stalled", diagnosis });
        stop.stop("stalled");
      },
    });
    commands?.watch.start();
    const outcome = await rounds.run(stop.signal);
    reserve?.release(); // for the reads below, while the clients' connections are still open
    await commands?.watch.stop();
    sampler.stop();
    const end = await endOfLoad(servers, { census, lag: lag.tracker, clock, collector, ports });
    timeline.stop();
    watch.stop();
    notify(onProgress, timeline.sample());
    if (outcome !== "completed") notify(onPhase, { phase: "stopping", reason: outcome });
    // An assertion that judges whether the servers still accept probes them once the load eased.
    let probes: Awaited<ReturnType<typeof probeServers>> | null = null;
    const probe = scenario.assert.some((a) => a.watch?.probe)
      ? async () => void (probes = await probeServers(servers!.urls))
      : undefined;
    await stopFleets(clients, servers, { collector, clock, afterClients: probe });
    const run = { scenario, plan, outcome, collector, clock, rounds, stop, watch, servers, end };
    return reportRun({ ...run, sampler, probes, commandClients: commands?.report() ?? null });
  } finally {
    reserve?.release();
    if (limitBefore !== null) await setOwnFdLimit(limitBefore).catch(() => {});
    sampler.stop();
    lag.stop();
    timeline?.stop();
    watch.stop();
    await commands?.watch.stop();
    await census?.stop();
    stop.close();
    await clients?.stop({ graceMs: 0 });
    await servers.stop({ timeoutMs: 2000 });
  }
}

/** The runtime process, first of the processes whose memory is sampled. */
const RUNTIME_PROCESS = { name: "runtime", role: "runtime", pid: Deno.pid, fleet: null } as const;
