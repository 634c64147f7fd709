/**
 * `defineScenario`: the typed entry point of a scenario file. It returns its input (branded), so
 * TypeScript infers the params' type for the fleet and assertion functions.
 *
 * @module
 */

import type { z } from "zod";
import type { Assertion } from "../assert/assertions.ts";
import type { Duration } from "../units/duration.ts";
import type { BehaviorInput } from "./behaviors.ts";
import type { ClientFleetInput } from "./client_schema.ts";

// What a client fleet is written as comes from its zod schema, declared once there.
export type { ClientFleetInput, RequestInput } from "./client_schema.ts";

/**
 * A server fleet as a scenario writes it: wedge's own servers, or the user's own command.
 * Written by hand, unlike `ClientFleetInput`: the schema takes a behaviour as `unknown` (a
 * function, a Hono app, or a behaviour value, told apart in its transform) and tells the three
 * kinds of fleet apart by the fields given (`command`, `url`), which this union states as types.
 */
export type ServerFleetInput =
  | DenoServerFleetInput
  | CommandServerFleetInput
  | ExternalServerFleetInput;

/**
 * A server that is already running, given by its URL: wedge loads it and starts nothing (its
 * memory and requests are not measured). Loopback only.
 *
 * @example
 * ```ts
 * import type { ExternalServerFleetInput } from "./define.ts";
 *
 * const fleet: ExternalServerFleetInput = { name: "mine", url: "http://127.0.0.1:8080/" };
 * ```
 */
export interface ExternalServerFleetInput {
  /** Name that client fleets can `target`. @default {"servers"} (then `"servers-2"`, ...) */
  name?: string;
  /** Its base URL, `http://` on 127.0.0.0/8, `[::1]` or localhost. */
  url: string;
  /** It is loaded over HTTP/1.1 in clear. @default {"h1"} */
  protocol?: "h1";
}

/** A fleet of wedge's own servers (`Deno.serve`), each doing what `behavior` says. */
export interface DenoServerFleetInput {
  /** Name that client fleets can `target`. @default {"servers"} (then `"servers-2"`, ...) */
  name?: string;
  /** How many servers, each on its own port of 127.0.0.1. @default {1} */
  count?: number;
  /** What each server does: `hello()`, `delay(...)`, `handler(fn)`, a handler or a Hono app. @default {hello()} */
  behavior?: BehaviorInput;
  /**
   * Wire protocol: `"h1"` (HTTP/1.1 in clear) or `"h2"` (HTTP/2 over TLS, with a CA and certificate
   * made for the run; clients targeting the fleet speak HTTP/2 and trust that CA).
   * @default {"h1"}
   */
  protocol?: "h1" | "h2";
  /**
   * Run the fleet in a server host process of its own, so its memory, fds and sockets are its
   * alone. Chosen for you when an assertion measures the servers' memory (`rssDeltaBelow`).
   * @default {false, or true when an assertion measures the fleet}
   */
  isolate?: boolean;
  /** Limits of the fleet's server host (implies `isolate`). @default {the scenario's limits} */
  limits?: LimitsInput;
  /** Only command fleets take a command. */
  command?: never;
  /** Only a running server is given by its URL. */
  url?: never;
}

/**
 * A fleet of the user's own server, started as a process per server: wedge picks each one's port
 * (`{port}` in `command` or `env`), waits until it is ready, captures its output to files named in
 * the report, samples its memory and stops it at the end (SIGTERM, then SIGKILL).
 *
 * @example
 * ```ts
 * import type { CommandServerFleetInput } from "./define.ts";
 *
 * const fleet: CommandServerFleetInput = {
 *   name: "app",
 *   command: ["./target/release/server", "--port", "{port}"],
 *   ready: { stdout: /listening/ },
 * };
 * ```
 */
export interface CommandServerFleetInput {
  /** Name that client fleets can `target`. @default {"servers"} (then `"servers-2"`, ...) */
  name?: string;
  /** How many processes, each on its own port. @default {1} */
  count?: number;
  /** Program and arguments; `"{port}"` is replaced by the port wedge picked. */
  command: string[];
  /**
   * When the server is ready: `{ port: true }` (a TCP connection succeeds), `{ url }` (a GET
   * answers, any status; `{port}` is replaced) or `{ stdout: /listening/ }`.
   * @default {{ port: true }}
   */
  ready?: { port: true } | { url: string } | { stdout: RegExp };
  /** Environment added to wedge's own; `"{port}"` is replaced in values. @default {{}} */
  env?: Record<string, string>;
  /** Working directory. @default {wedge's own} */
  cwd?: string;
  /** How long it may take to become ready. @default {"10s"} */
  readyTimeout?: Duration;
  /** How long it may take to exit after SIGTERM before it is killed. @default {"5s"} */
  stopTimeout?: Duration;
  /** Command servers are loaded over HTTP/1.1 in clear. @default {"h1"} */
  protocol?: "h1";
  /** Limits of each process, set before it execs. @default {the scenario's limits} */
  limits?: LimitsInput;
}

