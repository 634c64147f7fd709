/**
 * The zod schema of a resolved scenario (after its params have been applied), and the types the
 * runtime works with. Shortcuts (a duration string for `timeout`, a handler function for `behavior`)
 * are expanded here and nowhere else.
 *
 * @module
 */

import { z } from "zod";
import { parseByteSize } from "../units/byte_size.ts";
import { parseDuration } from "../units/duration.ts";
import type { Assertion } from "../assert/assertions.ts";
import type { PerServerBehavior, RequestHandler } from "./behaviors.ts";
import { hello } from "./behaviors.ts";

/** Which requests a fault selects (see `FaultSelector`). */
export interface ResolvedSelector {
  /** Every Nth request; 0 = never. */
  every?: number;
  /** Only after the first N requests. */
  after?: number;
  /** With this probability. */
  probability?: number;
}

/** A behaviour after validation: durations in milliseconds, shortcuts expanded. */
export type ResolvedBehavior =
  | { kind: "hello"; status: number; body: string; headers: Record<string, string> }
  | {
    kind: "delay";
    minMs: number;
    maxMs: number;
    /** Mean of an exponential latency, or null for fixed/uniform between min and max. */
    meanMs: number | null;
    then: ResolvedBehavior;
  }
  | { kind: "handler"; fetch: RequestHandler }
  | { kind: "hang"; select: ResolvedSelector; then: ResolvedBehavior }
  | { kind: "closeMidBody"; select: ResolvedSelector; bodyBytes: number; then: ResolvedBehavior }
  | { kind: "resetAfterHeaders"; select: ResolvedSelector; then: ResolvedBehavior }
  | { kind: "slowBody"; bytesPerSecond: number; bodyBytes: number }
  | { kind: "stopAccepting"; after: number; then: ResolvedBehavior }
  | {
    kind: "serial";
    answer: { kind: "hello"; status: number; body: string; headers: Record<string, string> };
  }
  | { kind: "leak"; bytesPerRequest: number; then: ResolvedBehavior }
  | CommandBehavior
  | { kind: "external"; url: string };

/**
 * A server that is the user's own program, started as a process: the whole of a command fleet's
 * behaviour (wedge does not see inside it).
 */
export interface CommandBehavior {
  /** Discriminant. */
  kind: "command";
  /** Program and arguments; `{port}` is replaced by the port wedge picked. */
  argv: string[];
  /** How wedge knows it is ready. */
  ready: ReadySpec;
  /** Environment added to wedge's own; `{port}` is replaced in values. */
  env: Record<string, string>;
  /** Working directory, or null for wedge's own. */
  cwd: string | null;
  /** How long it may take to become ready, ms. */
  readyTimeoutMs: number;
  /** How long it may take to exit after SIGTERM before SIGKILL, ms. */
  stopTimeoutMs: number;
}

/** How wedge knows a command server is ready. */
export type ReadySpec =
  /** A TCP connection to the server's address and port succeeds. */
  | { kind: "port" }
  /** A GET of `url` returns any HTTP response (`{port}` in it is replaced by the port). */
  | { kind: "url"; url: string }
  /** The process's stdout matches `pattern`. */
  | { kind: "stdout"; pattern: RegExp };

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
  /** Connection policy: reuse pooled connections, or a new TCP connection for every request. */
  connections: "keep-alive" | "per-request";
  /** Local addresses the clients' connections come from, one per client in turn (empty: any). */
  sourceAddresses: string[];
  /** The protocol of its target servers (HTTP/2 clients trust the run's CA). */
  protocol: "h1" | "h2";
  /** Worker threads for this fleet; `null` lets the planner choose. */
  workers: number | null;
  /** `fetch` (Deno's fetch, any protocol) or `raw` (HTTP/1.1 over `Deno.connect`). */
  engine: "fetch" | "raw";
  /** Requests in flight per connection (raw engine), sent together and answered in order. */
  pipelining: number;
  /** Open model: the fleet's arrival rate over time, or null for a closed loop. */
  arrival: ArrivalSpec | null;
  /** Open model: most requests owed (in flight or due and unsent) before new ones are dropped. */
  maxInFlight: number | null;
}

/**
 * An open model's arrival rate: stages, each ramping linearly from the previous rate (the first
 * from `startRatePerSecond`) to its own over its duration.
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
  /** Hard bound on the load phase, in milliseconds. */
  timeLimitMs: number;
  /** The run's own network namespace, or null to run in the host's. */
  network: NetworkSpec | null;
  /** Server fleets. */
  servers: ServerFleet[];
  /** Client fleets. */
  clients: ClientFleet[];
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

