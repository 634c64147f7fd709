/**
 * Turns a scenario definition and its param overrides into a validated {@linkcode Scenario}, or a
 * {@linkcode ScenarioError} listing every problem with its field path.
 *
 * @module
 */

import { z } from "zod";
import type { ScenarioDefinition } from "./define.ts";
import { readHostSettings } from "../system/host_settings.ts";
import { resolveParams } from "./params.ts";
import { fdLimit } from "../system/process_probe.ts";
import { ScenarioError, type ScenarioIssue } from "./errors.ts";
import {
  type ClientFleet,
  resolvedScenarioSchema,
  type Scenario,
  type ServerFleet,
} from "./schema.ts";
import { describeValue, issuesFromZod } from "./zod_issues.ts";

/** Options for {@linkcode resolveScenario}. */
export interface ResolveScenarioOptions {
  /** Param overrides (strings from `--set` are coerced). @default {{}} */
  set?: Record<string, unknown>;
  /** The scenario file, for error messages and the report. @default {undefined} */
  file?: string;
  /**
   * What the host offers, to refuse a scenario that needs more: the ephemeral port range
   * (`[low, high]`, `net.ipv4.ip_local_port_range`; a scenario's own `network.ephemeralPorts`
   * wins) and the open-file limit (`ulimit -n`); null where unknown.
   * @default {read from this host}
   */
  limits?: HostLimits;
}

/** What the host offers a run: see {@linkcode ResolveScenarioOptions.limits}. */
export interface HostLimits {
  /** The ephemeral port range, or null where unknown. */
  ephemeralPorts: [number, number] | null;
  /** The soft limit on open files per process, or null where unknown. */
  fdLimit: number | null;
}

/** File descriptors the runtime holds per server process it starts (pipes), and keeps spare. */
const FDS_PER_PROCESS = 3;
const SPARE_FDS = 64;

const NAME_PATTERN = /^[a-z0-9][a-z0-9-]*$/;

/**
 * Validates a scenario definition, applies its params and expands every shortcut.
 *
 * @param definition What the scenario file exports.
 * @param options Param overrides and the file name.
 * @returns The validated scenario.
 * @throws {ScenarioError} With every problem found, each with its field path.
 *
 * @example
 * ```ts
 * import { defineScenario, hello } from "../mod.ts";
 * import { resolveScenario } from "./resolve.ts";
 * import assert from "node:assert/strict";
 *
 * const scenario = resolveScenario(defineScenario({
 *   name: "demo",
 *   description: "one hello server",
 *   servers: [{ behavior: hello() }],
 *   clients: [{ requests: 10 }],
 * }));
 * assert.equal(scenario.clients[0].concurrency, 1);
 * ```
 */
