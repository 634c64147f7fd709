/**
 * Starts a run's servers with `Deno.serve` on 127.0.0.1 and port 0, counts what each receives and
 * answers, and stops them within a bound.
 *
 * @module
 */

import { type AcceptGate, startAcceptGate } from "./accept_gate.ts";
import { createBehaviorHandler } from "./behavior_handler.ts";
import { type SerialServer, startSerialServer } from "./serial_server.ts";
import {
  type ConnectionStreams,
  DENO_SERVE_MAX_CONCURRENT_STREAMS,
  openConnectionStream,
} from "./connection_streams.ts";
import type { PlannedServer } from "../plan/plan.ts";
import { createRandom } from "../plan/random.ts";
import { deadline, isTimeout } from "../units/deadline.ts";

/** What starting a server needs of its plan (where it runs is the caller's business). */
export type ServerToStart = Pick<
  PlannedServer,
  "id" | "fleet" | "index" | "behavior" | "protocol" | "seed"
>;

/** Live counters of one server. */
export interface ServerCounters {
  /** Requests the handler received. */
  received: number;
  /** Responses the handler returned (or errors it turned into 500s). */
  responded: number;
  /** Handler failures answered with 500: it threw, rejected, or returned no `Response`. */
  handlerErrors: number;
  /** The first {@linkcode HANDLER_ERROR_MESSAGES_KEPT} failure messages, in order. */
  handlerErrorMessages: string[];
  /** Why the server stopped serving during the run (e.g. its accept loop hit EMFILE), or null. */
  failure: string | null;
  /**
   * Accepted connections its client had already closed (first read: EOF or reset, no byte), where
   * wedge holds the listener (`acceptSlowly`, `stopAccepting`); null elsewhere (not counted).
   */
  acceptedDead: number | null;
  /**
   * HTTP/2 servers only (null for HTTP/1.1). A stream is counted open from the handler's call until
   * its response has been sent or torn down: wedge sees requests, not protocol frames. Counted:
   * streams the client reset (gave up on), streams the server reset because its response body
   * failed after the headers went out (`closeMidBody`, `resetAfterHeaders`, a user body that
   * errors), open streams now, and the most ever open on one connection; by client port, each
   * connection's open, peak and oldest open stream (`connection_streams.ts`: the one count of
   * streams per connection), and the server's limit of concurrent streams per connection.
   */
  streams: {
    reset: number;
    resetByServer: number;
    open: number;
    peakOnOneConnection: number;
    connections: Map<number, ConnectionStreams>;
    maxConcurrent: number;
  } | null;
}

/**
 * Counters of a server that has seen nothing yet.
 *
 * @param protocol The server's protocol (HTTP/2 servers count streams too).
 * @returns Zeroed counters.
 *
 * @example
 * ```ts
 * import { newServerCounters } from "./fleet.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(newServerCounters("h1").streams, null);
 * ```
 */
export function newServerCounters(protocol: "h1" | "h2"): ServerCounters {
  return {
    received: 0,
    responded: 0,
    handlerErrors: 0,
    handlerErrorMessages: [],
    failure: null,
    acceptedDead: null,
    streams: protocol === "h2"
      ? {
        reset: 0,
        resetByServer: 0,
        open: 0,
        peakOnOneConnection: 0,
        connections: new Map(),
        maxConcurrent: DENO_SERVE_MAX_CONCURRENT_STREAMS,
      }
      : null,
  };
}

/** How many handler failure messages a server keeps (the first ones; the rest are counted). */
export const HANDLER_ERROR_MESSAGES_KEPT = 5;

/**
 * Counts a handler failure and keeps its message while fewer than
 * {@linkcode HANDLER_ERROR_MESSAGES_KEPT} are kept (each cut to 300 characters).
 *
 * @param counters The server's counters.
 * @param error What the handler threw, or a description of what it returned.
 *
 * @example
 * ```ts
 * import { countHandlerError, newServerCounters } from "./fleet.ts";
 * import assert from "node:assert/strict";
 *
 * const counters = newServerCounters("h1");
 * countHandlerError(counters, new TypeError("boom"));
 * assert.deepEqual([counters.handlerErrors, counters.handlerErrorMessages], [1, ["TypeError: boom"]]);
 * ```
 */
export function countHandlerError(counters: ServerCounters, error: unknown): void {
  counters.handlerErrors++;
  if (counters.handlerErrorMessages.length >= HANDLER_ERROR_MESSAGES_KEPT) return;
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  counters.handlerErrorMessages.push(text.length > 300 ? `${text.slice(0, 299)}…` : text);
}

/** What a handler returned that is not a `Response`, for the error message. */
function notAResponse(value: unknown): string {
  const what = value === null
    ? "null"
    : typeof value === "object"
    ? `an object (${(value as object).constructor?.name ?? "Object"})`
    : `${typeof value} ${JSON.stringify(value)?.slice(0, 60) ?? ""}`.trim();
  return `the handler returned ${what}, not a Response`;
}

/** How a stream ended: answered, reset by the client, or torn down after the handler answered. */
export type StreamEnd = "answered" | "reset" | "torn down";

