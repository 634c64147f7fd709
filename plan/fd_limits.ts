/**
 * Whether a scenario's `limits.nofile` can be given, checked before anything starts: never above
 * the hard limit (a soft limit cannot exceed it, and wedge never raises it), never below what
 * wedge itself needs in the process it applies to. Pure: the caller reads the limits.
 *
 * @module
 */

import type { RunPlan } from "./plan.ts";
import { STARTUP_FDS, startupFdNeed } from "./fd_headroom.ts";
import { ScenarioError, type ScenarioIssue } from "../scenario/errors.ts";
import type { Scenario } from "../scenario/schema.ts";

/**
 * Descriptors wedge needs beside what it holds, measured with Deno 2.9.6 on one server and one
 * client at concurrency 1 (`docs/limits.md`): the runtime completes at 36 (it holds 31 as the
 * load starts: 24 open, 6 for its worker, 1 listener) and loses its accept loop at 32 (the first
 * connection, the CA file fetch reads, `/proc` reads); a server host with one server completes at
 * 28, loses its accept loop at 24, and cannot load its modules at 16. On top of the runtime's,
 * `held` descriptors it keeps from the load for its own reads as the load ends.
 */
export const LIMIT_RESERVE_FDS = {
  /** Runtime: what it opens once the load starts, beside what it holds then. */
  runtime: 5,
  /** Runtime: held from the load's start to its end (`reserveFds`), for the last census. */
  held: 8,
  /** Server host: a Deno process's own descriptors (start-up, one connection), beside listeners. */
  host: 27,
} as const;

/** What the checks read of the host. */
export interface LimitsHost {
  /** The runtime's hard limit on open files (children inherit it), null when unknown. */
  hardLimit: number | null;
  /** Descriptors the runtime holds now, null when unknown. */
  openFds: number | null;
}

/**
 * Refuses a scenario's open-files limits that cannot be applied or that wedge cannot run under.
 *
 * @param scenario The resolved scenario.
 * @param plan Its plan (what the runtime and each server host start).
 * @param host The hard limit and the runtime's open descriptors.
 * @throws {ScenarioError} With each limit that is out of bounds, by its field path, naming the
 *   bound.
 *
 * @example
 * ```ts ignore
 * import { checkLimits } from "./fd_limits.ts";
 *
 * checkLimits(scenario, plan, { hardLimit: 20000, openFds: 22 }); // throws for limits.nofile 8
 * ```
 */
export function checkLimits(scenario: Scenario, plan: RunPlan, host: LimitsHost): void {
  const issues: ScenarioIssue[] = [];
  const above = (nofile: number, path: string) => {
    if (host.hardLimit === null || nofile <= host.hardLimit) return;
    issues.push({
      path,
      message: `${nofile} is above the hard limit on open files, ${host.hardLimit} ` +
        "(ulimit -Hn): wedge sets the soft limit only; lower it, or raise the hard limit first",
    });
  };
  if (scenario.limits) {
    const { nofile } = scenario.limits;
    above(nofile, "limits.nofile");
    if (host.openFds !== null) {
      // Held as the load starts: the workers' module loading is over by then.
      const { need, parts } = startupFdNeed(plan, { openFds: host.openFds });
      const loading = plan.workers.length ? STARTUP_FDS.moduleLoading : 0;
      const min = need - loading + LIMIT_RESERVE_FDS.runtime + LIMIT_RESERVE_FDS.held;
      if (nofile < min) {
        issues.push({
          path: "limits.nofile",
          message: `${nofile} is below what wedge's runtime needs before any connection: at ` +
            `least ${min} (${parts.filter((p) => !p.startsWith("module")).join(", ")}, ` +
            `${LIMIT_RESERVE_FDS.runtime} once the load starts, ${LIMIT_RESERVE_FDS.held} held ` +
            "for the reads as it ends); raise it, or start fewer " +
            "servers or workers",
        });
      }
    }
  }
  scenario.servers.forEach((fleet, i) => {
    if (fleet.limits === null) return;
    const path = fleet.limits === scenario.limits ? "limits.nofile" : `servers[${i}].limits.nofile`;
    if (path !== "limits.nofile") above(fleet.limits.nofile, path);
    const hosted = plan.servers.some((s) => s.fleet === fleet.name && s.placement === "host");
    const min = fleet.count + LIMIT_RESERVE_FDS.host;
    if (hosted && fleet.limits.nofile < min) {
      issues.push({
        path,
        message: `${fleet.limits.nofile} is below what the server host of "${fleet.name}" ` +
          `needs to start: at least ${min} (${fleet.count} listeners, ` +
          `${LIMIT_RESERVE_FDS.host} for the Deno process itself and a first connection); raise it`,
      });
    }
  });
  if (issues.length) {
    throw new ScenarioError(issues, { scenario: scenario.name, file: scenario.file ?? undefined });
  }
}
