/**
 * Runs a fleet of wedge's own servers in a server host process (`host.ts`) and mirrors its
 * counters here, so the rest of the runtime sees the same live counters as for servers in its own
 * process, while memory, fds and sockets belong to the host alone.
 *
 * @module
 */

import { epochNow, type LagReading } from "../system/event_loop_lag.ts";
import { deadline, isTimeout } from "../units/deadline.ts";
import {
  type ProcessExit,
  spawnSupervised,
  type SupervisedChild,
} from "../system/child_process.ts";
import { newServerCounters, type ServerCounters, type ServerToStart } from "./fleet.ts";
import {
  type FromHost,
  HOST_LINE_PREFIX,
  type HostScenarioSource,
  type ToHost,
  type WireCounters,
} from "./host_protocol.ts";

export type { ProcessExit };

/** A running server host. */
export interface HostedFleet {
  /** The host's process id. */
  pid: number;
  /** Base URL of each server, in the order given. */
  urls: string[];
  /** Live counters, in the order given (updated from the host's messages). */
  counters: ServerCounters[];
  /** The host's CA certificate (PEM) when it serves HTTP/2. */
  caCerts: string[];
  /** Files that capture the host's stdout and stderr. */
  stdoutLog: string;
  /** Files that capture the host's stdout and stderr. */
  stderrLog: string;
  /** Resolves when the host process exits (and whatever it left in its group is killed). */
  exited: Promise<ProcessExit>;
  /**
   * Why a signal to its group could not be sent (e.g. `NotCapable`), else null. The supervisor
   * then killed the group; the run reports it as a failure.
   */
  readonly stopFailure: string | null;
  /**
   * The host's event-loop lag as it last reported it (null before its first counters), and when
   * the runtime last heard from it (epoch ms): it posts every 250 ms unless its loop is blocked.
   */
  eventLoop(): { lag: LagReading | null; lastHeardMs: number };
  /** Asks for fresh counters and waits for them (at most `timeoutMs`). */
  refresh(options?: { timeoutMs?: number }): Promise<void>;
  /**
   * Stops the servers (each within `timeoutMs`) and the host; kills it if it does not exit in
   * time. Idempotent.
   */
  stop(options?: { timeoutMs?: number }): Promise<{ unstopped: string[] }>;
}

/** Options for {@linkcode startHostedFleet}. */
export interface StartHostedFleetOptions {
  /** Name for logs and messages, e.g. the fleet name. */
  name: string;
  /** Directory for the host's log files. */
  logDir: string;
  /** The scenario module, when a behaviour is code. @default {null} */
  scenario?: HostScenarioSource | null;
  /** How long the host may take to listen, ms. @default {30000} */
  readyTimeoutMs?: number;
  /** Aborting it while the host starts stops the host and rejects. @default {undefined} */
  signal?: AbortSignal;
  /** Called when a server stops serving on its own (id in the order given). */
  onServerFailure?: (index: number, message: string) => void;
  /** Soft open-files limit of the host process, set before it execs; null for wedge's. @default {null} */
  nofile?: number | null;
}

/**
 * A server host that could not start its servers, exited first, or was not ready in time; the
 * message says which, with the end of its stderr.
 *
 * @example
 * ```ts
 * import { ServerHostError } from "./hosted_fleet.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(new ServerHostError("the server host of servers exited").name, "ServerHostError");
 * ```
 */
export class ServerHostError extends Error {
  /**
   * Creates the error.
   *
   * @param message What went wrong, with the host's stderr tail.
   */
  constructor(message: string) {
    super(message);
    this.name = "ServerHostError";
  }
}

/**
 * Starts a server host process for some servers and resolves once they listen.
 *
 * @param servers The servers (ids 0..n-1 in the order given).
 * @param options Name, log directory, scenario source.
 * @returns The running host.
 * @throws {ServerHostError} If the host fails to start its servers or is not ready in time (it is killed
 *   and reaped first).
 *
 * @example
 * ```ts ignore
 * import { startHostedFleet } from "./hosted_fleet.ts";
 * import { hello } from "../scenario/behaviors.ts";
 *
 * const host = await startHostedFleet([{
 *   id: 0, fleet: "servers", index: 0, seed: 1, protocol: "h1",
 *   behavior: { kind: "hello", status: 200, body: "hi", headers: {} },
 * }], { name: "servers", logDir: await Deno.makeTempDir() });
 * await (await fetch(host.urls[0])).text();
 * await host.stop();
 * ```
 */
