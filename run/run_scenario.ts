/**
 * `runScenario`: validate, plan, start servers, start client workers, collect, stop everything
 * within bounds, build the report and judge it.
 *
 * @module
 */

import type { z } from "zod";
import { ArrivalSchedule } from "../plan/arrival_schedule.ts";
import { buildReport, serverCountsRequests } from "./build_report.ts";
import { startClientFleet } from "../clients/fleet.ts";
import type { ScenarioDefinition } from "../scenario/define.ts";
import { formatDuration } from "../units/duration.ts";
import { checkFdHeadroom } from "../plan/fd_headroom.ts";
import { epochNow, startLagMonitor } from "../system/event_loop_lag.ts";
import { blockedThreadsDuring, eventLoopReports, silentBeyondRuntime } from "./thread_lag.ts";
import { planRun, type RunPlan } from "../plan/plan.ts";
import { fdLimit, sampleProcess } from "../system/process_probe.ts";
import { randomSeed } from "../plan/random.ts";
import { RecentRate } from "./recent_rate.ts";
import type { MemoryCheckpoint, RunOutcome, RunReport, TimelinePoint } from "../report/types.ts";
import { resolveScenario } from "../scenario/resolve.ts";
import { RunCollector } from "./collector.ts";
import { startRunServers } from "../servers/start_servers.ts";
import { MemorySampler, readRuntimeMemory } from "../system/memory_sampler.ts";
import { readHostSettings } from "../system/host_settings.ts";
import { insideNamespace } from "./network_namespace.ts";
import { UsageError } from "../scenario/errors.ts";
import type { Scenario } from "../scenario/schema.ts";
import { readSocketCensus, type SocketCensus } from "../system/socket_census.ts";
import {
  type ListenCounters,
  listenReport,
  readListenBacklogs,
  readListenCounters,
} from "../system/listen_overflow.ts";
import {
  diagnoseStall,
  type StallDiagnosis,
  type StallProgressKind,
} from "../report/stall_diagnosis.ts";
import { StallWatchdog } from "../report/stall_watchdog.ts";

/** Live progress, sampled every `progressIntervalMs`. */
export interface ProgressSample {
  /** Milliseconds since the load started. */
  elapsedMs: number;
  /** Planned requests; `null` in duration mode. */
  planned: number | null;
  /** Requests started. */
  sent: number;
  /** Requests ended. */
  completed: number;
  /** Requests in flight. */
  inFlight: number;
  /** Errors so far. */
  errors: number;
  /** Completed requests per second over the last second; 0 once none completed for 600 ms. */
  recentRps: number;
}

/** Phases of a run, for messages such as "starting 40 servers". */
export type RunPhase =
  | { phase: "servers"; count: number }
  | { phase: "clients"; clients: number; workers: number }
  | { phase: "load" }
  | { phase: "round"; round: number; rounds: number; warmup: boolean }
  | { phase: "settle"; round: number; settleMs: number }
  | { phase: "stalled"; diagnosis: StallDiagnosis }
  | { phase: "stopping"; reason: RunOutcome };

/** Options for {@linkcode runScenario}. */
export interface RunScenarioOptions {
  /** Param overrides, as `--set` gives them (strings are coerced). @default {{}} */
  set?: Record<string, unknown>;
  /** Seed of the run's random choices. @default {a random seed, printed in the report} */
  seed?: number;
  /** The scenario file, for messages and the report. @default {undefined} */
  file?: string;
  /**
   * Aborting it stops the run; the report is still returned, with outcome `aborted` (an abort
   * while servers start rejects). Without it, a run with server processes (server hosts, commands)
   * listens for SIGINT, SIGTERM and SIGHUP itself: it stops, reaps every server process, then
   * raises the signal again.
   */
  signal?: AbortSignal;
  /** Called with live progress. @default {undefined} */
  onProgress?: (sample: ProgressSample) => void;
  /** Called when the run enters a phase. @default {undefined} */
  onPhase?: (phase: RunPhase) => void;
  /** How often `onProgress` is called, ms. @default {250} */
  progressIntervalMs?: number;
  /** Cores the planner assumes when choosing worker threads. @default {navigator.hardwareConcurrency} */
  cores?: number;
  /**
   * Watch for stalls: the main-thread watchdog and the workers' in-flight tracking. `false` is for
   * measuring their cost; `noStallLongerThan` then fails as not judged.
   * @default {true}
   */
  watchdog?: boolean;
  /**
   * Directory for the server processes' logs (server hosts, commands).
   * @default {".wedge/logs/<scenario>-<time>" under the working directory}
   */
  logDir?: string;
}

