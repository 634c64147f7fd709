/**
 * The servers and processes section of the text report: each server as it saw its traffic (or one
 * summary line past 12 servers), the clients' spread, the runtime process's resources, and every
 * process that ran servers with its logs and how it ended.
 *
 * @module
 */

import { exitText } from "../process_exit.ts";
import { formatByteSize } from "../../units/byte_size.ts";
import { formatDuration } from "../../units/duration.ts";
import type { RunReport, ServerReport } from "../types.ts";
import { known } from "./_format.ts";
import type { TextReportOptions } from "./options.ts";

/**
 * Renders the servers, the clients, the runtime process and the server processes.
 *
 * @param report The parts of the run report the section reads.
 * @param options `allServers` lists every server past 12.
 * @returns Lines of text, after a blank line.
 *
 * @example
 * ```ts
 * import { renderServers } from "./servers.ts";
 * import assert from "node:assert/strict";
 *
 * const lines = renderServers({
 *   servers: [],
 *   clients: [{ fleet: "c", index: 0, worker: 0, planned: 10, sent: 10, completed: 10, ok: 10 }],
 *   process: { pid: 42, fdLimit: 1024, peakOpenFds: 30, peakRssBytes: null },
 *   serverProcesses: [],
 * });
 * assert.equal(lines.at(-2), "Clients: 1, completed per client min 10, max 10");
 * assert.equal(lines.at(-1), "Runtime process 42: peak open fds 30 (limit 1024), peak RSS unknown");
 * ```
 */
export function renderServers(
  report:
    & Pick<RunReport, "servers" | "clients" | "process" | "serverProcesses">
    & Partial<Pick<RunReport, "timelineProcesses" | "timeline">>,
  options: Pick<TextReportOptions, "allServers"> = {},
): string[] {
  const lines: string[] = [];
  lines.push("");
  lines.push(
    "Servers (received / answered by the server, n/a where wedge cannot count inside it; completed / in flight as the clients saw it):",
  );
  const servers = report.servers;
  const shown = options.allServers || servers.length <= 12 ? servers : [];
  // Only command client processes: nothing was seen from the client side (n/a, never 0).
  const clientView = report.clients.length > 0;
  for (const s of shown) lines.push(serverLine(s, clientView));
  for (const s of shown) {
    for (const message of s.handlerErrorMessages) lines.push(`    handler error: ${message}`);
  }
  if (shown.length === 0 && servers.length) lines.push(...serversSummary(servers));
  lines.push(...acceptedDeadHint(report));
  const completedPerClient = report.clients.map((c) => c.completed);
  if (clientView) {
    lines.push(
      `Clients: ${report.clients.length}, completed per client min ${
        Math.min(...completedPerClient)
      }, max ${Math.max(...completedPerClient)}`,
    );
  }
  lines.push(...processes(report));
  return lines;
}

/** One server: what it received and answered, what the clients completed, how it failed. */
function serverLine(s: ServerReport, clientView: boolean): string {
  return `  ${s.fleet}[${s.index}] ${s.url} ${s.behavior}: ${known(s.received)} received, ${
    known(s.responded)
  } answered; ${
    clientView ? `${s.completedByClients} completed, ${s.inFlight}` : "n/a completed, n/a"
  } in flight${s.handlerErrors ? `; ${s.handlerErrors} handler errors (answered 500)` : ""}${
    s.failure ? `; STOPPED: ${s.failure}` : ""
  }${s.acceptedDead == null ? "" : `; ${s.acceptedDead} accepted already closed by the client`}${
    probeText(s.probe)
  }${streamsText(s.streams)}`;
}

/**
 * An HTTP/2 server's streams: who reset them; then those wedge sees open (a request in the handler
 * or a response still sending, not the client's open streams) at the end and at most on one
 * connection.
 */
function streamsText(streams: ServerReport["streams"]): string {
  if (!streams) return "";
  const resets = streams.resetByServer == null
    ? `${streams.reset} reset by clients or the server (not told apart)`
    : `${streams.resetByServer} reset by the server (its response body failed), ${streams.reset} reset by clients`;
  return `; HTTP/2 streams: ${resets}; in the handler or still sending: ${streams.openAtEnd} at the end, at most ${streams.peakOnOneConnection} on one connection`;
}

