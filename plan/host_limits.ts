/**
 * Whether this host can give a scenario's servers their ports and file descriptors, checked before
 * anything starts (beside `fd_headroom.ts`, which checks what starting the plan's processes and
 * workers takes). Pure: the caller reads the host (`readHostSettings()`) and passes it in.
 *
 * @module
 */

import type { HostSettings } from "../report/readings.ts";
import { ScenarioError, type ScenarioIssue } from "../scenario/errors.ts";
import type { Scenario, ServerFleet } from "../scenario/schema.ts";

/**
 * What the host offers a run: the ephemeral port range (`net.ipv4.ip_local_port_range`; a
 * scenario's own `network.ephemeralPorts` wins) and the soft open-files limit (`ulimit -n`), null
 * where unknown. The host settings' own fields, as `readHostSettings()` returns them.
 */
export type HostLimits = Pick<HostSettings, "ephemeralPorts" | "openFilesLimit">;

/** File descriptors the runtime holds per server process it starts (pipes), and keeps spare. */
const FDS_PER_PROCESS = 3;
const SPARE_FDS = 64;

/**
 * Refuses a scenario whose servers the host cannot give ports or file descriptors to: every server
 * wedge starts listens on a port of the ephemeral range, and each needs a descriptor in the
 * process it runs in. Unknown limits refuse nothing.
 *
 * @param scenario The resolved scenario.
 * @param limits What the host offers.
 * @throws {ScenarioError} With each server fleet that does not fit, by its field path.
 *
 * @example
 * ```ts
 * import { defineScenario, hello } from "../mod.ts";
 * import { resolveScenario } from "../scenario/resolve.ts";
 * import { checkHostLimits } from "./host_limits.ts";
 * import assert from "node:assert/strict";
 *
 * const scenario = resolveScenario(defineScenario({
 *   name: "many",
 *   description: "more servers than ports",
 *   servers: [{ count: 200, behavior: hello() }],
 *   clients: [{ requests: 10 }],
 * }));
 * assert.throws(() => checkHostLimits(scenario, { ephemeralPorts: [40000, 40099], openFilesLimit: null }));
 * ```
 */
export function checkHostLimits(scenario: Scenario, limits: HostLimits): void {
  const issues = hostLimitIssues(scenario.servers, {
    limits,
    ephemeralPorts: scenario.network?.ephemeralPorts ?? null,
  });
  if (issues.length) {
    throw new ScenarioError(issues, {
      scenario: scenario.name,
      file: scenario.file ?? undefined,
    });
  }
}

function hostLimitIssues(
  servers: readonly ServerFleet[],
  options: { limits: HostLimits; ephemeralPorts: [number, number] | null },
): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  const { limits } = options;
  const listening = servers.map((f) => f.behaviors[0]?.kind === "external" ? 0 : f.count);
  const largest = listening.indexOf(Math.max(...listening));
  const total = listening.reduce((a, b) => a + b, 0);
  const range = options.ephemeralPorts ?? limits.ephemeralPorts;
  const ports = range ? range[1] - range[0] + 1 : 65535 - 1024 + 1;
  const where = options.ephemeralPorts
    ? `the scenario's network.ephemeralPorts ${range![0]}-${range![1]}`
    : range
    ? `the ephemeral port range ${range[0]}-${range[1]} (net.ipv4.ip_local_port_range)`
    : "ports 1024-65535";
  if (total > ports) {
    issues.push({
      path: `servers[${largest}].count`,
      message: `${total} servers need ${total} listening ports; ${where} has ${ports}`,
    });
  }
  if (limits.openFilesLimit === null) return issues;
  const bound = limits.openFilesLimit - SPARE_FDS;
  // The runtime holds the in-process servers' listeners and a few pipes per server process.
  let runtimeFds = 0;
  servers.forEach((fleet, i) => {
    const kind = fleet.behaviors[0]?.kind;
    if (kind === "external") return;
    if (kind === "command") runtimeFds += FDS_PER_PROCESS * fleet.count;
    else if (fleet.isolate) {
      runtimeFds += FDS_PER_PROCESS;
      if (fleet.count > bound) {
        issues.push({
          path: `servers[${i}].count`,
          message:
            `${fleet.count} servers in one server host need ${fleet.count} file descriptors; the open-file limit is ${limits.openFilesLimit} (ulimit -n), ${SPARE_FDS} kept spare`,
        });
      }
    } else runtimeFds += fleet.count;
  });
  if (runtimeFds > bound && total <= ports) {
    issues.push({
      path: `servers[${largest}].count`,
      message:
        `the runtime would hold ${runtimeFds} file descriptors for its servers alone (listeners, and pipes of server processes); the open-file limit is ${limits.openFilesLimit} (ulimit -n), ${SPARE_FDS} kept spare`,
    });
  }
  return issues;
}
