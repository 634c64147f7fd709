/**
 * A client fleet, declared once: the zod schema of what a scenario writes, its shortcuts expanded
 * in its transforms (durations in ms, `rate`/`stages` as one arrival schedule, `"per-request"` as
 * a pool that keeps no idle connection), and the types of both sides derived from it.
 *
 * @module
 */

import { z } from "zod";
import { byKeys, durationSchema, LOOPBACK, octetsInRange, positiveInt } from "./_fields.ts";
import { type CommandClientFleetInput, commandClientFleetSchema } from "./command_client_schema.ts";

/**
 * Requests one client may keep in flight (its `concurrency`): each needs a connection or a stream
 * and about 100 KiB of memory, so this is already ~10 GiB. A client never gets more lanes than its
 * requests (the plan caps them).
 */
export const MAX_CONCURRENCY = 100_000;
/** Clients one fleet may have (each has its own HTTP client and connection pool). */
export const MAX_CLIENTS = 100_000;

const FORBIDDEN_METHODS = ["CONNECT", "TRACE", "TRACK"];
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** The request a client fleet sends. */
const requestSchema = z.strictObject({
  /** HTTP method. @default {"GET"} */
  method: z.string().regex(/^[A-Z]+$/, { error: "expected an HTTP method such as GET" }).refine(
    (m) => !FORBIDDEN_METHODS.includes(m),
    { error: "expected a method fetch can send (not CONNECT, TRACE or TRACK)" },
  ).default("GET"),
  /** Path and query, starting with `/`. @default {"/"} */
  path: z.string().startsWith("/", { error: 'expected a path starting with "/"' }).default("/"),
  /** Request headers. @default {{}} */
  headers: z.record(
    z.string(),
    z.string().refine((v) => !/[\r\n]/.test(v), {
      error: "expected a header value without CR or LF",
    }),
  ).default({}),
  /** Request body. @default {undefined} */
  body: z.string().optional(),
}).superRefine((request, ctx) => {
  for (const name of Object.keys(request.headers)) {
    if (!HEADER_NAME.test(name)) {
      ctx.addIssue({
        code: "custom",
        path: ["headers"],
        message: `expected header names made of letters, digits, "-" and "_", got ${
          JSON.stringify(name)
        }`,
      });
    }
  }
  if (request.body !== undefined && (request.method === "GET" || request.method === "HEAD")) {
    ctx.addIssue({
      code: "custom",
      path: ["body"],
      message: `a ${request.method} request cannot have a body: use method "POST" or drop the body`,
    });
  }
});

/** A rate: `"20000/s"`, `"500/ms"`, `"100/m"` or a number per second; becomes requests per second. */
const rateSchema = z.union([z.number(), z.string()], {
  error: 'expected a rate such as "20000/s"',
}).transform((value, ctx) => {
  const match = typeof value === "number"
    ? null
    : /^\s*(\d+(?:\.\d+)?)\s*\/\s*(ms|s|m|min)\s*$/.exec(value);
  const perSecond = typeof value === "number"
    ? value
    : match
    ? Number(match[1]) * { ms: 1000, s: 1, m: 1 / 60, min: 1 / 60 }[match[2] as "ms"]
    : NaN;
  if (!(perSecond > 0 && Number.isFinite(perSecond))) {
    ctx.issues.push({
      code: "custom",
      input: value,
      message: 'expected a positive rate such as "20000/s", "50/ms" or 500 (per second)',
    });
    return z.NEVER;
  }
  return perSecond;
});

/** A per-request timeout: a duration (aborted after it) or `{ after, cancel }`. */
const timeoutSchema = z.union([
  durationSchema.transform((afterMs) => ({ afterMs, cancel: true })),
  z.strictObject({ after: durationSchema, cancel: z.boolean().default(true) }).transform((t) => ({
    afterMs: t.after,
    cancel: t.cancel,
  })),
], { error: 'expected a duration ("2s") or { after: "2s", cancel: true | false }' });

