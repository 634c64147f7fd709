/**
 * Server behaviours: what each server of a fleet does with a request. A behaviour is plain data made
 * by these constructors, so it can be validated, printed in a report and (later) sent to a server
 * host process; `handler()` wraps the user's own code.
 *
 * @module
 */

import type { ByteSize } from "../units/byte_size.ts";
import type { Duration } from "../units/duration.ts";

/** The text the seeds' servers answer with. */
export const HELLO_BODY = "Hello, World!";

/** Options for {@linkcode hello}. */
export interface HelloOptions {
  /** Response status. @default {200} */
  status?: number;
  /** Response body. @default {"Hello, World!"} */
  body?: string;
  /** Extra response headers. @default {{}} */
  headers?: Record<string, string>;
}

/** A server that answers every request at once with a fixed response. */
export interface HelloBehavior {
  /** Discriminant. */
  kind: "hello";
  /** Response status. */
  status: number;
  /** Response body. */
  body: string;
  /** Response headers. */
  headers: Record<string, string>;
}

/**
 * Latency of a {@linkcode delay} behaviour: fixed, uniform between `min` and `max`, or exponential
 * with the given mean (a long tail), drawn from the run's seed.
 */
export type Latency = Duration | { min: Duration; max: Duration } | { exponential: Duration };

/** Options for {@linkcode delay}. */
export interface DelayOptions {
  /** What the server does once the delay has passed. @default {hello()} */
  then?: BehaviorInput;
}

/** A server that waits before handing the request to another behaviour. */
export interface DelayBehavior {
  /** Discriminant. */
  kind: "delay";
  /** Latency as written (validated by the scenario schema). */
  latency: Latency;
  /** What happens after the wait. */
  then: BehaviorInput;
}

/** Anything with a web-standard `fetch(request)` method, such as a Hono app. */
export interface FetchApp {
  /** Handles one request. */
  fetch(request: Request, ...rest: never[]): Response | Promise<Response>;
}

/** A request handler as `Deno.serve` takes it. */
export type RequestHandler = (
  request: Request,
  info: Deno.ServeHandlerInfo<Deno.NetAddr>,
) => Response | Promise<Response>;

/** A server that runs the user's own handler or Hono app. */
export interface HandlerBehavior {
  /** Discriminant. */
  kind: "handler";
  /** The handler. */
  fetch: RequestHandler;
}

/**
 * Which requests a fault applies to, counted per server (request n = 1, 2, ...). Given conditions
 * must all hold; none given means every request.
 */
export interface FaultSelector {
  /** Every Nth request (n % every === 0); `0` means never. */
  every?: number;
  /** Only requests after the first N. */
  after?: number;
  /** With this probability (0-1), drawn from the run's seed. */
  probability?: number;
}

/** Options of a fault that passes the other requests on. */
export interface FaultOptions extends FaultSelector {
  /** What the server does with requests the fault does not select. @default {hello()} */
  then?: BehaviorInput;
}

/** Never answers the selected requests (until the server shuts down). */
export interface HangBehavior {
  /** Discriminant. */
  kind: "hang";
  /** Selected requests. */
  select: FaultSelector;
  /** The rest. */
  then: BehaviorInput;
}

/** Sends headers and half the body of the selected requests, then breaks the connection. */
export interface CloseMidBodyBehavior {
  /** Discriminant. */
  kind: "closeMidBody";
  /** Selected requests. */
  select: FaultSelector;
  /** Declared body length (Content-Length); half of it is sent. */
  bodyBytes: number;
  /** The rest. */
  then: BehaviorInput;
}

/** Sends the headers of the selected requests, then breaks the connection before any body byte. */
export interface ResetAfterHeadersBehavior {
  /** Discriminant. */
  kind: "resetAfterHeaders";
  /** Selected requests. */
  select: FaultSelector;
  /** The rest. */
  then: BehaviorInput;
}

