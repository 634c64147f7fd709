/**
 * Command servers: the user's own server, started as a process on a port wedge picks, its output
 * copied to log files, waited for until it is ready, and stopped (SIGTERM, then SIGKILL) within a
 * bound.
 *
 * The process, its logs, its group and its stop are the child-process supervisor's
 * (`system/child_process.ts`): the command runs in a process group of its own, SIGKILLed when
 * wedge dies however it dies, and wedge still sees its own exit code or signal. What is this
 * file's own is the port, `{port}`, readiness (`_command_readiness.ts`) and the messages.
 *
 * @module
 */

import { resolve } from "node:path";
import {
  type ChildStop,
  type ProcessExit,
  SpawnError,
  spawnSupervised,
  type SupervisedChild,
} from "../system/child_process.ts";
import type { CommandBehavior, ReadySpec } from "../scenario/schema.ts";
import { CommandServerError } from "./command_server_error.ts";
import { type StdoutWatch, watchStdout } from "./_ready_probe.ts";
import { waitUntilReady } from "./_command_readiness.ts";

export type { ProcessExit, ReadySpec };
export { CommandServerError };

/**
 * One server process to start (a command fleet's validated behaviour, without its `kind`).
 * `{port}` in `argv`, in `env` values and in `ready.url` is replaced by the port wedge picked.
 */
export type CommandServerSpec = Omit<CommandBehavior, "kind">;

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
  exited: Promise<ProcessExit>;
  /** The exit once seen, else null. */
  readonly exit: ProcessExit | null;
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
  stop(): Promise<ChildStop>;
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
  /** Soft open-files limit of the process, set before it execs; null for wedge's. @default {null} */
  nofile?: number | null;
}

function pickFreePort(hostname: string): number {
  const listener = Deno.listen({ hostname, port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

function quoteArg(arg: string): string {
  return /^[\w@%+=:,./{}-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** Spawns the command through the supervisor; a failure becomes a {@linkcode CommandServerError}. */
async function spawnCommand(
  spec: CommandServerSpec,
  command: {
    name: string;
    argv: string[];
    env: Record<string, string>;
    logDir: string;
    nofile: number | null;
  },
  watch: StdoutWatch,
): Promise<SupervisedChild> {
  const { name, argv } = command;
  const stem = name.replace(/[^\w.-]+/g, "-").replace(/^-+|-+$/g, "");
  try {
    return await spawnSupervised(argv, {
      logDir: resolve(command.logDir),
      logName: stem || "server",
      env: command.env,
      cwd: spec.cwd,
      nofile: command.nofile,
      onStdout: watch.onChunk,
    });
  } catch (spawnError) {
    if (!(spawnError instanceof SpawnError)) throw spawnError;
    const error = spawnError.cause;
    const reason = spawnError.message;
    const refused = error instanceof Deno.errors.NotCapable
      ? `\nwedge starts each command through /bin/sh and setsid (its supervisor, which kills the ` +
        "command's group if wedge dies): allow them to run too, e.g. --allow-run."
      : "";
    throw new CommandServerError(
      `${name}: could not start ${JSON.stringify(argv[0])}: ${reason} (command: ` +
        `${argv.map(quoteArg).join(" ")}${spec.cwd === null ? "" : `, cwd: ${spec.cwd}`})\n` +
        "Check that the program exists and is executable (a bare name is looked up in PATH, a " +
        "relative path from the working directory) and that the working directory exists." +
        refused,
      { server: name, argv, exit: null, stderrTail: "", cause: error },
    );
  }
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
  // Picked as late as possible (just before the spawn) to keep the window small in which another
  // process may take it; readiness then counts only a listener the command's group holds.
  const port = options.port ?? pickFreePort(hostname);
  const substitute = (text: string) => text.replaceAll("{port}", String(port));
  const argv = spec.argv.map(substitute);
  const env = Object.fromEntries(Object.entries(spec.env).map(([k, v]) => [k, substitute(v)]));
  const watch = watchStdout(spec.ready);
  const child = await spawnCommand(spec, {
    name,
    argv,
    env,
    logDir: options.logDir,
    nofile: options.nofile ?? null,
  }, watch);
  let stopRequested = false;
  const stop = () => {
    stopRequested = true;
    return child.stop({ timeoutMs: spec.stopTimeoutMs });
  };
  const command = argv.map(quoteArg).join(" ");
  await waitUntilReady(
    { name, spec, hostname, port, argv, command, child, watch, stop },
    options.signal,
  );
  return {
    name,
    pid: child.pid,
    port,
    url: `http://${hostname}:${port}/`,
    argv,
    stdoutLog: child.stdoutLog,
    stderrLog: child.stderrLog,
    exited: child.exited,
    get exit() {
      return child.exit;
    },
    get stopping() {
      return stopRequested;
    },
    get stopFailure() {
      return child.stopFailure;
    },
    stderrTail: () => child.stderrTail(),
    stop,
  };
}
