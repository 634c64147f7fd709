/**
 * The text report's parts for command client fleets (the user's own client programs): a summary
 * from the server view when no wedge client ran, each client process (end, RSS, fds,
 * connections, stderr tail of a failed one), and a client stall's diagnosis.
 *
 * @module
 */

import { formatByteSize } from "../../units/byte_size.ts";
import { stallTargets } from "../client_stall_diagnosis.ts";
import { formatDuration } from "../../units/duration.ts";
import type {
  ClientConnectionReport,
  ClientProcessReport,
  CommandClientsReport,
  CommandClientStall,
  RunReport,
} from "../types.ts";
import { known, pad } from "./_format.ts";

/**
 * The summary of a run whose only clients are command processes: what the servers counted,
 * latency unknown (only the client measures it), and how the run ended.
 *
 * @param report The run report (with `commandClients`).
 * @returns Lines of text.
 *
 * @example
 * ```ts ignore
 * if (onlyOwnClients(report)) lines.push(...renderCommandSummary(report));
 * ```
 */
export function renderCommandSummary(report: RunReport): string[] {
  const c = report.commandClients!;
  const params = Object.entries(report.scenario.params).map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(" ");
  const seconds = report.durationMs / 1000;
  return [
    `${report.scenario.name}: ${report.scenario.description}`,
    ...(params ? [`params: ${params}`] : []),
    `shape: ${report.shape.servers} servers, ${c.processes.length} client processes (your own ` +
    `program); seed ${report.seed}`,
    "",
    "Summary (server view: wedge's servers count requests; the client's own figures are n/a):",
    `  ${pad("Total")}${seconds.toFixed(4)} secs`,
    `  ${pad("Requests")}${known(c.received)} received, ${
      known(c.answered)
    } answered by the servers`,
    `  ${pad("Latency")}n/a (measured only inside the client)`,
    `  ${pad("Outcome")}${report.outcome} (${report.outcomeDetail})`,
  ];
}

/**
 * Each client process and, if one stopped the run, the client stall's diagnosis.
 *
 * @param c The report's `commandClients`.
 * @returns Lines of text, starting with a blank line.
 *
 * @example
 * ```ts ignore
 * lines.push(...renderCommandClients(report.commandClients));
 * ```
 */
export function renderCommandClients(c: CommandClientsReport): string[] {
  const lines = ["", `Client processes (${c.source}):`];
  for (const p of c.processes) {
    lines.push(`  ${processLine(p)}`);
    if (!succeeded(p) && p.stderrTail.trim()) {
      lines.push("    stderr ends:", ...p.stderrTail.trim().split("\n").map((l) => `      ${l}`));
    }
  }
  if (c.stall) lines.push("", ...renderClientStall(c.stall));
  return lines;
}

function succeeded(p: ClientProcessReport): boolean {
  return p.ending === "stopped-after-duration" || (p.ending === "exited" && p.code === 0);
}

function processLine(p: ClientProcessReport): string {
  const end = p.ending === "exited"
    ? (p.signal ? `ended by ${p.signal}` : `exited ${p.code}`)
    : p.ending;
  const ran = p.runMs === null ? "" : ` after ${formatDuration(p.runMs)}`;
  const rss = p.peakRssBytes === null ? "n/a" : formatByteSize(p.peakRssBytes);
  const fds = `${known(p.peakOpenFds)}${p.fdLimit === null ? "" : ` (limit ${p.fdLimit})`}`;
  return `${p.name} pid ${
    known(p.pid)
  } ${p.url}: ${end}${ran}; peak RSS ${rss}, peak fds ${fds}, ` +
    `connections seen ${known(p.connectionsSeen)}${peakStreams(p)}; log ${p.stderrLog ?? "n/a"}`;
}

/** Its HTTP/2 streams, where its servers count them (nothing for HTTP/1.1). */
function peakStreams(p: ClientProcessReport): string {
  const peak = p.peakStreamsOnOneConnection ?? null;
  return peak === null
    ? ""
    : `, at most ${peak} HTTP/2 streams open on one connection (at the server)`;
}

/**
 * A client stall's diagnosis: hints, then each process's connections and the servers' counts.
 *
 * @param s The stall.
 * @returns Lines of text.
 *
 * @example
 * ```ts ignore
 * lines.push(...renderClientStall(report.commandClients.stall));
 * ```
 */
export function renderClientStall(s: CommandClientStall): string[] {
  const lines = [
    `CLIENT STALL at ${formatDuration(s.atMs)}: no new request reached ${stallTargets(s)} since ${
      formatDuration(s.lastRequestAtMs)
    } (bound ${formatDuration(s.boundMs)}) while ${
      s.processes.map((p) => p.name).join(", ")
    } ran and held connections to them`,
    ...s.hints.map((h) => `  hint: ${h}`),
  ];
  for (const p of s.processes) {
    const rss = p.rssBytes === null ? "n/a" : formatByteSize(p.rssBytes);
    lines.push(
      `  ${p.name} pid ${p.pid}: ${p.connections.length} connections, fds ${known(p.openFds)}${
        p.fdLimit === null ? "" : ` of ${p.fdLimit}`
      }, RSS ${rss}`,
    );
    for (const c of p.connections.slice(0, 10)) lines.push(`    ${connectionLine(c)}`);
  }
  lines.push(
    `  at the servers: ${
      s.servers.map((v) => `${v.name} ${known(v.received)} received, ${known(v.answered)} answered`)
        .join("; ")
    }`,
  );
  return lines;
}

function connectionLine(c: ClientConnectionReport): string {
  return `:${c.localPort} -> :${c.remotePort} ${c.state}, open ${formatDuration(c.ageMs)}+, ` +
    `${c.unsentBytes} B unsent, ${c.unreadBytes} B unread${streamsText(c)}`;
}

function streamsText(c: ClientConnectionReport): string {
  const s = c.streams ?? null;
  if (s === null) return "";
  const oldest = s.oldestAgeMs === null ? "" : `, oldest ${formatDuration(s.oldestAgeMs)}`;
  return `; HTTP/2 streams ${s.open} of ${s.limit} open (peak ${s.peak}${oldest})`;
}