/** The hint for connections that waited in the backlog longer than their clients (seed 001). */
function acceptedDeadHint(
  report: Pick<RunReport, "servers"> & Partial<Pick<RunReport, "timeline">>,
): string[] {
  const dead = report.servers.reduce((sum, s) => sum + (s.acceptedDead ?? 0), 0);
  if (dead === 0) return [];
  const queues = (report.timeline ?? []).flatMap((p) => p.acceptQueue ?? []);
  const backlog = queues.length ? `; the listen backlog held up to ${Math.max(...queues)}` : "";
  return [
    `  hint: ${dead} accepted connection${dead === 1 ? " was" : "s were"} already closed by ` +
    `${dead === 1 ? "its client" : "their clients"}: they waited in the backlog longer than the ` +
    `client's timeout${backlog}; this is the 'hangup right after accept' of seed 001`,
  ];
}

/** What the probe after the load saw, or nothing when the server was not probed. */
function probeText(probe: ServerReport["probe"]): string {
  if (!probe) return "";
  if (probe.status !== null) {
    return `; after the load: answered ${probe.status} (probe ${probe.attempts}, after ${
      formatDuration(probe.answeredAfterMs ?? 0)
    })`;
  }
  const not = probe.lastConnected ? "NOT ANSWERING" : "NOT ACCEPTING";
  return `; after the load: ${not} (${probe.attempts} probes over ${
    formatDuration(probe.boundMs)
  }: ${probe.lastError})`;
}

/** Many servers in one line: the spread of their counts, and the first handler error. */
function serversSummary(servers: ServerReport[]): string[] {
  const lines: string[] = [];
  const completed = servers.map((s) => s.completedByClients);
  const received = servers.flatMap((s) => (s.received === null ? [] : [s.received]));
  const handlerErrors = servers.reduce((sum, s) => sum + (s.handlerErrors ?? 0), 0);
  lines.push(
    `  ${servers.length} servers: completed per server min ${Math.min(...completed)}, max ${
      Math.max(...completed)
    }; received per server ${
      received.length
        ? `min ${Math.min(...received)}, max ${Math.max(...received)}${
          received.length < servers.length ? ` (n/a for ${servers.length - received.length})` : ""
        }`
        : "n/a"
    }${handlerErrors ? `; ${handlerErrors} handler errors` : ""} (--json has each one)`,
  );
  const first = servers.find((s) => s.handlerErrorMessages.length);
  if (first) {
    lines.push(
      `    first handler error (${first.fleet}[${first.index}]): ${first.handlerErrorMessages[0]}`,
    );
  }
  return lines;
}

/** The runtime process's peaks, then each server process with its exit and its logs. */
function processes(
  report:
    & Pick<RunReport, "process" | "serverProcesses">
    & Partial<Pick<RunReport, "timelineProcesses">>,
): string[] {
  const lines: string[] = [];
  const p = report.process;
  lines.push(
    `Runtime process ${p.pid}: peak open fds ${p.peakOpenFds ?? "unknown"} (limit ${
      p.fdLimit ?? "unknown"
    }), peak RSS ${p.peakRssBytes === null ? "unknown" : formatByteSize(p.peakRssBytes)}`,
  );
  for (const sp of report.serverProcesses) {
    // The limit it ran with (a scenario's `limits.nofile`, else inherited from wedge).
    const limit = report.timelineProcesses?.find((t) => t.pid === sp.pid)?.fdLimit;
    lines.push(
      `Server process ${sp.name} (pid ${sp.pid}): ${sp.command}${
        sp.exit
          ? `; ${sp.exit.early ? "EXITED EARLY" : "exited"} with ${exitText(sp.exit)}${
            sp.exit.early ? ` ${formatDuration(Math.max(0, sp.exit.atMs))} into the load` : ""
          }`
          : ""
      }; fd limit ${limit ?? "n/a"}`,
    );
    lines.push(`  logs: ${sp.stdoutLog} ${sp.stderrLog}`);
  }
  return lines;
}
