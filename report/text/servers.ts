/**
 * The servers and processes section of the text report: each server as it saw its traffic (or one
 * summary line past 12 servers), the clients' spread, the runtime process's resources, and every
 * process that ran servers with its logs and how it ended.
 *
 * @module
 */

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
  report: Pick<RunReport, "servers" | "clients" | "process" | "serverProcesses">,
  options: Pick<TextReportOptions, "allServers"> = {},
): string[] {
  const lines: string[] = [];
  lines.push("");
  lines.push(
    "Servers (received / answered by the server, n/a where wedge cannot count inside it; completed / in flight as the clients saw it):",
  );
  const servers = report.servers;
  const shown = options.allServers || servers.length <= 12 ? servers : [];
  for (const s of shown) lines.push(serverLine(s));
  for (const s of shown) {
    for (const message of s.handlerErrorMessages) lines.push(`    handler error: ${message}`);
  }
  if (shown.length === 0 && servers.length) lines.push(...serversSummary(servers));
  const completedPerClient = report.clients.map((c) => c.completed);
  lines.push(
    `Clients: ${report.clients.length}, completed per client min ${
      Math.min(...completedPerClient)
    }, max ${Math.max(...completedPerClient)}`,
  );
  lines.push(...processes(report));
  return lines;
}

/** One server: what it received and answered, what the clients completed, how it failed. */
function serverLine(s: ServerReport): string {
  return `  ${s.fleet}[${s.index}] ${s.url} ${s.behavior}: ${known(s.received)} received, ${
    known(s.responded)
  } answered; ${s.completedByClients} completed, ${s.inFlight} in flight${
    s.handlerErrors ? `; ${s.handlerErrors} handler errors (answered 500)` : ""
  }${s.failure ? `; STOPPED: ${s.failure}` : ""}${
    s.streams
      ? `; HTTP/2 streams: ${s.streams.reset} reset by clients, ${s.streams.openAtEnd} open at the end, at most ${s.streams.peakOnOneConnection} on one connection`
      : ""
  }`;
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
function processes(report: Pick<RunReport, "process" | "serverProcesses">): string[] {
  const lines: string[] = [];
  const p = report.process;
  lines.push(
    `Runtime process ${p.pid}: peak open fds ${p.peakOpenFds ?? "unknown"} (limit ${
      p.fdLimit ?? "unknown"
    }), peak RSS ${p.peakRssBytes === null ? "unknown" : formatByteSize(p.peakRssBytes)}`,
  );
  for (const sp of report.serverProcesses) {
    lines.push(
      `Server process ${sp.name} (pid ${sp.pid}): ${sp.command}${
        sp.exit
          ? `; ${sp.exit.early ? "EXITED EARLY" : "exited"} with ${
            sp.exit.signal ? `signal ${sp.exit.signal}` : `code ${sp.exit.code}`
          }${sp.exit.early ? ` ${formatDuration(Math.max(0, sp.exit.atMs))} into the load` : ""}`
          : ""
      }`,
    );
    lines.push(`  logs: ${sp.stdoutLog} ${sp.stderrLog}`);
  }
  return lines;
}
