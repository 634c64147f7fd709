/**
 * Turns a scenario definition and its param overrides into a validated {@linkcode Scenario}, or a
 * {@linkcode ScenarioError} listing every problem with its field path.
 *
 * @module
 */

import { z } from "zod";
import type { ScenarioDefinition } from "./define.ts";
import { resolveParams } from "./params.ts";
import { ScenarioError, type ScenarioIssue } from "./errors.ts";
import {
  type ClientFleet,
  type LimitsSpec,
  resolvedScenarioSchema,
  type Scenario,
  type ServerFleet,
} from "./schema.ts";
import { describeValue, issuesFromZod } from "./zod_issues.ts";
import { splitCommandClients } from "./resolve_command_clients.ts";
import { unknownFieldMessage, unknownFieldsError } from "./unknown_fields.ts";

/** Options for {@linkcode resolveScenario}. */
export interface ResolveScenarioOptions {
  /** Param overrides (strings from `--set` are coerced). @default {{}} */
  set?: Record<string, unknown>;
  /** The scenario file, for error messages and the report. @default {undefined} */
  file?: string;
}

const NAME_PATTERN = /^[a-z0-9][a-z0-9-]*$/;

// What a scenario definition may have: the fields resolved by the schema (each may be a function
// of the params), after the ones read here.
const RESOLVED_FIELDS = ["timeLimit", "network", "limits", "servers", "clients", "assert"] as const;
const TOP_LEVEL_FIELDS: readonly string[] = ["name", "description", "params", ...RESOLVED_FIELDS];

