/**
 * Command servers: the user's own server, started as a process on a port wedge picks, its output
 * copied to log files, waited for until it is ready, and stopped (SIGTERM, then SIGKILL) within a
 * bound.
 *
 * The process is started detached: it leads a new session and process group, so signals go to
 * the group and reach what it started too (a `sh -c` wrapper's server, `cargo run`'s binary). The
 * price is that a terminal's Ctrl-C no longer reaches it: wedge stops it itself, and on
 * `Deno.exit()` an `unload` listener SIGKILLs every group still running. It is started through
 * the supervisor (`supervisor.ts`), which SIGKILLs the group when wedge dies in any other way
 * (`kill -9`, a panic), and through which wedge still sees the command's own exit code or signal.
 *
 * @module
 */

import { resolve } from "node:path";
import { copyToFile } from "../system/child_output.ts";
import {
  groupAlive,
  signalGroup,
  trackGroup,
  untrackGroup,
  waitGroupGone,
} from "../system/process_reaper.ts";
import {
  type GroupGuard,
  groupGuard,
  supervisedArgv,
  supervisorAvailable,
} from "../system/supervisor.ts";
import { portOwnership, socketHolders } from "../system/port_owner.ts";
import type { CommandBehavior, ReadySpec } from "../scenario/schema.ts";

export type { ReadySpec };

/**
 * One server process to start (a command fleet's validated behaviour, without its `kind`).
 * `{port}` in `argv`, in `env` values and in `ready.url` is replaced by the port wedge picked.
 */
export type CommandServerSpec = Omit<CommandBehavior, "kind">;

/** How a command server's process ended. */
export interface CommandServerExit {
  /** Exit code (128 + the signal number when a signal ended it). */
  code: number;
  /** The signal that ended it, e.g. `SIGKILL`, or null. */
  signal: string | null;
  /** `performance.now()` when wedge saw it exit. */
  atMs: number;
  /** The last lines of its stderr (at most 20 lines and 4096 characters). */
  stderrTail: string;
}

/** A running command server. */
export interface CommandServer {
  /** Its name in messages, e.g. `app[0]`. */
  name: string;
  /** Its process id (also its process group id). */
  pid: number;
  /** The port wedge picked for it. */
  port: number;
  /** `http://HOST:PORT/`. */
  url: string;
  /** The command it was started with, `{port}` replaced. */
  argv: string[];
  /** Absolute path of the file its stdout is copied to. */
  stdoutLog: string;
  /** Absolute path of the file its stderr is copied to. */
  stderrLog: string;
  /** Resolves when the process exits, whenever that is (also after `stop()`). Never rejects. */
  exited: Promise<CommandServerExit>;
  /** The exit once seen, else null. */
  readonly exit: CommandServerExit | null;
  /** True once `stop()` was called (an exit after that is not "early"). */
  readonly stopping: boolean;
  /**
   * Why a signal to its group could not be sent (e.g. `NotCapable` under narrowed permissions,
   * or EPERM), else null. The supervisor then killed the group; the run reports it as a failure.
   */
  readonly stopFailure: string | null;
  /** The last lines of its stderr so far (at most 20 lines and 4096 characters). */
  stderrTail(): string;
  /**
   * Sends SIGTERM to its process group, waits `stopTimeoutMs` for the group to end, then sends
   * SIGKILL and waits (at most 2 s) for the exit. Calling it again returns the same promise.
   *
   * @returns Whether SIGKILL was needed, and the exit (null if even SIGKILL did not end it).
   */
  stop(): Promise<{ forced: boolean; exit: CommandServerExit | null }>;
}

/** Options for {@linkcode startCommandServer}. */
export interface StartCommandServerOptions {
  /** Its name in messages and log file names, e.g. `app[0]`. */
  name: string;
  /** Directory for its stdout and stderr logs (created if missing). */
  logDir: string;
  /**
   * Address it is expected to listen on, for the free port and the readiness check.
   * @default {"127.0.0.1"}
   */
  hostname?: string;
  /** Aborting it while the server is starting stops it and rejects. @default {undefined} */
  signal?: AbortSignal;
  /**
   * The port to give the command instead of a free one wedge picks (tests use it to put a
   * foreign listener on the port). @default {undefined}
   */
  port?: number;
}

