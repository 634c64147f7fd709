/**
 * Server behaviours: what each server of a fleet does with a request. A behaviour is plain data made
 * by these constructors, so it can be validated, printed in a report and (later) sent to a server
 * host process; `handler()` wraps the user's own code.
 *
 * @module
 */

import type { ByteSize } from "../units/byte_size.ts";
import { checkOptions } from "./_options.ts";
import { HELLO_BODY } from "./behavior_types.ts";
import type {
  AcceptSlowlyBehavior,
  BehaviorInput,
  CloseMidBodyBehavior,
  DelayBehavior,
  DelayOptions,
  FaultOptions,
  FaultSelector,
  FetchApp,
  HandlerBehavior,
  HangBehavior,
  HelloBehavior,
  HelloOptions,
  Latency,
  LeakBehavior,
  PerServerBehavior,
  RequestHandler,
  ResetAfterHeadersBehavior,
  SerialBehavior,
  SlowBodyBehavior,
  StopAcceptingBehavior,
} from "./behavior_types.ts";

export * from "./behavior_types.ts";

const HELLO_OPTIONS = ["status", "body", "headers"] as const;
const FAULT_OPTIONS = ["every", "after", "probability", "then"] as const;

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
  checkOptions(options, { call: "hello", known: HELLO_OPTIONS });
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
  checkOptions(options, { call: "delay", known: ["then"] });
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
  checkOptions(options, { call: "hang", known: FAULT_OPTIONS });
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
  checkOptions(options, { call: "closeMidBody", known: [...FAULT_OPTIONS, "bodyBytes"] });
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
  checkOptions(options, { call: "resetAfterHeaders", known: FAULT_OPTIONS });
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
  checkOptions(options, {
    call: "slowBody",
    known: ["bytesPerSecond", "bodyBytes"],
    required: true,
  });
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
  checkOptions(options, { call: "stopAccepting", known: ["after", "then"], required: true });
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
  checkOptions(options, {
    call: "acceptSlowly",
    known: ["perSecond", "burst", "then"],
    required: true,
  });
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
  checkOptions(options, { call: "serial", known: HELLO_OPTIONS });
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
  checkOptions(options, { call: "leak", known: ["then"] });
  return { kind: "leak", bytesPerRequest, then: options.then ?? hello() };
}