function positiveInt(what = "a positive integer") {
  return z.number({ error: `expected ${what}` }).int({ error: `expected ${what}` }).min(1, {
    error: `expected ${what}`,
  });
}

/**
 * Requests one client may keep in flight (its `concurrency`): each needs a connection or a stream
 * and about 100 KiB of memory, so this is already ~10 GiB. A client never gets more lanes than its
 * requests (the plan caps them).
 */
export const MAX_CONCURRENCY = 100_000;
/** Clients one fleet may have (each has its own HTTP client and connection pool). */
export const MAX_CLIENTS = 100_000;

/**
 * Whether a URL that matched a pattern really parses (`http://127.0.0.1:99999/` matches
 * `:\d+` but has no such port). `{port}` stands for a port wedge picks.
 */
function parsesAsUrl(url: string): boolean {
  return URL.canParse(url.replaceAll("{port}", "1"));
}

/** Whether every part of a dotted IPv4 address is 0-255. */
function octetsInRange(address: string): boolean {
  return address.split(".").every((part) => Number(part) <= 255);
}

/** Servers one fleet may have at most: each listens on a port of its own. */
export const MAX_SERVERS = 65535;

function serverCount() {
  return positiveInt().max(MAX_SERVERS, {
    error: (i) =>
      `expected at most ${MAX_SERVERS} servers: each listens on a port of its own (and this host's ephemeral port range has fewer), got ${i.input}`,
  }).default(1);
}

/** The longest duration timers can wait (2^31 - 1 ms, about 24.8 days). */
export const MAX_DURATION_MS = 2_147_483_647;

/** A duration field: `"250ms"`, `"5s"` or milliseconds; becomes milliseconds. */
export const durationSchema: z.ZodType<number, number | string> = z.union([
  z.number(),
  z.string(),
], {
  error: 'expected a duration such as "250ms" or "5s"',
}).transform((value, ctx) => {
  try {
    const ms = parseDuration(value);
    if (ms > MAX_DURATION_MS) {
      ctx.issues.push({
        code: "custom",
        input: value,
        message: "expected a duration up to 24 days (timers cannot wait longer)",
      });
      return z.NEVER;
    }
    return ms;
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

const selectorSchema = z.strictObject({
  every: z.number().int().min(0, { error: "expected a whole number >= 0 (0 = never)" }).optional(),
  after: z.number().int().min(0, { error: "expected a whole number >= 0" }).optional(),
  probability: z.number().min(0, { error: "expected a probability from 0 to 1" }).max(1, {
    error: "expected a probability from 0 to 1",
  }).optional(),
});

const bodyBytesSchema = z.number().int().min(0, { error: "expected a whole number of bytes" });

const helloSchema = z.strictObject({
  kind: z.literal("hello"),
  status: z.number().int().min(200, { error: "expected an HTTP status (200-599)" }).max(599, {
    error: "expected an HTTP status (200-599)",
  }),
  body: z.string(),
  headers: z.record(z.string(), z.string()),
}).superRefine((value, ctx) => {
  if (NULL_BODY_STATUSES.includes(value.status) && value.body !== "") {
    ctx.addIssue({
      code: "custom",
      path: ["body"],
      message:
        `a ${value.status} response has no body: use hello({ status: ${value.status}, body: "" })`,
    });
  }
});

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
      helloSchema,
      z.strictObject({
        kind: z.literal("delay"),
        latency: z.union([
          durationSchema,
          z.strictObject({ min: durationSchema, max: durationSchema }),
          z.strictObject({ exponential: durationSchema }),
        ], {
          error:
            'expected a latency: "20ms", { min: "5ms", max: "50ms" } or { exponential: "10ms" }',
        }),
        then: behaviorSchema,
      }).transform((value, ctx) => {
        const latency = value.latency;
        if (typeof latency === "object" && "exponential" in latency) {
          return {
            kind: "delay" as const,
            minMs: 0,
            maxMs: Infinity,
            meanMs: latency.exponential,
            then: value.then,
          };
        }
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
        return { kind: "delay" as const, minMs, maxMs, meanMs: null, then: value.then };
      }),
      z.strictObject({ kind: z.literal("hang"), select: selectorSchema, then: behaviorSchema }),
      z.strictObject({
        kind: z.literal("closeMidBody"),
        select: selectorSchema,
        bodyBytes: bodyBytesSchema.min(2, { error: "expected at least 2 bytes (half is sent)" }),
        then: behaviorSchema,
      }),
      z.strictObject({
        kind: z.literal("resetAfterHeaders"),
        select: selectorSchema,
        then: behaviorSchema,
      }),
      z.strictObject({
        kind: z.literal("slowBody"),
        bytesPerSecond: z.number().positive({ error: "expected a positive number of bytes/s" }),
        bodyBytes: bodyBytesSchema,
      }),
      z.strictObject({ kind: z.literal("serial"), answer: helloSchema }),
      z.strictObject({
        kind: z.literal("leak"),
        bytesPerRequest: z.union([z.number(), z.string()]),
        then: behaviorSchema,
      }).transform((value, ctx) => {
        let bytes = NaN;
        try {
          bytes = parseByteSize(value.bytesPerRequest);
        } catch { /* reported below */ }
        if (!(Number.isInteger(bytes) && bytes >= 1)) {
          ctx.issues.push({
            code: "custom",
            input: value.bytesPerRequest,
            path: ["bytesPerRequest"],
            message: 'expected a size of at least 1 byte, such as 4096 or "4KiB"',
          });
          return z.NEVER;
        }
        return { kind: "leak" as const, bytesPerRequest: bytes, then: value.then };
      }),
      z.strictObject({
        kind: z.literal("stopAccepting"),
        after: z.number().int().min(0, { error: "expected a whole number of connections >= 0" }),
        then: behaviorSchema,
      }),
      z.strictObject({
        kind: z.literal("handler"),
        fetch: z.custom<RequestHandler>((v) => typeof v === "function", {
          error: "expected a function",
        }),
      }),
    ], {
      error:
        "expected a behaviour such as hello(), delay(...), hang(...) or handler(fn), a handler function or a Hono app",
    }),
  )
);

