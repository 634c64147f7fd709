/**
 * The process groups a run started (the user's server commands, server hosts), tracked so that
 * none outlives wedge: each is started as the leader of a group of its own, signals go to the
 * whole group, and whatever is still tracked is killed when the process exits (`unload`, e.g.
 * `Deno.exit()`) or on {@linkcode killTrackedGroups}.
 *
 * @module
 */

import { delay } from "../units/deadline.ts";

// Process groups that may still be running, by leader pid. One `unload` listener kills them all,
// so that `Deno.exit()` never leaves an orphan.
const live = new Set<number>();
let unloadHooked = false;

/**
 * Tracks a process group (its leader's pid) until {@linkcode untrackGroup}.
 *
 * @param pid The group leader's pid (a process started with `detached: true`).
 *
 * @example
 * ```ts
 * import { trackGroup, untrackGroup } from "./process_reaper.ts";
 *
 * trackGroup(99_999_999); // above any pid_max: no real group
 * untrackGroup(99_999_999);
 * ```
 */
export function trackGroup(pid: number): void {
  live.add(pid);
  if (!unloadHooked) {
    unloadHooked = true;
    globalThis.addEventListener("unload", killTrackedGroups);
  }
}

/**
 * Stops tracking a process group (it is gone, or killed).
 *
 * @param pid The group leader's pid.
 *
 * @example
 * ```ts
 * import { untrackGroup } from "./process_reaper.ts";
 *
 * untrackGroup(99_999_999);
 * ```
 */
export function untrackGroup(pid: number): void {
  live.delete(pid);
}

/**
 * Whether any process group is tracked.
 *
 * @returns True while a tracked group may still run.
 *
 * @example
 * ```ts
 * import { hasTrackedGroups } from "./process_reaper.ts";
 *
 * console.log(hasTrackedGroups());
 * ```
 */
export function hasTrackedGroups(): boolean {
  return live.size > 0;
}

/**
 * SIGKILLs every tracked process group at once (synchronous: safe in `unload` and in a signal
 * listener that is about to end the process).
 *
 * @example
 * ```ts
 * import { killTrackedGroups } from "./process_reaper.ts";
 *
 * killTrackedGroups();
 * ```
 */
export function killTrackedGroups(): void {
  for (const pid of live) {
    try {
      signalGroup(pid, "SIGKILL");
    } catch (error) {
      // Too late to report it in a run: say it where it can still be seen. The supervisor kills
      // the group once this process is gone.
      console.error(`wedge: could not kill process group ${pid}: ${error}`);
    }
  }
  live.clear();
}

/**
 * Sends a signal to a process group, or to the process alone when it leads no group. A group
 * that is gone is not an error; a signal that could not be sent is (no permission to signal,
 * `NotCapable` without `--allow-run`): the caller must report it, since the group may still run.
 *
 * @param pid The group leader's pid.
 * @param signal The signal.
 * @returns True if the signal was sent, false if there was no such group or process.
 * @throws {Error} If the signal could not be sent (e.g. `Deno.errors.NotCapable`, `PermissionDenied`).
 *
 * @example
 * ```ts
 * import { signalGroup } from "./process_reaper.ts";
 * import assert from "node:assert/strict";
 *
 * // Above any pid_max Linux allows (2^22): no such group or process can exist.
 * assert.equal(signalGroup(99_999_999, "SIGTERM"), false);
 * ```
 */
export function signalGroup(pid: number, signal: Deno.Signal): boolean {
  try {
    Deno.kill(-pid, signal);
    return true;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  // Not a group (or the group is gone): the process alone, if it is still there.
  try {
    Deno.kill(pid, signal);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/**
 * Whether anything in a process group still runs (zombies do not count). Signal 0 only checks. A
 * pid is not reused while a group of that id exists, so this cannot hit a stranger's group.
 *
 * @param pid The group leader's pid.
 * @returns True while a member runs.
 *
 * @example
 * ```ts
 * import { groupAlive } from "./process_reaper.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(groupAlive(2 ** 22 + 1), false);
 * ```
 */
export function groupAlive(pid: number): boolean {
  try {
    Deno.kill(-pid, 0 as unknown as Deno.Signal);
  } catch (error) {
    // No such group. Any other failure (no permission to signal) says nothing: ask /proc.
    if (error instanceof Deno.errors.NotFound) return false;
  }
  // The kernel counts zombies too: orphans wait for PID 1 to reap them, which some containers'
  // PID 1 does only about once a second. On Linux, /proc tells whether one of them still runs.
  if (Deno.build.os !== "linux") return true;
  try {
    for (const entry of Deno.readDirSync("/proc")) {
      if (!/^\d+$/.test(entry.name)) continue;
      let stat: string;
      try {
        stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      } catch {
        continue;
      }
      // After the ")" that ends the command name: state, ppid, pgrp, ...
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(pgrp) === pid && state !== "Z") return true;
    }
    return false;
  } catch {
    return true;
  }
}

/**
 * Waits until nothing in a process group runs any more (see {@linkcode groupAlive}), at most
 * `timeoutMs`.
 *
 * @param pid The group leader's pid.
 * @param options `timeoutMs`: how long to wait (default 1000).
 * @returns True once the group is gone, false if it still runs at the deadline.
 *
 * @example
 * ```ts
 * import { waitGroupGone } from "./process_reaper.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(await waitGroupGone(99_999_999), true); // above any pid_max: never a group
 * ```
 */
export async function waitGroupGone(
  pid: number,
  options: { timeoutMs?: number } = {},
): Promise<boolean> {
  const deadline = performance.now() + (options.timeoutMs ?? 1000);
  while (groupAlive(pid)) {
    if (performance.now() >= deadline) return false;
    await delay(25);
  }
  return true;
}
