/**
 * The open-files limit (`RLIMIT_NOFILE`) of wedge's runtime and of the processes it starts, set
 * with util-linux's `prlimit` (Deno has no `setrlimit`): `prlimit --pid PID --nofile=N:` for a
 * running process (the runtime itself, before its load), `prlimit --nofile=N: -- argv` for a child
 * (the limit is set in the child before it execs its program, so everything it starts inherits
 * it). Never above the hard limit (refused at validation); the runtime's soft limit only, a child's
 * soft and hard limit alike (`withFdLimit`).
 *
 * @module
 */

import { fdLimit, rememberSelfFdLimit } from "./process_probe.ts";

/**
 * Reads a process's hard limit on open files from `/proc/PID/limits`.
 *
 * @param pid A process id, or `"self"`.
 * @returns The hard limit, or null when unknown or unlimited.
 *
 * @example
 * ```ts
 * import { hardFdLimit } from "./fd_limit.ts";
 *
 * const hard = hardFdLimit("self"); // e.g. 20000
 * ```
 */
export function hardFdLimit(pid: number | "self" = "self"): number | null {
  try {
    const limits = Deno.readTextFileSync(`/proc/${pid}/limits`);
    const match = /^Max open files\s+\S+\s+(\d+|unlimited)\s+/m.exec(limits);
    return match && match[1] !== "unlimited" ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/**
 * The command line that runs `argv` with an open-files limit: `prlimit` sets it, then execs the
 * program (same process id). Soft and hard alike, lowered: Deno and Node.js raise their soft
 * limit to the hard one as they start (a Deno server host under `prlimit --nofile=12:` ran with
 * 20000), which would undo a soft limit alone. Without a limit, `argv` as it is.
 *
 * @param argv The command, program first.
 * @param nofile The soft limit, or null for none.
 * @returns The command to spawn.
 *
 * @example
 * ```ts
 * import { withFdLimit } from "./fd_limit.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(withFdLimit(["node", "server.mjs"], 512), ["prlimit", "--nofile=512:512", "--", "node", "server.mjs"]);
 * assert.deepEqual(withFdLimit(["node"], null), ["node"]);
 * ```
 */
export function withFdLimit(argv: readonly string[], nofile: number | null): string[] {
  return nofile === null ? [...argv] : ["prlimit", `--nofile=${nofile}:${nofile}`, "--", ...argv];
}

/**
 * Sets the runtime's own soft open-files limit (every thread shares it: client workers, servers in
 * the runtime) and reads it back. Descriptors already open stay open above a lowered limit; only
 * new ones are refused (EMFILE).
 *
 * @param nofile The soft limit.
 * @returns The limit it had before, to restore with another call (null when unknown).
 * @throws {Error} If `prlimit` fails or the limit read back is not `nofile`.
 *
 * @example
 * ```ts ignore
 * import { setOwnFdLimit } from "./fd_limit.ts";
 *
 * const before = await setOwnFdLimit(512);
 * // ... the load ...
 * if (before !== null) await setOwnFdLimit(before);
 * ```
 */
export async function setOwnFdLimit(nofile: number): Promise<number | null> {
  const before = fdLimit("self");
  const output = await new Deno.Command("prlimit", {
    args: ["--pid", String(Deno.pid), `--nofile=${nofile}:`],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr).trim();
  if (!output.success) {
    throw new Error(`prlimit --pid ${Deno.pid} --nofile=${nofile}: failed: ${stderr}`);
  }
  rememberSelfFdLimit(null);
  const now = fdLimit("self");
  if (now !== nofile) {
    throw new Error(`the open-files limit read back is ${now}, not ${nofile} (prlimit)`);
  }
  return before;
}

/** Descriptors held back from the load for wedge's own reads once it ends. */
export interface FdReserve {
  /** Closes them (again: nothing). */
  release(): void;
}

/**
 * Holds `count` descriptors (`/dev/null`) so that wedge has them when the load has taken every
 * other one: released as the load ends, they let the last census, the listen counters and the
 * report read `/proc` while the clients' connections are still open.
 *
 * @param count How many to hold.
 * @returns The reserve; `release()` closes them.
 *
 * @example
 * ```ts
 * import { reserveFds } from "./fd_limit.ts";
 *
 * const reserve = reserveFds(4);
 * reserve.release();
 * ```
 */
export function reserveFds(count: number): FdReserve {
  const files: Deno.FsFile[] = [];
  for (let i = 0; i < count; i++) files.push(Deno.openSync("/dev/null", { read: true }));
  return {
    release() {
      for (const file of files.splice(0)) file.close();
    },
  };
}