export function resolveScenario<P extends z.ZodObject>(
  scenarioDefinition: ScenarioDefinition<P>,
  options: ResolveScenarioOptions = {},
): Scenario {
  const definition = scenarioDefinition as unknown as ScenarioDefinition;
  const where = { scenario: (definition as { name?: string })?.name, file: options.file };
  if (typeof definition !== "object" || definition === null) {
    throw new ScenarioError([{
      path: "",
      message: `expected the default export to be defineScenario({...}), got ${
        describeValue(definition)
      }`,
    }], where);
  }
  const issues: ScenarioIssue[] = [];
  if (typeof definition.name !== "string" || !NAME_PATTERN.test(definition.name)) {
    issues.push({
      path: "name",
      message: `expected a kebab-case name such as "hang-mre", got ${
        describeValue(definition.name)
      }`,
    });
  }
  if (typeof definition.description !== "string" || definition.description.trim() === "") {
    issues.push({
      path: "description",
      message: `expected a one-line description, got ${describeValue(definition.description)}`,
    });
  }
  const paramsSchema = definition.params ?? z.object({});
  if (!(paramsSchema instanceof z.ZodObject)) {
    issues.push({
      path: "params",
      message: `expected a zod object such as z.object({ n: z.number().default(1) }), got ${
        describeValue(definition.params)
      }`,
    });
    throw new ScenarioError(issues, where);
  }
  const resolved = resolveParams(paramsSchema, options.set ?? {});
  if (!resolved.ok) throw new ScenarioError([...issues, ...resolved.issues], where);
  const params = resolved.params;

  const input: Record<string, unknown> = {};
  for (const key of ["timeLimit", "network", "servers", "clients", "assert"] as const) {
    const value = definition[key];
    if (typeof value !== "function") {
      input[key] = value;
      continue;
    }
    try {
      input[key] = (value as (p: unknown) => unknown)(params);
    } catch (error) {
      issues.push({
        path: key,
        message: `the function of params threw: ${
          error instanceof Error ? error.message : String(error)
        }`,
      });
    }
  }
  if (issues.length) throw new ScenarioError(issues, where);

  const parsed = resolvedScenarioSchema.safeParse(input);
  if (!parsed.success) throw new ScenarioError(issuesFromZod(parsed.error, input), where);
  const data = parsed.data;

  const memory = data.assert.flatMap((a, i) => a.watch?.memory ? [{ ...a.watch.memory, i }] : []);
  const servers: ServerFleet[] = data.servers.map((fleet, i) => {
    const name = fleet.name ?? (i === 0 ? "servers" : `servers-${i + 1}`);
    const measured = memory.some((m) => m.of === "servers" || m.of === name);
    if (measured && fleet.isolate === false) {
      issues.push({
        path: `servers[${i}].isolate`,
        message:
          "an assertion measures this fleet's memory, which needs a process of its own: drop isolate: false",
      });
    }
    return {
      name,
      count: fleet.count,
      behaviors: fleet.behaviors,
      protocol: fleet.protocol,
      isolate: fleet.isolate ?? measured,
    };
  });
  const memoryTargets = ["servers", "runtime", ...servers.map((s) => s.name)];
  for (const m of memory) {
    if (!memoryTargets.includes(m.of)) {
      issues.push({
        path: `assert[${m.i}]`,
        message: `it measures the memory of ${JSON.stringify(m.of)}, which is none of ${
          memoryTargets.map((t) => JSON.stringify(t)).join(", ")
        }`,
      });
    }
  }
  const clients: ClientFleet[] = data.clients.map((fleet, i) => {
    const path = `clients[${i}]`;
    if (
      fleet.stages === undefined &&
      (fleet.requests === undefined) === (fleet.duration === undefined)
    ) {
      issues.push({
        path,
        message: fleet.requests === undefined
          ? 'give either "requests" (a total) or "duration" (e.g. "10s")'
          : 'give either "requests" or "duration", not both',
      });
    }
    return {
      name: fleet.name ?? (i === 0 ? "clients" : `clients-${i + 1}`),
      count: fleet.count,
      concurrency: fleet.concurrency,
      requests: fleet.requests ?? null,
      durationMs: fleet.duration ??
        (fleet.stages ? fleet.stages.reduce((sum, st) => sum + st.duration, 0) : null),
      target: fleet.target ?? null,
      select: fleet.select,
      request: fleet.request,
      timeout: fleet.timeout ?? null,
      pool: fleet.pool,
      connections: fleet.connections,
      sourceAddresses: fleet.sourceAddresses,
      protocol: "h1" as "h1" | "h2", // set below, once the targets are known
      workers: fleet.workers ?? null,
      engine: fleet.engine,
      pipelining: fleet.pipelining,
      arrival: fleet.stages
        ? {
          startRatePerSecond: fleet.stages[0].rate,
          stages: fleet.stages.map((st) => ({ durationMs: st.duration, ratePerSecond: st.rate })),
        }
        : fleet.rate !== undefined
        ? {
          startRatePerSecond: fleet.rate,
          stages: [{ durationMs: fleet.duration ?? Infinity, ratePerSecond: fleet.rate }],
        }
        : null,
      maxInFlight: fleet.maxInFlight ?? null,
    };
  });
  checkUniqueNames(servers, "servers", issues);
  checkHostLimits(servers, {
    issues,
    limits: options.limits ?? { ...readHostSettings(), fdLimit: fdLimit("self") },
    ephemeralPorts: data.network?.ephemeralPorts ?? null,
  });
  checkUniqueNames(clients, "clients", issues);
  const serverNames = servers.map((s) => s.name);
  clients.forEach((fleet, i) => {
    const targets = servers.filter((s) => fleet.target === null || s.name === fleet.target);
    const protocols = [...new Set(targets.map((s) => s.protocol))];
    if (protocols.length > 1) {
      issues.push({
        path: `clients[${i}].target`,
        message:
          'the server fleets it would load speak both "h1" and "h2": name one fleet in "target"',
      });
    }
    fleet.protocol = protocols[0] ?? "h1";
    if (fleet.engine === "raw" && fleet.protocol === "h2") {
      issues.push({
        path: `clients[${i}].engine`,
        message:
          'the raw engine speaks HTTP/1.1 in clear; its target is an "h2" fleet: use engine "fetch"',
      });
    }
    if (fleet.target !== null && !serverNames.includes(fleet.target)) {
      issues.push({
        path: `clients[${i}].target`,
        message: `no server fleet named ${JSON.stringify(fleet.target)}; fleets are: ${
          serverNames.join(", ")
        }`,
      });
    }
  });
  if (issues.length) throw new ScenarioError(issues, where);

  return {
    name: definition.name,
    description: definition.description,
    file: options.file ?? null,
    params,
    timeLimitMs: data.timeLimit,
    network: data.network ?? null,
    servers,
    clients,
    assert: data.assert,
    rounds: memory.length
      ? {
        warmup: Math.max(...memory.map((m) => m.warmup)),
        iterations: Math.max(...memory.map((m) => m.iterations)),
        settleMs: Math.max(...memory.map((m) => m.settleMs)),
      }
      : null,
  };
}

/**
 * Refuses servers the host cannot give ports or file descriptors to: every server wedge starts
 * listens on a port of the ephemeral range, and each needs a descriptor in the process it runs in.
 */
function checkHostLimits(
  servers: readonly ServerFleet[],
  options: {
    issues: ScenarioIssue[];
    limits: HostLimits;
    ephemeralPorts: [number, number] | null;
  },
): void {
  const { issues, limits } = options;
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
  if (limits.fdLimit === null) return;
  const bound = limits.fdLimit - SPARE_FDS;
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
            `${fleet.count} servers in one server host need ${fleet.count} file descriptors; the open-file limit is ${limits.fdLimit} (ulimit -n), ${SPARE_FDS} kept spare`,
        });
      }
    } else runtimeFds += fleet.count;
  });
  if (runtimeFds > bound && total <= ports) {
    issues.push({
      path: `servers[${largest}].count`,
      message:
        `the runtime would hold ${runtimeFds} file descriptors for its servers alone (listeners, and pipes of server processes); the open-file limit is ${limits.fdLimit} (ulimit -n), ${SPARE_FDS} kept spare`,
    });
  }
}

function checkUniqueNames(
  fleets: readonly { name: string }[],
  field: string,
  issues: ScenarioIssue[],
): void {
  const seen = new Set<string>();
  fleets.forEach((fleet, i) => {
    if (seen.has(fleet.name)) {
      issues.push({
        path: `${field}[${i}].name`,
        message: `duplicate fleet name ${JSON.stringify(fleet.name)}; give each fleet its own name`,
      });
    }
    seen.add(fleet.name);
  });
}