/**
 * Whether a behaviour is, or leads to, the user's code (`handler(...)`): code cannot travel to a
 * server host as data, so the host loads the scenario file for it.
 *
 * @param behavior A validated behaviour.
 * @returns True when a `handler` is in its chain.
 *
 * @example
 * ```ts
 * import { behaviorRunsCode } from "./schema.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(behaviorRunsCode({ kind: "hello", status: 200, body: "", headers: {} }), false);
 * ```
 */
export function behaviorRunsCode(behavior: ResolvedBehavior): boolean {
  if (behavior.kind === "handler") return true;
  return "then" in behavior ? behaviorRunsCode(behavior.then) : false;
}

function nestedStopAccepting(behavior: ResolvedBehavior): boolean {
  let current: ResolvedBehavior | undefined = "then" in behavior ? behavior.then : undefined;
  while (current) {
    if (current.kind === "stopAccepting" || current.kind === "serial") return true;
    current = "then" in current ? current.then : undefined;
  }
  return false;
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
    const parsed = behaviorSchema.safeParse(input ?? hello());
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        ctx.issues.push({
          code: "custom",
          input,
          path: ["behavior", ...issue.path],
          message: where + issue.message,
        });
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

const commandFleetSchema = z.strictObject({
  name: z.string().min(1).optional(),
  count: serverCount(),
  command: z.array(z.string(), { error: "expected the program and its arguments as an array" })
    .min(1, {
      error: 'expected the program and its arguments, e.g. ["./server", "--port", "{port}"]',
    }),
  ready: readySchema.default({ kind: "port" }),
  env: z.record(z.string(), z.string()).default({}),
  cwd: z.string().min(1).optional(),
  readyTimeout: durationSchema.default(10_000),
  stopTimeout: durationSchema.default(5_000),
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
  behaviors: [{ kind: "external" as const, url: fleet.url }],
}));

// A fleet with a `command` is the user's own server, one with a `url` a server already running;
// any other is wedge's own Deno.serve servers.
const serverFleetSchema = z.unknown().transform((value, ctx) => {
  const isObject = typeof value === "object" && value !== null;
  const schema = isObject && "command" in value
    ? commandFleetSchema
    : isObject && "url" in value
    ? externalFleetSchema
    : denoFleetSchema;
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      ctx.issues.push({ code: "custom", input: value, path: issue.path, message: issue.message });
    }
    return z.NEVER;
  }
  return parsed.data;
});

