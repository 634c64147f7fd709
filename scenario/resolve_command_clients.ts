/**
 * The part of resolving a scenario that concerns command client fleets: they are split from
 * wedge's own client fleets, their targets checked, `clientProcessesSucceed()` added by default,
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
 * fleet's target.
 *
 * @param fleets The validated client fleets, in order.
 * @param options The server fleets' names, the assertions and where to add issues.
 * @returns The split.
 *
 * @example
 * ```ts
 * import { splitCommandClients } from "./resolve_command_clients.ts";
 * import assert from "node:assert/strict";
 *
 * const split = splitCommandClients([{ name: "c" }], { serverNames: ["s"], assert: [], issues: [] });
 * assert.equal(split.own.length, 1);
 * assert.equal(split.assert.length, 0);
 * ```
 */
export function splitCommandClients<F extends { name: string }>(
  fleets: readonly F[],
  options: { serverNames: string[]; assert: Assertion[]; issues: ScenarioIssue[] },
): SplitClients<Exclude<F, { kind: "command" }>> {
  type Own = Exclude<F, { kind: "command" }>;
  const own: { fleet: Own; i: number }[] = [];
  const commandClients: CommandClientFleet[] = [];
  fleets.forEach((fleet, i) => {
    if (!isCommand(fleet)) return void own.push({ fleet: fleet as Own, i });
    commandClients.push(fleet);
    if (fleet.target !== null && !options.serverNames.includes(fleet.target)) {
      options.issues.push({
        path: `clients[${i}].target`,
        message: `no server fleet named ${JSON.stringify(fleet.target)}; fleets are: ${
          options.serverNames.join(", ")
        }`,
      });
    }
  });
  const judged = options.assert.some((a) => a.name === "clientProcessesSucceed");
  const assert = commandClients.length && !judged
    ? [...options.assert, clientProcessesSucceed()]
    : options.assert;
  return { own, commandClients, assert, names: commandClients.map((f) => f.name) };
}

function isCommand(fleet: { name: string }): fleet is CommandClientFleet {
  return "kind" in fleet && fleet.kind === "command";
}
