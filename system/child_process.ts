/**
 * One supervisor for every child process wedge starts (the user's server commands, server
 * hosts): its output copied to log files, a detached spawn guarded by the supervisor
 * (`supervisor.ts`), its process group tracked by the reaper (`process_reaper.ts`), a stderr tail,
 * a bounded drain of its pipes once it exits, and a bounded stop (SIGTERM, then SIGKILL).
 *
 * The process leads a new session and process group, so signals go to the group and reach what
 * it started too (a `sh -c` wrapper's server, `cargo run`'s binary). A terminal's Ctrl-C no longer
 * reaches it: wedge stops it itself, on `Deno.exit()` the reaper's `unload` listener SIGKILLs
 * every group still tracked, and the supervisor SIGKILLs the group when wedge dies in any other
 * way (`kill -9`, a panic).
 *
 * @module
 */

import { join } from "node:path";
import type { ProcessExitReport } from "../report/types.ts";
import { copyLinesToFile, copyToFile, lastLines } from "./child_output.ts";
import { programProblem } from "./_program_problem.ts";
import { withFdLimit } from "./fd_limit.ts";
import { deadline, delay, isTimeout } from "../units/deadline.ts";
import {
  groupAlive,
  signalGroup,
  trackGroup,
  untrackGroup,
  waitGroupGone,
} from "./process_reaper.ts";
import {
  type GroupGuard,
  groupGuard,
  supervisedArgv,
  supervisorAvailable,
  watchGroup,
} from "./supervisor.ts";

/**
 * How a child process ended: the report's {@linkcode ProcessExitReport} without `early` (which
 * only the run can tell), `atMs` being `performance.now()` when wedge saw the exit.
 */
export type ProcessExit = Omit<ProcessExitReport, "early">;

/** What {@linkcode SupervisedChild.stop} and {@linkcode SupervisedChild.kill} resolve to. */
export interface ChildStop {
  /** Whether SIGKILL was needed (or the supervisor had to kill the group). */
  forced: boolean;
  /** The exit, or null if even SIGKILL did not end it in time. */
  exit: ProcessExit | null;
}

/** Options for {@linkcode spawnSupervised}. */
export interface SpawnSupervisedOptions {
  /** Directory for its logs (created if missing). */
  logDir: string;
  /** Stem of its log files: `<logDir>/<logName>.stdout.log` and `<logName>.stderr.log`. */
  logName: string;
  /** Variables added to wedge's environment. @default {{}} */
  env?: Record<string, string>;
  /** Working directory, null for wedge's. @default {null} */
  cwd?: string | null;
  /**
   * Soft open-files limit set in the process before it execs (`prlimit`), null for wedge's own.
   * @default {null}
   */
  nofile?: number | null;
  /**
   * `"null"`: the process gets /dev/null and is started through the supervisor itself, whose
   * pipe wedge holds. `"piped"`: its stdin is the caller's ({@linkcode SupervisedChild.stdin}, a
   * protocol), and a watcher is started beside its group instead.
   * @default {"null"}
   */
  stdin?: "null" | "piped";
  /** Sees every chunk of its stdout (copied to the log whole). @default {undefined} */
  onStdout?: (chunk: Uint8Array) => void;
  /**
   * Reads its stdout line by line instead: returns what to log for a line, or null to log
   * nothing (a protocol message). Throwing ends the reading. @default {undefined}
   */
  onStdoutLine?: (line: string) => string | null;
}

/** A running child process, guarded and tracked until its group is gone. */
export interface SupervisedChild {
  /** Its process id (also its process group id). */
  readonly pid: number;
  /** Path of the file its stdout is copied to. */
  readonly stdoutLog: string;
  /** Path of the file its stderr is copied to. */
  readonly stderrLog: string;
  /** Its stdin when spawned with `stdin: "piped"`, else null. */
  readonly stdin: WritableStream<Uint8Array> | null;
  /** Resolves as soon as the process is reaped (before its pipes are drained). */
  readonly status: Promise<Deno.CommandStatus>;
  /**
   * Resolves once the process exited and its pipes are drained (at most 500 ms after the exit:
   * then they are cancelled, as something it started may hold them). Never rejects.
   */
  readonly exited: Promise<ProcessExit>;
  /** The exit once seen (and drained), else null. */
  readonly exit: ProcessExit | null;
  /** True once the process was reaped. */
  readonly reaped: boolean;
  /**
   * Why a signal to its group could not be sent (e.g. `NotCapable` under narrowed permissions,
   * or EPERM), else null. The supervisor then killed the group.
   */
  readonly stopFailure: string | null;
  /** The last lines of its stderr so far (at most 20 lines and 4096 characters). */
  stderrTail(): string;
  /**
   * Sends SIGTERM to its group, waits `timeoutMs` (default 2000) for the group to end, then
   * SIGKILLs it and waits (at most 2 s) for the exit. Calling it (or `kill`) again returns the
   * same promise.
   */
  stop(options?: { timeoutMs?: number }): Promise<ChildStop>;
  /** SIGKILLs its group now (when anything of it still runs), as `stop` does at its end. */
  kill(): Promise<ChildStop>;
}