/** Answers with a body sent at a fixed rate. */
export interface SlowBodyBehavior {
  /** Discriminant. */
  kind: "slowBody";
  /** Body bytes per second. */
  bytesPerSecond: number;
  /** Body length. */
  bodyBytes: number;
}

/** Accepts N connections, then stops calling accept(): later connections wait in the backlog. */
export interface StopAcceptingBehavior {
  /** Discriminant. */
  kind: "stopAccepting";
  /** Connections accepted before the server stops accepting. */
  after: number;
  /** What the server does with requests on accepted connections. */
  then: BehaviorInput;
}

/**
 * Accepts at most `perSecond` connections a second (after a first `burst`): the others wait in
 * the kernel's backlog. `perSecond` 0 accepts as fast as it can (normal accept).
 */
export interface AcceptSlowlyBehavior {
  /** Discriminant. */
  kind: "acceptSlowly";
  /** Connections accepted per second; 0 for no limit. */
  perSecond: number;
  /** Connections accepted at once before the rate applies. */
  burst: number;
  /** What the server does with requests on accepted connections. */
  then: BehaviorInput;
}

/** Handles connections one at a time: accept, answer until the client closes, next. */
export interface SerialBehavior {
  /** Discriminant. */
  kind: "serial";
  /** The fixed answer. */
  answer: HelloBehavior;
}

/** Keeps memory for every request, on purpose, for as long as the server lives. */
export interface LeakBehavior {
  /** Discriminant. */
  kind: "leak";
  /** Bytes kept per request (`4096`, `"4KiB"`). */
  bytesPerRequest: ByteSize;
  /** What answers the request. */
  then: BehaviorInput;
}

/** A different behaviour per server of a fleet, by index. */
export interface PerServerBehavior {
  /** Discriminant. */
  kind: "perServer";
  /** Behaviour of server `index` of the fleet. */
  pick: (index: number) => BehaviorInput;
}

/** A behaviour made by one of this module's constructors. */
export type Behavior =
  | HelloBehavior
  | DelayBehavior
  | HandlerBehavior
  | HangBehavior
  | CloseMidBodyBehavior
  | ResetAfterHeadersBehavior
  | SlowBodyBehavior
  | StopAcceptingBehavior
  | AcceptSlowlyBehavior
  | SerialBehavior
  | LeakBehavior
  | PerServerBehavior;

/** What a fleet's `behavior` field accepts: a behaviour, a handler function or a Hono app. */
export type BehaviorInput = Behavior | RequestHandler | FetchApp;

/**
 * Answers every request at once, by default with 200 "Hello, World!" like the seeds' servers.
 *
 * @param options Status, body and headers of the response.
 * @returns The behaviour.
 *
 * @example A fleet of 10 hello servers
 * ```ts
 * import { hello } from "./behaviors.ts";
 *
 * const servers = [{ count: 10, behavior: hello() }];
 * ```
 */
export function hello(options: HelloOptions = {}): HelloBehavior {
  return {
    kind: "hello",
    status: options.status ?? 200,
    body: options.body ?? HELLO_BODY,
    headers: options.headers ?? {},
  };
}

/**
 * Waits before answering: a fixed latency (`"20ms"`) or one drawn uniformly from a range
 * (`{ min: "5ms", max: "50ms" }`, seeded by the run's `--seed`).
 *
 * @param latency The wait.
 * @param options What to do after the wait (default: {@linkcode hello}).
 * @returns The behaviour.
 *
 * @example A slow fleet
 * ```ts
 * import { delay } from "./behaviors.ts";
 *
 * const servers = [{ count: 2, behavior: delay({ min: "5ms", max: "20ms" }) }];
 * ```
 */
export function delay(latency: Latency, options: DelayOptions = {}): DelayBehavior {
  return { kind: "delay", latency, then: options.then ?? hello() };
}