/** Counts an HTTP/2 server's streams into its counters (see {@linkcode createStreamTracker}). */
export interface StreamTracker {
  /** Counts a stream opening on the connection of `clientPort`; returns its (once-only) end. */
  open(clientPort: number): (end: StreamEnd) => void;
  /** Counts a response body that failed after its headers went out (`Deno.serve`'s onError). */
  bodyFailed(): void;
}

/**
 * Counts HTTP/2 streams as `Deno.serve` lets a server see them: a stream opens with the handler's
 * call and ends when its response has been sent or torn down. A stream torn down after the handler
 * answered is the server's reset when its body failed (`Deno.serve` calls onError just before that
 * stream's `info.completed` rejects), the client's otherwise. Body failures are matched to
 * torn-down streams in order, so the totals are right even when two streams tear down at once.
 *
 * @param streams The server's stream counters (changed in place).
 * @returns The tracker.
 *
 * @example
 * ```ts
 * import { createStreamTracker, newServerCounters } from "./fleet.ts";
 * import assert from "node:assert/strict";
 *
 * const streams = newServerCounters("h2").streams!;
 * const tracker = createStreamTracker(streams);
 * const [a, b] = [tracker.open(50000), tracker.open(50000)];
 * tracker.bodyFailed();
 * a("torn down");
 * b("torn down");
 * assert.deepEqual([streams.resetByServer, streams.reset, streams.peakOnOneConnection], [1, 1, 2]);
 * ```
 */
export function createStreamTracker(
  streams: NonNullable<ServerCounters["streams"]>,
): StreamTracker {
  let failedBodies = 0;
  const open = (clientPort: number) => {
    const closeOnConnection = openConnectionStream(streams.connections, clientPort);
    streams.open++;
    streams.peakOnOneConnection = Math.max(
      streams.peakOnOneConnection,
      streams.connections.get(clientPort)!.open,
    );
    let settled = false;
    return (end: StreamEnd) => {
      if (settled) return;
      settled = true;
      closeOnConnection();
      streams.open--;
      if (end === "answered") return;
      if (end === "torn down" && failedBodies > 0) {
        failedBodies--;
        streams.resetByServer++;
      } else {
        streams.reset++;
      }
    };
  };
  const bodyFailed = () => {
    failedBodies++;
  };
  return { open, bodyFailed };
}

/**
 * Whether `Deno.serve` called onError because it refused the handler's Response (its TypeErrors
 * name "the serve handler": an error response, a used body, another realm's Response), rather
 * than because a response body failed after its headers went out.
 */
function refusedByServe(error: unknown): boolean {
  return error instanceof TypeError && /serve handler/.test(error.message);
}

