/**
 * Turns a validated behaviour into a request handler. Every handler gets the server's shutdown
 * signal, so waits end when the run stops.
 *
 * @module
 */

import type { Random } from "../plan/random.ts";
import type { ResolvedBehavior, ResolvedSelector } from "../scenario/schema.ts";
import type { RequestHandler } from "../scenario/behaviors.ts";

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
      const { minMs, maxMs, meanMs } = behavior;
      const draw = meanMs !== null
        ? () => -meanMs * Math.log(1 - context.random())
        : minMs === maxMs
        ? () => minMs
        : () => minMs + (maxMs - minMs) * context.random();
      return async (request, info) => {
        await sleep(draw(), context.signal);
        return inner(request, info);
      };
    }
    case "handler":
      return behavior.fetch;
    case "hang": {
      const inner = createBehaviorHandler(behavior.then, context);
      const selected = createSelector(behavior.select, context.random);
      return async (request, info) => {
        if (!selected()) return inner(request, info);
        await untilAborted(context.signal);
        return new Response("wedge: the server is shutting down", { status: 503 });
      };
    }
    case "closeMidBody": {
      const inner = createBehaviorHandler(behavior.then, context);
      const selected = createSelector(behavior.select, context.random);
      const half = new Uint8Array(Math.floor(behavior.bodyBytes / 2)).fill(120);
      const headers = { "content-length": String(behavior.bodyBytes) };
      return (request, info) => {
        if (!selected()) return inner(request, info);
        return new Response(brokenBody(half), { headers });
      };
    }
    case "resetAfterHeaders": {
      const inner = createBehaviorHandler(behavior.then, context);
      const selected = createSelector(behavior.select, context.random);
      const headers = { "content-length": "1024" };
      return (request, info) => {
        if (!selected()) return inner(request, info);
        return new Response(brokenBody(null), { headers });
      };
    }
    case "slowBody": {
      const { bytesPerSecond, bodyBytes } = behavior;
      const headers = { "content-length": String(bodyBytes) };
      return () => new Response(slowStream(bodyBytes, bytesPerSecond, context.signal), { headers });
    }
    case "stopAccepting":
    case "acceptSlowly":
      // The listener gate is the server fleet's job; requests on accepted connections go on.
      return createBehaviorHandler(behavior.then, context);
    case "serial":
      // Served by the serial server's own loop (servers/fleet.ts); as a handler it is its answer.
      return createBehaviorHandler(behavior.answer, context);
    case "leak": {
      const inner = createBehaviorHandler(behavior.then, context);
      const size = behavior.bytesPerRequest;
      // Kept for as long as the handler lives (the server's life); filled so the pages are
      // resident, as a real leak's would be.
      const kept: Uint8Array[] = [];
      return (request, info) => {
        kept.push(new Uint8Array(size).fill(1));
        return inner(request, info);
      };
    }
    case "command":
    case "external":
      throw new Error(
        "a command or external server is a process of its own: wedge has no handler for it",
      );
  }
}

/**
 * Decides, request by request, whether a fault applies: every Nth, after the first N, with a
 * probability; all given conditions must hold.
 *
 * @param select The conditions.
 * @param random The server's seeded random stream.
 * @returns A function called once per request.
 *
 * @example
 * ```ts
 * import { createSelector } from "./behavior_handler.ts";
 * import assert from "node:assert/strict";
 *
 * const every3 = createSelector({ every: 3 }, Math.random);
 * assert.deepEqual([1, 2, 3, 4, 5, 6].map(() => every3()), [false, false, true, false, false, true]);
 * ```
 */
export function createSelector(select: ResolvedSelector, random: Random): () => boolean {
  let n = 0;
  return () => {
    n++;
    if (select.every !== undefined && (select.every === 0 || n % select.every !== 0)) return false;
    if (select.after !== undefined && n <= select.after) return false;
    if (select.probability !== undefined && !(random() < select.probability)) return false;
    return true;
  };
}

function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) =>
    signal.addEventListener("abort", () => resolve(), { once: true })
  );
}

function brokenBody(part: Uint8Array | null): ReadableStream<Uint8Array> {
  let sent = part === null;
  return new ReadableStream({
    // Send the part first, and break only when the server asks for more: erroring a stream
    // discards whatever is still queued in it.
    pull(controller) {
      if (!sent) {
        sent = true;
        controller.enqueue(part!);
        return;
      }
      controller.error(new Error("wedge: connection broken on purpose"));
    },
  });
}

function slowStream(
  total: number,
  bytesPerSecond: number,
  signal: AbortSignal,
): ReadableStream<Uint8Array> {
  const chunk = Math.max(1, Math.min(total, Math.round(bytesPerSecond / 20)));
  const intervalMs = (chunk / bytesPerSecond) * 1000;
  let sent = 0;
  return new ReadableStream({
    cancel() {
      sent = total;
    },
    async pull(controller) {
      if (sent >= total) {
        controller.close();
        return;
      }
      await sleep(intervalMs, signal);
      if (signal.aborted) {
        controller.error(new Error("wedge: the server is shutting down"));
        return;
      }
      const size = Math.min(chunk, total - sent);
      controller.enqueue(new Uint8Array(size).fill(120));
      sent += size;
    },
  });
}
