/**
 * The zod schema of a resolved scenario (after its params have been applied), and the types the
 * runtime works with. Shortcuts (a duration string for `timeout`, a handler function for `behavior`)
 * are expanded here and nowhere else.
 *
 * @module
 */

import { z } from "zod";
import { parseDuration } from "./duration.ts";
import type { Assertion } from "./assertion.ts";
import type { RequestHandler } from "./server_behavior.ts";
import { hello } from "./server_behavior.ts";

/** A behaviour after validation: durations in milliseconds, shortcuts expanded. */
export type ResolvedBehavior =
  | { kind: "hello"; status: number; body: string; headers: Record<string, string> }
  | { kind: "delay"; minMs: number; maxMs: number; then: ResolvedBehavior }
  | { kind: "handler"; fetch: RequestHandler };

/** A validated server fleet. */
export interface ServerFleet {
  /** Fleet name, used by client fleets' `target`. */
  name: string;
  /** Number of servers. */
  count: number;
  /** What each server does. */
  behavior: ResolvedBehavior;
  /** Wire protocol. */
  protocol: "h1";
}

/** A validated request template. */
export interface RequestSpec {
  /** HTTP method. */
  method: string;
  /** Path and query, starting with `/`. */
  path: string;
  /** Request headers. */
  headers: Record<string, string>;
  /** Request body, if any. */
  body?: string;
}

/** A validated per-request timeout. */
export interface TimeoutSpec {
  /** Milliseconds after which the client gives up waiting. */
  afterMs: number;
  /** Whether the request is aborted (`true`) or left running, as a forgetful application does. */
  cancel: boolean;
}

/** A validated connection-pool setting of a client (one `Deno.createHttpClient` each). */
export interface PoolSpec {
  /** Idle connections kept per host; `null` keeps hyper's default (no limit). */
  maxIdlePerHost: number | null;
  /** How long an idle connection is kept, ms; `false` keeps it forever; `null` is hyper's default. */
  idleTimeoutMs: number | false | null;
}

/** A validated client fleet. */
export interface ClientFleet {
  /** Fleet name. */
  name: string;
  /** Number of clients, each with its own HTTP client (connection pool). */
  count: number;
  /** In-flight requests per client. */
  concurrency: number;
  /** Total requests across the fleet, split fairly over its clients; `null` in duration mode. */
  requests: number | null;
  /** How long each client sends, in milliseconds; `null` in request-count mode. */
  durationMs: number | null;
  /** Server fleet to target; `null` means every server of every fleet. */
  target: string | null;
  /** How a client chooses a server for each request. */
  select: "round-robin" | "random";
  /** The request each client sends. */
  request: RequestSpec;
  /** Per-request timeout, if any. */
  timeout: TimeoutSpec | null;
  /** Connection pool of each client. */
  pool: PoolSpec;
  /** Worker threads for this fleet; `null` lets the planner choose. */
  workers: number | null;
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
  /** Hard bound on the load phase, in milliseconds. */
  timeLimitMs: number;
  /** Server fleets. */
  servers: ServerFleet[];
  /** Client fleets. */
  clients: ClientFleet[];
  /** Assertions judged on the report. */
  assert: Assertion[];
}

function positiveInt(what = "a positive integer") {
  return z.number({ error: `expected ${what}` }).int({ error: `expected ${what}` }).min(1, {
    error: `expected ${what}`,
  });
}

/** A duration field: `"250ms"`, `"5s"` or milliseconds; becomes milliseconds. */
export const durationSchema = z.union([z.number(), z.string()], {
  error: 'expected a duration such as "250ms" or "5s"',
}).transform((value, ctx) => {
  try {
    return parseDuration(value);
  } catch {
    ctx.issues.push({
      code: "custom",
      input: value,
      message: 'expected a duration such as "250ms", "5s" or a number of milliseconds',
    });
    return z.NEVER;
  }
});

function isFetchApp(value: unknown): value is { fetch: RequestHandler } {
  return typeof value === "object" && value !== null && !("kind" in value) &&
    typeof (value as { fetch?: unknown }).fetch === "function";
}

