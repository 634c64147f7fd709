/**
 * Process checks the tests share.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { RunReport } from "../report/types.ts";

/**
 * Whether a process exists: running, stopped, or a zombie nobody has reaped yet (a zombie still
 * counts: wedge must reap what it starts).
 *
 * @param pid The process id.
 * @returns True while `/proc/PID` exists.
 */
export function alive(pid: number): boolean {
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether `pid` descends from `ancestor` (through its parents, read from /proc); false once it is
 * gone.
 *
 * @param pid The process id.
 * @param ancestor The process it may descend from.
 * @returns True when `ancestor` is its parent, grandparent, ...
 */
export function descendsFrom(pid: number, ancestor: number): boolean {
  for (let current = pid, depth = 0; current > 1 && depth < 20; depth++) {
    try {
      const stat = Deno.readTextFileSync(`/proc/${current}/stat`);
      current = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    } catch {
      return false;
    }
    if (current === ancestor) return true;
  }
  return false;
}

/**
 * Asserts that a run's command client processes all had a pid and none exists any more.
 *
 * @param report The run's report.
 */
export function assertClientsReaped(report: RunReport): void {
  const pids = report.commandClients!.processes.map((p) => p.pid);
  assert.ok(pids.length > 0 && pids.every((pid) => pid !== null));
  for (const pid of pids) assert.equal(alive(pid!), false, `client process ${pid} still exists`);
}
