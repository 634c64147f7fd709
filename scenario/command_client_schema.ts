/**
 * A command client fleet: the user's own client program under test, one process per client,
 * started by wedge against its servers. Declared once here (zod), its type derived.
 *
 * @module
 */

import { z } from "zod";
import { commandFields, durationSchema, positiveInt } from "./_fields.ts";

/** Client processes one command fleet may start (each is a process of its own). */
export const MAX_COMMAND_CLIENTS = 1000;

/** The placeholders a command client's argv and env values may use. */
export const CLIENT_PLACEHOLDERS = [
  "{url}",
  "{urls}",
  "{urls_file}",
  "{ca_file}",
  "{index}",
  "{count}",
];

const clientCommand = commandFields({
  notArray: 'expected the command as an array: ["prog", "{url}"]',
  empty: "expected at least the program",
});

/** A command client fleet as a scenario writes it, and the validated fleet it becomes. */
export const commandClientFleetSchema = z.strictObject({
  /** Fleet name. @default {"clients"} (then `"clients-2"`, ...) */
  name: clientCommand.name,
  /** Client processes to start. @default {1} */
  count: positiveInt().max(MAX_COMMAND_CLIENTS, {
    error: (i) =>
      `expected at most ${MAX_COMMAND_CLIENTS} client processes per fleet, got ${i.input}`,
  }).default(1),
  /**
   * The program and its arguments, e.g. `["./my-client", "{url}"]`. Placeholders: `{url}` (this
   * client's server, round-robin over the target fleet), `{urls}` (all, space-separated),
   * `{urls_file}` (a file with one per line), `{ca_file}` (the PEM of the run's CA, for its
   * HTTP/2 servers), `{index}`, `{count}`.
   */
  command: clientCommand.command,
  /** Variables added to its environment (placeholders too). @default {{}} */
  env: clientCommand.env,
  /** Its working directory. @default {wedge's} */
  cwd: clientCommand.cwd,
  /** Name of the server fleet its `{url}` points at. @default {every server} */
  target: z.string().min(1).optional(),
  /** Stop it (SIGTERM) after this long; that is its completion. @default {undefined} */
  duration: durationSchema.optional(),
  /** `"exit"`: it runs until it exits on its own; exit code 0 is completion. @default {"exit"} */
  until: z.literal("exit", { error: 'expected until: "exit"' }).optional(),
  /** Longest it may run before wedge stops it and counts it failed. @default {no bound but the run's} */
  timeout: durationSchema.optional(),
}).superRefine((fleet, ctx) => {
  if (fleet.duration !== undefined && fleet.until !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: [],
      message: 'give "duration" (wedge stops it) or until: "exit" (it stops itself), not both',
    });
  }
}).transform((fleet) => ({
  /** Always `"command"`: tells these fleets from wedge's own clients. */
  kind: "command" as const,
  /** Fleet name (`clientFleetsSchema` names a fleet without one). */
  name: fleet.name,
  /** Client processes. */
  count: fleet.count,
  /** The command, placeholders not yet replaced. */
  argv: fleet.command,
  /** Environment added, placeholders not yet replaced. */
  env: fleet.env,
  /** Working directory, or null for wedge's. */
  cwd: fleet.cwd ?? null,
  /** Server fleet of `{url}`; null: every server. */
  target: fleet.target ?? null,
  /** Stopped by wedge after this many ms (its completion), or null: it runs until it exits. */
  durationMs: fleet.duration ?? null,
  /** Stopped and counted failed after this many ms, or null. */
  timeoutMs: fleet.timeout ?? null,
}));

/** A command client fleet as a scenario writes it. */
export type CommandClientFleetInput = z.input<typeof commandClientFleetSchema>;
/** A validated command client fleet (named). */
export type CommandClientFleet = z.output<typeof commandClientFleetSchema> & { name: string };
