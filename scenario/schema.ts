/**
 * The zod schema of a resolved scenario (after its params have been applied), and the types the
 * runtime works with. Shortcuts (a duration string for `timeout`, a handler function for `behavior`,
 * a fleet's default name) are expanded in these schemas' transforms and nowhere else: here for
 * server fleets, in `client_schema.ts` for client fleets. `resolve.ts` only decides what needs the
 * whole scenario (isolation asked for by a memory assertion, a client fleet's protocol).
 *
 * @module
 */

import { z } from "zod";
import {
  byKeys,
  commandFields,
  durationSchema,
  octetsInRange,
  parsesAsUrl,
  positiveInt,
} from "./_fields.ts";
import { type ClientFleet, clientFleetsSchema } from "./client_schema.ts";
import type { CommandClientFleet } from "./command_client_schema.ts";
import type { Assertion } from "../assert/assertions.ts";
import type { PerServerBehavior } from "./behaviors.ts";
import { hello } from "./behaviors.ts";
import {
  behaviorSchema,
  type CommandBehavior,
  nestedStopAccepting,
  type ReadySpec,
  type ResolvedBehavior,
} from "./behavior_schema.ts";
import { unknownFieldsError } from "./unknown_fields.ts";

export {
  behaviorRunsCode,
  type CommandBehavior,
  type ReadySpec,
  type ResolvedBehavior,
  type ResolvedSelector,
} from "./behavior_schema.ts";

export { durationSchema, MAX_DURATION_MS } from "./_fields.ts";
export {
  type ArrivalSpec,
  type ClientFleet,
  MAX_CLIENTS,
  MAX_CONCURRENCY,
  type PoolSpec,
  type RequestSpec,
  type TimeoutSpec,
} from "./client_schema.ts";

/** A validated server fleet. */
export interface ServerFleet {
  /** Fleet name, used by client fleets' `target`. */
  name: string;
  /** Number of servers. */
  count: number;
  /** What each server does, by index in the fleet. */
  behaviors: ResolvedBehavior[];
  /** Wire protocol: HTTP/1.1 in clear, or HTTP/2 over TLS. */
  protocol: "h1" | "h2";
  /**
   * Where wedge's own servers run: in a server host process of their own (so their memory, fds
   * and sockets are theirs alone), or inside the runtime. Command fleets are always processes.
   */
  isolate: boolean;
  /**
   * Limits of the fleet's own process (a server host or each command), its own or the
   * scenario's; null for servers in the runtime (the runtime takes the scenario's) or none.
   */
  limits: LimitsSpec | null;
}

/** Resource limits a process runs with: soft limits only, never above the hard limit. */
export interface LimitsSpec {
  /** Soft limit on open files (`ulimit -Sn`, `prlimit --nofile=N:`). */
  nofile: number;
}

/** The run's own network namespace, as a scenario asks for it. */
export interface NetworkSpec {
  /** `ip_local_port_range` inside the namespace, or null to keep the kernel's default. */
  ephemeralPorts: [number, number] | null;
  /** `tcp_tw_reuse` inside the namespace, or null to keep the default. */
  tcpTwReuse: 0 | 1 | 2 | null;
}

/** A scenario after validation: what the planner and runtime work from. */
export interface Scenario {
  /** Scenario name, e.g. `hang-mre`. */
  name: string;
  /** One-line description. */
  description: string;
  /** The scenario file, when loaded from one. */
  file: string | null;
  /** Resolved parameters (defaults plus `--set` overrides). */
  params: Record<string, unknown>;
  /**
   * The param overrides it was resolved with, as given: a server host (another process) resolves
   * the scenario file again with them when a behaviour is code, which cannot travel as data.
   */
  set: Record<string, unknown>;
  /** Hard bound on the load phase, in milliseconds. */
  timeLimitMs: number;
  /** The run's own network namespace, or null to run in the host's. */
  network: NetworkSpec | null;
  /** Limits of the whole run (the runtime, its workers, its server processes), or null. */
  limits: LimitsSpec | null;
  /** Server fleets. */
  servers: ServerFleet[];
  /** Client fleets. */
  clients: ClientFleet[];
  /** Command client fleets: the user's own client programs (`command_client_schema.ts`). */
  commandClients: CommandClientFleet[];
  /** Assertions judged on the report. */
  assert: Assertion[];
  /**
   * The load repeated for a memory verdict (the most any memory assertion asks), or null for one
   * load.
   */
  rounds: RoundsSpec | null;
}

