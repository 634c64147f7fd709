/**
 * The host and sockets section of the text report: the host's connection settings, the run's
 * sockets by state, and the listen queues' counters; and the one-line socket census that the stall
 * diagnosis shows too.
 *
 * @module
 */

import type { RunReport, SocketCensus } from "../types.ts";

/**
 * Renders a socket census on one line: `client ESTABLISHED 64, TIME_WAIT 3000; server ...`.
 *
 * @param c The census.
 * @returns One line.
 *
 * @example
 * ```ts
 * import { renderCensus } from "./host.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   renderCensus({
 *     client: { TIME_WAIT: 3 }, server: {}, timeWait: 3, established: 0, acceptQueue: {}, ports: {},
 *   }),
 *   "client TIME_WAIT 3; server none",
 * );
 * ```
 */
export function renderCensus(c: SocketCensus): string {
  const side = (counts: Record<string, number | undefined>) => {
    const parts = Object.entries(counts).filter(([, n]) => n).map(([state, n]) => `${state} ${n}`);
    return parts.length ? parts.join(", ") : "none";
  };
  const queued = Object.entries(c.acceptQueue).map(([port, n]) => `:${port} ${n}`);
  return `client ${side(c.client)}; server ${side(c.server)}${
    queued.length ? `; accept queue ${queued.join(", ")}` : ""
  }`;
}

/**
 * Renders the host's settings, then the run's sockets and listen queues where they are known.
 *
 * @param report The parts of the run report the section reads.
 * @returns Lines of text.
 *
 * @example
 * ```ts
 * import { renderHost } from "./host.ts";
 * import assert from "node:assert/strict";
 *
 * const lines = renderHost({
 *   host: {
 *     ephemeralPorts: [32768, 60999], tcpTwReuse: 2, tcpFinTimeout: 60, openFilesLimit: 1024,
 *     networkNamespace: false,
 *   },
 *   sockets: null,
 *   listen: null,
 * });
 * assert.deepEqual(lines, [
 *   "Host: ephemeral ports 32768-60999 (28232), tcp_tw_reuse 2, tcp_fin_timeout 60s, ulimit -n 1024",
 * ]);
 * ```
 */
export function renderHost(report: Pick<RunReport, "host" | "sockets" | "listen">): string[] {
  const lines: string[] = [];
  const h = report.host;
  lines.push(
    `Host${h.networkNamespace ? " (the run's own network namespace)" : ""}: ephemeral ports ${
      h.ephemeralPorts
        ? `${h.ephemeralPorts[0]}-${h.ephemeralPorts[1]} (${
          h.ephemeralPorts[1] - h.ephemeralPorts[0] + 1
        })`
        : "unknown"
    }, tcp_tw_reuse ${h.tcpTwReuse ?? "unknown"}, tcp_fin_timeout ${
      h.tcpFinTimeout ?? "?"
    }s, ulimit -n ${h.openFilesLimit ?? "unknown"}`,
  );
  if (report.sockets) {
    const k = report.sockets;
    lines.push(
      `Sockets of the run's ports: peak TIME_WAIT ${k.peakTimeWait}, peak ESTABLISHED ${
        k.peakEstablished ?? "n/a (no census during the load)"
      }; as the load ended: ${renderCensus(k.atEnd)}`,
    );
    if (k.before) {
      lines.push(
        `  ${k.before} socket${
          k.before === 1 ? " was" : "s were"
        } on these ports before the load (wedge's readiness probes, an earlier run's TIME_WAIT, another program's connections): not counted`,
      );
    }
  }
  if (report.listen) lines.push(...renderListen(report.listen));
  return lines;
}

/** The listen queues: overflows and drops in the run, the first backlogs, and the hints. */
function renderListen(k: NonNullable<RunReport["listen"]>): string[] {
  const backlogs = k.listeners.slice(0, 4).map((l) =>
    `${l.server} ${l.backlog === null ? "n/a" : l.backlog}`
  ).join(", ");
  return [
    `Listen queues (${
      k.scope === "namespace" ? "the run's namespace" : "host-wide counters"
    }): ${k.overflows} overflows, ${k.drops} drops during the run; backlog ${backlogs}${
      k.listeners.length > 4 ? ", ..." : ""
    }`,
    ...k.hints.map((hint) => `  - ${hint}`),
  ];
}
