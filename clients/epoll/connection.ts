/**
 * One HTTP/1.1 connection of the epoll engine: a non-blocking socket (Nagle off, optionally bound
 * to a source address) registered in the worker's {@linkcode EpollLoop}, requests written with
 * `send` as they are, responses read with `recv` into the loop's buffer and parsed byte by byte.
 * Several requests may be sent at once (pipelining) and are answered in order. Its owner hears of
 * each response and of the exchange's end through {@linkcode Exchange}; nothing is awaited.
 *
 * @module
 */

import {
  Http1ProtocolError,
  Http1ResponseParser,
  type ParsedResponse,
} from "../http1_response_parser.ts";
import { closedUnanswered, type IdleEnd, UnwrittenRequestError } from "../raw_connection.ts";
import {
  AF_INET,
  EPOLLIN,
  EPOLLOUT,
  EPOLLRDHUP,
  errno,
  errnoError,
  IPPROTO_TCP,
  isFailure,
  MSG_NOSIGNAL,
  SO_ERROR,
  SOCK_CLOEXEC,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  SOL_SOCKET,
  TCP_NODELAY,
} from "./_libc.ts";
import type { EpollLoop, EpollSocket } from "./loop.ts";

const CONNECTING = 0;
const BUSY = 1;
const IDLE = 2;
const CLOSED = 3;
const READ_EVENTS = EPOLLIN | EPOLLRDHUP;
const ONE = new Uint8Array(new Uint32Array([1]).buffer);

/** Who sent the requests on a connection: told of each response and of the exchange's end. */
export interface Exchange {
  /** The response to the `index`th request of the exchange. */
  onResponse(response: ParsedResponse, index: number): void;
  /** The exchange ended: every response came (`error` null), or the error that ended it. */
  onEnd(error: unknown): void;
  /** Response body bytes arrived (counted as they come: a body may never end). */
  onBodyBytes(bytes: number): void;
}

/**
 * A connection of the epoll engine.
 *
 * @example
 * ```ts ignore
 * const connection = EpollConnection.open(loop, { address: sockaddrIn("127.0.0.1", port), local: null });
 * connection.exchange(bytes, { count: 1, head: false }, exchange); // exchange.onEnd(null) when answered
 * ```
 */
