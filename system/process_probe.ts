/**
 * Process probe: open file descriptors, their limit, and resident memory of a process, read from
 * Linux's `/proc`. Observes only. Elsewhere every figure is `null`.
 *
 * Costs measured here: `stat /proc/PID/fd` (its size is the number of open fds on Linux 6.2 and
 * later; earlier kernels report 0 and the entries are counted instead) ~5 us, reading
 * `/proc/PID/status` ~10 us.
 *
 * @module
 */

/** One reading of a process. */
export interface ProcessSample {
  /** Open file descriptors, or null when unknown. */
  openFds: number | null;
  /** Resident set size in bytes (VmRSS), or null. */
  rssBytes: number | null;
  /** Peak resident set size in bytes (VmHWM), or null. */
  peakRssBytes: number | null;
}

/**
 * Reads a `/proc/PID/status` field given in kB, as bytes.
 *
 * @param status The text of `/proc/PID/status`.
 * @param field E.g. `VmRSS`.
 * @returns Bytes, or null when the field is absent.
 *
 * @example
 * ```ts
 * import { parseStatusKb } from "./process_probe.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(parseStatusKb("Name:\tdeno\nVmRSS:\t  2048 kB\n", "VmRSS"), 2048 * 1024);
 * ```
 */
export function parseStatusKb(status: string, field: string): number | null {
  const match = new RegExp(`^${field}:\\s+(\\d+)\\s*kB`, "m").exec(status);
  return match ? Number(match[1]) * 1024 : null;
}

/**
 * Reads the soft "Max open files" limit from `/proc/PID/limits`.
 *
 * @param limits The text of `/proc/PID/limits`.
 * @returns The soft limit, or null when absent or unlimited.
 *
 * @example
 * ```ts
 * import { parseFdLimit } from "./process_probe.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(parseFdLimit("Max open files            20000                20000                files\n"), 20000);
 * ```
 */
export function parseFdLimit(limits: string): number | null {
  const match = /^Max open files\s+(\d+|unlimited)\s+/m.exec(limits);
  return match && match[1] !== "unlimited" ? Number(match[1]) : null;
}

function readText(path: string): string | null {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return null;
  }
}

/**
 * Samples a process.
 *
 * @param pid A process id, or `"self"`.
 * @returns Open fds and RSS; nulls where `/proc` cannot tell.
 *
 * @example
 * ```ts
 * import { sampleProcess } from "./process_probe.ts";
 *
 * const { openFds, rssBytes } = sampleProcess("self");
 * ```
 */
export function sampleProcess(pid: number | "self" = "self"): ProcessSample {
  const status = readText(`/proc/${pid}/status`);
  return {
    openFds: countOpenFds(pid),
    rssBytes: status === null ? null : parseStatusKb(status, "VmRSS"),
    peakRssBytes: status === null ? null : parseStatusKb(status, "VmHWM"),
  };
}

/**
 * Counts a process's open file descriptors.
 *
 * @param pid A process id, or `"self"`.
 * @returns The count, or null when unknown (the process is gone, or not Linux).
 *
 * @example
 * ```ts
 * import { countOpenFds } from "./process_probe.ts";
 * import assert from "node:assert/strict";
 *
 * const fds = countOpenFds("self");
 * assert.ok(fds === null || fds >= 3);
 * ```
 */
export function countOpenFds(pid: number | "self" = "self"): number | null {
  try {
    const size = Deno.statSync(`/proc/${pid}/fd`).size;
    if (size > 0) return size;
    // Linux before 6.2 reports no size for this directory: count its entries instead (the
    // listing holds one fd of its own while it runs, when the process is this one).
    let entries = 0;
    for (const _ of Deno.readDirSync(`/proc/${pid}/fd`)) entries++;
    return pid === "self" || pid === Deno.pid ? entries - 1 : entries;
  } catch {
    return null;
  }
}

/**
 * Reads a process's soft limit on open files.
 *
 * @param pid A process id, or `"self"`.
 * @returns The limit, or null when unknown.
 *
 * @example
 * ```ts
 * import { fdLimit } from "./process_probe.ts";
 *
 * const limit = fdLimit("self");
 * ```
 */
export function fdLimit(pid: number | "self" = "self"): number | null {
  // Reading the file takes a file descriptor, which is what a process at its limit lacks: the
  // process's own limit is kept from its first read (`rememberSelfFdLimit` when wedge changes it).
  if (pid === "self" && selfLimit !== undefined) return selfLimit;
  const limits = readText(`/proc/${pid}/limits`);
  const limit = limits === null ? null : parseFdLimit(limits);
  if (pid === "self" && limit !== null) selfLimit = limit;
  return limit;
}

let selfLimit: number | undefined;

/**
 * Replaces the kept soft limit of the runtime (after wedge changed it: `system/fd_limit.ts`);
 * null forgets it, so the next {@linkcode fdLimit} reads it again.
 *
 * @param limit The limit now, or null to read it again.
 *
 * @example
 * ```ts
 * import { fdLimit, rememberSelfFdLimit } from "./process_probe.ts";
 *
 * rememberSelfFdLimit(null);
 * fdLimit("self"); // read from /proc/self/limits again
 * ```
 */
export function rememberSelfFdLimit(limit: number | null): void {
  selfLimit = limit ?? undefined;
}