export async function startHostedFleet(
  servers: readonly ServerToStart[],
  options: StartHostedFleetOptions,
): Promise<HostedFleet> {
  const mirror: Mirror = {
    counters: servers.map((s) => newServerCounters(s.protocol)),
    lag: null,
    lastHeardMs: epochNow(),
    waiters: [],
    onMessage: () => {},
  };
  // A group of its own, guarded by a watcher beside it (its stdin carries the protocol): a
  // terminal's Ctrl-C reaches wedge, which stops the host itself; the host exits if wedge dies
  // (its stdin closes), and the watcher kills whatever a handler started in its group, or a
  // blocked host that would not see the end of its stdin.
  const child = await spawnSupervised(hostArgv(), {
    logDir: options.logDir,
    logName: `${options.name.replace(/[^\w.-]+/g, "_")}.host`,
    stdin: "piped",
    nofile: options.nofile ?? null,
    onStdoutLine: (line) => readHostLine(mirror, line),
  });
  const stdin = child.stdin!.getWriter();
  const encoder = new TextEncoder();
  const post = (message: ToHost) =>
    stdin.write(encoder.encode(JSON.stringify(message) + "\n")).catch(() => {});
  // Anything the host left in its group goes with it; the supervisor stands down only once the
  // group is gone.
  const exited = child.exited.then(async (exit) => {
    await child.kill();
    return exit;
  });
  const host: Host = { name: options.name, child, exited, mirror, post, stdin };
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
  const started = await waitStarted(host, { ...options, servers, readyTimeoutMs });
  if (started === null || started.type !== "ready") {
    await killHost(host);
    await stdin.close().catch(() => {});
    const tail = child.stderrTail();
    throw new ServerHostError(
      `the server host of ${options.name} ${whyNotStarted(started, readyTimeoutMs)}` +
        (tail.trim() ? `\n${tail.trimEnd()}` : ""),
    );
  }
  mirror.onMessage = (message) => {
    if (message.type !== "failure") return;
    // Kept at once: a host that dies before its next counters must not lose it.
    const counters = mirror.counters[message.serverId];
    if (counters) counters.failure ??= message.message;
    options.onServerFailure?.(message.serverId, message.message);
  };
  let stopping: Promise<{ unstopped: string[] }> | undefined;
  return {
    pid: child.pid,
    urls: started.urls,
    counters: mirror.counters,
    caCerts: started.caCerts,
    stdoutLog: child.stdoutLog,
    stderrLog: child.stderrLog,
    exited,
    get stopFailure() {
      return child.stopFailure;
    },
    eventLoop: () => ({ lag: mirror.lag, lastHeardMs: mirror.lastHeardMs }),
    refresh: (refreshOptions = {}) => refreshCounters(host, refreshOptions.timeoutMs ?? 500),
    stop(stopOptions = {}) {
      stopping ??= stopHost(host, stopOptions.timeoutMs ?? 2000);
      return stopping;
    },
  };
}

/** The command that starts a server host: `host.ts` beside this file, with wedge's config. */
function hostArgv(): string[] {
  const config = new URL("../deno.json", import.meta.url);
  const argv = [Deno.execPath(), "run", "--allow-all", "--quiet"];
  if (config.protocol === "file:") argv.push("--config", config.pathname);
  argv.push(new URL("./host.ts", import.meta.url).href);
  return argv;
}

/** What the runtime mirrors of a host: its servers' counters, its lag, and who waits for them. */
interface Mirror {
  counters: ServerCounters[];
  lag: LagReading | null;
  /** Epoch ms of its last counters. */
  lastHeardMs: number;
  /** Woken by the next counters. */
  waiters: (() => void)[];
  /** Sees every message from the host. */
  onMessage: (message: FromHost) => void;
}

/** A started host process and how to talk to it. */
interface Host {
  name: string;
  child: SupervisedChild;
  exited: Promise<ProcessExit>;
  mirror: Mirror;
  post: (message: ToHost) => Promise<void>;
  stdin: WritableStreamDefaultWriter<Uint8Array>;
}