/**
 * Serves the user's own code: a `Deno.serve` handler or anything with a `fetch` method (a Hono app).
 *
 * @param app The handler or app.
 * @returns The behaviour.
 *
 * @example A Hono app as a server fleet
 * ```ts
 * import { Hono } from "hono";
 * import { handler } from "./behaviors.ts";
 *
 * const app = new Hono().get("/", (c) => c.text("ok"));
 * const servers = [{ count: 1, behavior: handler(app) }];
 * ```
 */
export function handler(app: RequestHandler | FetchApp): HandlerBehavior {
  const fetch: RequestHandler = typeof app === "function"
    ? app
    : (request, info) => (app.fetch as (r: Request, i: unknown) => Response)(request, info);
  return { kind: "handler", fetch };
}

function selectorOf(options: FaultSelector): FaultSelector {
  const select: FaultSelector = {};
  if (options.every !== undefined) select.every = options.every;
  if (options.after !== undefined) select.after = options.after;
  if (options.probability !== undefined) select.probability = options.probability;
  return select;
}

/**
 * Never answers the selected requests: the request is held until the server shuts down. The
 * "server that hangs" of seed 000's diagnosis and seed 004's stuck streams.
 *
 * @param options Which requests (`every`, `after`, `probability`) and what to do with the rest.
 * @returns The behaviour.
 *
 * @example One server in 40 hangs every 100th request
 * ```ts
 * import { hang, hello, perServer } from "./behaviors.ts";
 *
 * const servers = [{
 *   count: 40,
 *   behavior: perServer((i) => (i === 0 ? hang({ every: 100 }) : hello())),
 * }];
 * ```
 */
export function hang(options: FaultOptions = {}): HangBehavior {
  return { kind: "hang", select: selectorOf(options), then: options.then ?? hello() };
}

/**
 * Sends the headers (with a Content-Length of `bodyBytes`) and half the body of the selected
 * requests, then breaks the connection.
 *
 * @param options Which requests, the declared body length, and what to do with the rest.
 * @returns The behaviour.
 *
 * @example
 * ```ts
 * import { closeMidBody } from "./behaviors.ts";
 *
 * const servers = [{ behavior: closeMidBody({ every: 10, bodyBytes: 4096 }) }];
 * ```
 */
export function closeMidBody(
  options: FaultOptions & { bodyBytes?: number } = {},
): CloseMidBodyBehavior {
  return {
    kind: "closeMidBody",
    select: selectorOf(options),
    bodyBytes: options.bodyBytes ?? 1024,
    then: options.then ?? hello(),
  };
}

/**
 * Sends the headers of the selected requests, then breaks the connection before any body byte.
 *
 * @param options Which requests, and what to do with the rest.
 * @returns The behaviour.
 *
 * @example
 * ```ts
 * import { resetAfterHeaders } from "./behaviors.ts";
 *
 * const servers = [{ behavior: resetAfterHeaders({ probability: 0.01 }) }];
 * ```
 */
export function resetAfterHeaders(options: FaultOptions = {}): ResetAfterHeadersBehavior {
  return { kind: "resetAfterHeaders", select: selectorOf(options), then: options.then ?? hello() };
}

/**
 * Answers every request with a body of `bodyBytes` sent at `bytesPerSecond`.
 *
 * @param options Rate and size of the body.
 * @returns The behaviour.
 *
 * @example A 10 KiB body at 1 KiB/s: each response takes about 10 s
 * ```ts
 * import { slowBody } from "./behaviors.ts";
 *
 * const servers = [{ behavior: slowBody({ bytesPerSecond: 1024, bodyBytes: 10 * 1024 }) }];
 * ```
 */
export function slowBody(
  options: { bytesPerSecond: number; bodyBytes?: number },
): SlowBodyBehavior {
  return {
    kind: "slowBody",
    bytesPerSecond: options.bytesPerSecond,
    bodyBytes: options.bodyBytes ?? 1024,
  };
}