/**
 * The process could not be started: the program is missing or not executable, or the spawn was
 * refused (`cause` holds the underlying error, e.g. `Deno.errors.NotCapable`). Its log files
 * were opened and are closed again; a failure to open them is thrown as it is.
 *
 * @example
 * ```ts
 * import { SpawnError } from "./child_process.ts";
 * import assert from "node:assert/strict";
 *
 * const error = new SpawnError(new Error("no such file"));
 * assert.equal(error.message, "no such file");
 * ```
 */
export class SpawnError extends Error {
  /**
   * Creates the error.
   *
   * @param cause Why the spawn failed; its message becomes this error's.
   */
  constructor(cause: unknown) {
    super(message(cause), { cause });
    this.name = "SpawnError";
  }
}

const POLL_MS = 50;
const KILL_WAIT_MS = 2000;
// After the process exits its pipes close, unless something it started still holds them.
const DRAIN_WAIT_MS = 500;
const TAIL_CHARS = 4096;

/** Resolves true if `promise` settles within `ms`, else false. */
function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return deadline(promise, ms).then(() => true, (error) => !isTimeout(error));
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Spawns `argv` detached and guarded; tracks its group. Throws what the spawn throws. */
function spawnGuarded(
  argv: readonly string[],
  options: SpawnSupervisedOptions,
): { child: Deno.ChildProcess; guard: GroupGuard } {
  const env = options.env ?? {};
  const cwd = options.cwd ?? undefined;
  const io = { stdout: "piped", stderr: "piped", detached: true } as const;
  const limited = withFdLimit(argv, options.nofile ?? null);
  if (options.stdin === "piped") {
    const child = new Deno.Command(limited[0], {
      args: limited.slice(1),
      env,
      cwd,
      stdin: "piped",
      ...io,
    })
      .spawn();
    // In the same synchronous step: no moment where the group runs unguarded.
    const guard = watchGroup(child.pid);
    trackGroup(child.pid);
    return { child, guard };
  }
  // The supervisor's shell always starts, so a missing program is looked for first.
  const supervised = supervisorAvailable() !== null;
  const missing = supervised ? programProblem(argv[0], { cwd: options.cwd ?? null, env }) : null;
  if (missing !== null) throw new Error(missing);
  const [program, ...args] = supervisedArgv(limited);
  // The supervisor's pipe: only wedge holds its other end. The command gets /dev/null.
  const stdin = supervised ? "piped" : "null";
  const child = new Deno.Command(program, { args, env, cwd, stdin, ...io }).spawn();
  trackGroup(child.pid);
  return { child, guard: groupGuard(supervised ? child.stdin : null) };
}

/**
 * Starts a child process in a process group of its own, guarded by the supervisor and tracked
 * by the reaper, its stdout and stderr copied to log files.
 *
 * @param argv The command, program first.
 * @param options Its log files, environment, working directory, stdin and stdout readers.
 * @returns The running child.
 * @throws {TypeError} If `argv` is empty.
 * @throws {SpawnError} If the program cannot run (`no such file`, `not found in PATH`) or the
 * spawn fails (`cause`: `NotFound`, `NotCapable`, ...); its log files are closed then.
 *
 * @example
 * ```ts
 * import { spawnSupervised } from "./child_process.ts";
 * import assert from "node:assert/strict";
 *
 * const logDir = await Deno.makeTempDir();
 * const child = await spawnSupervised(["sleep", "30"], { logDir, logName: "sleeper" });
 * const { forced, exit } = await child.stop({ timeoutMs: 1000 });
 * assert.equal(forced, false);
 * assert.equal(exit?.signal, "SIGTERM");
 * await Deno.remove(logDir, { recursive: true });
 * ```
 */
export async function spawnSupervised(
  argv: readonly string[],
  options: SpawnSupervisedOptions,
): Promise<SupervisedChild> {
  if (argv.length === 0) throw new TypeError("Cannot spawn a child process: argv is empty");
  await Deno.mkdir(options.logDir, { recursive: true });
  const stdoutLog = join(options.logDir, `${options.logName}.stdout.log`);
  const stderrLog = join(options.logDir, `${options.logName}.stderr.log`);
  const files = { create: true, write: true, truncate: true };
  const stdoutFile = await Deno.open(stdoutLog, files);
  const stderrFile = await Deno.open(stderrLog, files).catch((error) => {
    stdoutFile.close();
    throw error;
  });
  let spawned: { child: Deno.ChildProcess; guard: GroupGuard };
  try {
    spawned = spawnGuarded(argv, options);
  } catch (error) {
    stdoutFile.close();
    stderrFile.close();
    throw new SpawnError(error);
  }
  const logs = { stdoutFile, stderrFile, stdoutLog, stderrLog };
  return new Supervised(spawned.child, spawned.guard, logs, options);
}

interface Logs {
  stdoutFile: Deno.FsFile;
  stderrFile: Deno.FsFile;
  stdoutLog: string;
  stderrLog: string;
}

