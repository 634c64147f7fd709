/**
 * The shapes of server behaviours: plain data, validated by `behavior_schema.ts`, made by the
 * constructors in `behaviors.ts` (which re-exports these types).
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
