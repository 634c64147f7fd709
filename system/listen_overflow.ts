/**
 * Listen queue overflows: the kernel's count of connection attempts it refused because a
 * listener's queue was full (`ListenOverflows`, `ListenDrops` in the TcpExt lines of
 * `/proc/net/netstat`), and each listener's backlog (the Send-Q of a LISTEN socket in `ss -ltn`).
 * The counters belong to a network namespace: in the run's own namespace they are the run's; on
 * the host they count every listener of the host. Parsing and the hint are pure;
 * {@linkcode readListenCounters} and {@linkcode readListenBacklogs} are the thin adapters.
 *
 * @module
 */

import type { ListenCounters, ListenReport } from "../report/readings.ts";
export type { ListenCounters, ListenReport };

/**
 * Parses `/proc/net/netstat` (or `/proc/net/snmp`): pairs of lines, names then values, each
 * starting with the section name.
 *
 * @param text The file's content.
 * @returns Counters by section and name.
 *
 * @example
 * ```ts
 * import { parseNetstat } from "./listen_overflow.ts";
 * import assert from "node:assert/strict";
 *
 * const t = parseNetstat("TcpExt: ListenOverflows ListenDrops\nTcpExt: 12 13\n");
 * assert.equal(t.TcpExt.ListenDrops, 13);
 * ```
 */
export function parseNetstat(text: string): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  const lines = text.split("\n").filter((line) => line.includes(":"));
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const [section, ...names] = lines[i].trim().split(/\s+/);
    const [again, ...values] = lines[i + 1].trim().split(/\s+/);
    if (section !== again) continue;
    const counters: Record<string, number> = {};
    names.forEach((name, j) => {
      const value = Number(values[j]);
      if (Number.isFinite(value)) counters[name] = value;
    });
    out[section.replace(/:$/, "")] = counters;
  }
  return out;
}

/**
 * Reads the listen counters of the current network namespace.
 *
 * @returns The counters, or null where `/proc/net/netstat` cannot be read or lacks them.
 *
 * @example
 * ```ts
 * import { readListenCounters } from "./listen_overflow.ts";
 *
 * const counters = await readListenCounters();
 * ```
 */
export async function readListenCounters(): Promise<ListenCounters | null> {
  const text = await Deno.readTextFile("/proc/net/netstat").catch(() => null);
  if (text === null) return null;
  const tcp = parseNetstat(text).TcpExt;
  if (tcp?.ListenOverflows === undefined || tcp.ListenDrops === undefined) return null;
  return { overflows: tcp.ListenOverflows, drops: tcp.ListenDrops };
}

/**
 * Parses `ss -ltnH` output: for each LISTEN socket on one of `ports`, its backlog (Send-Q).
 *
 * @param text The output.
 * @param ports The ports to keep.
 * @returns Backlog by port.
 *
 * @example
 * ```ts
 * import { parseSsListen } from "./listen_overflow.ts";
 * import assert from "node:assert/strict";
 *
 * const text = "LISTEN 0      5      127.0.0.1:40000      0.0.0.0:*\n";
 * assert.deepEqual(parseSsListen(text, new Set([40000])), { "40000": 5 });
 * ```
 */
export function parseSsListen(text: string, ports: ReadonlySet<number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 4 || fields[0] !== "LISTEN") continue;
    const port = Number(fields[3].slice(fields[3].lastIndexOf(":") + 1));
    const backlog = Number(fields[2]);
    if (ports.has(port) && Number.isInteger(backlog)) out[port] = backlog;
  }
  return out;
}

/**
 * Reads the backlog of the listeners on `ports` with `ss -ltnH` (iproute2). Observes only.
 *
 * @param ports The run's server ports.
 * @returns Backlog by port; ports `ss` did not show (or no `ss` at all) are missing.
 *
 * @example
 * ```ts
 * import { readListenBacklogs } from "./listen_overflow.ts";
 *
 * const backlogs = await readListenBacklogs(new Set([8080]));
 * ```
 */
export async function readListenBacklogs(
  ports: ReadonlySet<number>,
): Promise<Record<string, number>> {
  try {
    const out = await new Deno.Command("ss", {
      args: ["-ltnH"],
      stdout: "piped",
      stderr: "null",
      signal: AbortSignal.timeout(2000),
    }).output();
    return out.success ? parseSsListen(new TextDecoder().decode(out.stdout), ports) : {};
  } catch {
    return {};
  }
}