/**
 * Accepts `after` connections, then stops calling accept() while its port stays open: later
 * connections complete the TCP handshake and wait in the kernel's backlog, never served (seed 000's
 * servers after an accept error; seed 001's listener). Must be a fleet's outermost behaviour.
 *
 * @param options How many connections to accept, and what to do with their requests.
 * @returns The behaviour.
 *
 * @example
 * ```ts
 * import { stopAccepting } from "./behaviors.ts";
 *
 * const servers = [{ behavior: stopAccepting({ after: 100 }) }];
 * ```
 */
export function stopAccepting(
  options: { after: number; then?: BehaviorInput },
): StopAcceptingBehavior {
  return { kind: "stopAccepting", after: options.after, then: options.then ?? hello() };
}

/**
 * Accepts connections slowly: at most `perSecond` a second after a first `burst`, so the others
 * wait in the kernel's backlog (an accept loop that falls behind, as seed 001's edge-triggered
 * listener that accepted one connection per wake-up). A client that gives up meanwhile closes a
 * connection the server accepts later: the server counts those (`acceptedDead`: the first read
 * gives EOF or a reset before any byte). `perSecond: 0` accepts as fast as it can, still counting.
 * Must be a fleet's outermost behaviour.
 *
 * @param options The rate, the burst (default 1) and what to do with requests.
 * @returns The behaviour.
 *
 * @example
 * ```ts
 * import { acceptSlowly } from "./behaviors.ts";
 *
 * const servers = [{ behavior: acceptSlowly({ perSecond: 2, burst: 1 }) }];
 * ```
 */
export function acceptSlowly(
  options: { perSecond: number; burst?: number; then?: BehaviorInput },
): AcceptSlowlyBehavior {
  return {
    kind: "acceptSlowly",
    perSecond: options.perSecond,
    burst: options.burst ?? 1,
    then: options.then ?? hello(),
  };
}

/**
 * Gives each server of a fleet its own behaviour, by index: one bad server among many.
 *
 * @param pick Behaviour of server `index` (0-based) of the fleet.
 * @returns The behaviour.
 *
 * @example The first of 40 servers stops accepting after 50 connections
 * ```ts
 * import { hello, perServer, stopAccepting } from "./behaviors.ts";
 *
 * const servers = [{
 *   count: 40,
 *   behavior: perServer((i) => (i === 0 ? stopAccepting({ after: 50 }) : hello())),
 * }];
 * ```
 */
export function perServer(pick: (index: number) => BehaviorInput): PerServerBehavior {
  return { kind: "perServer", pick };
}

/**
 * Handles connections one at a time, like seed 003's server (`loop { accept; handle; }`): accept a
 * connection, answer every request on it with a fixed hello response until the client closes it,
 * then accept the next. Other connections wait in the kernel's backlog meanwhile. Listener-level,
 * so it is a fleet's whole behaviour; it is served by wedge's own minimal HTTP/1.1 loop, not by
 * `Deno.serve`.
 *
 * @param options The fixed answer (as {@linkcode hello} takes it).
 * @returns The behaviour.
 *
 * @example
 * ```ts
 * import { serial } from "./behaviors.ts";
 *
 * const servers = [{ behavior: serial() }];
 * ```
 */
export function serial(options: HelloOptions = {}): SerialBehavior {
  return { kind: "serial", answer: hello(options) };
}

/**
 * Leaks on purpose: keeps `bytesPerRequest` bytes (written, so they are resident) for every request
 * until the server stops, then answers as `then` does. A known leak to check that a memory verdict
 * catches one (seed 002's question: is it a leak?).
 *
 * @param bytesPerRequest Bytes kept per request, e.g. `4096` or `"4KiB"`.
 * @param options What answers the request.
 * @returns The behaviour.
 *
 * @example
 * ```ts
 * import { leak } from "./behaviors.ts";
 *
 * const servers = [{ behavior: leak("4KiB") }];
 * ```
 */
export function leak(
  bytesPerRequest: ByteSize,
  options: { then?: BehaviorInput } = {},
): LeakBehavior {
  return { kind: "leak", bytesPerRequest, then: options.then ?? hello() };
}