/** A client's connection pool, as written (`idleTimeout`) and validated (`idleTimeoutMs`). */
const poolSchema = z.strictObject({
  /** Idle connections kept per host. @default {hyper's: no limit} */
  maxIdlePerHost: z.number({ error: "expected a whole number >= 0" }).int({
    error: "expected a whole number >= 0",
  }).min(0, { error: "expected a whole number >= 0" }).optional(),
  /** How long an idle connection is kept; `false` keeps it forever. @default {hyper's: 90 s} */
  idleTimeout: z.union([durationSchema, z.literal(false)], {
    error: 'expected a duration such as "90s", or false to keep idle connections forever',
  }).optional(),
}).default({}).transform((p) => ({
  /** Idle connections kept per host; `null` keeps hyper's default (no limit). */
  maxIdlePerHost: p.maxIdlePerHost ?? null,
  /** How long an idle connection is kept, ms; `false` keeps it forever; `null` is hyper's default. */
  idleTimeoutMs: p.idleTimeout ?? null,
}));

/**
 * An open model's arrival rate: stages, each ramping linearly from the previous rate (the first
 * from `startRatePerSecond`) to its own over its duration. Written by hand: the plan adds `share`,
 * which no scenario writes.
 */
export interface ArrivalSpec {
  /** Rate at time 0, requests per second (the whole fleet's). */
  startRatePerSecond: number;
  /** Stages in order; the last may last forever (`durationMs` Infinity) when requests bound it. */
  stages: { durationMs: number; ratePerSecond: number }[];
  /**
   * One client's part of the fleet's single schedule: requests `index`, `index + of`, ... of it.
   * @default {the whole schedule}
   */
  share?: { index: number; of: number };
}

/** A fleet's `rate` or `stages` as one arrival schedule, or null for a closed loop. */
function arrivalOf(
  fleet: {
    rate?: number;
    duration?: number;
    stages?: { duration: number; rate: number }[];
  },
): ArrivalSpec | null {
  if (fleet.stages) {
    return {
      startRatePerSecond: fleet.stages[0].rate,
      stages: fleet.stages.map((st) => ({ durationMs: st.duration, ratePerSecond: st.rate })),
    };
  }
  if (fleet.rate === undefined) return null;
  return {
    startRatePerSecond: fleet.rate,
    stages: [{ durationMs: fleet.duration ?? Infinity, ratePerSecond: fleet.rate }],
  };
}