const behaviorSchema: z.ZodType<ResolvedBehavior> = z.lazy(() =>
  z.preprocess(
    (value) => {
      if (value === undefined) return hello();
      if (typeof value === "function") return { kind: "handler", fetch: value };
      if (isFetchApp(value)) {
        const app = value;
        return {
          kind: "handler",
          fetch: (request: Request, info: unknown) =>
            (app.fetch as (r: Request, i: unknown) => Response)(request, info),
        };
      }
      return value;
    },
    z.discriminatedUnion("kind", [
      z.strictObject({
        kind: z.literal("hello"),
        status: z.number().int().min(200, { error: "expected an HTTP status (200-599)" }).max(599, {
          error: "expected an HTTP status (200-599)",
        }),
        body: z.string(),
        headers: z.record(z.string(), z.string()),
      }),
      z.strictObject({
        kind: z.literal("delay"),
        latency: z.union([
          durationSchema,
          z.strictObject({ min: durationSchema, max: durationSchema }),
        ]),
        then: behaviorSchema,
      }).transform((value, ctx) => {
        const latency = value.latency;
        const [minMs, maxMs] = typeof latency === "number"
          ? [latency, latency]
          : [latency.min, latency.max];
        if (maxMs < minMs) {
          ctx.issues.push({
            code: "custom",
            input: value,
            path: ["latency"],
            message: `expected min <= max, got min ${minMs}ms and max ${maxMs}ms`,
          });
        }
        return { kind: "delay" as const, minMs, maxMs, then: value.then };
      }),
      z.strictObject({
        kind: z.literal("handler"),
        fetch: z.custom<RequestHandler>((v) => typeof v === "function", {
          error: "expected a function",
        }),
      }),
    ], {
      error:
        "expected a behaviour: hello(), delay(...), handler(fn), a handler function or a Hono app",
    }),
  )
);

const serverFleetSchema = z.strictObject({
  name: z.string().min(1).optional(),
  count: positiveInt().default(1),
  behavior: behaviorSchema,
  protocol: z.literal("h1", { error: 'expected "h1" (HTTP/2 is not supported yet)' }).default(
    "h1",
  ),
});

const requestSchema = z.strictObject({
  method: z.string().regex(/^[A-Z]+$/, { error: "expected an HTTP method such as GET" }).default(
    "GET",
  ),
  path: z.string().startsWith("/", { error: 'expected a path starting with "/"' }).default("/"),
  headers: z.record(z.string(), z.string()).default({}),
  body: z.string().optional(),
});

const timeoutSchema = z.union([
  durationSchema.transform((afterMs) => ({ afterMs, cancel: true })),
  z.strictObject({ after: durationSchema, cancel: z.boolean().default(true) }).transform((t) => ({
    afterMs: t.after,
    cancel: t.cancel,
  })),
], { error: 'expected a duration ("2s") or { after: "2s", cancel: true | false }' });

const clientFleetSchema = z.strictObject({
  name: z.string().min(1).optional(),
  count: positiveInt().default(1),
  concurrency: positiveInt().default(1),
  requests: positiveInt().optional(),
  duration: durationSchema.optional(),
  target: z.string().min(1).optional(),
  select: z.enum(["round-robin", "random"], { error: 'expected "round-robin" or "random"' })
    .default("round-robin"),
  request: requestSchema.default({ method: "GET", path: "/", headers: {} }),
  timeout: timeoutSchema.optional(),
  pool: z.strictObject({
    maxIdlePerHost: z.number({ error: "expected a whole number >= 0" }).int({
      error: "expected a whole number >= 0",
    }).min(0, { error: "expected a whole number >= 0" }).optional(),
    idleTimeout: z.union([durationSchema, z.literal(false)], {
      error: 'expected a duration such as "90s", or false to keep idle connections forever',
    }).optional(),
  }).default({}).transform((p) => ({
    maxIdlePerHost: p.maxIdlePerHost ?? null,
    idleTimeoutMs: p.idleTimeout ?? null,
  })),
  workers: positiveInt().optional(),
});

const assertionSchema = z.custom<Assertion>(
  (v) =>
    typeof v === "object" && v !== null && typeof (v as Assertion).check === "function" &&
    typeof (v as Assertion).name === "string",
  { error: "expected an assertion such as allRequestsComplete() or latencyBelow({ p99: '50ms' })" },
);

/** Schema of the resolved parts of a scenario: fleets, assertions and the time limit. */
export const resolvedScenarioSchema = z.object({
  timeLimit: durationSchema.default(600_000),
  servers: z.array(serverFleetSchema, { error: "expected an array of server fleets" }).min(1, {
    error: "expected at least one server fleet",
  }),
  clients: z.array(clientFleetSchema, { error: "expected an array of client fleets" }).min(1, {
    error: "expected at least one client fleet",
  }),
  assert: z.array(assertionSchema, { error: "expected an array of assertions" }).default([]),
});
