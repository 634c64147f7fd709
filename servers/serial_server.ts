/**
 * A server that handles connections one at a time, like seed 003's accept loop: accept a
 * connection, answer its requests until the client closes it (or asks to), then accept the next.
 * Its answer is fixed (a `hello` response). It speaks enough HTTP/1.1 for load tests: request line
 * and headers, `Content-Length` and chunked request bodies skipped, HEAD without a body,
 * `Connection: close` and HTTP/1.0 honoured, keep-alive otherwise.
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

const REASONS: Record<number, string> = {
  200: "OK",
  201: "Created",
  204: "No Content",
  400: "Bad Request",
  404: "Not Found",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

/** Bytes read from one connection, consumed from the front. */
class ReadBuffer {
  #data = new Uint8Array(64 * 1024);
  #start = 0;
  #end = 0;

  get length(): number {
    return this.#end - this.#start;
  }

  /** Reads more from `conn`; false at end of stream. */
  async fill(conn: Deno.Conn): Promise<boolean> {
    if (this.#end === this.#data.length) {
      const live = this.#data.subarray(this.#start, this.#end);
      const next = this.length * 2 > this.#data.length
        ? new Uint8Array(this.#data.length * 2)
        : this.#data;
      next.set(live);
      this.#data = next;
      this.#end = live.length;
      this.#start = 0;
    }
    const n = await conn.read(this.#data.subarray(this.#end));
    if (n === null) return false;
    this.#end += n;
    return true;
  }

  /** Index of CRLF CRLF or CRLF (per `double`) from `from`, relative to the start, or -1. */
  find(double: boolean, from: number): number {
    const d = this.#data;
    for (let i = this.#start + from; i + (double ? 3 : 1) < this.#end; i++) {
      if (d[i] === 13 && d[i + 1] === 10 && (!double || (d[i + 2] === 13 && d[i + 3] === 10))) {
        return i - this.#start;
      }
    }
    return -1;
  }

  text(length: number): string {
    return new TextDecoder().decode(this.#data.subarray(this.#start, this.#start + length));
  }

  skip(n: number): void {
    this.#start += n;
  }
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) written += await conn.write(bytes.subarray(written));
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
  const body = encoder.encode(response.body);
  const head = encoder.encode(
    `HTTP/1.1 ${response.status} ${
      REASONS[response.status] ?? "Status"
    }\r\ncontent-length: ${body.length}\r\ncontent-type: text/plain\r\n${
      Object.entries(response.headers).map(([k, v]) => `${k}: ${v}\r\n`).join("")
    }\r\n`,
  );
  const full = new Uint8Array(head.length + body.length);
  full.set(head);
  full.set(body, head.length);
  let current: Deno.Conn | null = null;
  let closed = false;

  /** Waits until `count` bytes are buffered; false if the client closed first. */
  async function need(buffer: ReadBuffer, conn: Deno.Conn, count: number): Promise<boolean> {
    while (buffer.length < count) if (!(await buffer.fill(conn))) return false;
    return true;
  }

  /** Skips a chunked body (and trailers); false if the client closed first. */
  async function skipChunked(buffer: ReadBuffer, conn: Deno.Conn): Promise<boolean> {
    for (;;) {
      let line = buffer.find(false, 0);
      while (line < 0) {
        if (!(await buffer.fill(conn))) return false;
        line = buffer.find(false, 0);
      }
      const size = parseInt(buffer.text(line).split(";")[0].trim(), 16);
      buffer.skip(line + 2);
      if (!(size > 0)) {
        // last chunk: trailers end with an empty line
        let end = buffer.find(false, 0);
        while (end !== 0) {
          if (end > 0) {
            buffer.skip(end + 2);
          } else if (!(await buffer.fill(conn))) return false;
          end = buffer.find(false, 0);
        }
        buffer.skip(2);
        return true;
      }
      if (!(await need(buffer, conn, size + 2))) return false;
      buffer.skip(size + 2);
    }
  }

  async function serve(conn: Deno.Conn): Promise<void> {
    const buffer = new ReadBuffer();
    let scanned = 0;
    for (;;) {
      const end = buffer.find(true, Math.max(0, scanned - 3));
      if (end < 0) {
        scanned = buffer.length;
        if (!(await buffer.fill(conn))) return; // the client closed: next connection
        continue;
      }
      scanned = 0;
      const headText = buffer.text(end);
      buffer.skip(end + 4);
      const [requestLine, ...lines] = headText.split("\r\n");
      const headers = new Map(
        lines.map((l) => {
          const colon = l.indexOf(":");
          return [l.slice(0, colon).trim().toLowerCase(), l.slice(colon + 1).trim().toLowerCase()];
        }),
      );
      if (headers.get("transfer-encoding")?.includes("chunked")) {
        if (!(await skipChunked(buffer, conn))) return;
      } else {
        const length = Number(headers.get("content-length") ?? 0);
        if (!(await need(buffer, conn, length))) return;
        buffer.skip(length);
      }
      options.counters.received++;
      const [method, , version] = requestLine.split(" ");
      await writeAll(conn, method === "HEAD" ? head : full);
      options.counters.responded++;
      const connection = headers.get("connection") ?? "";
      if (
        connection.includes("close") ||
        (version === "HTTP/1.0" && !connection.includes("keep-alive"))
      ) {
        return;
      }
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
      if (closed) {
        conn.close();
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
