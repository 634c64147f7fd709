/**
 * One probe of an HTTP/1.1 server: a TCP connection and one `GET /`, bounded in time. It answers
 * "does this server still accept a connection and serve it", what a load cannot tell once its
 * errors have started (the accept loop of seed 000's servers, a `Deno.serve` after EMFILE).
 *
 * @module
 */

import { deadline, isTimeout } from "../units/deadline.ts";

/**
 * What one probe saw: a status, or why there was none and whether the TCP connection was made
 * (the kernel completed the handshake: the server may be alive and silent, or not accepting with
 * the connection in its backlog; either way it is not answering).
 */
export type HttpProbeResult =
  | { status: number; error: null }
  | { status: null; error: string; connected: boolean };

/**
 * Connects to `url`'s host and port and sends `GET /` (`Connection: close`); resolves with the
 * status line's code, or with why there was none (connect refused or reset, the connection closed
 * before a status, no status within `timeoutMs`). Never rejects.
 *
 * @param url `http://HOST:PORT/`.
 * @param options `timeoutMs`: the bound on the whole probe. @default {1000}
 * @returns The status, or the error.
 *
 * @example
 * ```ts
 * import { probeHttp } from "./http_probe.ts";
 * import assert from "node:assert/strict";
 *
 * const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => new Response("hi"));
 * assert.deepEqual(await probeHttp(`http://127.0.0.1:${server.addr.port}/`), { status: 200, error: null });
 * await server.shutdown();
 * ```
 */
export async function probeHttp(
  url: string,
  options: { timeoutMs?: number } = {},
): Promise<HttpProbeResult> {
  const timeoutMs = options.timeoutMs ?? 1000;
  const { hostname, port } = new URL(url);
  let conn: Deno.TcpConn | undefined;
  let done = false;
  let connected = false;
  const attempt = async (): Promise<HttpProbeResult> => {
    conn = await Deno.connect({ hostname, port: Number(port) });
    connected = true;
    if (done) conn.close(); // connected after the bound: the read below fails, unobserved
    const request = `GET / HTTP/1.1\r\nHost: ${hostname}:${port}\r\nConnection: close\r\n\r\n`;
    await conn.write(new TextEncoder().encode(request));
    const buffer = new Uint8Array(256);
    let head = "";
    while (!head.includes("\r\n")) {
      const n = await conn.read(buffer);
      if (n === null) {
        return { status: null, error: "the connection closed before a status line", connected };
      }
      head += new TextDecoder().decode(buffer.subarray(0, n));
    }
    const match = /^HTTP\/1\.[01] (\d{3})/.exec(head);
    return match ? { status: Number(match[1]), error: null } : {
      status: null,
      error: `not an HTTP status line: ${JSON.stringify(head.slice(0, 40))}`,
      connected,
    };
  };
  const running = attempt();
  running.catch(() => {}); // past the bound its failure is nobody's
  try {
    return await deadline(running, timeoutMs);
  } catch (error) {
    const why = isTimeout(error)
      ? connected
        ? `connected, but no status within ${timeoutMs}ms`
        : `no connection within ${timeoutMs}ms`
      : describe(error);
    return { status: null, error: why, connected };
  } finally {
    done = true;
    try {
      conn?.close();
    } catch { /* already closed */ }
  }
}

function describe(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  if (/os error 111|refused/i.test(text)) return "connection refused";
  if (/os error 104|reset/i.test(text)) return "connection reset";
  return text;
}
