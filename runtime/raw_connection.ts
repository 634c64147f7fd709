/**
 * One HTTP/1.1 connection of the raw engine: `Deno.connect` with Nagle off, requests serialized
 * once and written as they are, one reusable read buffer, and the byte-level response parser.
 * Several requests may be sent at once (pipelining) and are answered in order.
 *
 * @module
 */

import { Http1ResponseParser, type ParsedResponse } from "./http1_response_parser.ts";
import type { RequestSpec } from "./scenario_schema.ts";

const READ_BUFFER_BYTES = 64 * 1024;

/**
 * Serializes a request once, for one server, in the form the raw engine writes it.
 *
 * @param request The request template.
 * @param options `host`: the Host header (`127.0.0.1:PORT`); `close`: ask the server to close
 *   the connection after answering (per-request connections).
 * @returns The request's bytes.
 *
 * @example
 * ```ts
 * import { serializeRequest } from "./raw_connection.ts";
 * import assert from "node:assert/strict";
 *
 * const bytes = serializeRequest({ method: "GET", path: "/", headers: {} }, { host: "127.0.0.1:8080" });
 * assert.equal(new TextDecoder().decode(bytes), "GET / HTTP/1.1\r\nhost: 127.0.0.1:8080\r\n\r\n");
 * ```
 */
export function serializeRequest(
  request: RequestSpec,
  options: { host: string; close?: boolean },
): Uint8Array {
  const lines = [`${request.method} ${request.path} HTTP/1.1`];
  const given = new Set(Object.keys(request.headers).map((name) => name.toLowerCase()));
  if (!given.has("host")) lines.push(`host: ${options.host}`);
  for (const [name, value] of Object.entries(request.headers)) lines.push(`${name}: ${value}`);
  if (options.close && !given.has("connection")) lines.push("connection: close");
  const body = request.body === undefined ? null : new TextEncoder().encode(request.body);
  if (body !== null && !given.has("content-length")) lines.push(`content-length: ${body.length}`);
  const head = new TextEncoder().encode(lines.join("\r\n") + "\r\n\r\n");
  if (body === null) return head;
  const bytes = new Uint8Array(head.length + body.length);
  bytes.set(head);
  bytes.set(body, head.length);
  return bytes;
}

/**
 * A raw HTTP/1.1 connection to one server.
 *
 * @example
 * ```ts
 * import { RawConnection, serializeRequest } from "./raw_connection.ts";
 * import assert from "node:assert/strict";
 *
 * const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => new Response("hi"));
 * const request = serializeRequest({ method: "GET", path: "/", headers: {} }, { host: "x" });
 * const connection = await RawConnection.open("127.0.0.1", server.addr.port);
 * const statuses: number[] = [];
 * await connection.roundTrip(request, { count: 1, head: false }, (r) => statuses.push(r.status));
 * connection.close();
 * await server.shutdown();
 * assert.deepEqual(statuses, [200]);
 * ```
 */
export class RawConnection {
  #conn: Deno.TcpConn;
  #parser = new Http1ResponseParser();
  #buffer = new Uint8Array(READ_BUFFER_BYTES);
  #closed = false;
  #serverCloses = false;
  #receivedAny = false;

  private constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
  }

  /**
   * Connects, with Nagle's algorithm off (requests go out at once).
   *
   * @param hostname The server's address.
   * @param port The server's port.
   * @returns The open connection.
   */
  static async open(hostname: string, port: number): Promise<RawConnection> {
    const conn = await Deno.connect({ hostname, port });
    conn.setNoDelay(true);
    return new RawConnection(conn);
  }

  /** Whether the last round trip received any byte (a failure before that may be a stale connection). */
  get receivedAny(): boolean {
    return this.#receivedAny;
  }

  /** True once the server said it closes the connection, or it was closed: open a new one. */
  get done(): boolean {
    return this.#closed || this.#serverCloses;
  }

  /**
   * Writes `count` requests (already serialized into `bytes`) and reads their responses, calling
   * `onResponse` for each as it completes, in order.
   *
   * @param bytes The requests' bytes, back to back.
   * @param options `count`: how many requests `bytes` holds; `head`: whether they are HEAD
   *   requests (whose responses have no body).
   * @param onResponse Called per response with its index in the batch.
   * @throws {Http1ProtocolError} On a malformed response (the connection is closed).
   * @throws {Error} When the connection fails or closes before every response arrived.
   */
  async roundTrip(
    bytes: Uint8Array,
    options: { count: number; head: boolean },
    onResponse: (response: ParsedResponse, index: number) => void,
  ): Promise<void> {
    const { count } = options;
    const method = options.head ? "HEAD" : "other";
    for (let i = 0; i < count; i++) this.#parser.expect(method);
    let answered = 0;
    this.#receivedAny = false;
    const each = (response: ParsedResponse) => {
      if (response.close) this.#serverCloses = true;
      onResponse(response, answered++);
    };
    try {
      for (let written = 0; written < bytes.length;) {
        written += await this.#conn.write(written ? bytes.subarray(written) : bytes);
      }
      while (answered < count) {
        const n = await this.#conn.read(this.#buffer);
        if (n !== null && n > 0) this.#receivedAny = true;
        if (n === null) {
          this.#parser.end(each);
          if (answered < count) {
            throw new Error(
              `connection closed before message completed (${
                count - answered
              } of ${count} requests unanswered)`,
            );
          }
          break;
        }
        this.#parser.push(
          n === this.#buffer.length ? this.#buffer : this.#buffer.subarray(0, n),
          each,
        );
      }
    } catch (error) {
      this.close();
      throw error;
    }
  }

  /** Closes the connection (idempotent); a read in progress ends with an error. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch { /* already closed */ }
  }
}