/**
 * Limits a process runs with, as a scenario writes them (soft limits only).
 *
 * @example
 * ```ts
 * import type { LimitsInput } from "./define.ts";
 *
 * const limits: LimitsInput = { nofile: 512 }; // as `ulimit -Sn 512`
 * ```
 */
export interface LimitsInput {
  /** Soft limit on open files. */
  nofile: number;
}

/** A value, or a function of the scenario's params that returns it. */
export type FromParams<T, P> = T | ((params: P) => T);

/** What a scenario file declares. */
export interface ScenarioDefinition<P extends z.ZodObject = z.ZodObject> {
  /** Name used on the command line, kebab-case, e.g. `hang-mre`. */
  name: string;
  /** One line saying what the scenario shows. */
  description: string;
  /** Parameters with defaults, overridable with `--set key=value`. @default {z.object({})} */
  params?: P;
  /** Hard bound on the load phase; the run stops and reports when it is reached. @default {"10m"} */
  timeLimit?: FromParams<Duration, z.infer<P>>;
  /**
   * Run in a network namespace of the run's own, with these settings (Linux, root, `unshare` and
   * `ip`; the CLI re-runs itself there). The host's settings are not touched. E.g.
   * `{ ephemeralPorts: "49152-65535", tcpTwReuse: 0 }` is macOS's port range on Linux.
   * @default {undefined} (the host's network)
   */
  network?: FromParams<{ ephemeralPorts?: string; tcpTwReuse?: 0 | 1 | 2 }, z.infer<P>>;
  /**
   * Limits of the whole run, as a shell's `ulimit -Sn` before it: the runtime (its soft limit,
   * from the load's start; its workers and servers start first), its server hosts and commands
   * (soft and hard, set before they exec: `docs/limits.md`). Refused (exit 2) below what wedge
   * needs or above the hard limit. A function of the params may return undefined for none.
   * @default {undefined} (the host's limits)
   */
  limits?: FromParams<LimitsInput | undefined, z.infer<P>>;
  /** Server fleets. */
  servers: FromParams<ServerFleetInput[], z.infer<P>>;
  /** Client fleets. */
  clients: FromParams<ClientFleetInput[], z.infer<P>>;
  /** Assertions judged on the run's report. @default {[]} */
  assert?: FromParams<Assertion[], z.infer<P>>;
}

/** The mark {@linkcode defineScenario} puts on a definition. */
export const SCENARIO_BRAND: unique symbol = Symbol.for("wedge.scenario");

/** A scenario definition returned by {@linkcode defineScenario}. */
export type ScenarioModule<P extends z.ZodObject = z.ZodObject> = ScenarioDefinition<P> & {
  readonly [SCENARIO_BRAND]: true;
};

/**
 * Declares a scenario. Use it as the default export of a scenario file.
 *
 * @param definition Name, description, params, fleets and assertions.
 * @returns The same definition, typed and marked as a scenario.
 *
 * @example A scenario file
 * ```ts
 * import { z } from "zod";
 * import { allRequestsComplete, defineScenario, hello } from "../mod.ts";
 *
 * export default defineScenario({
 *   name: "tiny",
 *   description: "two hello servers, one client",
 *   params: z.object({ nrequests: z.number().int().positive().default(100) }),
 *   servers: [{ count: 2, behavior: hello() }],
 *   clients: (p) => [{ count: 1, concurrency: 4, requests: p.nrequests }],
 *   assert: [allRequestsComplete()],
 * });
 * ```
 */
export function defineScenario<P extends z.ZodObject>(
  definition: ScenarioDefinition<P>,
): ScenarioModule<P> {
  return Object.assign(definition, { [SCENARIO_BRAND]: true as const });
}

/**
 * Tells whether a value was made by {@linkcode defineScenario}.
 *
 * @param value Anything, e.g. a module's default export.
 * @returns True for a scenario definition.
 *
 * @example
 * ```ts
 * import { isScenario } from "./define.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isScenario({}), false);
 * ```
 */
export function isScenario(value: unknown): value is ScenarioModule {
  return typeof value === "object" && value !== null &&
    (value as Record<symbol, unknown>)[SCENARIO_BRAND] === true;
}