/**
 * A command server that could not be started, exited before it was ready, or was not ready in
 * time. The message says which, with the command, the end of its stderr and what to check.
 *
 * @example
 * ```ts
 * import { CommandServerError } from "./command_server.ts";
 * import assert from "node:assert/strict";
 *
 * const error = new CommandServerError("app[0] exited with code 3 before it was ready", {
 *   server: "app[0]",
 *   argv: ["./server", "--port", "41000"],
 *   exit: { code: 3, signal: null, atMs: 0, stderrTail: "fatal: no config" },
 *   stderrTail: "fatal: no config",
 * });
 * assert.equal(error.name, "CommandServerError");
 * assert.equal(error.exit?.code, 3);
 * ```
 */
export class CommandServerError extends Error {
  /** The server's name, e.g. `app[0]`. */
  readonly server: string;
  /** The command, `{port}` replaced. */
  readonly argv: string[];
  /** How the process ended, or null if it never started (or could not be reaped). */
  readonly exit: CommandServerExit | null;
  /** The last lines of its stderr. */
  readonly stderrTail: string;

  /**
   * Creates the error.
   *
   * @param message What happened and what to check.
   * @param details The server, its command, its exit and stderr tail, and the underlying error.
   */
  constructor(
    message: string,
    details: {
      server: string;
      argv: string[];
      exit: CommandServerExit | null;
      stderrTail: string;
      cause?: unknown;
    },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "CommandServerError";
    this.server = details.server;
    this.argv = details.argv;
    this.exit = details.exit;
    this.stderrTail = details.stderrTail;
  }
}

const POLL_MS = 50;
const KILL_WAIT_MS = 2000;
// After the process exits its pipes close, unless something it started still holds them.
const DRAIN_WAIT_MS = 500;
const PROBE_TIMEOUT_MS = 1000;
const TAIL_LINES = 20;
const TAIL_CHARS = 4096;
const STDOUT_WINDOW_CHARS = 64 * 1024;

function pickFreePort(hostname: string): number {
  const listener = Deno.listen({ hostname, port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

function sleepOrWake(ms: number, wake: Promise<unknown> | null): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const slept = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  const woken = wake ? Promise.race([slept, wake.then(() => {}, () => {})]) : slept;
  return woken.finally(() => clearTimeout(timer));
}

/** Resolves true if `promise` settles within `ms`, else false. */
function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    promise.then(() => true, () => true),
    new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
  ]).finally(() => clearTimeout(timer));
}

function lastLines(text: string, lines: number, chars: number): string {
  const all = text.replace(/\r/g, "").split("\n");
  if (all.at(-1) === "") all.pop();
  const tail = all.slice(-lines).join("\n");
  return tail.length > chars ? tail.slice(-chars) : tail;
}