export class EpollConnection implements EpollSocket {
  #loop: EpollLoop;
  #fd: number;
  #state: number;
  #parser = new Http1ResponseParser();
  #serverCloses = false;
  #idleEnd: IdleEnd | null = null;
  #idleSince = 0;
  #lastStatus = 0;
  // The exchange in progress.
  #exchange: Exchange | null = null;
  #out: Uint8Array | null = null;
  #outLength = 0n;
  #written = 0;
  #count = 0;
  #answered = 0;
  #held: ParsedResponse | null = null;
  #writeWait = false;
  #each = (response: ParsedResponse) => {
    if (response.close) this.#serverCloses = true;
    this.#release();
    this.#held = response;
  };

  private constructor(loop: EpollLoop, fd: number, connecting: boolean) {
    this.#loop = loop;
    this.#fd = fd;
    this.#state = connecting ? CONNECTING : IDLE;
  }

  /**
   * Opens a non-blocking connection (it completes in the loop; requests may be given at once).
   *
   * @param loop The worker's loop.
   * @param options `address`: the server's `sockaddr_in`; `local`: the source address's, or null.
   * @returns The connection, connecting or connected.
   * @throws {Error} The errno of `socket`, `bind` or `connect` (EMFILE, EADDRNOTAVAIL, ...).
   */
  static open(
    loop: EpollLoop,
    options: { address: Uint8Array; local: Uint8Array | null },
  ): EpollConnection {
    const libc = loop.libc;
    const fd = libc.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) throw errnoError(errno(), "socket");
    try {
      libc.setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, ONE, 4);
      if (options.local !== null && libc.bind(fd, options.local, 16) < 0) {
        throw errnoError(errno(), "bind");
      }
      let connecting = false;
      if (libc.connect(fd, options.address, 16) < 0) {
        const code = errno();
        if (isFailure(code)) throw errnoError(code, "connect");
        connecting = true; // EINPROGRESS (SO_ERROR tells the outcome)
      }
      const connection = new EpollConnection(loop, fd, connecting);
      loop.add(fd, connecting ? READ_EVENTS | EPOLLOUT : READ_EVENTS, connection);
      return connection;
    } catch (error) {
      libc.close(fd);
      throw error;
    }
  }

  /** True once the server said it closes the connection, or it was closed: open a new one. */
  get done(): boolean {
    return this.#state === CLOSED || this.#serverCloses;
  }

  /** When the connection last went idle (the loop's clock), or 0 before its first exchange. */
  get idleSince(): number {
    return this.#idleSince;
  }

  /**
   * Whether the server closed this idle connection or sent bytes on it (as far as seen), or null.
   *
   * @returns How the idle connection ended, or null.
   */
  idleEnd(): IdleEnd | null {
    return this.#idleEnd;
  }

  /** Reads now what an idle connection may have received (a close, stray bytes): one `recv`. */
  checkIdle(): void {
    if (this.#state === IDLE && this.#idleEnd === null) this.#readIdle();
  }

  /**
   * Response body bytes received since the last call.
   *
   * @returns Body bytes since the last call.
   */
  takeBodyBytes(): number {
    return this.#parser.takeBodyBytes();
  }

  /**
   * Writes `count` requests (serialized back to back in `bytes`) and reads their responses; the
   * exchange hears of each response and of the end, never synchronously from this call.
   *
   * @param bytes The requests' bytes (kept, unchanged, until the end).
   * @param options `count`: requests in `bytes`; `head`: HEAD requests (bodiless responses).
   * @param exchange Told of each response and of the end (an {@linkcode UnwrittenRequestError}
   *   when the first write failed before any byte went out).
   */
  exchange(bytes: Uint8Array, options: { count: number; head: boolean }, exchange: Exchange): void {
    this.#exchange = exchange;
    this.#out = bytes;
    this.#outLength = this.#loop.lengthOf(bytes.length);
    this.#written = 0;
    this.#count = options.count;
    this.#answered = 0;
    this.#held = null;
    if (this.#idleEnd !== null || this.#state === CLOSED) {
      const idleEnd = this.#idleEnd;
      const error = idleEnd?.kind === "stray"
        ? idleEnd.error
        : new UnwrittenRequestError(idleEnd?.error ?? new Error("connection closed"));
      this.#loop.defer(() => this.#fail(error));
      return;
    }
    const method = options.head ? "HEAD" : "other";
    for (let i = 0; i < options.count; i++) this.#parser.expect(method);
    if (this.#state === IDLE) {
      this.#state = BUSY;
      this.#flush(true);
    }
  }

  /**
   * Closes the connection (idempotent). An exchange in progress is not told: its owner closed it.
   */
  close(): void {
    if (this.#state === CLOSED) return;
    this.#state = CLOSED;
    this.#exchange = null;
    this.#loop.remove(this.#fd);
    this.#loop.libc.close(this.#fd);
  }

  /** Closes the fd without unregistering (the loop is shutting down). */
  abandon(): void {
    if (this.#state === CLOSED) return;
    this.#state = CLOSED;
    this.#exchange = null;
    this.#loop.libc.close(this.#fd);
  }

  /** The socket is ready. */
  onEvents(events: number): void {
    const state = this.#state;
    if (state === CONNECTING) this.#onConnected();
    else if (state === BUSY) {
      if (this.#writeWait && events & EPOLLOUT) this.#flush(false);
      if (this.#state === BUSY && events & ~EPOLLOUT) this.#read();
    } else if (state === IDLE) this.#readIdle();
  }

  #onConnected(): void {
    const libc = this.#loop.libc;
    const value = new Uint8Array(4);
    const length = new Uint8Array(new Uint32Array([4]).buffer);
    if (libc.getsockopt(this.#fd, SOL_SOCKET, SO_ERROR, value, length) < 0) {
      return this.#fail(errnoError(errno(), "getsockopt"));
    }
    const code = new DataView(value.buffer).getInt32(0, true);
    if (code !== 0) return this.#fail(errnoError(code, "connect"));
    this.#loop.modify(this.#fd, READ_EVENTS);
    if (this.#exchange === null) this.#state = IDLE;
    else {
      this.#state = BUSY;
      this.#flush(false);
    }
  }

  /** Writes what is left of the requests; waits for EPOLLOUT when the socket is full. */
  #flush(sync: boolean): void {
    const out = this.#out!;
    const libc = this.#loop.libc;
    while (this.#written < out.length) {
      const rest = this.#written ? out.subarray(this.#written) : out;
      const length = rest === out ? this.#outLength : BigInt(rest.length);
      const n = libc.send(this.#fd, rest, length, MSG_NOSIGNAL);
      if (n < 0) {
        const code = errno();
        if (!isFailure(code)) {
          if (!this.#writeWait) this.#loop.modify(this.#fd, READ_EVENTS | EPOLLOUT);
          this.#writeWait = true;
          return;
        }
        const error = errnoError(code, "send");
        const why = this.#written === 0 ? new UnwrittenRequestError(error) : error;
        if (sync) this.#loop.defer(() => this.#fail(why));
        else this.#fail(why);
        return;
      }
      this.#written += n;
    }
    if (this.#writeWait) {
      this.#writeWait = false;
      this.#loop.modify(this.#fd, READ_EVENTS);
    }
  }

  /** Reads once into the loop's buffer and parses; ends the exchange when all are answered. */
  #read(): void {
    const buffer = this.#loop.buffer;
    const n = this.#loop.libc.recv(this.#fd, buffer, this.#loop.bufferLength, 0);
    try {
      if (n > 0) {
        try {
          this.#parser.push(n === buffer.length ? buffer : buffer.subarray(0, n), this.#each);
        } catch (error) {
          // Bytes after the last awaited response: that request was answered twice.
          if (error instanceof Http1ProtocolError && error.kind === "unexpected-bytes") {
            this.#held = null;
          } else this.#release();
          throw error;
        }
        this.#release();
        const body = this.#parser.takeBodyBytes();
        if (body > 0) this.#exchange?.onBodyBytes(body);
      } else if (n === 0) {
        try {
          this.#parser.end(this.#each);
        } finally {
          this.#release();
        }
        if (this.#answered < this.#count) {
          const unanswered = this.#count - this.#answered;
          throw closedUnanswered({ unanswered, count: this.#count }, this.#serverCloses);
        }
        this.#serverCloses = true;
      } else {
        const code = errno();
        if (!isFailure(code)) return; // EAGAIN: epoll reports the socket again
        throw errnoError(code, "recv");
      }
    } catch (error) {
      return this.#fail(error);
    }
    if (this.#answered === this.#count && this.#state === BUSY) this.#succeed();
  }

  /** The exchange is answered: the connection goes idle (or stays done) and its owner is told. */
  #succeed(): void {
    const exchange = this.#exchange!;
    this.#exchange = null;
    this.#out = null;
    if (this.#serverCloses) this.close();
    else {
      this.#state = IDLE;
      this.#idleSince = this.#loop.now;
    }
    exchange.onEnd(null);
  }

  #fail(error: unknown): void {
    const exchange = this.#exchange;
    this.close();
    exchange?.onEnd(error);
  }

  #release(): void {
    const held = this.#held;
    if (held === null) return;
    this.#held = null;
    this.#lastStatus = held.status;
    this.#exchange?.onResponse(held, this.#answered++);
  }

  /** While idle: a close or stray bytes end the connection (it is closed at once). */
  #readIdle(): void {
    const buffer = this.#loop.buffer;
    const n = this.#loop.libc.recv(this.#fd, buffer, this.#loop.bufferLength, 0);
    if (n < 0) {
      const code = errno();
      if (!isFailure(code)) return;
      this.#idleEnd = { kind: "closed", error: errnoError(code, "recv") };
    } else if (n === 0) {
      this.#idleEnd = {
        kind: "closed",
        error: new Error("connection closed before message completed"),
      };
    } else {
      try {
        this.#parser.push(buffer.subarray(0, n), () => {});
        this.#idleEnd = { kind: "closed", error: new Error("bytes with no request pending") };
      } catch (error) {
        this.#idleEnd = { kind: "stray", error, status: this.#lastStatus };
      }
    }
    this.close();
  }
}