class Supervised implements SupervisedChild {
  readonly pid: number;
  readonly stdoutLog: string;
  readonly stderrLog: string;
  readonly stdin: WritableStream<Uint8Array> | null;
  readonly status: Promise<Deno.CommandStatus>;
  readonly exited: Promise<ProcessExit>;
  #guard: GroupGuard;
  #stderr = "";
  #reaped = false;
  // Aborted once the process is reaped: wakes a stop that waits for it.
  #reapedNow = new AbortController();
  // True when the leader exited but others in its group went on (they hold the group id).
  #lingering = false;
  #exit: ProcessExit | null = null;
  #stopFailure: string | null = null;
  #stopping: Promise<ChildStop> | undefined;

  constructor(
    child: Deno.ChildProcess,
    guard: GroupGuard,
    logs: Logs,
    options: SpawnSupervisedOptions,
  ) {
    this.pid = child.pid;
    this.stdoutLog = logs.stdoutLog;
    this.stderrLog = logs.stderrLog;
    this.stdin = options.stdin === "piped" ? child.stdin : null;
    this.status = child.status;
    this.#guard = guard;
    const outReader = child.stdout.getReader();
    const errReader = child.stderr.getReader();
    const errDecoder = new TextDecoder();
    const copies = Promise.all([
      options.onStdoutLine
        ? copyLinesToFile(outReader, logs.stdoutFile, options.onStdoutLine)
        : copyToFile(outReader, logs.stdoutFile, options.onStdout ?? (() => {})),
      copyToFile(errReader, logs.stderrFile, (chunk) => {
        // Twice the tail's size: the tail itself is cut once the final newline is dropped.
        this.#stderr = (this.#stderr + errDecoder.decode(chunk, { stream: true }))
          .slice(-2 * TAIL_CHARS);
      }),
    ]);
    this.exited = child.status.then(async (status) => {
      const atMs = performance.now();
      this.#reaped = true;
      this.#reapedNow.abort();
      this.#lingering = groupAlive(this.pid);
      if (!this.#lingering) this.#release();
      if (!(await settlesWithin(copies, DRAIN_WAIT_MS))) {
        await Promise.allSettled([outReader.cancel(), errReader.cancel()]);
        await copies;
      }
      const signal = status.signal ?? null;
      this.#exit = { code: status.code, signal, atMs, stderrTail: this.stderrTail() };
      return this.#exit;
    });
  }

  get exit(): ProcessExit | null {
    return this.#exit;
  }

  get reaped(): boolean {
    return this.#reaped;
  }

  get stopFailure(): string | null {
    return this.#stopFailure;
  }

  stderrTail(): string {
    return lastLines(this.#stderr, { lines: 20, chars: TAIL_CHARS });
  }

  stop(options: { timeoutMs?: number } = {}): Promise<ChildStop> {
    return this.#stopping ??= this.#terminate(options.timeoutMs ?? 2000);
  }

  kill(): Promise<ChildStop> {
    return this.#stopping ??= this.#done()
      ? this.exited.then((exit) => ({ forced: false, exit }))
      : this.#sigkill();
  }

  /** The group is gone: stop tracking it, and tell the supervisor not to kill. */
  #release(): void {
    untrackGroup(this.pid);
    this.#guard.disarm();
  }

  /** Done when the leader is reaped and nothing else is left in its group. */
  #done(): boolean {
    if (!this.#reaped) return false;
    if (this.#lingering) this.#lingering = groupAlive(this.pid);
    if (!this.#lingering) this.#release();
    return !this.#lingering;
  }

  async #terminate(timeoutMs: number): Promise<ChildStop> {
    if (this.#done()) return { forced: false, exit: await this.exited };
    try {
      signalGroup(this.pid, "SIGTERM");
    } catch (error) {
      return await this.#failed(error);
    }
    const deadline = performance.now() + timeoutMs;
    while (!this.#done()) {
      const left = deadline - performance.now();
      if (left <= 0) break;
      const signal = this.#reaped ? undefined : this.#reapedNow.signal;
      await delay(Math.min(POLL_MS, left), { signal }).catch(() => {});
    }
    if (this.#done()) return { forced: false, exit: await this.exited };
    return await this.#sigkill();
  }

  async #sigkill(): Promise<ChildStop> {
    try {
      signalGroup(this.pid, "SIGKILL");
    } catch (error) {
      return await this.#failed(error);
    }
    untrackGroup(this.pid);
    this.#lingering = false;
    const ended = await settlesWithin(this.exited, KILL_WAIT_MS);
    // Disarmed only once the group is gone, so that the supervisor still covers a wedge that
    // dies meanwhile.
    if (ended && await waitGroupGone(this.pid)) this.#guard.disarm();
    return { forced: true, exit: ended ? await this.exited : null };
  }

  /**
   * A signal wedge may not send is a failure to report, never swallowed; the supervisor, which
   * needs no permission, then kills the group (SIGKILL) so that nothing is left running.
   */
  async #failed(error: unknown): Promise<ChildStop> {
    this.#stopFailure ??= message(error);
    untrackGroup(this.pid);
    this.#lingering = false;
    this.#guard.fire();
    const ended = await settlesWithin(this.exited, KILL_WAIT_MS);
    return { forced: true, exit: ended ? await this.exited : null };
  }
}