function quoteArg(arg: string): string {
  return /^[\w@%+=:,./{}-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

/**
 * Why `program` cannot be run, as a spawn would say it, or null when it can (or this cannot
 * tell): a name without a slash is looked up in the command's PATH, a path from its cwd.
 */
function programProblem(
  program: string,
  cwd: string | null,
  env: Record<string, string>,
): string | null {
  const runnable = (path: string): "yes" | "no" | "not-executable" | "unknown" => {
    try {
      const info = Deno.statSync(path);
      if (!info.isFile) return "no";
      return info.mode === null || (info.mode & 0o111) !== 0 ? "yes" : "not-executable";
    } catch (error) {
      return error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory
        ? "no"
        : "unknown";
    }
  };
  try {
    const base = cwd === null ? Deno.cwd() : resolve(cwd);
    if (program.includes("/")) {
      const found = runnable(resolve(base, program));
      return found === "no"
        ? "no such file"
        : found === "not-executable"
        ? "the file is not executable"
        : null;
    }
    const path = env.PATH ?? Deno.env.get("PATH") ?? "/usr/local/bin:/usr/bin:/bin";
    const dirs = path.split(":").map((dir) => resolve(base, dir || "."));
    const found = dirs.map((dir) => runnable(resolve(dir, program)));
    return found.some((f) => f === "yes" || f === "unknown") ? null : "not found in PATH";
  } catch {
    return null; // no permission to look: let the start tell
  }
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

function describeExit(exit: CommandServerExit): string {
  return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
}

function indented(title: string, text: string): string {
  if (!text) return "";
  const lines = text.split("\n");
  return `\n${title} (last ${lines.length} line${lines.length === 1 ? "" : "s"}):\n` +
    lines.map((line) => `  ${line}`).join("\n");
}

/**
 * Starts a command server on a free port and resolves once it is ready.
 *
 * @param spec The command, how to know it is ready, and its time limits.
 * @param options Its name, the log directory and the address.
 * @returns The running server.
 * @throws {CommandServerError} When it cannot be started, exits before it is ready, or is not
 * ready in time; the process has been stopped and reaped by then.
 *
 * @example
 * ```ts
 * import { startCommandServer } from "./command_server.ts";
 * import assert from "node:assert/strict";
 *
 * const logDir = await Deno.makeTempDir();
 * const server = await startCommandServer({
 *   argv: [Deno.execPath(), "eval", "Deno.serve({ port: {port} }, () => new Response('hi'))"],
 *   ready: { kind: "url", url: "http://127.0.0.1:{port}/" },
 *   env: {},
 *   cwd: null,
 *   readyTimeoutMs: 5000,
 *   stopTimeoutMs: 2000,
 * }, { name: "app[0]", logDir });
 * assert.equal(await (await fetch(server.url)).text(), "hi");
 * assert.equal((await server.stop()).forced, false);
 * await Deno.remove(logDir, { recursive: true });
 * ```
 */
export async function startCommandServer(
  spec: CommandServerSpec,
  options: StartCommandServerOptions,
): Promise<CommandServer> {
  const { name } = options;
  const hostname = options.hostname ?? "127.0.0.1";
  if (spec.argv.length === 0) {
    throw new CommandServerError(`${name}: no command given (argv is empty)`, {
      server: name,
      argv: [],
      exit: null,
      stderrTail: "",
    });
  }
  await Deno.mkdir(options.logDir, { recursive: true });
  const base = resolve(options.logDir, name.replace(/[^\w.-]+/g, "-").replace(/^-+|-+$/g, ""));
  const stdoutLog = `${base || "server"}.stdout.log`;
  const stderrLog = `${base || "server"}.stderr.log`;
  const files = { create: true, write: true, truncate: true };
  const stdoutFile = await Deno.open(stdoutLog, files);
  const stderrFile = await Deno.open(stderrLog, files).catch((error) => {
    stdoutFile.close();
    throw error;
  });
  // Picked as late as possible (just before the spawn) to keep the window small in which another
  // process may take it; readiness then counts only a listener the command's group holds.
  let port: number;
  try {
    port = options.port ?? pickFreePort(hostname);
  } catch (error) {
    stdoutFile.close();
    stderrFile.close();
    throw error;
  }
  const substitute = (text: string) => text.replaceAll("{port}", String(port));
  const argv = spec.argv.map(substitute);
  const env = Object.fromEntries(Object.entries(spec.env).map(([k, v]) => [k, substitute(v)]));
  const url = `http://${hostname}:${port}/`;
  const command = argv.map(quoteArg).join(" ");

  // Through the supervisor (supervisor.ts), the command's group dies with wedge, however wedge
  // ends. The supervisor's shell always starts, so a missing program is looked for first.
  const supervised = supervisorAvailable() !== null;
  let child: Deno.ChildProcess;
  try {
    const missing = supervised ? programProblem(argv[0], spec.cwd, env) : null;
    if (missing !== null) throw new Error(missing);
    const [program, ...args] = supervisedArgv(argv);
    child = new Deno.Command(program, {
      args,
      env,
      cwd: spec.cwd ?? undefined,
      // The supervisor's pipe: only wedge holds its other end. The command gets /dev/null.
      stdin: supervised ? "piped" : "null",
      stdout: "piped",
      stderr: "piped",
      // Its own session and process group: signals to -pid reach whatever it starts.
      detached: true,
    }).spawn();
  } catch (error) {
    stdoutFile.close();
    stderrFile.close();
    const reason = error instanceof Error ? error.message : String(error);
    const refused = error instanceof Deno.errors.NotCapable
      ? `\nwedge starts each command through /bin/sh and setsid (its supervisor, which kills the ` +
        "command's group if wedge dies): allow them to run too, e.g. --allow-run."
      : "";
    throw new CommandServerError(
      `${name}: could not start ${JSON.stringify(argv[0])}: ${reason} (command: ${command}` +
        `${spec.cwd === null ? "" : `, cwd: ${spec.cwd}`})\n` +
        "Check that the program exists and is executable (a bare name is looked up in PATH, a " +
        "relative path from the working directory) and that the working directory exists." +
        refused,
      { server: name, argv, exit: null, stderrTail: "", cause: error },
    );
  }
  const pid = child.pid;
  trackGroup(pid);
  const guard: GroupGuard = groupGuard(supervised ? child.stdin : null);
  // A signal that could not be sent (EPERM, NotCapable): the group may still run.
  let stopFailure: string | null = null;
  // The group is gone: stop tracking it, and tell the supervisor not to kill.
  const released = () => {
    untrackGroup(pid);
    guard.disarm();
  };

  // stderr: a tail for messages. stdout: a bounded window, scanned only while waiting for a match.
  let stderrText = "";
  const errDecoder = new TextDecoder();
  const stderrTail = () => lastLines(stderrText, TAIL_LINES, TAIL_CHARS);
  const pattern = spec.ready.kind === "stdout"
    ? new RegExp(spec.ready.pattern.source, spec.ready.pattern.flags.replace(/[gy]/g, ""))
    : null;
  let stdoutText = "";
  const outDecoder = new TextDecoder();
  let matched = false;
  let onMatch = () => {};
  const matchSeen = new Promise<void>((resolve) => (onMatch = resolve));

  const outReader = child.stdout.getReader();
  const errReader = child.stderr.getReader();
  const copies = Promise.all([
    copyToFile(outReader, stdoutFile, (chunk) => {
      if (!pattern || matched) return;
      stdoutText = (stdoutText + outDecoder.decode(chunk, { stream: true }))
        .slice(-STDOUT_WINDOW_CHARS);
      if (pattern.test(stdoutText)) {
        matched = true;
        onMatch();
      }
    }),
    copyToFile(errReader, stderrFile, (chunk) => {
      // Twice the tail's size: the tail itself is cut once the final newline is dropped.
      stderrText = (stderrText + errDecoder.decode(chunk, { stream: true }))
        .slice(-2 * TAIL_CHARS);
    }),
  ]);

  let reaped = false;
  // True when the leader exited but others in its group went on (they hold the group id).
  let lingering = false;
  let exit: CommandServerExit | null = null;
  const exited = child.status.then(async (status) => {
    const atMs = performance.now();
    reaped = true;
    lingering = groupAlive(pid);
    if (!lingering) released();
    if (!(await settlesWithin(copies, DRAIN_WAIT_MS))) {
      await Promise.allSettled([outReader.cancel(), errReader.cancel()]);
      await copies;
    }
    exit = { code: status.code, signal: status.signal ?? null, atMs, stderrTail: stderrTail() };
    return exit;
  });

  let stopRequested = false;
  let stopped: Promise<{ forced: boolean; exit: CommandServerExit | null }> | undefined;
  function stop() {
    stopRequested = true;
    stopped ??= stopGroup();
    return stopped;
  }

  async function stopGroup(): Promise<{ forced: boolean; exit: CommandServerExit | null }> {
    // Done when the leader is reaped and nothing else is left in its group.
    const done = () => {
      if (!reaped) return false;
      if (lingering) lingering = groupAlive(pid);
      if (!lingering) released();
      return !lingering;
    };
    if (done()) return { forced: false, exit: await exited };
    // A signal wedge may not send is a failure to report, never swallowed; the supervisor, which
    // needs no permission, then kills the group (SIGKILL) so that nothing is left running.
    const failed = (error: unknown) => {
      stopFailure ??= error instanceof Error ? error.message : String(error);
      untrackGroup(pid);
      lingering = false;
      guard.fire();
      return settlesWithin(exited, KILL_WAIT_MS).then(async (ended) => ({
        forced: true,
        exit: ended ? await exited : null,
      }));
    };
    try {
      signalGroup(pid, "SIGTERM");
    } catch (error) {
      return await failed(error);
    }
    const deadline = performance.now() + spec.stopTimeoutMs;
    while (!done()) {
      const left = deadline - performance.now();
      if (left <= 0) break;
      await sleepOrWake(Math.min(POLL_MS, left), reaped ? null : child.status);
    }
    if (done()) return { forced: false, exit: await exited };
    try {
      signalGroup(pid, "SIGKILL");
    } catch (error) {
      return await failed(error);
    }
    untrackGroup(pid);
    lingering = false;
    const ended = await settlesWithin(exited, KILL_WAIT_MS);
    // Disarmed only once the group is gone, so that the supervisor still covers a wedge that
    // dies meanwhile.
    if (ended) waitGroupGone(pid).then((gone) => void (gone && guard.disarm()));
    return { forced: true, exit: ended ? await exited : null };
  }

  const server: CommandServer = {
    name,
    pid,
    port,
    url,
    argv,
    stdoutLog,
    stderrLog,
    exited,
    get exit() {
      return exit;
    },
    get stopping() {
      return stopRequested;
    },
    get stopFailure() {
      return stopFailure;
    },
    stderrTail,
    stop,
  };

  const ready = spec.ready;
  const readyUrl = ready.kind === "url" ? substitute(ready.url) : "";
  const waitingFor = ready.kind === "port"
    ? `a connection to ${hostname}:${port}`
    : ready.kind === "url"
    ? `a response from ${readyUrl}`
    : `stdout to match ${ready.pattern}`;
  // Its own client, closed afterwards: no pooled connection to the server stays open.
  const client = ready.kind === "url" ? Deno.createHttpClient({}) : null;
  // A url on the picked port is answered by whoever listens there: the listener must be the
  // command's too.
  const urlOnPort = (() => {
    if (ready.kind !== "url") return false;
    try {
      const parsed = new URL(readyUrl);
      const urlPort = parsed.port || (parsed.protocol === "https:" ? "443" : "80");
      return Number(urlPort) === port;
    } catch {
      return false;
    }
  })();
  // Set when the port answered but no process of the command's group holds its listener.
  let foreignSeen = false;

  /** Whether the command's group holds the listener (true when /proc cannot tell). */
  function ownsPort(): boolean {
    const seen = portOwnership(port, { leader: pid, hostname });
    if (seen === null || seen.owned) return true;
    if (seen.foreignInodes.length > 0) foreignSeen = true;
    return false;
  }

  /** Names what holds the port when it is not the command (empty when nothing else does). */
  function foreignListener(): string {
    const seen = portOwnership(port, { leader: pid, hostname });
    if (seen === null || seen.foreignInodes.length === 0) {
      return foreignSeen
        ? `\nAnother process listened on ${hostname}:${port} while wedge waited; it did not ` +
          "count as the command being ready."
        : "";
    }
    const holders = socketHolders(seen.foreignInodes);
    const who = holders.length === 0 ? "a process wedge cannot see" : holders.map((h) => {
      const shown = h.command.length > 80 ? `${h.command.slice(0, 77)}...` : h.command;
      return `pid ${h.pid} (${shown})`;
    }).join(", ");
    return `\nPort ${port} on ${hostname} is held by another process, not by the command: ` +
      `${who}. It took the port after wedge picked it; wedge counts only a listener of the ` +
      "command's own process group as ready. Run again, or stop that process.";
  }

  async function probe(timeoutMs: number): Promise<boolean> {
    if (ready.kind === "stdout") return matched;
    if (ready.kind === "port") {
      // The listener's holder first, then a connection: a command that exits on its first
      // connection has listened all the same, and a foreign listener never counts.
      if (!ownsPort()) return false;
      try {
        (await Deno.connect({ hostname, port })).close();
      } catch {
        return false;
      }
      return true;
    }
    const abort = new AbortController();
    const timer: ReturnType<typeof setTimeout> = setTimeout(() => abort.abort(), timeoutMs);
    try {
      const response = await fetch(readyUrl, { client: client!, signal: abort.signal });
      await response.body?.cancel();
      return urlOnPort ? ownsPort() : true;
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  const deadline = performance.now() + spec.readyTimeoutMs;
  let onAbort = () => {};
  const aborted = new Promise<void>((resolve) => (onAbort = resolve));
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const wake = Promise.race([child.status, matchSeen, aborted]);
  try {
    while (true) {
      if (options.signal?.aborted) {
        const { exit } = await stop();
        throw new CommandServerError(
          `${name}: starting was interrupted (the run was stopped); it has been stopped ` +
            `(command: ${command})`,
          { server: name, argv, exit, stderrTail: exit?.stderrTail ?? stderrTail() },
        );
      }
      // A url probe may take a while, but not past the deadline (nor over a second).
      const probeMs = Math.min(PROBE_TIMEOUT_MS, Math.max(POLL_MS, deadline - performance.now()));
      if (!reaped && await probe(probeMs) && !reaped) return server;
      if (reaped) {
        // Anything it started that is still in its group goes too (and lets go of the pipes).
        const early = (await stop()).exit ?? await exited;
        throw new CommandServerError(
          `${name} ${describeExit(early)} before it was ready (command: ${command})` +
            (indented("stderr", early.stderrTail) ||
              `\nIt wrote nothing to stderr; its stdout is in ${stdoutLog}.`) +
            foreignListener(),
          { server: name, argv, exit: early, stderrTail: early.stderrTail },
        );
      }
      const left = deadline - performance.now();
      if (left <= 0) break;
      await sleepOrWake(Math.min(POLL_MS, left), wake);
    }
  } catch (error) {
    if (!(error instanceof CommandServerError)) await stop();
    throw error;
  } finally {
    client?.close();
    options.signal?.removeEventListener("abort", onAbort);
  }

  const { exit: stoppedExit } = await stop();
  const mentionsPort = [...spec.argv, ...Object.values(spec.env)].some((s) => s.includes("{port}"));
  const hint = ready.kind === "stdout"
    ? `Check that the command prints a line matching ${ready.pattern} once it listens (output ` +
      "to a pipe may be buffered: flush it, e.g. PYTHONUNBUFFERED=1)."
    : mentionsPort
    ? `Check that the command listens on ${hostname} at the port given by {port}, and that ` +
      "the ready timeout allows for its start-up (a build, say)."
    : "Neither its arguments nor its environment mention {port}, so it cannot know which port " +
      `to listen on: pass it, e.g. "--port", "{port}" or PORT: "{port}".`;
  const tail = stoppedExit?.stderrTail ?? stderrTail();
  throw new CommandServerError(
    `${name} was not ready within ${formatMs(spec.readyTimeoutMs)} (waiting for ${waitingFor}), ` +
      `command: ${command}` +
      (ready.kind === "stdout" ? indented("stdout", lastLines(stdoutText, 5, TAIL_CHARS)) : "") +
      indented("stderr", tail) +
      (foreignListener() || `\n${hint}`) +
      (stoppedExit ? "" : `\nIt did not exit even after SIGKILL: pid ${pid} may still be running.`),
    { server: name, argv, exit: stoppedExit, stderrTail: tail },
  );
}
