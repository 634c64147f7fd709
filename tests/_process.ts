/**
 * Process checks the tests share.
 *
 * @module
 */

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
