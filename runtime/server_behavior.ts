/**
 * Server behaviours: what each server of a fleet does with a request. A behaviour is plain data made
 * by these constructors, so it can be validated, printed in a report and (later) sent to a server
 * host process; `handler()` wraps the user's own code.
 *
 * @module
 */

import type { Duration } from "./duration.ts";

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

/** Latency of a {@linkcode delay} behaviour: fixed, or uniform between `min` and `max`. */
export type Latency = Duration | { min: Duration; max: Duration };

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

/** A behaviour made by {@linkcode hello}, {@linkcode delay} or {@linkcode handler}. */
export type Behavior = HelloBehavior | DelayBehavior | HandlerBehavior;

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
 * import { hello } from "./server_behavior.ts";
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
 * import { delay } from "./server_behavior.ts";
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
 * import { handler } from "./server_behavior.ts";
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