/** A load repeated for a memory verdict: warm-up loads, then measured iterations. */
export interface RoundsSpec {
  /** Loads before the baseline reading. */
  warmup: number;
  /** Loads measured after it. */
  iterations: number;
  /** Quiet time after each load before memory is read, ms. */
  settleMs: number;
}

/** Servers one fleet may have at most: each listens on a port of its own. */
export const MAX_SERVERS = 65535;

function serverCount() {
  return positiveInt().max(MAX_SERVERS, {
    error: (i) =>
      `expected at most ${MAX_SERVERS} servers: each listens on a port of its own (and this host's ephemeral port range has fewer), got ${i.input}`,
  }).default(1);
}

/** `limits: { nofile }`, on a scenario or a fleet that runs in a process of its own. */
function limitsSchema() {
  return z.strictObject({
    nofile: positiveInt("a positive whole number of open files (ulimit -Sn)"),
  }, {
    // An unknown field inside is worded as everywhere (`unknown_fields.ts`), not as this.
    error: (issue) => issue.code === "unrecognized_keys" ? undefined : "expected { nofile: N }",
  }).transform((l): LimitsSpec => ({ nofile: l.nofile }));
}

function isPerServer(value: unknown): value is PerServerBehavior {
  return typeof value === "object" && value !== null &&
    (value as { kind?: unknown }).kind === "perServer";
}

const denoFleetSchema = z.strictObject({
  name: z.string().min(1).optional(),
  count: serverCount(),
  behavior: z.unknown().optional(),
  protocol: z.enum(["h1", "h2"], { error: 'expected "h1" or "h2"' }).default("h1"),
  isolate: z.boolean({ error: "expected true or false" }).optional(),
  limits: limitsSchema().optional(),
}).transform((fleet, ctx) => {
  const perServer = isPerServer(fleet.behavior) ? fleet.behavior : null;
  const behaviors: ResolvedBehavior[] = [];
  for (let index = 0; index < (perServer ? fleet.count : 1); index++) {
    const where = perServer ? `for server ${index}: ` : "";
    let input: unknown = fleet.behavior ?? hello();
    if (perServer) {
      try {
        input = perServer.pick(index);
      } catch (error) {
        ctx.issues.push({
          code: "custom",
          input: fleet.behavior,
          path: ["behavior"],
          message: `perServer(...) threw for server ${index}: ${
            error instanceof Error ? error.message : error
          }`,
        });
        return z.NEVER;
      }
    }
    const parsed = behaviorSchema.safeParse(input ?? hello(), { error: unknownFieldsError });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const path = ["behavior", ...issue.path];
        const message = issue.message.split("\n").map((line) => where + line).join("\n");
        // An unknown field keeps its code: it is reported at its own path, worded as everywhere.
        ctx.issues.push(
          issue.code === "unrecognized_keys"
            ? { ...issue, input: undefined, path, message }
            : { code: "custom", input, path, message },
        );
      }
      return z.NEVER;
    }
    if (nestedStopAccepting(parsed.data)) {
      ctx.issues.push({
        code: "custom",
        input,
        path: ["behavior"],
        message:
          `${where}stopAccepting(...) and serial() act on the listener: make it the outermost behaviour`,
      });
      return z.NEVER;
    }
    behaviors.push(parsed.data);
  }
  return {
    name: fleet.name,
    count: fleet.count,
    protocol: fleet.protocol,
    isolate: fleet.isolate,
    limits: fleet.limits ?? null,
    behaviors: perServer ? behaviors : Array.from({ length: fleet.count }, () => behaviors[0]),
  };
});

const readySchema = z.union([
  z.strictObject({ port: z.literal(true) }).transform((): ReadySpec => ({ kind: "port" })),
  z.strictObject({
    url: z.string().regex(/^https?:\/\//).refine(parsesAsUrl, {
      error: (i) =>
        `expected a URL that parses (port at most 65535), got ${JSON.stringify(i.input)}`,
    }),
  }).transform((r): ReadySpec => ({
    kind: "url",
    url: r.url,
  })),
  z.strictObject({ stdout: z.instanceof(RegExp) }).transform((r): ReadySpec => ({
    kind: "stdout",
    pattern: r.stdout,
  })),
], {
  error:
    'expected { port: true } (a connection succeeds), { url: "http://127.0.0.1:{port}/health" } or { stdout: /listening/ }',
});

const serverCommand = commandFields({
  notArray: "expected the program and its arguments as an array",
  empty: 'expected the program and its arguments, e.g. ["./server", "--port", "{port}"]',
});

