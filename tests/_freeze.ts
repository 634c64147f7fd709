/**
 * Freezing one thread of a process for a bounded time (tests/fixtures/freeze_thread.py: ptrace
 * stops that thread alone), for the tests of what wedge says while one of its threads is frozen.
 *
 * @module
 */

import assert from "node:assert/strict";
import { ROOT } from "./_cli.ts";
import { alive } from "./_process.ts";

const FREEZER = "tests/fixtures/freeze_thread.py";

/**
 * The process's established TCP connections (its socket inodes found ESTABLISHED in
 * /proc/net/tcp{,6}), or null once it has ended. Only TCP: wedge's own short-lived netlink and
 * file fds come and go beside them.
 *
 * @returns How many, or null.
 */
export function establishedConnections(pid: number): number | null {
  const established = new Set<string>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    try {
      for (const line of Deno.readTextFileSync(table).split("\n").slice(1)) {
        const f = line.trim().split(/\s+/);
        if (f[3] === "01") established.add(f[9]);
      }
    } catch { /* no IPv6 */ }
  }
  try {
    let n = 0;
    for (const fd of Deno.readDirSync(`/proc/${pid}/fd`)) {
      try {
        const link = Deno.readLinkSync(`/proc/${pid}/fd/${fd.name}`);
        if (established.has(/^socket:\[(\d+)\]$/.exec(link)?.[1] ?? "")) n++;
      } catch { /* closed meanwhile */ }
    }
    return n;
  } catch {
    return null;
  }
}

/**
 * Waits (at most `ms`, or until the process ends) for it to have `count` established TCP
 * connections.
 *
 * @returns Whether it had them.
 */
export async function connectionsOpened(pid: number, count: number, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  while ((establishedConnections(pid) ?? Infinity) < count && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 10));
  }
  return (establishedConnections(pid) ?? 0) >= count;
}

/**
 * Waits (at most `ms`) for the process to have a thread named `name`.
 *
 * @returns Its tid, or null.
 */
export async function threadNamed(pid: number, name: string, ms: number): Promise<string | null> {
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) {
    try {
      for (const t of Deno.readDirSync(`/proc/${pid}/task`)) {
        const comm = await Deno.readTextFile(`/proc/${pid}/task/${t.name}/comm`).catch(() => "");
        if (comm.trim() === name) return t.name;
      }
    } catch { /* the process ended */ }
    await new Promise((r) => setTimeout(r, 20));
  }
  return null;
}

/**
 * Why this machine cannot freeze a sibling's thread (no python3, ptrace refused), or null.
 *
 * @returns The reason, or null when freezing works.
 */
export async function freezeUnavailable(): Promise<string | null> {
  const sleeper = new Deno.Command("sleep", { args: ["5"] }).spawn();
  try {
    const probe = await new Deno.Command("python3", {
      args: [FREEZER, String(sleeper.pid), "0"],
      cwd: ROOT,
    }).output();
    return probe.code === 0 ? null : new TextDecoder().decode(probe.stderr).trim();
  } catch (error) {
    return String(error);
  } finally {
    sleeper.kill("SIGKILL");
    await sleeper.status;
  }
}

/**
 * Freezes thread `tid` for `seconds`; resolves once it is stopped.
 *
 * @returns The freezer process: {@linkcode unfreeze} it (the thread runs again when it ends).
 */
export async function freeze(tid: string, seconds: number): Promise<Deno.ChildProcess> {
  const freezer = new Deno.Command("python3", {
    args: [FREEZER, tid, String(seconds)],
    cwd: ROOT,
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = freezer.stdout.pipeThrough(new TextDecoderStream()).getReader();
  assert.match((await reader.read()).value ?? "", /frozen/);
  reader.releaseLock();
  return freezer;
}

/** Ends a freezer (by PID, if its time is not up) and reaps it. */
export async function unfreeze(freezer: Deno.ChildProcess): Promise<void> {
  if (alive(freezer.pid)) freezer.kill("SIGKILL");
  await freezer.status;
  await freezer.stdout.cancel().catch(() => {});
}
