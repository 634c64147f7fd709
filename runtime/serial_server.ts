/**
 * A server that handles connections one at a time, like seed 003's accept loop: accept a
 * connection, answer its requests until the client closes it, then accept the next. Its answer is
 * fixed (a `hello` response). It speaks just enough HTTP/1.1 for that: request line and headers,
 * a `Content-Length` body skipped, keep-alive.
 *
 * @module
 */

/** What the serial server answers. */
export interface SerialResponse {
  /** Status code. */
  status: number;
  /** Body. */
  body: string;
  /** Extra headers. */
  headers: Record<string, string>;
}

/** A running serial server. */
export interface SerialServer {
  /** Its port. */
  port: number;
  /** Closes the listener and the connection being served. */
  close(): Promise<void>;
}

/** Options for {@linkcode startSerialServer}. */
export interface SerialServerOptions {
  /** Address to bind. @default {"127.0.0.1"} */
  hostname?: string;
  /** Counters to update: requests received and answered. */
  counters: { received: number; responded: number };
}

const HEADER_END = new Uint8Array([13, 10, 13, 10]);

function indexOfSequence(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  outer: for (let i = from; i <= haystack.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/**
 * Starts a serial server on port 0.
 *
 * @param response What it answers.
 * @param options Address and counters.
 * @returns The server.
 *
 * @example
 * ```ts
 * import { startSerialServer } from "./serial_server.ts";
 * import assert from "node:assert/strict";
 *
 * const counters = { received: 0, responded: 0 };
 * const server = startSerialServer({ status: 200, body: "hi", headers: {} }, { counters });
 * const client = Deno.createHttpClient({});
 * assert.equal(await (await fetch(`http://127.0.0.1:${server.port}/`, { client })).text(), "hi");
 * client.close();
 * await server.close();
 * assert.equal(counters.responded, 1);
 * ```
 */
export function startSerialServer(
  response: SerialResponse,
  options: SerialServerOptions,
): SerialServer {
  const listener = Deno.listen({ hostname: options.hostname ?? "127.0.0.1", port: 0 });
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  const body = encoder.encode(response.body);
  const head = encoder.encode(
    `HTTP/1.1 ${response.status} OK\r\ncontent-length: ${body.length}\r\ncontent-type: text/plain\r\n${
      Object.entries(response.headers).map(([k, v]) => `${k}: ${v}\r\n`).join("")
    }\r\n`,
  );
  const answer = new Uint8Array(head.length + body.length);
  answer.set(head);
  answer.set(body, head.length);
  let current: Deno.Conn | null = null;
  let closed = false;

  async function serve(conn: Deno.Conn): Promise<void> {
    let buffered = new Uint8Array(0);
    const chunk = new Uint8Array(16 * 1024);
    for (;;) {
      const end = indexOfSequence(buffered, HEADER_END, 0);
      if (end >= 0) {
        const headers = decoder.decode(buffered.subarray(0, end));
        const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(headers)?.[1] ?? 0);
        if (buffered.length < end + 4 + length) {
          // the body is not all here yet: read more below
        } else {
          buffered = buffered.slice(end + 4 + length);
          options.counters.received++;
          await conn.write(answer);
          options.counters.responded++;
          continue;
        }
      }
      const n = await conn.read(chunk);
      if (n === null) return; // the client closed: next connection
      const grown = new Uint8Array(buffered.length + n);
      grown.set(buffered);
      grown.set(chunk.subarray(0, n), buffered.length);
      buffered = grown;
    }
  }

  const loop = (async () => {
    while (!closed) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch {
        return;
      }
      current = conn;
      try {
        await serve(conn);
      } catch {
        // a broken connection: go on with the next one
      } finally {
        current = null;
        try {
          conn.close();
        } catch { /* already closed */ }
      }
    }
  })();

  return {
    port: (listener.addr as Deno.NetAddr).port,
    async close() {
      closed = true;
      listener.close();
      try {
        current?.close();
      } catch { /* already closed */ }
      await loop;
    },
  };
}