/** Running servers. */
export interface ServerFleetHandle {
  /** Base URL of each server, by server id. */
  urls: string[];
  /** Live counters, by server id. */
  counters: ServerCounters[];
  /** The run's CA certificate (PEM) when any server speaks HTTP/2: clients trust it. */
  caCerts: string[];
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
 * import { startServerFleet } from "./fleet.ts";
 * import assert from "node:assert/strict";
 *
 * const fleet = await startServerFleet([{
 *   id: 0, fleet: "servers", index: 0, seed: 1, protocol: "h1",
 *   behavior: { kind: "hello", status: 200, body: "hi", headers: {} },
 * }]);
 * assert.equal(await (await fetch(fleet.urls[0])).text(), "hi");
 * await fleet.stop();
 * ```
 */
export async function startServerFleet(
  servers: readonly ServerToStart[],
  options: StartServerFleetOptions = {},
): Promise<ServerFleetHandle> {
  const hostname = options.hostname ?? "127.0.0.1";
  const shutdown = new AbortController();
  const shuttingDown = new Promise<Response>((resolve) =>
    shutdown.signal.addEventListener(
      "abort",
      () => resolve(new Response("wedge: the server is shutting down", { status: 503 })),
      { once: true },
    )
  );
  const counters = servers.map((s) => newServerCounters(s.protocol));
  // One CA and certificate per run, in memory only, when any server speaks HTTP/2 (the X.509
  // code, and the polyfill it needs, load only then).
  const tls = servers.some((s) => s.protocol === "h2")
    ? await (await import("./tls_material.ts")).createTlsMaterial()
    : null;
  const running: { name: string; server: Deno.HttpServer<Deno.NetAddr> }[] = [];
  const gates: AcceptGate[] = [];
  const serials: { name: string; server: SerialServer }[] = [];
  const urls: string[] = [];
  try {
    for (const planned of servers) {
      if (planned.behavior.kind === "serial") {
        const serialServer = startSerialServer(planned.behavior.answer, {
          hostname,
          counters: counters[planned.id],
        });
        serials.push({ name: `${planned.fleet}[${planned.index}]`, server: serialServer });
        urls[planned.id] = `http://${hostname}:${serialServer.port}/`;
        continue;
      }
      const handle = createBehaviorHandler(planned.behavior, {
        random: createRandom(planned.seed),
        signal: shutdown.signal,
      });
      const count = counters[planned.id];
      const streams = count.streams;
      const tracker = streams && createStreamTracker(streams);
      const failed = (error: unknown) => {
        countHandlerError(count, error);
        count.responded++;
        return new Response(`wedge: handler failed: ${error}`, { status: 500 });
      };
      const server = Deno.serve({
        hostname,
        port: 0,
        ...(tls && planned.protocol === "h2" ? { cert: tls.certPem, key: tls.keyPem } : {}),
        onListen() {},
        // Reached when a response body fails after its headers went out (closeMidBody,
        // resetAfterHeaders): the response was counted already; the HTTP/1.1 connection or the
        // HTTP/2 stream is reset (counted as the server's reset). Also when Deno refuses what
        // the handler returned (Response.error(), a used body): that stream is answered 500.
        onError: (error) => {
          if (!refusedByServe(error)) tracker?.bodyFailed();
          return new Response(null, { status: 500 });
        },
      }, (request, info) => {
        count.received++;
        // Set when the handler has answered (each path below answers exactly once); only the
        // HTTP/2 abort listener reads it.
        let handlerDone = false;
        if (tracker) {
          const settle = tracker.open(info.remoteAddr.port);
          // The body may go on after the handler answered: the stream ends with the response.
          info.completed.then(() => settle("answered"), () => settle("torn down"));
          // A reset while the handler still holds the request. (Deno also fires this signal when a
          // response completes normally; by then the handler has answered and it is ignored.)
          request.signal.addEventListener("abort", () => {
            if (!handlerDone) settle("reset");
          }, { once: true });
        }
        let response: Response | Promise<Response>;
        try {
          response = handle(request, info);
        } catch (error) {
          handlerDone = true;
          return failed(error);
        }
        if (response instanceof Response) {
          // Synchronous behaviours (hello) stay synchronous: no promise, no closure per request.
          handlerDone = true;
          count.responded++;
          return response;
        }
        if (typeof (response as { then?: unknown } | null)?.then !== "function") {
          handlerDone = true;
          return failed(notAResponse(response));
        }
        const settled = Promise.resolve(response).then((r) => {
          handlerDone = true;
          if (!(r instanceof Response)) return failed(notAResponse(r));
          count.responded++;
          return r;
        }, (error) => {
          handlerDone = true;
          return failed(error);
        });
        // A user handler that never answers must not keep the server (and the process) alive
        // once the run stops: at shutdown it is answered 503 in its place.
        return Promise.race([settled, shuttingDown]);
      });
      server.finished.catch((error) => {
        count.failure = error instanceof Error ? error.message : String(error);
        options.onServerFailure?.(planned.id, error);
      });
      running.push({ name: `${planned.fleet}[${planned.index}]`, server });
      let port = server.addr.port;
      const b = planned.behavior;
      if (b.kind === "stopAccepting" || b.kind === "acceptSlowly") {
        count.acceptedDead = 0;
        const gate = startAcceptGate(port, {
          hostname,
          ...(b.kind === "stopAccepting"
            ? { after: b.after }
            : { perSecond: b.perSecond, burst: b.burst }),
          onAcceptedDead: () => count.acceptedDead!++,
        });
        gates.push(gate);
        port = gate.port;
      }
      urls[planned.id] = `${planned.protocol === "h2" ? "https" : "http"}://${hostname}:${port}/`;
    }
  } catch (error) {
    shutdown.abort();
    await Promise.allSettled(gates.map((g) => g.close()));
    await Promise.allSettled(serials.map((s) => s.server.close()));
    await Promise.allSettled(running.map((r) => r.server.shutdown()));
    throw error;
  }

  let stopping: Promise<{ unstopped: string[] }> | undefined;
  function stop(stopOptions: { timeoutMs?: number } = {}) {
    stopping ??= stopAll(stopOptions);
    return stopping;
  }

  async function stopAll(stopOptions: { timeoutMs?: number }) {
    const timeoutMs = stopOptions.timeoutMs ?? 2000;
    shutdown.abort();
    const unstopped: string[] = [];
    const gatesClosed = await deadline(
      Promise.allSettled(gates.splice(0).map((g) => g.close())),
      timeoutMs,
    ).then(() => true, () => false);
    if (!gatesClosed) unstopped.push("an accept gate (stopAccepting, acceptSlowly)");
    await Promise.all(
      serials.splice(0).map(async ({ name, server }) => {
        const closed = await deadline(server.close(), timeoutMs).then(() => true, (error) => {
          if (isTimeout(error)) return false;
          throw error;
        });
        if (!closed) unstopped.push(name);
      }),
    );
    await Promise.all(running.map(async ({ name, server }) => {
      // A server whose accept loop already failed rejects here too: it is stopped either way.
      const closing = server.shutdown().catch(() => {});
      const closed = await deadline(closing, timeoutMs).then(() => true, () => false);
      if (!closed) unstopped.push(name);
    }));
    return { unstopped };
  }

  return { urls, counters, caCerts: tls ? [tls.caPem] : [], stop };
}