const commandFleetSchema = z.strictObject({
  name: serverCommand.name,
  count: serverCount(),
  command: serverCommand.command,
  ready: readySchema.default({ kind: "port" }),
  env: serverCommand.env,
  cwd: serverCommand.cwd,
  readyTimeout: durationSchema.default(10_000),
  stopTimeout: durationSchema.default(5_000),
  limits: limitsSchema().optional(),
  protocol: z.literal("h1", {
    error: 'a command fleet is loaded over HTTP/1.1 in clear: use protocol "h1" (or leave it out)',
  }).default("h1"),
}).superRefine((fleet, ctx) => {
  const mentions = [...fleet.command, ...Object.values(fleet.env)].some((v) =>
    v.includes("{port}")
  );
  if (!mentions) {
    ctx.addIssue({
      code: "custom",
      path: ["command"],
      message:
        'wedge picks each server\'s port: put "{port}" in an argument (["./server", "--port", "{port}"]) or an env value (env: { PORT: "{port}" })',
    });
  }
}).transform((fleet) => {
  const behavior: CommandBehavior = {
    kind: "command",
    argv: fleet.command,
    ready: fleet.ready,
    env: fleet.env,
    cwd: fleet.cwd ?? null,
    readyTimeoutMs: fleet.readyTimeout,
    stopTimeoutMs: fleet.stopTimeout,
  };
  return {
    name: fleet.name,
    count: fleet.count,
    protocol: "h1" as const,
    isolate: true,
    limits: fleet.limits ?? null,
    behaviors: Array.from({ length: fleet.count }, () => behavior),
  };
});

const externalFleetSchema = z.strictObject({
  name: z.string().min(1).optional(),
  url: z.string().regex(/^http:\/\/(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\]|localhost)(:\d+)?\//, {
    error:
      'expected an http:// URL on loopback, such as "http://127.0.0.1:8080/" (wedge loads nothing else)',
  }).refine((url) => parsesAsUrl(url) && octetsInRange(new URL(url).hostname), {
    error: (i) =>
      `expected a URL that parses: a port at most 65535 and address parts at most 255, got ${
        JSON.stringify(i.input)
      }`,
  }),
  protocol: z.literal("h1", { error: "a server given by its URL is loaded over HTTP/1.1" })
    .default("h1"),
}).transform((fleet) => ({
  name: fleet.name,
  count: 1,
  protocol: "h1" as const,
  isolate: false,
  limits: null,
  behaviors: [{ kind: "external" as const, url: fleet.url }],
}));

// A fleet with a `command` is the user's own server, one with a `url` a server already running;
// any other is wedge's own Deno.serve servers.
const serverFleetSchema = byKeys(
  (has) => has("command") ? commandFleetSchema : has("url") ? externalFleetSchema : denoFleetSchema,
  { keepCodes: false },
);

const assertionSchema = z.custom<Assertion>(
  (v) =>
    typeof v === "object" && v !== null && typeof (v as Assertion).check === "function" &&
    typeof (v as Assertion).name === "string",
  { error: "expected an assertion such as allRequestsComplete() or latencyBelow({ p99: '50ms' })" },
);

const networkSchema = z.strictObject({
  ephemeralPorts: z.string().regex(/^\d+-\d+$/, {
    error: 'expected a port range such as "49152-65535"',
  }).transform((range, ctx) => {
    const [low, high] = range.split("-").map(Number);
    if (!(low >= 1024 && high <= 65535 && low <= high)) {
      ctx.issues.push({
        code: "custom",
        input: range,
        message: "expected a range within 1024-65535, low before high",
      });
      return z.NEVER;
    }
    return [low, high] as [number, number];
  }).optional(),
  tcpTwReuse: z.union([z.literal(0), z.literal(1), z.literal(2)], {
    error: "expected 0 (off), 1 (on) or 2 (loopback only)",
  }).optional(),
}).transform((n): NetworkSpec => ({
  ephemeralPorts: n.ephemeralPorts ?? null,
  tcpTwReuse: n.tcpTwReuse ?? null,
}));

/** Schema of the resolved parts of a scenario: fleets, assertions, time limit and network. */
export const resolvedScenarioSchema = z.object({
  timeLimit: durationSchema.default(600_000),
  network: networkSchema.optional(),
  limits: limitsSchema().optional(),
  servers: z.array(serverFleetSchema, { error: "expected an array of server fleets" }).min(1, {
    error: "expected at least one server fleet",
  }).transform((fleets) =>
    fleets.map((fleet, i) => ({
      ...fleet,
      name: fleet.name ?? (i === 0 ? "servers" : `servers-${i + 1}`),
    }))
  ),
  clients: clientFleetsSchema,
  assert: z.array(assertionSchema, { error: "expected an array of assertions" }).default([]),
});
