/**
 * The probe phase after a load: every server is probed (a TCP connect and one `GET /`,
 * `system/http_probe.ts`) until one probe is answered or the bound runs out, so that a report says
 * whether each server still accepts once the load eased, and after how long. Asked for by an
 * assertion's `watch.probe` (`serversStayAccepting()`).
 *
 * @module
 */

import type { AcceptProbeReport } from "../report/types.ts";
import { type HttpProbeResult, probeHttp } from "../system/http_probe.ts";
import { readSocketCensus } from "../system/socket_census.ts";
import { delay } from "../units/deadline.ts";

/**
 * A probe that connected and got no status: was its connection taken from the listener's accept
 * queue? With connections waiting there, the server is not accepting (a connect completes in the
 * kernel's backlog); otherwise it accepts and does not answer. Unknown (no census): as it was.
 */
async function unaccepted(
  url: string,
  failed: Extract<HttpProbeResult, { status: null }>,
): Promise<[string, boolean]> {
  if (!failed.connected) return [failed.error, false];
  const port = Number(new URL(url).port);
  const queued = (await readSocketCensus(new Set([port])))?.ports[port]?.acceptQueue ?? 0;
  return queued > 0
    ? [
      `${failed.error}, ${queued} connection${queued === 1 ? "" : "s"} left in its accept queue`,
      false,
    ]
    : [failed.error, true];
}

/** Options for {@linkcode probeServers}. */
export interface ProbeServersOptions {
  /** Probes per server at most. @default {5} */
  attempts?: number;
  /** Time between the starts of two probes of a server, ms. @default {500} */
  intervalMs?: number;
  /** Bound on one probe, ms. @default {1000} */
  timeoutMs?: number;
}

/**
 * Probes each server (all at once) until it answers or its probes run out.
 *
 * @param urls The servers' base URLs (HTTP/1.1 in clear; others get null).
 * @param options Attempts, interval and per-probe bound.
 * @returns Each server's probe report, in the order given (null for one not probed: HTTPS).
 *
 * @example
 * ```ts
 * import { probeServers } from "./accept_probe.ts";
 * import assert from "node:assert/strict";
 *
 * const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => new Response("hi"));
 * const [probe] = await probeServers([`http://127.0.0.1:${server.addr.port}/`]);
 * assert.equal(probe?.status, 200);
 * assert.equal(probe?.attempts, 1);
 * await server.shutdown();
 * ```
 */
export function probeServers(
  urls: readonly string[],
  options: ProbeServersOptions = {},
): Promise<(AcceptProbeReport | null)[]> {
  const attempts = options.attempts ?? 5;
  const intervalMs = options.intervalMs ?? 500;
  const timeoutMs = options.timeoutMs ?? 1000;
  // A probe that hangs takes its whole timeout, and the next starts no sooner than the interval.
  const boundMs = (attempts - 1) * Math.max(intervalMs, timeoutMs) + timeoutMs;
  return Promise.all(urls.map(async (url) => {
    if (!url.startsWith("http://")) return null;
    const startMs = performance.now();
    let lastError: string | null = null;
    let lastConnected: boolean | null = null;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const result = await probeHttp(url, { timeoutMs });
      if (result.status !== null) {
        const answeredAfterMs = Math.round(performance.now() - startMs);
        return {
          attempts: attempt,
          answeredAfterMs,
          status: result.status,
          lastError,
          lastConnected,
          boundMs,
        };
      }
      [lastError, lastConnected] = await unaccepted(url, result);
      const next = startMs + attempt * intervalMs - performance.now();
      if (attempt < attempts && next > 0) await delay(next);
    }
    return { attempts, answeredAfterMs: null, status: null, lastError, lastConnected, boundMs };
  }));
}
