/**
 * `serversStayAccepting()`: every server still accepts a connection and answers a request once
 * the load eased, judged per server fleet from the probes the run took after its load
 * (`report.servers[i].probe`), with what each fleet did under the load.
 *
 * @module
 */

import { exitText } from "../report/process_exit.ts";
import type { RunReport, ServerReport } from "../report/types.ts";
import { formatDuration } from "../units/duration.ts";
import type { Assertion } from "./assertion.ts";

/**
 * Every server accepts and answers a probe after the load (a TCP connect and one `GET /`, retried
 * for a few seconds once the clients stopped): a server whose accept loop died under the load
 * (seed 000's EMFILE) fails it, one that recovered passes. The run probes only when a scenario
 * asks for it with this assertion.
 *
 * @returns The assertion.
 *
 * @example
 * ```ts
 * import { serversStayAccepting } from "./accepting.ts";
 *
 * const assert = [serversStayAccepting()];
 * ```
 */
export function serversStayAccepting(): Assertion {
  return {
    name: "serversStayAccepting",
    description: "every server still accepts a connection after the load",
    watch: { probe: true },
    check(report) {
      const fleets = Map.groupBy(report.servers, (s) => s.fleet);
      const lines = [...fleets].map(([fleet, servers]) => fleetVerdict(report, fleet, servers));
      const failed = lines.filter((l) => !l.pass);
      return {
        pass: failed.length === 0,
        measured: lines.map((l) => l.text).join("; "),
        ...(failed.length ? { detail: failedDetail(failed) } : {}),
      };
    },
  };
}

/** The fleets that failed, by what the probes saw: no connection, or one made and never answered. */
function failedDetail(failed: { fleet: string; silent: boolean }[]): string {
  const names = (silent: boolean) => failed.filter((l) => l.silent === silent).map((l) => l.fleet);
  const [closed, silent] = [names(false), names(true)];
  return [
    closed.length ? `stopped accepting: ${closed.join(", ")}` : "",
    silent.length ? `not answering (connected, no status): ${silent.join(", ")}` : "",
  ].filter(Boolean).join("; ");
}

function fleetVerdict(
  report: Pick<
    RunReport,
    "incidentMarks" | "timeline" | "timelineProcesses" | "serverProcesses" | "durationMs"
  >,
  fleet: string,
  servers: ServerReport[],
): { fleet: string; pass: boolean; silent: boolean; text: string } {
  const probed = servers.filter((s) => s.probe);
  const answered = probed.filter((s) => s.probe!.status !== null);
  const unknown = servers.length - probed.length;
  const pass = unknown === 0 && answered.length === servers.length;
  const parts = [`${answered.length} of ${servers.length} accept after the load`];
  if (unknown) parts.push(`${unknown} not probed (n/a)`);
  const slowest = Math.max(...answered.map((s) => s.probe!.answeredAfterMs ?? 0));
  if (answered.length) {
    parts.push(
      slowest === 0 || answered.every((s) => s.probe!.attempts === 1)
        ? "at the first probe"
        : `the last after ${formatDuration(slowest)} of probing`,
    );
  }
  const dead = probed.find((s) => s.probe!.status === null);
  if (dead) {
    const p = dead.probe!;
    parts.push(`${p.attempts} probes over ${formatDuration(p.boundMs)}: ${p.lastError}`);
  }
  const stopped = servers.filter((s) => s.failure !== null);
  if (stopped.length) {
    const at = stoppedAt(report, `${fleet}[${stopped[0].index}]`);
    parts.push(
      `${stopped.length} stopped accepting during the load${
        at === null ? "" : `, the first at ${formatDuration(Math.max(0, at))}`
      } (${stopped[0].failure})`,
    );
  }
  const exited = exitedEarly(report, fleet);
  if (exited) parts.push(exited);
  const fds = peakFds(report, fleet);
  if (fds) parts.push(`its process peaked at ${fds.peak} open fds (limit ${fds.limit ?? "n/a"})`);
  const completed = servers.reduce((sum, s) => sum + s.completedByClients, 0);
  parts.push(`${completed} requests completed against it`);
  const silent = dead?.probe?.lastConnected === true;
  return { fleet, pass, silent, text: `${fleet}: ${parts.join(", ")}` };
}

/** When the named server's stopped-accepting incident happened, ms into the load, or null. */
function stoppedAt(report: Pick<RunReport, "incidentMarks">, server: string): number | null {
  const mark = report.incidentMarks?.find((m) =>
    m.kind === "server-stopped-accepting" && m.text.includes(`server ${server} `)
  );
  return mark?.atMs ?? null;
}

/** The fleet's processes that exited before wedge stopped them, with how and when, or null. */
function exitedEarly(
  report: Pick<RunReport, "serverProcesses" | "durationMs">,
  fleet: string,
): string | null {
  const early = report.serverProcesses.filter((p) => p.fleet === fleet && p.exit?.early);
  if (!early.length) return null;
  const first = early[0].exit!;
  const who = early.length === 1 ? "its process" : `${early.length} of its processes`;
  const when = first.atMs < 0
    ? `${formatDuration(-first.atMs)} before the load`
    : first.atMs > report.durationMs // during the probes after it
    ? `${formatDuration(first.atMs - report.durationMs)} after the load`
    : `${formatDuration(first.atMs)} into the load`;
  return `${who} exited on its own (${early[0].name}: ${exitText(first)}, ${when})`;
}

/** The peak open fds of the fleet's first process (server host or command), with its limit. */
function peakFds(
  report: Pick<RunReport, "timeline" | "timelineProcesses">,
  fleet: string,
): { peak: number; limit: number | null } | null {
  const i = report.timelineProcesses?.findIndex((p) => p.fleet === fleet) ?? -1;
  if (i < 0) return null;
  const readings = report.timeline.map((p) => p.processOpenFds?.[i] ?? null)
    .filter((n): n is number => n !== null);
  if (!readings.length) return null;
  return { peak: Math.max(...readings), limit: report.timelineProcesses![i].fdLimit };
}