function applyCounters(counters: ServerCounters[], wire: WireCounters[]): void {
  wire.forEach((w, i) => {
    const c = counters[i];
    c.received = w.received;
    c.responded = w.responded;
    c.handlerErrors = w.handlerErrors;
    c.handlerErrorMessages = w.handlerErrorMessages ?? [];
    c.failure = w.failure ?? c.failure;
    c.acceptedDead = w.acceptedDead ?? null;
    if (c.streams && w.streams) {
      c.streams.reset = w.streams.reset;
      c.streams.resetByServer = w.streams.resetByServer;
      c.streams.open = w.streams.open;
      c.streams.peakOnOneConnection = w.streams.peakOnOneConnection;
      c.streams.connections = new Map(w.streams.connections);
      c.streams.maxConcurrent = w.streams.maxConcurrent;
    }
  });
}

/** Handles one line of the host's stdout; returns what of it to log (null: nothing). */
function readHostLine(mirror: Mirror, line: string): string | null {
  // A handler's output without a final newline may precede a protocol message on its line.
  const at = line.indexOf(HOST_LINE_PREFIX);
  if (at < 0) return line;
  const message = JSON.parse(line.slice(at + HOST_LINE_PREFIX.length)) as FromHost;
  if (message.type === "counters") {
    applyCounters(mirror.counters, message.counters);
    mirror.lastHeardMs = epochNow();
    mirror.lag = message.lag ?? mirror.lag;
    for (const wake of mirror.waiters.splice(0)) wake();
  }
  mirror.onMessage(message);
  return at > 0 ? line.slice(0, at) : null;
}

type Started = FromHost | { type: "exit"; exit: ProcessExit } | { type: "aborted" } | null;

/**
 * Starts the servers and waits for them to listen, for the host to fail or exit, for time to
 * run out (null), or for the run to be stopped.
 */
async function waitStarted(
  host: Host,
  options: StartHostedFleetOptions & { servers: readonly ServerToStart[]; readyTimeoutMs: number },
): Promise<Started> {
  const started = new Promise<Started>((resolve) => {
    host.mirror.onMessage = (message) => {
      if (message.type === "ready" || message.type === "error") resolve(message);
    };
    host.exited.then((exit) => resolve({ type: "exit", exit }));
  });
  host.post({ type: "start", servers: [...options.servers], scenario: options.scenario ?? null });
  try {
    return await deadline(started, options.readyTimeoutMs, { signal: options.signal });
  } catch (error) {
    if (options.signal?.aborted) return { type: "aborted" };
    if (isTimeout(error)) return null;
    throw error;
  }
}

function whyNotStarted(started: Started, readyTimeoutMs: number): string {
  return started === null
    ? `was not ready within ${readyTimeoutMs}ms`
    : started.type === "error"
    ? `could not start its servers: ${started.message}`
    : started.type === "exit"
    ? `exited with code ${started.exit.code} before its servers listened`
    : started.type === "aborted"
    ? "was stopped while starting (the run was stopped)"
    : "sent an unexpected message";
}

/** SIGKILLs the host's group and waits for its exit. */
async function killHost(host: Host): Promise<void> {
  await host.child.kill();
  await host.exited;
}

/** Asks for fresh counters and waits for them, for the host's exit, or `timeoutMs`. */
async function refreshCounters(host: Host, timeoutMs: number): Promise<void> {
  const fresh = new Promise<void>((resolve) => host.mirror.waiters.push(resolve));
  await host.post({ type: "counters" });
  await deadline(Promise.race([fresh, host.exited]), timeoutMs).catch(() => {});
}

/**
 * Asks the host to stop its servers (each within `timeoutMs`) and exit; kills it if it has not
 * exited 2 s after that.
 */
async function stopHost(host: Host, timeoutMs: number): Promise<{ unstopped: string[] }> {
  let unstopped: string[] = [];
  const stopped = new Promise<void>((resolve) => {
    const previous = host.mirror.onMessage;
    host.mirror.onMessage = (message) => {
      previous(message);
      if (message.type === "stopped") {
        unstopped = message.unstopped;
        resolve();
      }
    };
    host.exited.then(() => resolve());
  });
  await host.post({ type: "stop", timeoutMs });
  const inTime = await deadline(stopped.then(() => host.exited), timeoutMs + 2000)
    .then(() => true, () => false);
  await host.stdin.close().catch(() => {});
  if (!inTime) {
    await killHost(host);
    unstopped = [...unstopped, `the server host of ${host.name} (killed)`];
  }
  return { unstopped };
}
