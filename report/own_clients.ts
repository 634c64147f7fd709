/**
 * A run whose only clients are the user's own programs (command client fleets): wedge's request
 * totals then count nothing (they are its own clients' figures), and what is known about the
 * requests comes from the servers' side (`commandClients.received` and `answered`).
 *
 * @module
 */

import type { RunReport } from "./types.ts";

/**
 * Whether the run's only clients were the user's own programs.
 *
 * @param report The run report.
 * @returns True when no wedge client ran and command clients did.
 *
 * @example
 * ```ts
 * import { onlyOwnClients } from "./own_clients.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(onlyOwnClients({ clients: [], commandClients: null }), false);
 * ```
 */
export function onlyOwnClients(report: Pick<RunReport, "clients" | "commandClients">): boolean {
  return report.clients.length === 0 && report.commandClients !== null;
}

/**
 * Requests the servers answered a second over the load, for a run whose only clients were the
 * user's own programs; null when some target server cannot count them (a command or a URL), or
 * the load lasted no time.
 *
 * @param report The run report.
 * @returns Answered requests a second, or null.
 *
 * @example
 * ```ts
 * import { answeredPerSecond } from "./own_clients.ts";
 * import assert from "node:assert/strict";
 *
 * const commandClients = { source: "", received: 200, answered: 200, processes: [], stall: null };
 * assert.equal(answeredPerSecond({ durationMs: 500, commandClients }), 400);
 * ```
 */
export function answeredPerSecond(
  report: Pick<RunReport, "durationMs" | "commandClients">,
): number | null {
  const answered = report.commandClients?.answered ?? null;
  if (answered === null || !(report.durationMs > 0)) return null;
  return answered / (report.durationMs / 1000);
}