/** A client fleet as a scenario writes it, and the validated fleet it becomes. */
const clientFleetSchema = z.strictObject({
  /** Fleet name. @default {"clients"} (then `"clients-2"`, ...) */
  name: z.string().min(1).optional(),
  /** Number of clients; each owns its own HTTP client and so its own connection pool. @default {1} */
  count: positiveInt().max(MAX_CLIENTS, {
    error: (i) =>
      `expected at most ${MAX_CLIENTS} clients per fleet (each has its own HTTP client), got ${i.input}`,
  }).default(1),
  /** Requests each client keeps in flight. @default {1} */
  concurrency: positiveInt().max(MAX_CONCURRENCY, {
    error: (i) =>
      `expected at most ${MAX_CONCURRENCY} requests in flight per client (each holds a connection or stream and ~100 KiB), got ${i.input}`,
  }).default(1),
  /** Total requests across the fleet, split fairly over its clients. */
  requests: positiveInt().optional(),
  /** How long each client keeps sending, e.g. `"10s"`. */
  duration: durationSchema.optional(),
  /** Name of the server fleet to load. @default {every server of every fleet} */
  target: z.string().min(1).optional(),
  /** How a client picks a server for each request. @default {"round-robin"} */
  select: z.enum(["round-robin", "random"], { error: 'expected "round-robin" or "random"' })
    .default("round-robin"),
  /** The request to send. @default {{ method: "GET", path: "/" }} */
  request: requestSchema.default({ method: "GET", path: "/", headers: {} }),
  /**
   * Per-request timeout: `"2s"` aborts the request after 2 s; `{ after: "2s", cancel: false }` stops
   * waiting but leaves the request running, as an application timeout that forgets to cancel does.
   * @default {undefined} (no timeout)
   */
  timeout: timeoutSchema.optional(),
  /**
   * Each client's connection pool, as `Deno.createHttpClient` takes it. `{ maxIdlePerHost: 0 }` keeps
   * no idle connection (seed 000's workaround, hyper's `pool_max_idle_per_host(0)`).
   * @default {{}} (hyper's defaults: no limit on idle connections, 90 s idle timeout)
   */
  pool: poolSchema,
  /**
   * `"keep-alive"` reuses pooled connections; `"per-request"` opens a new TCP connection for every
   * request (no idle connection is kept), the load that fills TIME_WAIT (seeds 001, 003).
   * @default {"keep-alive"}
   */
  connections: z.enum(["keep-alive", "per-request"], {
    error: 'expected "keep-alive" or "per-request"',
  }).default("keep-alive"),
  /**
   * Local addresses the clients connect from, one per client in turn (`localAddress` of
   * `Deno.createHttpClient`): each address has its own ephemeral ports. Loopback only.
   * @default {[]} (the system's choice)
   */
  sourceAddresses: z.array(
    z.string().regex(LOOPBACK, {
      error: "expected an IPv4 loopback address (127.x.y.z; the servers listen on 127.0.0.1)",
    }).refine(octetsInRange, {
      error: (i) => `expected each part of the address at most 255, got ${JSON.stringify(i.input)}`,
    }),
  ).default([]),
  /** Worker threads that run this fleet's clients. @default {min(count, available cores)} */
  workers: positiveInt().optional(),
  /**
   * `"fetch"`: Deno's fetch, any protocol, and `cancel: false` timeouts (seed 000's client pool).
   * `"raw"`: HTTP/1.1 on an epoll loop through FFI (Linux; elsewhere as `"raw-deno"`), several
   * times faster; `concurrency` is then the number of connections per client. `"raw-deno"`: the
   * same engine over `Deno.connect`.
   * @default {"fetch"}
   */
  engine: z.enum(["fetch", "raw", "raw-deno"], {
    error: 'expected "fetch", "raw" or "raw-deno"',
  }).default("fetch"),
  /** Raw engine: requests sent together on a connection, answered in order. @default {1} */
  pipelining: positiveInt().max(1024, { error: "expected at most 1024 requests per batch" })
    .default(1),
  /**
   * Open model: requests per second across the fleet (`"20000/s"`), each with an intended send
   * time; latency is then measured from it (coordinated omission corrected).
   * @default {undefined} (a closed loop: each lane sends when its previous request ends)
   */
  rate: rateSchema.optional(),
  /**
   * Open model: rate stages, each ramping from the previous rate to its own over its duration
   * (the first holds its rate). Sets how long the fleet runs.
   * @default {undefined}
   */
  stages: z.array(z.strictObject({ duration: durationSchema, rate: rateSchema }), {
    error: 'expected stages such as [{ duration: "10s", rate: "20000/s" }]',
  }).min(1, { error: "expected at least one stage" }).optional(),
  /** Open model: most requests owed (in flight, or due and unsent) before due ones are dropped. @default {no bound} */
  maxInFlight: positiveInt().optional(),
}).superRefine((fleet, ctx) => {
  const issue = (path: string, message: string) =>
    ctx.addIssue({ code: "custom", path: [path], message });
  if (fleet.pipelining > 1 && fleet.engine === "fetch") {
    issue(
      "pipelining",
      'pipelining needs engine: "raw" (fetch sends one request at a time on a connection)',
    );
  }
  if (fleet.pipelining > 1 && fleet.connections === "per-request") {
    issue("pipelining", 'pipelining needs connections that stay open: drop "per-request"');
  }
  if (fleet.engine !== "fetch" && fleet.timeout && !fleet.timeout.cancel) {
    issue(
      "timeout",
      'cancel: false (leaving a request running) needs engine: "fetch"; the raw engine\'s timeout closes the connection',
    );
  }
  if (fleet.engine === "raw-deno" && fleet.sourceAddresses.length) {
    issue(
      "sourceAddresses",
      'raw-deno cannot choose a source address (Deno.connect has no local address): use engine: "raw" (epoll, Linux) or "fetch"',
    );
  }
  if (
    fleet.engine !== "fetch" &&
    (fleet.pool.maxIdlePerHost !== null || fleet.pool.idleTimeoutMs !== null)
  ) {
    issue("pool", "pool settings are fetch's: the raw engine keeps one connection per lane");
  }
  if (fleet.rate !== undefined && fleet.stages !== undefined) {
    issue("stages", "give a constant rate or stages, not both");
  }
  if (fleet.stages !== undefined && fleet.duration !== undefined) {
    issue("duration", "stages set how long the fleet runs: drop duration");
  }
  if (fleet.maxInFlight !== undefined && fleet.rate === undefined && fleet.stages === undefined) {
    issue("maxInFlight", "maxInFlight bounds an open model: give a rate (or stages) too");
  }
  if (fleet.connections === "per-request" && fleet.pool.maxIdlePerHost !== null) {
    ctx.addIssue({
      code: "custom",
      path: ["connections"],
      message:
        '"per-request" conflicts with pool.maxIdlePerHost (per-request keeps no idle connection): drop one of them',
    });
  }
  if (
    fleet.stages === undefined && (fleet.requests === undefined) === (fleet.duration === undefined)
  ) {
    ctx.addIssue({
      code: "custom",
      path: [],
      message: fleet.requests === undefined
        ? 'give either "requests" (a total) or "duration" (e.g. "10s")'
        : 'give either "requests" or "duration", not both',
    });
  }
}).transform((fleet) => ({
  /** Fleet name (`clientFleetsSchema` names a fleet without one). */
  name: fleet.name,
  /** Number of clients, each with its own HTTP client (connection pool). */
  count: fleet.count,
  /** In-flight requests per client. */
  concurrency: fleet.concurrency,
  /** Total requests across the fleet, split fairly over its clients; `null` in duration mode. */
  requests: fleet.requests ?? null,
  /** How long each client sends, in milliseconds; `null` in request-count mode. */
  durationMs: fleet.duration ??
    (fleet.stages ? fleet.stages.reduce((sum, st) => sum + st.duration, 0) : null),
  /** Server fleet to target; `null` means every server of every fleet. */
  target: fleet.target ?? null,
  /** How a client chooses a server for each request. */
  select: fleet.select,
  /** The request each client sends. */
  request: fleet.request,
  /** Per-request timeout, if any. */
  timeout: fleet.timeout ?? null,
  /** Connection pool of each client; `"per-request"` keeps no idle connection (`maxIdlePerHost` 0). */
  pool: fleet.connections === "per-request" ? { ...fleet.pool, maxIdlePerHost: 0 } : fleet.pool,
  /** Connection policy: reuse pooled connections, or a new TCP connection for every request. */
  connections: fleet.connections,
  /** Local addresses the clients' connections come from, one per client in turn (empty: any). */
  sourceAddresses: fleet.sourceAddresses,
  /** Worker threads for this fleet; `null` lets the planner choose. */
  workers: fleet.workers ?? null,
  /** `fetch` (Deno's fetch, any protocol) or `raw` (HTTP/1.1 over `Deno.connect`). */
  engine: fleet.engine,
  /** Requests in flight per connection (raw engine), sent together and answered in order. */
  pipelining: fleet.pipelining,
  /** Open model: the fleet's arrival rate over time, or null for a closed loop. */
  arrival: arrivalOf(fleet),
  /** Open model: most requests owed (in flight or due and unsent) before new ones are dropped. */
  maxInFlight: fleet.maxInFlight ?? null,
}));

