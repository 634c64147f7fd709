/**
 * Runs a fleet of wedge's own servers in a server host process (`host.ts`) and mirrors its
 * counters here, so the rest of the runtime sees the same live counters as for servers in its own
 * process, while memory, fds and sockets belong to the host alone.
 *
 * @module
 */

import { join } from "node:path";
import { copyToFile, readLines, writeAll } from "../system/child_output.ts";
import { epochNow, type LagReading } from "../system/event_loop_lag.ts";
import { signalGroup, trackGroup, untrackGroup, waitGroupGone } from "../system/process_reaper.ts";
import { watchGroup } from "../system/supervisor.ts";
import { newServerCounters, type ServerCounters, type ServerToStart } from "./fleet.ts";
import {
  type FromHost,
  HOST_LINE_PREFIX,
  type HostScenarioSource,
  type ToHost,
  type WireCounters,
} from "./host_protocol.ts";

/** How a host process ended. */
export interface HostExit {
  /** Exit code. */
  code: number;
  /** Signal that ended it, or null. */
  signal: string | null;
  /** `performance.now()` when it was seen. */
  atMs: number;
  /** The last lines of its stderr. */
  stderrTail: string;
}

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
  /** Resolves when the host process exits. */
  exited: Promise<HostExit>;
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
}

