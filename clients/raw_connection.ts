/**
 * One HTTP/1.1 connection of the raw engine: `Deno.connect` with Nagle off, requests serialized
 * once and written as they are, one reusable read buffer, and the byte-level response parser.
 * Several requests may be sent at once (pipelining) and are answered in order.
 *
 * @module
 */

import {
  Http1ProtocolError,
  Http1ResponseParser,
  type ParsedResponse,
} from "./http1_response_parser.ts";
import type { RequestSpec } from "../scenario/schema.ts";

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

/** Said of requests pipelined behind a response that announced the connection's close. */
export const BEHIND_CLOSE =
  "the server closed after a response that announced it (Connection: close, or HTTP/1.0), " +
  "leaving the requests pipelined behind it unanswered";

/**
 * The error for a connection that closed with requests of its batch unanswered: behind a response
 * that announced the close (the server read no further, RFC 9112 §9.3.2), or before any said so.
 *
 * @param counts Requests unanswered, of the batch's count.
 * @param announced Whether an answered response announced the close.
 * @returns The error (class connection_closed).
 *
 * @example
 * ```ts
 * import { closedUnanswered } from "./raw_connection.ts";
 * import assert from "node:assert/strict";
 *
 * assert.match(closedUnanswered({ unanswered: 3, count: 4 }, true).message, /Connection: close.*\(3 of 4/);
 * ```
 */
export function closedUnanswered(
  counts: { unanswered: number; count: number },
  announced: boolean,
): Error {
  const what = `${counts.unanswered} of ${counts.count} requests unanswered`;
  return new Error(
    announced
      ? `connection closed before message completed: ${BEHIND_CLOSE} (${what})`
      : `connection closed before message completed (${what})`,
  );
}

/**
 * A request could not go out on a pooled connection: its first write failed before any byte was
 * written (the server had reset the connection). Safe to send again on another connection.
 *
 * @example
 * ```ts
 * import { UnwrittenRequestError } from "./raw_connection.ts";
 * import assert from "node:assert/strict";
 *
 * const error = new UnwrittenRequestError(new Error("Broken pipe (os error 32)"));
 * assert.match(error.message, /before any byte was written: Broken pipe/);
 * ```
 */
export class UnwrittenRequestError extends Error {
  /**
   * @param cause The write's error.
   */
  constructor(cause: unknown) {
    super(`the request failed before any byte was written: ${(cause as Error)?.message ?? cause}`, {
      cause,
    });
    this.name = "UnwrittenRequestError";
  }
}

/**
 * What happened to a pooled connection while it sat idle: the server closed it (`closed`: end of
 * stream or a reset, in `error`), or sent bytes no request asked for (`stray`: a protocol error;
 * `status` is that of the last response, whose request was answered twice).
 */
export type IdleEnd =
  | { kind: "closed"; error: unknown }
  | { kind: "stray"; error: unknown; status: number };

/**
 * A raw HTTP/1.1 connection to one server. Between round trips a read stays pending, so a close or
 * stray bytes from the server while the connection is idle are seen before the next request is
 * written ({@linkcode RawConnection.idleEnd}).
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
 * assert.equal(connection.idleEnd(), null);
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
  // The read pending while the connection is idle, and how it ended (null while pending).
  #idleRead: Promise<number | null> | null = null;
  #idleEnd: IdleEnd | null = null;
  #lastStatus = 0;
  #idleSince = 0;

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

  /** True once the server said it closes the connection, or it was closed: open a new one. */
  get done(): boolean {
    return this.#closed || this.#serverCloses;
  }

  /**
   * Whether the server closed this connection, or sent bytes, since its last round trip ended
   * (as far as has been seen so far); null while it sits quietly idle.
   *
   * @returns How the idle connection ended, or null.
   */
  idleEnd(): IdleEnd | null {
    return this.#idleEnd;
  }

  /**
   * When the connection last went idle (`performance.now()`), or 0 before its first round trip.
   *
   * @returns The time it went idle.
   */
  get idleSince(): number {
    return this.#idleSince;
  }

  /**
   * Response body bytes received since the last call (see
   * {@linkcode Http1ResponseParser.takeBodyBytes}).
   *
   * @returns Body bytes since the last call.
   */
  takeBodyBytes(): number {
    return this.#parser.takeBodyBytes();
  }

  /**
   * Writes `count` requests (already serialized into `bytes`) and reads their responses, calling
   * `onResponse` for each as it completes, in order. A response is handed over only once the
   * bytes read with it are parsed: a second response to the last request (bytes with no request
   * waiting) fails that request with a protocol error instead.
   *
   * @param bytes The requests' bytes, back to back.
   * @param options `count`: how many requests `bytes` holds; `head`: whether they are HEAD
   *   requests (whose responses have no body).
   * @param onResponse Called per response with its index in the batch.
   * @throws {UnwrittenRequestError} When the first write failed: nothing was sent.
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
    let answered = 0;
    let held: ParsedResponse | null = null;
    const each = (response: ParsedResponse) => {
      if (response.close) this.#serverCloses = true;
      release();
      held = response;
    };
    const release = () => {
      if (held !== null) {
        this.#lastStatus = held.status;
        onResponse(held, answered++);
      }
      held = null;
    };
    const idleEnd = this.#idleEnd;
    if (idleEnd !== null) {
      this.close();
      throw idleEnd.kind === "closed" ? new UnwrittenRequestError(idleEnd.error) : idleEnd.error;
    }
    for (let i = 0; i < count; i++) this.#parser.expect(method);
    let pending = this.#idleRead;
    this.#idleRead = null;
    try {
      for (let written = 0; written < bytes.length;) {
        try {
          written += await this.#conn.write(written ? bytes.subarray(written) : bytes);
        } catch (error) {
          if (written === 0) throw new UnwrittenRequestError(error);
          throw error;
        }
      }
      while (answered < count) {
        const n = pending === null ? await this.#conn.read(this.#buffer) : await pending;
        pending = null;
        if (n === null) {
          try {
            this.#parser.end(each);
          } finally {
            release();
          }
          if (answered < count) {
            throw closedUnanswered({ unanswered: count - answered, count }, this.#serverCloses);
          }
          break;
        }
        try {
          this.#parser.push(
            n === this.#buffer.length ? this.#buffer : this.#buffer.subarray(0, n),
            each,
          );
        } catch (error) {
          // Bytes after the last awaited response: that request was answered twice (or got bytes
          // after a response that closes the connection). It fails; the ones before it stand.
          if (
            error instanceof Http1ProtocolError && error.kind === "unexpected-bytes" &&
            held !== null
          ) {
            held = null;
          } else release();
          throw error;
        }
        release();
      }
      if (!this.done) this.#watchIdle();
    } catch (error) {
      this.close();
      throw error;
    }
  }

  /** Keeps a read pending while idle, to see the server close the connection or send bytes. */
  #watchIdle(): void {
    this.#idleSince = performance.now();
    const read = this.#conn.read(this.#buffer);
    this.#idleRead = read;
    read.then(
      (n) => {
        if (this.#idleRead !== read || this.#closed) return;
        if (n === null) {
          this.#idleEnd = {
            kind: "closed",
            error: new Error("connection closed before message completed"),
          };
          return;
        }
        try {
          this.#parser.push(this.#buffer.subarray(0, n), () => {});
          this.#idleEnd = { kind: "closed", error: new Error("bytes with no request pending") };
        } catch (error) {
          this.#idleEnd = { kind: "stray", error, status: this.#lastStatus };
        }
      },
      (error) => {
        if (this.#idleRead === read && !this.#closed) this.#idleEnd = { kind: "closed", error };
      },
    );
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
