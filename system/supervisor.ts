/**
 * The supervisor: what kills a server process's group when wedge is gone, however it went
 * (`kill -9`, a Deno panic, the OOM killer). A `unload` listener cannot run then; a pipe closes
 * whatever happens. Each guarded group gets a watcher: a `/bin/sh` in a session of its own (so
 * signals to the group, and a terminal's Ctrl-C, do not reach it) that reads one line from a pipe
 * only wedge holds. A line (`done`) disarms it once the group is gone; end of file (wedge died)
 * makes it `kill -9` the whole group.
 *
 * A command is started through the supervisor itself: `/bin/sh` starts the watcher, then `exec`s
 * the command in its own pid, so wedge is still the command's parent and sees its exact exit code
 * or signal, and no moment exists where the command runs unguarded. A server host, whose stdin
 * carries its protocol, gets a watcher started beside it ({@linkcode watchGroup}). Both are
 * chosen by `child_process.ts` (`spawnSupervised`'s `stdin` option), the one way wedge starts a
 * child process.
 *
 * Costs (measured on a 2-core machine): one `dash` of ~1.7 MiB RSS per guarded group, and a few
 * ms at start (see README "Reliability"). Needs `setsid` (util-linux); where it is missing the
 * groups run unguarded, as before (the `unload` listener still kills them on `Deno.exit()`).
 *
 * @module
 */

/** The watcher's program: `$1` is the process group to kill if its stdin ends before a line. */
const WATCHER = 'read -r line && exit 0; kill -9 -"$1" 2>/dev/null';

/**
 * The supervisor: `$1` is `setsid`'s path, the rest is the command. It keeps the pipe from wedge
 * as fd 3, gives the command /dev/null as stdin (as `stdin: "null"` did), starts the watcher in a
 * subshell that exits at once (the watcher is no child of the command's), then becomes the
 * command.
 */
const SUPERVISOR = "s=$1; shift; exec 3<&0 </dev/null; " +
  `( "$s" /bin/sh -c '${WATCHER}' wedge-supervisor "$$" <&3 >/dev/null 2>&1 & ); ` +
  'exec 3<&- "$@"';

let setsidPath: string | null | undefined;

/**
 * Where `setsid` is, or null when the machine has none (then nothing can be guarded).
 *
 * @returns The absolute path of `setsid`, or null.
 *
 * @example
 * ```ts
 * import { supervisorAvailable } from "./supervisor.ts";
 *
 * console.log(supervisorAvailable() ?? "no setsid: server processes are not guarded");
 * ```
 */
export function supervisorAvailable(): string | null {
  if (setsidPath !== undefined) return setsidPath;
  setsidPath = null;
  if (Deno.build.os !== "linux") return setsidPath;
  for (const dir of ["/usr/bin", "/bin", "/usr/sbin", "/sbin"]) {
    try {
      if (Deno.statSync(`${dir}/setsid`).isFile && Deno.statSync("/bin/sh").isFile) {
        return (setsidPath = `${dir}/setsid`);
      }
    } catch {
      // Not there (or not readable): look on.
    }
  }
  return setsidPath;
}

/**
 * The program and arguments that start `argv` through the supervisor. Spawn them with `stdin:
 * "piped"`, `detached: true`, and keep the stdin writer in a {@linkcode GroupGuard}.
 *
 * @param argv The command (program first).
 * @returns `[program, ...args]` to spawn, or `argv` itself when no supervisor is available.
 *
 * @example
 * ```ts
 * import { supervisedArgv } from "./supervisor.ts";
 * import assert from "node:assert/strict";
 *
 * const argv = supervisedArgv(["node", "server.js"]);
 * assert.deepEqual(argv.slice(-2), ["node", "server.js"]);
 * ```
 */
export function supervisedArgv(argv: readonly string[]): string[] {
  const setsid = supervisorAvailable();
  if (setsid === null) return [...argv];
  return ["/bin/sh", "-c", SUPERVISOR, "wedge-supervisor", setsid, ...argv];
}

/**
 * Wedge's end of a watcher's pipe. Disarm it once the group is gone; close it (or let wedge
 * die) and the watcher kills the group.
 */
export interface GroupGuard {
  /** False when no watcher guards the group (no `setsid`). */
  readonly armed: boolean;
  /** Tells the watcher the group is gone: it exits without killing. Idempotent, never rejects. */
  disarm(): Promise<void>;
  /** Closes the pipe without a line: the watcher SIGKILLs the group now. Never rejects. */
  fire(): Promise<void>;
}

/**
 * Wraps the stdin of a process started with {@linkcode supervisedArgv} (or a watcher from
 * {@linkcode watchGroup}) as a guard.
 *
 * @param stdin The child's stdin, or null when it is not guarded.
 * @returns The guard.
 *
 * @example
 * ```ts
 * import { groupGuard } from "./supervisor.ts";
 * import assert from "node:assert/strict";
 *
 * const guard = groupGuard(null);
 * assert.equal(guard.armed, false);
 * await guard.disarm();
 * ```
 */
export function groupGuard(stdin: WritableStream<Uint8Array> | null): GroupGuard {
  let settled: Promise<void> | undefined;
  const end = async (line: string) => {
    if (stdin === null) return;
    const writer = stdin.getWriter();
    try {
      if (line) await writer.write(new TextEncoder().encode(line));
      await writer.close();
    } catch {
      // The watcher is gone already.
    }
  };
  return {
    armed: stdin !== null,
    disarm: () => (settled ??= end("done\n")),
    fire: () => (settled ??= end("")),
  };
}

/**
 * Starts a watcher beside a process group that is already running (a server host, whose stdin
 * is taken): it SIGKILLs the group when wedge dies. Call right after spawning the group, in the
 * same synchronous step.
 *
 * @param pgid The process group (its leader's pid).
 * @returns The guard (not armed when no supervisor is available or the watcher cannot start).
 *
 * @example
 * ```ts ignore
 * import { watchGroup } from "./supervisor.ts";
 *
 * const child = new Deno.Command("sleep", { args: ["30"], detached: true }).spawn();
 * const guard = watchGroup(child.pid);
 * await guard.fire(); // the watcher kills the group
 * await child.status;
 * ```
 */
export function watchGroup(pgid: number): GroupGuard {
  const setsid = supervisorAvailable();
  if (setsid === null) return groupGuard(null);
  try {
    const watcher = new Deno.Command(setsid, {
      args: ["/bin/sh", "-c", WATCHER, "wedge-supervisor", String(pgid)],
      stdin: "piped",
      stdout: "null",
      stderr: "null",
    }).spawn();
    // Its status is of no interest; do not let it keep wedge's event loop alive.
    watcher.unref();
    watcher.status.catch(() => {});
    return groupGuard(watcher.stdin);
  } catch {
    return groupGuard(null);
  }
}
