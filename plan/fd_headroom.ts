/**
 * Whether the runtime has the file descriptors to start a run at all, checked before any process
 * or worker exists. Only start-up counts (listeners, worker threads, the pipes and log files of
 * server processes), never the load's connections: running out of fds under load is what a run
 * like `hang-mre` is there to show, and must not be refused.
 *
 * @module
 */

import type { RunPlan } from "./plan.ts";
import { UsageError } from "../scenario/errors.ts";

/**
 * File descriptors each part of a run takes in the runtime to start, measured with Deno 2.9.6
 * (`prlimit --nofile=N` on the CLI, smallest N that completes): the first worker's module loading
 * opens ~20-25 files at once, a worker ~6 for good, a command server 3 pipes and 2 log files, a
 * server host the same plus its supervisor's pipe, a server in the runtime its listener.
 */
export const STARTUP_FDS = {
  /** Files the first worker's module loading holds open at once. */
  moduleLoading: 20,
  /** Per client worker thread. */
  perWorker: 6,
  /** Per server in the runtime (its listener). */
  perRuntimeServer: 1,
  /** Per command server: stdin (the supervisor's pipe), stdout and stderr pipes, two logs. */
  perCommand: 5,
  /** Per server host process: three pipes, two logs, its supervisor's pipe, slack. */
  perHost: 8,
} as const;

/** What a run needs to start, and from what. */
export interface StartupFdNeed {
  /** File descriptors the runtime needs to start the run. */
  need: number;
  /** The parts, e.g. `2 command servers: 10`. */
  parts: string[];
}

/**
 * File descriptors the runtime needs to start a plan's servers and workers (before any load).
 *
 * @param plan The run plan.
 * @param options `openFds`: descriptors the runtime holds now.
 * @returns The need and its parts.
 *
 * @example
 * ```ts ignore
 * import { startupFdNeed } from "./fd_headroom.ts";
 *
 * const { need, parts } = startupFdNeed(plan, { openFds: 22 });
 * ```
 */
export function startupFdNeed(plan: RunPlan, options: { openFds: number }): StartupFdNeed {
  const count = (placement: string) => plan.servers.filter((s) => s.placement === placement);
  const runtime = count("runtime").length;
  const commands = count("command").length;
  const hosts = new Set(count("host").map((s) => s.fleet)).size;
  const workers = plan.workers.length;
  const parts: [string, number][] = [
    ["open now", options.openFds],
    ["module loading", workers ? STARTUP_FDS.moduleLoading : 0],
    [`${workers} client worker${workers === 1 ? "" : "s"}`, workers * STARTUP_FDS.perWorker],
    [`${runtime} server${runtime === 1 ? "" : "s"} in the runtime`, runtime],
    [`${commands} command server${commands === 1 ? "" : "s"}`, commands * STARTUP_FDS.perCommand],
    [`${hosts} server host${hosts === 1 ? "" : "s"}`, hosts * STARTUP_FDS.perHost],
  ];
  const shown = parts.filter(([, n]) => n > 0);
  return {
    need: shown.reduce((sum, [, n]) => sum + n, 0),
    parts: shown.map(([what, n]) => `${what}: ${n}`),
  };
}

/**
 * Refuses a plan the runtime cannot even start under its fd limit, before anything starts.
 *
 * @param plan The run plan.
 * @param options `limit`: the runtime's fd limit (`ulimit -n`), null when unknown (then nothing is
 *   refused); `openFds`: descriptors open now, null when unknown.
 * @throws {UsageError} If the limit is below what starting the servers and workers needs.
 *
 * @example
 * ```ts ignore
 * import { checkFdHeadroom } from "./fd_headroom.ts";
 *
 * checkFdHeadroom(plan, { limit: 40, openFds: 22 }); // throws: the run cannot start
 * ```
 */
export function checkFdHeadroom(
  plan: RunPlan,
  options: { limit: number | null; openFds: number | null },
): void {
  // Unknown is not zero: no refusal from a limit or a count wedge could not read.
  if (options.limit === null || options.openFds === null) return;
  const { need, parts } = startupFdNeed(plan, { openFds: options.openFds });
  if (options.limit >= need) return;
  throw new UsageError(
    `the file descriptor limit (ulimit -n) is ${options.limit}, and starting this run's servers ` +
      `and workers needs about ${need} (${parts.join(", ")}), before any connection: ` +
      `raise it (e.g. ulimit -n ${Math.max(1024, need * 2)}) or start fewer servers or workers. ` +
      "Nothing was started.",
  );
}
