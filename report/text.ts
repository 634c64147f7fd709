/**
 * Renders a {@linkcode RunReport} as the text summary printed on stdout, in the spirit of oha's:
 * summary, latency histogram and percentiles, status codes, errors, servers, then each assertion.
 * Renders only; computes nothing the report does not hold. Each section is a file of `text/`;
 * this one puts them in order.
 *
 * @module
 */

import { onlyOwnClients } from "./own_clients.ts";
import type { RunReport } from "./types.ts";
import { renderAssertions } from "./text/assertions.ts";
import { renderCommandClients, renderCommandSummary } from "./text/command_clients.ts";
import { renderErrors } from "./text/errors.ts";
import { renderHost } from "./text/host.ts";
import { renderIncidents } from "./text/incidents.ts";
import { renderLatency } from "./text/latency.ts";
import { renderMemory } from "./text/memory.ts";
import type { TextReportOptions } from "./text/options.ts";
import { renderServers } from "./text/servers.ts";
import { renderStallDiagnosis } from "./text/stall.ts";
import { renderSummary } from "./text/summary.ts";

export type { TextReportOptions };

/**
 * Renders the report.
 *
 * @param report The run report.
 * @param options Colour and verbosity.
 * @returns Text for stdout, ending with a newline.
 *
 * @example
 * ```ts
 * import { allRequestsComplete, defineScenario, hello, runScenario } from "../mod.ts";
 * import { renderTextReport } from "./text.ts";
 * import assert from "node:assert/strict";
 *
 * const report = await runScenario(defineScenario({
 *   name: "tiny",
 *   description: "one hello server",
 *   servers: [{ behavior: hello() }],
 *   clients: [{ requests: 10 }],
 *   assert: [allRequestsComplete()],
 * }));
 * assert.match(renderTextReport(report), /PASS every request completes/);
 * ```
 */
export function renderTextReport(report: RunReport, options: TextReportOptions = {}): string {
  // Only command client processes ran: the summary is the servers' view, no latency is known.
  const lines = [
    ...(onlyOwnClients(report)
      ? renderCommandSummary(report)
      : [...renderSummary(report), ...renderLatency(report), ...renderErrors(report)]),
    ...renderServers(report, options),
    ...(report.commandClients ? renderCommandClients(report.commandClients) : []),
    ...(report.memory ? renderMemory(report.memory) : []),
    ...(report.stall ? ["", renderStallDiagnosis(report.stall).trimEnd()] : []),
    ...renderHost(report),
    ...renderIncidents(report.incidents, options),
    ...renderAssertions(report, options),
  ];
  return lines.join("\n") + "\n";
}