/** How often workers post a snapshot, ms. */
const SNAPSHOT_INTERVAL_MS = 250;
/** How often the stall watchdog looks at progress, ms. */
const WATCHDOG_TICK_MS = 100;
/** A watchdog tick this late means the main thread was blocked, ms. */
const LATE_TICK_MS = 1000;

/**
 * Runs a scenario and returns its report; never throws for a failed assertion (see
 * `report.passed`).
 *
 * @param definition A scenario made by `defineScenario`.
 * @param options Param overrides, seed, abort signal, progress callback.
 * @returns The report, with every assertion judged.
 * @throws {ScenarioError} If the scenario or a param is invalid (before anything starts).
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
  definition: ScenarioDefinition<P>,
  options: RunScenarioOptions = {},
): Promise<RunReport> {
  const scenario = resolveScenario(definition, { set: options.set, file: options.file });
  if (scenario.network && !insideNamespace()) {
    throw new UsageError(
      `scenario "${scenario.name}" asks for a network namespace of its own: run it with the CLI (deno task scenario ${
        scenario.file ?? "<file>"
      }), which re-runs itself inside one`,
    );
  }
  const plan = planRun(scenario, { seed: options.seed ?? randomSeed(), cores: options.cores });
  // A plan the fd limit cannot even start is refused before any process or worker exists.
  checkFdHeadroom(plan, { limit: fdLimit("self"), openFds: sampleProcess("self").openFds });
  // Server processes run in process groups of their own, which a terminal's Ctrl-C does not
  // reach. A caller that passes no signal has no way to stop the run on one: then the run itself
  // listens, stops gracefully (every server process reaped), and raises the signal again.
  const processes = plan.servers.some((s) => s.placement === "host" || s.placement === "command");
  if (options.signal !== undefined || !processes) return await runPlanned(scenario, plan, options);
  const controller = new AbortController();
  let caught: Deno.Signal | null = null;
  const listeners = GUARDED_SIGNALS.map((signal) => {
    const listener = () => {
      caught ??= signal;
      controller.abort();
    };
    Deno.addSignalListener(signal, listener);
    return () => Deno.removeSignalListener(signal, listener);
  });
  try {
    return await runPlanned(scenario, plan, { ...options, signal: controller.signal });
  } finally {
    for (const remove of listeners) remove();
    if (caught) Deno.kill(Deno.pid, caught);
  }
}

/** Signals a run listens to while it has server processes and its caller gave no abort signal. */
const GUARDED_SIGNALS: Deno.Signal[] = ["SIGINT", "SIGTERM", "SIGHUP"];