// A fleet with a `command` is the user's own client program (`command_client_schema.ts`). Each
// issue is kept whole (its code too: an unknown key is reported as such).
const anyClientFleetSchema = byKeys(
  (has) => has("command") ? commandClientFleetSchema : clientFleetSchema,
  { keepCodes: true },
);

/**
 * Client fleets as a scenario writes them, named by position when they have no name (`"clients"`,
 * `"clients-2"`, ...).
 */
export const clientFleetsSchema = z.array(anyClientFleetSchema, {
  error: "expected an array of client fleets",
}).min(1, { error: "expected at least one client fleet" }).transform((fleets) =>
  fleets.map((fleet, i) => ({
    ...fleet,
    name: fleet.name ?? (i === 0 ? "clients" : `clients-${i + 1}`),
  }))
);

/**
 * A client fleet as a scenario writes it: wedge's own clients (give `requests` or `duration`, not
 * both), or the user's own client program (`command`).
 */
export type ClientFleetInput = z.input<typeof clientFleetSchema> | CommandClientFleetInput;
/** The request a client fleet sends, as a scenario writes it. */
export type RequestInput = z.input<typeof requestSchema>;
/** A validated request template. */
export type RequestSpec = z.output<typeof requestSchema>;
/** A validated per-request timeout: `afterMs`, and whether the request is aborted (`cancel`). */
export type TimeoutSpec = z.output<typeof timeoutSchema>;
/** A validated connection-pool setting of a client (one `Deno.createHttpClient` each). */
export type PoolSpec = z.output<typeof poolSchema>;

/**
 * A validated client fleet: the schema's output, plus the protocol of its target servers, which
 * only the whole scenario tells (`resolveScenario` sets it; HTTP/2 clients trust the run's CA).
 */
export type ClientFleet = z.output<typeof clientFleetSchema> & {
  /** Fleet name. */
  name: string;
  /** The protocol of its target servers. */
  protocol: "h1" | "h2";
};