const TAIL_BYTES = 4096;

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
  await Deno.mkdir(options.logDir, { recursive: true });
  const safe = options.name.replace(/[^\w.-]+/g, "_");
  const stdoutLog = join(options.logDir, `${safe}.host.stdout.log`);
  const stderrLog = join(options.logDir, `${safe}.host.stderr.log`);
  // The log files first: nothing can fail between starting the host and watching it.
  const files = { write: true, create: true, truncate: true };
  const stdoutFile = await Deno.open(stdoutLog, files);
  const stderrFile = await Deno.open(stderrLog, files).catch((error) => {
    stdoutFile.close();
    throw error;
  });
  const config = new URL("../deno.json", import.meta.url);
  const args = ["run", "--allow-all", "--quiet"];
  if (config.protocol === "file:") args.push("--config", config.pathname);
  args.push(new URL("./host.ts", import.meta.url).href);
  // A group of its own: a terminal's Ctrl-C reaches wedge, which stops the host itself (and the
  // host exits if wedge dies: its stdin closes). Whatever a handler starts is in that group, and
  // a supervisor started at once beside it kills that group if wedge dies (supervisor.ts): the
  // host's own exit on EOF would leave a process a handler started, and a blocked host would
  // not see the EOF at all.
  const child = new Deno.Command(Deno.execPath(), {
    args,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    detached: true,
  }).spawn();
  const guard = watchGroup(child.pid);
  trackGroup(child.pid);
  let stopFailure: string | null = null;
  // SIGKILL to the host's group; a kill that cannot be sent is recorded, and the supervisor
  // (which needs no permission) kills the group instead.
  const killGroup = () => {
    try {
      signalGroup(child.pid, "SIGKILL");
    } catch (error) {
      stopFailure ??= error instanceof Error ? error.message : String(error);
      guard.fire();
    }
  };

  const encoder = new TextEncoder();
  const stdin = child.stdin.getWriter();
  const post = (message: ToHost) =>
    stdin.write(encoder.encode(JSON.stringify(message) + "\n")).catch(() => {});

  const counters = servers.map((s) => newServerCounters(s.protocol));
  const apply = (wire: WireCounters[]) => {
    wire.forEach((w, i) => {
      const c = counters[i];
      c.received = w.received;
      c.responded = w.responded;
      c.handlerErrors = w.handlerErrors;
      c.handlerErrorMessages = w.handlerErrorMessages ?? [];
      c.failure = w.failure;
      if (c.streams && w.streams) {
        c.streams.reset = w.streams.reset;
        c.streams.open = w.streams.open;
        c.streams.byConnection = new Map(w.streams.byConnection);
        c.streams.peakOnOneConnection = w.streams.peakOnOneConnection;
      }
    });
  };

  let onMessage: (message: FromHost) => void = () => {};
  let lastHeardMs = epochNow();
  let hostLag: LagReading | null = null;
  const counterWaiters: (() => void)[] = [];
  const stdoutReader = child.stdout.getReader();
  const stdoutDone = readLines(stdoutReader, async (line) => {
    // A handler's output without a final newline may precede a protocol message on its line.
    const at = line.indexOf(HOST_LINE_PREFIX);
    if (at > 0) await writeAll(stdoutFile, encoder.encode(line.slice(0, at) + "\n"));
    if (at >= 0) {
      const message = JSON.parse(line.slice(at + HOST_LINE_PREFIX.length)) as FromHost;
      if (message.type === "counters") {
        apply(message.counters);
        lastHeardMs = epochNow();
        hostLag = message.lag ?? hostLag;
        for (const wake of counterWaiters.splice(0)) wake();
      }
      onMessage(message);
    } else {
      await writeAll(stdoutFile, encoder.encode(line + "\n"));
    }
  }).catch(() => {}).finally(() => stdoutFile.close());
  let tail = "";
  const stderrReader = child.stderr.getReader();
  const tailDecoder = new TextDecoder();
  const stderrDone = copyToFile(stderrReader, stderrFile, (chunk) => {
    tail = (tail + tailDecoder.decode(chunk, { stream: true })).slice(-TAIL_BYTES);
  });
  // The host has exited when its status comes, whatever still holds its pipes (a process a
  // handler started): the logs get a moment to drain, then the readers are cancelled.
  const exited: Promise<HostExit> = child.status.then(async (status) => {
    const atMs = performance.now();
    let drainTimer: ReturnType<typeof setTimeout> | undefined;
    const drained = await Promise.race([
      Promise.all([stdoutDone, stderrDone]).then(() => true),
      new Promise<false>((resolve) => (drainTimer = setTimeout(() => resolve(false), 500))),
    ]);
    clearTimeout(drainTimer);
    if (!drained) {
      await Promise.allSettled([stdoutReader.cancel(), stderrReader.cancel()]);
      await Promise.all([stdoutDone, stderrDone]);
    }
    // Anything the host left in its group goes with it.
    killGroup();
    untrackGroup(child.pid);
    // The supervisor stands down only once the group is gone.
    if (await waitGroupGone(child.pid)) guard.disarm();
    return { code: status.code, signal: status.signal, atMs, stderrTail: tail.trimEnd() };
  });

  const kill = async () => {
    killGroup();
    await exited;
  };

  // Start the servers and wait for them to listen, for the host to fail, for time to run out,
  // or for the run to be stopped.
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort = () => {};
  const started = await new Promise<
    FromHost | { type: "exit"; exit: HostExit } | { type: "aborted" } | null
  >(
    (resolve) => {
      onAbort = () => resolve({ type: "aborted" });
      if (options.signal?.aborted) onAbort();
      options.signal?.addEventListener("abort", onAbort, { once: true });
      onMessage = (message) => {
        if (message.type === "ready" || message.type === "error") resolve(message);
      };
      exited.then((exit) => resolve({ type: "exit", exit }));
      timer = setTimeout(() => resolve(null), readyTimeoutMs);
      post({ type: "start", servers: [...servers], scenario: options.scenario ?? null });
    },
  );
  clearTimeout(timer);
  options.signal?.removeEventListener("abort", onAbort);
  if (started === null || started.type !== "ready") {
    await kill();
    await stdin.close().catch(() => {});
    const why = started === null
      ? `was not ready within ${readyTimeoutMs}ms`
      : started.type === "error"
      ? `could not start its servers: ${started.message}`
      : started.type === "exit"
      ? `exited with code ${started.exit.code} before its servers listened`
      : started.type === "aborted"
      ? "was stopped while starting (the run was stopped)"
      : "sent an unexpected message";
    throw new ServerHostError(
      `the server host of ${options.name} ${why}${tail.trim() ? `\n${tail.trimEnd()}` : ""}`,
    );
  }
  const ready = started;
  onMessage = (message) => {
    if (message.type === "failure") options.onServerFailure?.(message.serverId, message.message);
  };

  let stopping: Promise<{ unstopped: string[] }> | undefined;
  const stopHost = async (timeoutMs: number) => {
    let unstopped: string[] = [];
    const stopped = new Promise<void>((resolve) => {
      const previous = onMessage;
      onMessage = (message) => {
        previous(message);
        if (message.type === "stopped") {
          unstopped = message.unstopped;
          resolve();
        }
      };
      exited.then(() => resolve());
    });
    await post({ type: "stop", timeoutMs });
    let killTimer: ReturnType<typeof setTimeout> | undefined;
    const inTime = await Promise.race([
      stopped.then(() => exited).then(() => true),
      new Promise<false>((
        resolve,
      ) => (killTimer = setTimeout(() => resolve(false), timeoutMs + 2000))),
    ]);
    clearTimeout(killTimer);
    await stdin.close().catch(() => {});
    if (!inTime) {
      await kill();
      unstopped = [...unstopped, `the server host of ${options.name} (killed)`];
    }
    return { unstopped };
  };

  return {
    pid: child.pid,
    urls: ready.urls,
    counters,
    caCerts: ready.caCerts,
    stdoutLog,
    stderrLog,
    exited,
    get stopFailure() {
      return stopFailure;
    },
    eventLoop: () => ({ lag: hostLag, lastHeardMs }),
    async refresh(refreshOptions = {}) {
      let waitTimer: ReturnType<typeof setTimeout> | undefined;
      const fresh = new Promise<void>((resolve) => counterWaiters.push(resolve));
      await post({ type: "counters" });
      await Promise.race([
        fresh,
        exited,
        new Promise((
          resolve,
        ) => (waitTimer = setTimeout(resolve, refreshOptions.timeoutMs ?? 500))),
      ]);
      clearTimeout(waitTimer);
    },
    stop(stopOptions = {}) {
      stopping ??= stopHost(stopOptions.timeoutMs ?? 2000);
      return stopping;
    },
  };
}
