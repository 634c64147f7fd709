/**
 * Starts a run's servers with `Deno.serve` on 127.0.0.1 and port 0, counts what each receives and
 * answers, and stops them within a bound.
 *
 * @module
 */

import { createBehaviorHandler } from "./behavior_handler.ts";
import type { PlannedServer } from "./plan.ts";
import { createRandom } from "./random.ts";

/** Live counters of one server. */
export interface ServerCounters {
  /** Requests the handler received. */
  received: number;
  /** Responses the handler returned (or errors it turned into 500s). */
  responded: number;
  /** Handler exceptions (answered with 500). */
  handlerErrors: number;
  /** Why the server stopped serving during the run (e.g. its accept loop hit EMFILE), or null. */
  failure: string | null;
}

/** Running servers. */
export interface ServerFleetHandle {
  /** Base URL of each server, by server id. */
  urls: string[];
  /** Live counters, by server id. */
  counters: ServerCounters[];
  /**
   * Shuts every server down: ends behaviour waits, closes listeners and waits for in-flight
   * requests, each server for at most `timeoutMs`.
   *
   * @returns The servers that did not finish in time, as `fleet[index]` names.
   */
  stop(options?: { timeoutMs?: number }): Promise<{ unstopped: string[] }>;
}

/** Options for {@linkcode startServerFleet}. */
export interface StartServerFleetOptions {
  /** Address to bind. @default {"127.0.0.1"} */
  hostname?: string;
  /**
   * Called when a server stops serving on its own, e.g. when `Deno.serve`'s accept loop fails with
   * "Too many open files" (which would otherwise be an uncaught error that ends the process).
   * @default {undefined}
   */
  onServerFailure?: (serverId: number, error: unknown) => void;
}

/**
 * Starts the planned servers and resolves once every one listens.
 *
 * @param servers The planned servers.
 * @param options The address to bind.
 * @returns Their URLs, counters and a bounded stop.
 *
 * @example
 * ```ts
 * import { startServerFleet } from "./server_fleet.ts";
 * import assert from "node:assert/strict";
 *
 * const fleet = await startServerFleet([{
 *   id: 0, fleet: "servers", index: 0, seed: 1,
 *   behavior: { kind: "hello", status: 200, body: "hi", headers: {} },
 * }]);
 * assert.equal(await (await fetch(fleet.urls[0])).text(), "hi");
 * await fleet.stop();
 * ```
 */
export async function startServerFleet(
  servers: readonly PlannedServer[],
  options: StartServerFleetOptions = {},
): Promise<ServerFleetHandle> {
  const hostname = options.hostname ?? "127.0.0.1";
  const shutdown = new AbortController();
  const counters: ServerCounters[] = servers.map(() => ({
    received: 0,
    responded: 0,
    handlerErrors: 0,
    failure: null,
  }));
  const running: { name: string; server: Deno.HttpServer<Deno.NetAddr> }[] = [];
  const urls: string[] = [];
  try {
    for (const planned of servers) {
      const handle = createBehaviorHandler(planned.behavior, {
        random: createRandom(planned.seed),
        signal: shutdown.signal,
      });
      const count = counters[planned.id];
      const server = Deno.serve({
        hostname,
        port: 0,
        onListen() {},
        onError(error) {
          count.handlerErrors++;
          count.responded++;
          return new Response(`wedge: handler failed: ${error}`, { status: 500 });
        },
      }, (request, info) => {
        count.received++;
        const response = handle(request, info);
        if (response instanceof Response) {
          // Synchronous behaviours (hello) stay synchronous: no promise per request.
          count.responded++;
          return response;
        }
        return response.then((r) => {
          count.responded++;
          return r;
        });
      });
      server.finished.catch((error) => {
        count.failure = error instanceof Error ? error.message : String(error);
        options.onServerFailure?.(planned.id, error);
      });
      running.push({ name: `${planned.fleet}[${planned.index}]`, server });
      urls[planned.id] = `http://${hostname}:${server.addr.port}/`;
    }
  } catch (error) {
    shutdown.abort();
    await Promise.allSettled(running.map((r) => r.server.shutdown()));
    throw error;
  }

  async function stop(stopOptions: { timeoutMs?: number } = {}) {
    const timeoutMs = stopOptions.timeoutMs ?? 2000;
    shutdown.abort();
    const unstopped: string[] = [];
    await Promise.all(running.map(async ({ name, server }) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timedOut = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), timeoutMs);
      });
      // A server whose accept loop already failed rejects here too: it is stopped either way.
      const closing = server.shutdown().then(() => "done" as const, () => "done" as const);
      const result = await Promise.race([closing, timedOut]);
      clearTimeout(timer);
      if (result === "timeout") unstopped.push(name);
    }));
    return { unstopped };
  }

  return { urls, counters, stop };
}