// Servers bind 127.0.0.1, so client source addresses must be IPv4 loopback too.
const LOOPBACK = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

const NULL_BODY_STATUSES = [204, 205, 304];
const FORBIDDEN_METHODS = ["CONNECT", "TRACE", "TRACK"];
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const requestSchema = z.strictObject({
  method: z.string().regex(/^[A-Z]+$/, { error: "expected an HTTP method such as GET" }).refine(
    (m) => !FORBIDDEN_METHODS.includes(m),
    { error: "expected a method fetch can send (not CONNECT, TRACE or TRACK)" },
  ).default("GET"),
  path: z.string().startsWith("/", { error: 'expected a path starting with "/"' }).default("/"),
  headers: z.record(
    z.string(),
    z.string().refine((v) => !/[\r\n]/.test(v), {
      error: "expected a header value without CR or LF",
    }),
  ).default({}),
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

const timeoutSchema = z.union([
  durationSchema.transform((afterMs) => ({ afterMs, cancel: true })),
  z.strictObject({ after: durationSchema, cancel: z.boolean().default(true) }).transform((t) => ({
    afterMs: t.after,
    cancel: t.cancel,
  })),
], { error: 'expected a duration ("2s") or { after: "2s", cancel: true | false }' });

const clientFleetSchema = z.strictObject({
  name: z.string().min(1).optional(),
  count: positiveInt().max(MAX_CLIENTS, {
    error: (i) =>
      `expected at most ${MAX_CLIENTS} clients per fleet (each has its own HTTP client), got ${i.input}`,
  }).default(1),
  concurrency: positiveInt().max(MAX_CONCURRENCY, {
    error: (i) =>
      `expected at most ${MAX_CONCURRENCY} requests in flight per client (each holds a connection or stream and ~100 KiB), got ${i.input}`,
  }).default(1),
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
  connections: z.enum(["keep-alive", "per-request"], {
    error: 'expected "keep-alive" or "per-request"',
  }).default("keep-alive"),
  sourceAddresses: z.array(
    z.string().regex(LOOPBACK, {
      error: "expected an IPv4 loopback address (127.x.y.z; the servers listen on 127.0.0.1)",
    }).refine(octetsInRange, {
      error: (i) => `expected each part of the address at most 255, got ${JSON.stringify(i.input)}`,
    }),
  ).default([]),
  workers: positiveInt().optional(),
  engine: z.enum(["fetch", "raw"], { error: 'expected "fetch" or "raw"' }).default("fetch"),
  pipelining: positiveInt().max(1024, { error: "expected at most 1024 requests per batch" })
    .default(1),
  rate: rateSchema.optional(),
  stages: z.array(z.strictObject({ duration: durationSchema, rate: rateSchema }), {
    error: 'expected stages such as [{ duration: "10s", rate: "20000/s" }]',
  }).min(1, { error: "expected at least one stage" }).optional(),
  maxInFlight: positiveInt().optional(),
}).superRefine((fleet, ctx) => {
  const issue = (path: string, message: string) =>
    ctx.addIssue({ code: "custom", path: [path], message });
  if (fleet.pipelining > 1 && fleet.engine !== "raw") {
    issue(
      "pipelining",
      'pipelining needs engine: "raw" (fetch sends one request at a time on a connection)',
    );
  }
  if (fleet.pipelining > 1 && fleet.connections === "per-request") {
    issue("pipelining", 'pipelining needs connections that stay open: drop "per-request"');
  }
  if (fleet.engine === "raw" && fleet.timeout && !fleet.timeout.cancel) {
    issue(
      "timeout",
      'cancel: false (leaving a request running) needs engine: "fetch"; the raw engine\'s timeout closes the connection',
    );
  }
  if (fleet.engine === "raw" && fleet.sourceAddresses.length) {
    issue(
      "sourceAddresses",
      'the raw engine cannot choose a source address (Deno.connect has no local address): use engine: "fetch"',
    );
  }
  if (
    fleet.engine === "raw" &&
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
});

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
  servers: z.array(serverFleetSchema, { error: "expected an array of server fleets" }).min(1, {
    error: "expected at least one server fleet",
  }),
  clients: z.array(clientFleetSchema, { error: "expected an array of client fleets" }).min(1, {
    error: "expected at least one client fleet",
  }),
  assert: z.array(assertionSchema, { error: "expected an array of assertions" }).default([]),
});
