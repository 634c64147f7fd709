/**
 * Turns a validated behaviour into a request handler. Every handler gets the server's shutdown
 * signal, so waits end when the run stops.
 *
 * @module
 */

import type { Random } from "./random.ts";
import type { ResolvedBehavior } from "./scenario_schema.ts";
import type { RequestHandler } from "./server_behavior.ts";

/** What a behaviour's handler may use. */
export interface BehaviorContext {
  /** The server's seeded random stream. */
  random: Random;
  /** Aborted when the server shuts down. */
  signal: AbortSignal;
}

/**
 * Resolves after `ms`, or at once when `signal` aborts (never rejects).
 *
 * @param ms Milliseconds.
 * @param signal Ends the wait early.
 * @returns A promise.
 *
 * @example
 * ```ts
 * import { sleep } from "./behavior_handler.ts";
 *
 * await sleep(1, new AbortController().signal);
 * ```
 */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/**
 * Creates the handler for a behaviour.
 *
 * @param behavior The validated behaviour.
 * @param context The server's random stream and shutdown signal.
 * @returns A `Deno.serve` handler.
 *
 * @example
 * ```ts
 * import { createBehaviorHandler } from "./behavior_handler.ts";
 * import assert from "node:assert/strict";
 *
 * const handle = createBehaviorHandler(
 *   { kind: "hello", status: 200, body: "Hello, World!", headers: {} },
 *   { random: Math.random, signal: new AbortController().signal },
 * );
 * const response = await handle(new Request("http://x/"), {} as Deno.ServeHandlerInfo<Deno.NetAddr>);
 * assert.equal(await response.text(), "Hello, World!");
 * ```
 */
export function createBehaviorHandler(
  behavior: ResolvedBehavior,
  context: BehaviorContext,
): RequestHandler {
  switch (behavior.kind) {
    case "hello": {
      const { status, body, headers } = behavior;
      const init: ResponseInit = { status, headers };
      return () => new Response(body, init);
    }
    case "delay": {
      const inner = createBehaviorHandler(behavior.then, context);
      const { minMs, maxMs } = behavior;
      return async (request, info) => {
        const ms = minMs === maxMs ? minMs : minMs + (maxMs - minMs) * context.random();
        await sleep(ms, context.signal);
        return inner(request, info);
      };
    }
    case "handler":
      return behavior.fetch;
  }
}

/**
 * Describes a behaviour in a few words, for reports.
 *
 * @param behavior The validated behaviour.
 * @returns E.g. `delay 5ms..20ms, then hello 200`.
 *
 * @example
 * ```ts
 * import { describeBehavior } from "./behavior_handler.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(describeBehavior({ kind: "hello", status: 200, body: "", headers: {} }), "hello 200");
 * ```
 */
export function describeBehavior(behavior: ResolvedBehavior): string {
  switch (behavior.kind) {
    case "hello":
      return `hello ${behavior.status}`;
    case "delay": {
      const latency = behavior.minMs === behavior.maxMs
        ? `${behavior.minMs}ms`
        : `${behavior.minMs}ms..${behavior.maxMs}ms`;
      return `delay ${latency}, then ${describeBehavior(behavior.then)}`;
    }
    case "handler":
      return "user handler";
  }
}