/** Scenarios made by {@linkcode resolveScenario}, so a resolved one is never validated again. */
const resolvedScenarios = new WeakSet<Scenario>();

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

  for (const key of Object.keys(definition)) {
    if (!TOP_LEVEL_FIELDS.includes(key)) {
      issues.push({ path: key, message: unknownFieldMessage(key, TOP_LEVEL_FIELDS) });
    }
  }
  const input: Record<string, unknown> = {};
  for (const key of RESOLVED_FIELDS) {
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

  const parsed = resolvedScenarioSchema.safeParse(input, { error: unknownFieldsError });
  if (!parsed.success) throw new ScenarioError(issuesFromZod(parsed.error, input), where);
  const data = parsed.data;
  // Command client fleets (the user's own client programs) resolve apart; a memory assertion of
  // one is judged on its process's life and repeats no load.
  const split = splitCommandClients(data.clients, {
    assert: data.assert,
    issues,
    h2: data.servers.some((s) => s.protocol === "h2"),
  });

  const memory = split.assert.flatMap((a, i) =>
    a.watch?.memory && !split.names.includes(a.watch.memory.of) ? [{ ...a.watch.memory, i }] : []
  );
  // Resolution across fleets (shortcuts are the schema's): a server fleet is isolated when an
  // assertion measures it, a client fleet speaks its targets' protocol.
  const servers: ServerFleet[] = data.servers.map((fleet, i) => {
    const measured = memory.some((m) => m.of === "servers" || m.of === fleet.name);
    const external = fleet.behaviors.some((b) => b.kind === "external");
    if (measured && external) {
      issues.push({
        path: `servers[${i}].url`,
        message:
          "an assertion measures this fleet's memory, but a server given by its URL runs outside wedge, which does not know its process: start it as a command fleet (command: [...]) to measure it",
      });
    } else if (measured && fleet.isolate === false) {
      issues.push({
        path: `servers[${i}].isolate`,
        message:
          "an assertion measures this fleet's memory, which needs a process of its own: drop isolate: false",
      });
    }
    return withLimits(fleet, { i, measured, run: data.limits ?? null, issues });
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
  checkUniqueNames(servers, "servers", issues);
  checkUniqueNames(data.clients, "clients", issues);
  const serverNames = servers.map((s) => s.name);
  const clients: ClientFleet[] = split.own.map(({ fleet, i }) => {
    const targets = servers.filter((s) => fleet.target === null || s.name === fleet.target);
    const protocols = [...new Set(targets.map((s) => s.protocol))];
    if (protocols.length > 1) {
      issues.push({
        path: `clients[${i}].target`,
        message:
          'the server fleets it would load speak both "h1" and "h2": name one fleet in "target"',
      });
    }
    const protocol = protocols[0] ?? "h1";
    if (fleet.engine !== "fetch" && protocol === "h2") {
      issues.push({
        path: `clients[${i}].engine`,
        message:
          'the raw engine speaks HTTP/1.1 in clear; its target is an "h2" fleet: use engine "fetch"',
      });
    }
    return { ...fleet, protocol };
  });
  data.clients.forEach((fleet, i) => checkTarget(fleet.target, { i, serverNames, issues }));
  if (issues.length) throw new ScenarioError(issues, where);

  const scenario: Scenario = {
    name: definition.name,
    description: definition.description,
    file: options.file ?? null,
    params,
    set: options.set ?? {},
    timeLimitMs: data.timeLimit,
    network: data.network ?? null,
    limits: data.limits ?? null,
    servers,
    clients,
    commandClients: split.commandClients,
    assert: split.assert,
    rounds: memory.length
      ? {
        warmup: Math.max(...memory.map((m) => m.warmup)),
        iterations: Math.max(...memory.map((m) => m.iterations)),
        settleMs: Math.max(...memory.map((m) => m.settleMs)),
      }
      : null,
  };
  resolvedScenarios.add(scenario);
  return scenario;
}

/**
 * Tells a scenario {@linkcode resolveScenario} made from a definition (which it is not yet).
 *
 * @param value A scenario definition or a resolved scenario.
 * @returns True when it was returned by `resolveScenario`.
 *
 * @example
 * ```ts
 * import { defineScenario } from "./define.ts";
 * import { isResolvedScenario, resolveScenario } from "./resolve.ts";
 * import assert from "node:assert/strict";
 *
 * const definition = defineScenario({
 *   name: "demo",
 *   description: "one hello server",
 *   servers: [{}],
 *   clients: [{ requests: 10 }],
 * });
 * assert.equal(isResolvedScenario(definition), false);
 * assert.equal(isResolvedScenario(resolveScenario(definition)), true);
 * ```
 */
export function isResolvedScenario(value: unknown): value is Scenario {
  return typeof value === "object" && value !== null && resolvedScenarios.has(value as Scenario);
}

/** A client fleet's `target` (own or command fleet) names a server fleet, or is an issue. */
function checkTarget(
  target: string | null,
  options: { i: number; serverNames: string[]; issues: ScenarioIssue[] },
): void {
  if (target === null || options.serverNames.includes(target)) return;
  options.issues.push({
    path: `clients[${options.i}].target`,
    message: `no server fleet named ${JSON.stringify(target)}; fleets are: ${
      options.serverNames.join(", ")
    }`,
  });
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

/**
 * A fleet's isolation and process limits: its own limits need a process of its own (isolated
 * unless it says `isolate: false`, which is an issue); a process fleet takes the run's limits.
 */
function withLimits(
  fleet: Omit<ServerFleet, "isolate"> & { isolate?: boolean },
  options: { i: number; measured: boolean; run: LimitsSpec | null; issues: ScenarioIssue[] },
): ServerFleet {
  const own = fleet.limits !== null && fleet.behaviors[0]?.kind !== "external";
  if (own && fleet.isolate === false) {
    options.issues.push({
      path: `servers[${options.i}].limits`,
      message:
        "limits apply to a process: a fleet with limits runs in a server host of its own; drop isolate: false (or set limits on the scenario)",
    });
  }
  const isolate = fleet.isolate ?? (options.measured || own);
  const process = isolate || fleet.behaviors[0]?.kind === "command";
  return { ...fleet, isolate, limits: process ? fleet.limits ?? options.run : null };
}
