/**
 * The part of resolving a scenario that concerns command client fleets: they are split from
 * wedge's own client fleets, their `{ca_file}` checked, `clientProcessesSucceed()` added by default,
 * and a memory assertion on one of them judged on its process's own life (no repeated rounds).
 *
 * @module
 */

import { clientProcessesSucceed } from "../assert/client_processes.ts";
import type { Assertion } from "../assert/assertion.ts";
import type { ScenarioIssue } from "./errors.ts";
import type { CommandClientFleet } from "./command_client_schema.ts";

/** What {@linkcode splitCommandClients} returns. */
export interface SplitClients<F> {
  /** wedge's own client fleets, each with its index in the scenario's `clients`. */
  own: { fleet: F; i: number }[];
  /** The command client fleets. */
  commandClients: CommandClientFleet[];
  /** The assertions, `clientProcessesSucceed()` added when a command fleet has none. */
  assert: Assertion[];
  /** Names of the command client fleets (a memory assertion `of` one adds no rounds). */
  names: string[];
}

/**
 * Splits a scenario's client fleets into wedge's own and command ones, checking each command
 * fleet's `{ca_file}` (every fleet's target is checked by `resolve.ts`).
 *
 * @param fleets The validated client fleets, in order.
 * @param options The assertions, whether a server fleet speaks HTTP/2, and where to add issues.
 * @returns The split.
 *
 * @example
 * ```ts
 * import { splitCommandClients } from "./resolve_command_clients.ts";
 * import assert from "node:assert/strict";
 *
 * const split = splitCommandClients([{ name: "c" }], { assert: [], issues: [] });
 * assert.equal(split.own.length, 1);
 * assert.equal(split.assert.length, 0);
 * ```
 */
export function splitCommandClients<F extends { name: string }>(
  fleets: readonly F[],
  options: {
    assert: Assertion[];
    issues: ScenarioIssue[];
    /** Whether a server fleet of the run speaks HTTP/2 (then `{ca_file}` has a CA). */
    h2?: boolean;
  },
): SplitClients<Exclude<F, { kind: "command" }>> {
  type Own = Exclude<F, { kind: "command" }>;
  const own: { fleet: Own; i: number }[] = [];
  const commandClients: CommandClientFleet[] = [];
  fleets.forEach((fleet, i) => {
    if (!isCommand(fleet)) return void own.push({ fleet: fleet as Own, i });
    commandClients.push(fleet);
    if (!options.h2 && usesCaFile(fleet)) options.issues.push(caFileIssue(fleet, i));
  });
  const judged = options.assert.some((a) => a.name === "clientProcessesSucceed");
  const assert = commandClients.length && !judged
    ? [...options.assert, clientProcessesSucceed()]
    : options.assert;
  return { own, commandClients, assert, names: commandClients.map((f) => f.name) };
}

/**
 * Whether a command client fleet's command or env names `{ca_file}`.
 *
 * @param fleet The fleet (its command and env as written).
 * @returns True when it does.
 *
 * @example
 * ```ts
 * import { usesCaFile } from "./resolve_command_clients.ts";
 * import assert from "node:assert/strict";
 *
 * assert.ok(usesCaFile({ argv: ["node", "c.mjs", "{url}", "{ca_file}"], env: {} }));
 * ```
 */
export function usesCaFile(fleet: Pick<CommandClientFleet, "argv" | "env">): boolean {
  return [...fleet.argv, ...Object.values(fleet.env)].some((v) => v.includes("{ca_file}"));
}

function caFileIssue(fleet: CommandClientFleet, i: number): ScenarioIssue {
  const key = Object.keys(fleet.env).find((k) => fleet.env[k].includes("{ca_file}"));
  const at = fleet.argv.findIndex((a) => a.includes("{ca_file}"));
  return {
    path: at >= 0 ? `clients[${i}].command[${at}]` : `clients[${i}].env.${key}`,
    message: "{ca_file} is the CA of wedge's HTTP/2 (TLS) servers, and no server fleet of this " +
      'run speaks HTTP/2: give the target fleet protocol: "h2", or remove {ca_file}',
  };
}

function isCommand(fleet: { name: string }): fleet is CommandClientFleet {
  return "kind" in fleet && fleet.kind === "command";
}