async function runPlanned(
  scenario: Scenario,
  plan: RunPlan,
  options: RunScenarioOptions,
): Promise<RunReport> {
  const collector = new RunCollector(plan);
  const incidents: string[] = [];
  const timeline: TimelinePoint[] = [];

  const watching = options.watchdog ?? true;
  // One watchdog per kind of progress (any completion; responses only), each armed with the
  // shortest bound its assertions ask for. The first to trip stops the run.
  const kinds: StallProgressKind[] = ["completions", "responses"];
  const watchdogs = Object.fromEntries(kinds.map((kind) => {
    const bounds = scenario.assert
      .filter((a) => a.watch?.stallMs !== undefined && (a.watch.progress ?? "completions") === kind)
      .map((a) => a.watch!.stallMs!);
    return [
      kind,
      new StallWatchdog({
        boundMs: watching && bounds.length ? Math.min(...bounds) : null,
        resolutionMs: SNAPSHOT_INTERVAL_MS + WATCHDOG_TICK_MS,
      }),
    ];
  })) as Record<StallProgressKind, StallWatchdog>;
  const armedBounds = kinds.map((k) => watchdogs[k].boundMs).filter((b) => b !== null);
  const shortestBound = armedBounds.length ? Math.min(...armedBounds) : null;
  let stall: StallDiagnosis | null = null;
  const failedWorkers = new Set<number>();
  const limit = fdLimit("self");
  let peakOpenFds: number | null = null;
  let t0 = performance.now();
  const at = () => `${formatDuration(performance.now() - t0)} into the load`;

  notify(options.onPhase, { phase: "servers", count: plan.servers.length });
  let processExit: ((name: string) => void) | undefined;
  let exitedProcess: string | null = null;
  const servers = await startRunServers(plan, {
    scenario,
    set: options.set,
    signal: options.signal,
    logDir: options.logDir ??
      `.wedge/logs/${scenario.name}-${new Date().toISOString().replace(/[:.]/g, "-")}`,
    onServerFailure: (id, message) => {
      const s = plan.servers[id];
      incidents.push(
        `server ${s.fleet}[${s.index}] stopped accepting connections ${at()}: ${message}${
          /os error 24|too many open files/i.test(message) && s.placement === "runtime"
            ? ` (open fds ${sampleProcess("self").openFds ?? "?"} of limit ${limit ?? "?"})`
            : ""
        }`,
      );
    },
    onProcessExit: (exit) => {
      incidents.push(
        `server process ${exit.name} exited ${at()} with ${
          exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`
        }`,
      );
      // Recorded at once: an exit while the client workers start stops the run as well.
      exitedProcess ??= exit.name;
      processExit?.(exit.name);
    },
  });
  // Memory of the runtime and every server process, sampled steadily from here to the end.
  const sampler = new MemorySampler([
    { name: "runtime", role: "runtime", pid: Deno.pid, fleet: null },
    ...servers.processes,
  ]);
  sampler.start();
  // The main thread's event-loop lag: a handler of an in-process server that runs synchronous code
  // blocks the servers, the collector and the watchdog alike; the lag says for how long.
  const lag = startLagMonitor();
  const checkpoints: MemoryCheckpoint[] = [];
  let clients: Awaited<ReturnType<typeof startClientFleet>> | undefined;
  let progressTimer: ReturnType<typeof setTimeout> | undefined;
  let watchdogTimer: ReturnType<typeof setTimeout> | undefined;
  let censusTimer: ReturnType<typeof setTimeout> | undefined;
  const h2Servers = servers.counters.filter((c) => c.streams !== null);
  // Socket census of the run's server ports, about once a second; one read at a time.
  const ports = new Set(servers.urls.map((url) => Number(new URL(url).port)));
  let census: SocketCensus | null = null;
  let peakTimeWait = 0;
  let peakEstablished = 0;
  let censusPending: Promise<void> | null = null;
  let censusEvery = 250;
  let censusStopped = false;
  // The kernel's refused connection attempts (namespace-wide), read with each census.
  let listenBefore: ListenCounters | null = null;
  let listenNow: ListenCounters | null = null;
  const takeCensus = (): Promise<void> => {
    const started = performance.now();
    return censusPending ??= Promise.all([
      readSocketCensus(ports),
      readListenCounters().then((l) => void (listenNow = l ?? listenNow)),
    ]).then(([c]) => {
      // With many sockets a read costs tens of ms: keep the census under ~20% of the time.
      censusEvery = Math.max(250, 4 * (performance.now() - started));
      if (!c) return;
      census = c;
      peakTimeWait = Math.max(peakTimeWait, c.timeWait);
      peakEstablished = Math.max(peakEstablished, c.established);
    }).finally(() => (censusPending = null));
  };
  const censusLoop = () => {
    if (censusStopped) return;
    takeCensus().then(() => {
      if (!censusStopped) censusTimer = setTimeout(censusLoop, censusEvery);
    });
  };
  let limitTimer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  try {
    notify(options.onPhase, {
      phase: "clients",
      clients: plan.clients.length,
      workers: plan.workers.length,
    });
    clients = await startClientFleet(plan, {
      urls: servers.urls,
      caCerts: servers.caCerts,
      trackInFlight: watching,
      snapshotIntervalMs: SNAPSHOT_INTERVAL_MS,
      onSnapshot: (snapshot) => collector.apply(snapshot, performance.now() - t0),
      onFailure: (workerId, message) => {
        failedWorkers.add(workerId);
        incidents.push(`client worker ${workerId} failed: ${message}`);
      },
    });

    listenBefore = listenNow = await readListenCounters();
    const startedAt = Date.now();
    t0 = performance.now();
    const recent = new RecentRate();
    const intervalMs = options.progressIntervalMs ?? 250;
    const sample = (): ProgressSample => {
      const elapsedMs = performance.now() - t0;
      const t = collector.totals();
      if (timeline.length === 0 || elapsedMs - timeline[timeline.length - 1].atMs >= 1000) {
        const probe = sampleProcess("self");
        if (probe.openFds !== null) peakOpenFds = Math.max(peakOpenFds ?? 0, probe.openFds);
        timeline.push({
          atMs: Math.round(elapsedMs),
          completed: t.completed,
          inFlight: t.inFlight,
          errors: t.errors,
          openStreams: h2Servers.length
            ? h2Servers.reduce((sum, c) => sum + c.streams!.open, 0)
            : null,
          timeWait: census?.timeWait ?? null,
          established: census?.established ?? null,
          sockets: census ? { client: { ...census.client }, server: { ...census.server } } : null,
          openFds: probe.openFds,
          rssBytes: probe.rssBytes,
          listenDrops: listenBefore && listenNow ? listenNow.drops - listenBefore.drops : null,
        });
      }
      return {
        elapsedMs,
        planned: plan.planned,
        sent: t.sent,
        completed: t.completed,
        inFlight: t.inFlight,
        errors: t.errors,
        recentRps: recent.observe(elapsedMs, t.completed),
      };
    };
    progressTimer = setInterval(() => notify(options.onProgress, sample()), intervalMs);

    notify(options.onPhase, { phase: "load" });
    sampler.setOrigin(t0);
    censusLoop(); // a census at once, then every 250 ms or more
    // The load runs in rounds: one, or warm-up loads and measured iterations for a memory verdict.
    let round = 0;
    let roundRunning = false;
    let roundStartedAt = 0;
    const roundLoadMs: number[] = []; // each round's load time, settles excluded
    let settleTimer: ReturnType<typeof setTimeout> | undefined;
    const checkpoint = () => {
      const reading = sampler.sample();
      checkpoints.push({
        round,
        atMs: reading.atMs,
        completed: collector.totals().completed,
        rssBytes: reading.rssBytes,
        runtime: readRuntimeMemory(clients?.heaps() ?? []),
      });
    };
    const stopped = new Promise<RunOutcome>((resolve) => {
      limitTimer = setTimeout(() => resolve("time-limit"), plan.timeLimitMs);
      processExit = (name) => {
        exitedProcess ??= name;
        resolve("server-exited");
      };
      // A server process that exited after it was ready, before this point (while the client
      // workers started), stops the run too.
      if (exitedProcess !== null) resolve("server-exited");
      if (watching) {
        // Work is owed while requests are in flight, while a closed-loop request-count client has
        // requests left to send, or while a closed-loop duration client's time has not run out.
        // An open-model client owes only what its schedule has made due and it has not sent: a
        // low rate's quiet gaps are not stalls.
        const closed = plan.clients.filter((c) => c.arrival === null);
        const countClients = closed.filter((c) => c.requests !== null);
        const countPlanned = countClients.reduce((sum, c) => sum + c.requests!, 0);
        const durationEndMs = Math.max(0, ...closed.map((c) => c.durationMs ?? 0));
        const open = plan.clients.filter((c) => c.arrival !== null).map((c) => ({
          client: c,
          schedule: new ArrivalSchedule(c.arrival!),
          sentBefore: 0, // sent or dropped before the current round
        }));
        let openRound = 0;
        const silentMs = Math.min(2000, (shortestBound ?? 4000) / 2);
        let lastTickAt = performance.now();
        let deferred = false;
        watchdogTimer = setInterval(() => {
          const now = performance.now() - t0;
          // A tick late by a second: the main thread was blocked, and what the workers posted
          // meanwhile still waits in its queue. Judge on the next tick, once it has been read.
          const late = now + t0 - lastTickAt - WATCHDOG_TICK_MS >= LATE_TICK_MS;
          lastTickAt = now + t0;
          const t = collector.totals();
          const perClient = collector.clients();
          const countSent = countClients.reduce((sum, c) => sum + perClient[c.id].sent, 0);
          if (openRound !== round) {
            openRound = round;
            for (const o of open) {
              o.sentBefore = perClient[o.client.id].sent + perClient[o.client.id].dropped;
            }
          }
          const overdue = roundRunning && open.some((o) => {
            const due = Math.min(
              o.client.requests ?? Infinity,
              o.schedule.dueBy(Math.min(now - roundStartedAt, o.client.durationMs ?? Infinity)),
            );
            // Dropped requests will never be sent: they are not owed.
            const c = perClient[o.client.id];
            return due > c.sent + c.dropped - o.sentBefore;
          });
          // Between rounds (a memory verdict's settle time) nothing is owed.
          const owed = t.inFlight > 0 || overdue ||
            (roundRunning && closed.length > 0 &&
              (countSent < countPlanned * round || now - roundStartedAt < durationEndMs));
          const tripped = kinds.filter((kind) =>
            watchdogs[kind].observe({
              atMs: now,
              completed: kind === "responses" ? t.completed - t.errors : t.completed,
              owed,
            })
          );
          if (tripped.length === 0 || stall) {
            deferred = false;
            return;
          }
          if (late && !deferred) {
            deferred = true;
            return;
          }
          deferred = false;
          const kind = tripped[0];
          const watchdog = watchdogs[kind];
          stall = diagnoseStall({
            detectedAtMs: now,
            progressStoppedAtMs: watchdog.current!.fromMs,
            progress: kind,
            boundMs: watchdog.boundMs!,
            totals: { completed: t.completed, inFlight: t.inFlight, planned: plan.planned },
            serverNames: plan.servers.map((s) => `${s.fleet}[${s.index}]`),
            clientNames: plan.clients.map((c) => `${c.fleet}[${c.index}]`),
            inFlightByServer: collector.inFlightByServer(),
            awaitingHeadersByServer: collector.awaitingHeadersByServer(),
            inFlightByClient: collector.inFlightByClient(),
            // A command's or a URL's counters are unknown (null), never 0.
            servers: servers.counters.map((c, id) =>
              serverCountsRequests(plan.servers[id].placement)
                ? c
                : { ...c, received: null, responded: null }
            ),
            oldest: collector.oldestInFlight(now),
            sockets: census,
            serverPorts: servers.urls.map((url) => Number(new URL(url).port)),
            process: { ...sampleProcess("self"), fdLimit: limit },
            // A worker's snapshots wait in the queue while the main thread is blocked: that
            // silence is the main thread's, not the worker's.
            silentWorkers: silentBeyondRuntime(
              collector.silentWorkers(now, {
                thresholdMs: silentMs,
                workerIds: plan.workers.map((w) => w.id),
                failed: failedWorkers,
              }),
              {
                runtime: lag.tracker,
                nowMs: now + t0 + performance.timeOrigin,
                thresholdMs: silentMs,
              },
            ),
            // Blocks during the stall or just before it (what the workers posted during a block
            // of the main thread is read after it, and counts as progress then).
            blockedThreads: blockedThreadsDuring({
              fromMs: watchdog.current!.fromMs - watchdog.boundMs! + t0 + performance.timeOrigin,
              toMs: epochNow(),
            }, {
              runtime: lag.tracker,
              hosts: servers.hostEventLoops(),
              loadStartMs: t0 + performance.timeOrigin,
            }),
          });
          notify(options.onPhase, { phase: "stalled", diagnosis: stall });
          resolve("stalled");
        }, WATCHDOG_TICK_MS);
      }
      if (options.signal) {
        onAbort = () => resolve("aborted");
        if (options.signal.aborted) onAbort();
        else options.signal.addEventListener("abort", onAbort, { once: true });
      }
    });
    // Clients that all run for a duration stop at the longest one plus a grace for the requests
    // still in flight (2 s, or the longest request timeout + 1 s), not at the time limit: an
    // endless response must not hold the run.
    const durationGraceMs = plan.clients.every((c) => c.durationMs !== null)
      ? Math.max(...plan.clients.map((c) => c.durationMs!)) +
        Math.max(2000, ...plan.clients.map((c) => (c.timeout?.afterMs ?? 0) + 1000))
      : null;
    let graceTimer: ReturnType<typeof setTimeout> | undefined;
    let graceExpired = false;
    const rounds = async (): Promise<RunOutcome> => {
      // No load against a server that is already gone.
      if (exitedProcess !== null) return "server-exited";
      const memoryRounds = plan.memoryRounds;
      if (memoryRounds) checkpoint(); // round 0: before any load
      for (round = 1; round <= plan.rounds; round++) {
        if (memoryRounds) {
          notify(options.onPhase, {
            phase: "round",
            round,
            rounds: plan.rounds,
            warmup: round <= memoryRounds.warmup,
          });
        }
        roundStartedAt = performance.now() - t0;
        roundRunning = true;
        const done = clients!.start({ round, last: round === plan.rounds });
        const grace = durationGraceMs === null ? new Promise<never>(() => {}) : new Promise<
          "completed"
        >((resolve) => {
          graceTimer = setTimeout(() => {
            graceExpired = true;
            resolve("completed");
          }, durationGraceMs);
        });
        const interrupted = await Promise.race([done.then(() => null), stopped, grace]);
        clearTimeout(graceTimer);
        // The run may have ended this round already (stopped), and counted its load time.
        if (!roundRunning) return interrupted ?? "completed";
        roundRunning = false;
        roundLoadMs.push(performance.now() - t0 - roundStartedAt);
        if (interrupted !== null) return interrupted;
        if (!memoryRounds) continue;
        notify(options.onPhase, { phase: "settle", round, settleMs: memoryRounds.settleMs });
        const settled = await Promise.race([
          new Promise<null>((resolve) => {
            settleTimer = setTimeout(() => resolve(null), memoryRounds.settleMs);
          }),
          stopped,
        ]);
        clearTimeout(settleTimer);
        if (settled !== null) return settled;
        checkpoint();
      }
      return "completed";
    };
    const outcome = await Promise.race([rounds(), stopped]);
    clearTimeout(settleTimer);
    // The load phase's length, without the quiet time between rounds (rates are per load time).
    if (roundRunning) roundLoadMs.push(performance.now() - t0 - roundStartedAt);
    roundRunning = false;
    const durationMs = roundLoadMs.reduce((a, b) => a + b, 0);
    sampler.stop();
    // Resets of the last cancelled HTTP/2 streams reach the servers a moment after the clients
    // finish: let them land (bounded) before taking the servers' view.
    await settleStreams(h2Servers, servers.refresh);
    // The servers' view as the load ended: stopping releases held requests (answered 503), which
    // belongs to the teardown, not to the run.
    await servers.refresh();
    const eventLoops = eventLoopReports(epochNow(), {
      runtime: lag.tracker,
      hosts: servers.hostEventLoops(),
      loadStartMs: t0 + performance.timeOrigin,
    });
    const serverCounters = servers.counters.map((c) => ({
      ...c,
      streams: c.streams && { ...c.streams, byConnection: new Map(c.streams.byConnection) },
    }));
    censusStopped = true;
    clearTimeout(censusTimer);
    await censusPending;
    await takeCensus(); // the sockets as the load ended, before anything is stopped
    const listenAfter = listenNow as ListenCounters | null; // set by the census just taken
    const backlogs = listenBefore ? await readListenBacklogs(ports) : {};
    clearInterval(progressTimer);
    clearInterval(watchdogTimer);
    progressTimer = undefined;
    notify(options.onProgress, sample());
    if (outcome !== "completed") notify(options.onPhase, { phase: "stopping", reason: outcome });

    const { unresponsive } = await clients.stop({ graceMs: 2000 });
    if (unresponsive.length) {
      incidents.push(
        `client workers ${
          unresponsive.join(", ")
        } did not report within 2s of stop and were terminated`,
      );
    }
    const { unstopped } = await servers.stop({ timeoutMs: 2000 });
    if (unstopped.length) {
      incidents.push(`did not shut down in time: ${unstopped.join(", ")}`);
    }
    if (peakOpenFds !== null && limit !== null && peakOpenFds >= 0.9 * limit) {
      incidents.push(
        `the runtime's open file descriptors reached ${peakOpenFds} of its limit ${limit} (ulimit -n)`,
      );
    }
    // Assigned by the watchdog's timer callback (which TypeScript's narrowing cannot see).
    const stalled = stall as StallDiagnosis | null;
    return buildReport({
      scenario,
      plan,
      collector,
      servers: serverCounters,
      urls: servers.urls,
      startedAt,
      roundLoadMs,
      durationMs,
      outcome,
      outcomeDetail: outcome === "completed"
        ? graceExpired
          ? `the clients' duration ended; requests still in flight ${
            formatDuration(durationGraceMs! - Math.max(...plan.clients.map((c) => c.durationMs!)))
          } later were stopped`
          : "every client finished"
        : outcome === "time-limit"
        ? `stopped by the time limit (${formatDuration(plan.timeLimitMs)})`
        : outcome === "stalled"
        ? `stopped by the stall watchdog: no ${
          stalled?.progress === "responses" ? "response" : "request completed"
        } for ${formatDuration(stalled?.boundMs ?? 0)}`
        : outcome === "server-exited"
        ? `stopped because server process ${exitedProcess} exited`
        : "stopped by an abort signal",
      timeline,
      incidents,
      process: {
        pid: Deno.pid,
        fdLimit: limit,
        peakOpenFds,
        peakRssBytes: sampleProcess("self").peakRssBytes,
      },
      host: { ...readHostSettings(), networkNamespace: insideNamespace() },
      sockets: census === null ? null : { peakTimeWait, peakEstablished, atEnd: census },
      listen: listenReport({
        before: listenBefore,
        after: listenAfter,
        namespace: insideNamespace(),
        listeners: plan.servers.map((s) => {
          const port = Number(new URL(servers.urls[s.id]).port);
          return { server: `${s.fleet}[${s.index}]`, port, backlog: backlogs[port] ?? null };
        }),
      }),
      watchdog: watching
        ? { boundMs: shortestBound, resolutionMs: SNAPSHOT_INTERVAL_MS + WATCHDOG_TICK_MS }
        : null,
      longestStall: watchdogs.completions.longest,
      longestStallByProgress: {
        completions: watchdogs.completions.longest,
        responses: watchdogs.responses.longest,
      },
      stall,
      eventLoops,
      serverProcesses: servers.describe(t0),
      memory: sampler.timeline.every((t) => t.rssBytes[0] === null) ? null : {
        intervalMs: sampler.intervalMs,
        processes: sampler.processes.map((p, i) => ({
          ...p,
          peakRssBytes: sampler.peakRssBytes[i],
        })),
        timeline: sampler.timeline,
        rounds: plan.memoryRounds,
        checkpoints,
      },
    });
  } finally {
    sampler.stop();
    lag.stop();
    clearInterval(progressTimer);
    clearInterval(watchdogTimer);
    censusStopped = true;
    clearTimeout(censusTimer);
    await censusPending;
    clearTimeout(limitTimer);
    if (onAbort) options.signal?.removeEventListener("abort", onAbort);
    await clients?.stop({ graceMs: 0 });
    await servers.stop({ timeoutMs: 2000 });
  }
}

/** Calls a caller's callback; a callback that throws is reported on stderr, never ends the run. */
function notify<T>(callback: ((value: T) => void) | undefined, value: T): void {
  if (!callback) return;
  try {
    callback(value);
  } catch (error) {
    console.error(`wedge: a progress callback threw (ignored): ${error}`);
  }
}

/**
 * Waits until the HTTP/2 servers' open streams are 0 or unchanged for 100 ms, at most 300 ms.
 */
async function settleStreams(
  h2Servers: readonly { streams: { open: number } | null }[],
  refresh: () => Promise<void>,
) {
  if (h2Servers.length === 0) return;
  const open = () => h2Servers.reduce((sum, c) => sum + c.streams!.open, 0);
  let last = open();
  let stableFor = 0;
  for (let waited = 0; waited < 300 && last > 0 && stableFor < 100; waited += 25) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    await refresh();
    const now = open();
    stableFor = now === last ? stableFor + 25 : 0;
    last = now;
  }
}