/** What {@linkcode listenReport} reads. */
export interface ListenEvidence {
  /** The counters before the load, or null where unknown. */
  before: ListenCounters | null;
  /** The counters after the load, or null where unknown. */
  after: ListenCounters | null;
  /** Whether the run had a network namespace of its own. */
  namespace: boolean;
  /** The run's listeners: server name, port, and backlog (null where unknown). */
  listeners: { server: string; port: number; backlog: number | null }[];
  /**
   * The most connections seen waiting in each listener's accept queue at a socket census (about
   * every 250 ms), by port; null or absent where no census was read.
   */
  peakAcceptQueue?: Record<string, number> | null;
}

/**
 * Host-wide counters rose, but no listener of the run was seen full: the hint says the drops are
 * likely another program's. Null when that cannot be told (a namespace of the run's own, a
 * backlog or a census unknown, or a queue seen full).
 */
function elsewhereHint(e: ListenEvidence, dropped: number): string | null {
  const peaks = e.peakAcceptQueue;
  if (e.namespace || !peaks || e.listeners.length === 0) return null;
  const seen = e.listeners.map((l) => ({ backlog: l.backlog, peak: peaks[String(l.port)] }));
  if (seen.some((l) => l.backlog === null || l.peak === undefined || l.peak >= l.backlog)) {
    return null;
  }
  const peak = Math.max(...seen.map((l) => l.peak!));
  const backlog = Math.min(...seen.map((l) => l.backlog!));
  return `the host's kernel counted ${dropped} dropped connection attempt${
    dropped === 1 ? "" : "s"
  } during the run, but no listener of the run was seen full (accept queues peaked at ${peak}, backlogs ${backlog} or more, read about every 250 ms): the drops are likely another program's; run with a network namespace of its own to count only the run's`;
}

/**
 * Builds the report's `listen` section, with a hint when the kernel dropped connection attempts.
 * Pure.
 *
 * @param e The counters before and after, the scope, the listeners.
 * @returns The section, or null where the counters are unknown.
 *
 * @example
 * ```ts
 * import { listenReport } from "./listen_overflow.ts";
 * import assert from "node:assert/strict";
 *
 * const r = listenReport({
 *   before: { overflows: 0, drops: 0 }, after: { overflows: 40, drops: 40 }, namespace: true,
 *   listeners: [{ server: "app[0]", port: 40000, backlog: 5 }],
 * })!;
 * assert.match(r.hints[0], /^the kernel dropped 40 connection attempts: the listen queue of app\[0\]/);
 * ```
 */
export function listenReport(e: ListenEvidence): ListenReport | null {
  if (e.before === null || e.after === null) return null;
  const overflows = Math.max(0, e.after.overflows - e.before.overflows);
  const drops = Math.max(0, e.after.drops - e.before.drops);
  const hints: string[] = [];
  const dropped = Math.max(overflows, drops);
  const elsewhere = dropped > 0 ? elsewhereHint(e, dropped) : null;
  if (elsewhere) hints.push(elsewhere);
  else if (dropped > 0) {
    // The counters do not say which listener: name the run's listener(s) with the smallest
    // known backlog, or every one when no backlog is known.
    const known = e.listeners.filter((l) => l.backlog !== null);
    const smallest = known.length ? Math.min(...known.map((l) => l.backlog!)) : null;
    const suspects = smallest === null
      ? e.listeners
      : e.listeners.filter((l) => l.backlog === smallest);
    const named = suspects.slice(0, 3).map((l) =>
      `${l.server} (port ${l.port}, backlog ${l.backlog ?? "unknown"})`
    ).join(", ") + (suspects.length > 3 ? ` and ${suspects.length - 3} more` : "");
    const which = suspects.length === 1
      ? `the listen queue of ${named} overflowed`
      : suspects.length > 1
      ? `a listen queue overflowed (${named}${
        smallest === null ? "" : ", the smallest backlog of the run"
      })`
      : "a listen queue overflowed";
    hints.push(
      `the kernel dropped ${dropped} connection attempt${
        dropped === 1 ? "" : "s"
      }: ${which}; clients waited for SYN retransmits (1 s, 3 s, 7 s...)${
        e.namespace
          ? ""
          : " (the counters are the host's: other programs' listeners count too; run with a network namespace of its own to count only the run's)"
      }`,
    );
  }
  return {
    scope: e.namespace ? "namespace" : "host",
    before: e.before,
    after: e.after,
    overflows,
    drops,
    listeners: e.listeners,
    hints,
  };
}
