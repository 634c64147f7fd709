/**
 * The report's `commandClients`: each client process's end (from the supervisor) and what the
 * watch saw of it (from the host and the servers).
 *
 * @module
 */

import type { ClientProcessReport, CommandClientsReport } from "../report/types.ts";
import type { ClientProcessWatch } from "./client_process_watch.ts";
import type { ClientProcess, CommandClients } from "./command_clients.ts";

/** Says where the figures come from; printed with them. */
const SOURCE = "server view and host: requests as wedge's servers counted them (n/a for a " +
  "server wedge cannot count inside), connections, fds and RSS read from /proc every 250 ms; " +
  "latency is the client's own and unknown to wedge";

/**
 * Builds the report's `commandClients` once every process stopped.
 *
 * @param clients The run's command clients.
 * @param options The watch and the servers' final counts.
 * @returns The report part.
 *
 * @example
 * ```ts ignore
 * const part = commandClientsReport(clients, { watch, counts: serverCounts() });
 * ```
 */
export function commandClientsReport(
  clients: CommandClients,
  options: {
    watch: ClientProcessWatch;
    counts: { received: number | null; answered: number | null }[];
  },
): CommandClientsReport {
  const sum = (pick: (c: (typeof options.counts)[number]) => number | null) => {
    const values = options.counts.map(pick);
    return values.length === 0 || values.some((v) => v === null)
      ? null
      : (values as number[]).reduce((a, b) => a + b, 0);
  };
  return {
    source: SOURCE,
    received: sum((c) => c.received),
    answered: sum((c) => c.answered),
    processes: clients.processes.map((p) => processReport(p, options.watch)),
    stall: options.watch.stall,
  };
}

function processReport(p: ClientProcess, watch: ClientProcessWatch): ClientProcessReport {
  const seen = watch.seen.get(p);
  const exit = p.child?.exit ?? null;
  return {
    name: p.name,
    fleet: p.fleet,
    index: p.index,
    pid: p.child?.pid ?? null,
    argv: p.argv,
    url: p.url,
    ending: p.ending,
    code: exit?.code ?? null,
    signal: exit?.signal ?? null,
    runMs: exit ? Math.round(exit.atMs - p.startedAtMs) : null,
    stderrTail: p.spawnError ?? exit?.stderrTail ?? p.child?.stderrTail() ?? "",
    stdoutTail: p.stdoutTail(),
    stdoutLog: p.child?.stdoutLog ?? null,
    stderrLog: p.child?.stderrLog ?? null,
    peakRssBytes: seen?.peakRssBytes ?? null,
    rss: seen?.rss ?? [],
    peakOpenFds: seen?.peakOpenFds ?? null,
    fdLimit: seen?.fdLimit ?? null,
    connectionsSeen: seen?.inodes ? seen.inodes.size : null,
    connections: seen?.connections ?? [],
    peakStreamsOnOneConnection: seen?.peakStreamsOnOneConnection ?? null,
  };
}
