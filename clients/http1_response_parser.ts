/**
 * A byte-level HTTP/1.1 response parser for the raw load engine: bytes in, one (status, body
 * length, close) per response out. It frames responses per RFC 9112 §6.3 and looks at nothing
 * else: the body is counted, never decoded; only `Content-Length`, `Transfer-Encoding` and
 * `Connection` are read, their names compared byte by byte; no header object is built.
 *
 * State survives between {@linkcode Http1ResponseParser.push} calls, so a response may be split
 * across reads at any byte. A line cut by a read is copied into a reusable buffer; whole lines are
 * parsed in place. Nothing is allocated per response but the object handed to the callback.
 *
 * Strict where leniency would hide a broken or smuggling server: lines end in CRLF, header names
 * hold no whitespace, obs-fold and differing `Content-Length` values are errors.
 *
 * @module
 */

/** What the parser learned of one complete response. */
export interface ParsedResponse {
  /** Final status code (1xx interim responses are skipped, not reported). */
  readonly status: number;
  /** Body length received; for a chunked body the decoded length, without framing. */
  readonly bodyBytes: number;
  /**
   * The server will close the connection after it: `Connection: close`, HTTP/1.0 without
   * `Connection: keep-alive`, or a body delimited by the end of the connection.
   */
  readonly close: boolean;
}

/** What was wrong with the bytes a server sent. */
export type Http1ProtocolErrorKind =
  | "bad-status-line"
  | "unexpected-upgrade"
  | "bad-header"
  | "headers-too-large"
  | "bad-content-length"
  | "bad-chunk"
  | "truncated"
  | "unexpected-bytes";

/**
 * Malformed HTTP/1.1 from the server. The connection cannot be trusted after it: close it.
 *
 * @example
 * ```ts
 * import { Http1ProtocolError, Http1ResponseParser } from "./http1_response_parser.ts";
 * import assert from "node:assert/strict";
 *
 * const parser = new Http1ResponseParser();
 * parser.expect("other");
 * assert.throws(
 *   () => parser.push(new TextEncoder().encode("HTTX/1.1 200 OK\r\n"), () => {}),
 *   (e) => e instanceof Http1ProtocolError && e.kind === "bad-status-line",
 * );
 * ```
 */
export class Http1ProtocolError extends Error {
  /** What was wrong. */
  readonly kind: Http1ProtocolErrorKind;
  /** For `truncated`: whether the head had arrived, so the body was cut (else the head was). */
  readonly inBody: boolean;

  /**
   * @param kind What was wrong.
   * @param message Details, with an escaped excerpt of the bytes near the problem.
   * @param options `inBody`: a truncation cut the body rather than the head.
   */
  constructor(kind: Http1ProtocolErrorKind, message: string, options: { inBody?: boolean } = {}) {
    super(message);
    this.name = "Http1ProtocolError";
    this.kind = kind;
    this.inBody = options.inBody ?? false;
  }
}

/** Options for {@linkcode Http1ResponseParser}. */
export interface Http1ResponseParserOptions {
  /**
   * Longest response head (status line and header fields), trailer section, or chunk-size line.
   * @default {65536}
   */
  maxHeaderBytes?: number;
}

/** The method of a request, as far as response framing cares. */
export type Http1RequestMethod = "HEAD" | "other";

// Parser states. A number, not a string, so the hot switch compares small integers.
const STATUS_LINE = 0;
const HEADER_LINE = 1;
const BODY_LENGTH = 2;
const BODY_UNTIL_CLOSE = 3;
const CHUNK_SIZE_LINE = 4;
const CHUNK_DATA = 5;
const CHUNK_DATA_CR = 6;
const CHUNK_DATA_LF = 7;
const TRAILER_LINE = 8;
const CLOSED = 9;
const FAILED = 10;

const LF = 10;
const CR = 13;
const SP = 32;
const HTAB = 9;
const COLON = 58;
const COMMA = 44;
const SEMICOLON = 59;

const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
const CONTENT_LENGTH = ascii("content-length");
const TRANSFER_ENCODING = ascii("transfer-encoding");
const CONNECTION = ascii("connection");
const CHUNKED = ascii("chunked");
const CLOSE = ascii("close");
const KEEP_ALIVE = ascii("keep-alive");

function noResponse(_response: ParsedResponse): void {}

/** Whether `buf[at..]` is `lower`, ignoring ASCII case (`lower` holds letters and `-` only). */
function sameName(buf: Uint8Array, at: number, lower: Uint8Array): boolean {
  for (let k = 0; k < lower.length; k++) {
    const b = buf[at + k];
    const l = lower[k];
    // | 0x20 folds A-Z onto a-z, but also CR onto '-': fold only when a letter is expected.
    if (b !== l && ((b | 0x20) !== l || l === 45)) return false;
  }
  return true;
}

function isOws(b: number): boolean {
  return b === SP || b === HTAB;
}

/** A short, escaped, quoted excerpt of `buf[start..end]` for error messages. */
function excerpt(buf: Uint8Array, start: number, end: number): string {
  const stop = Math.min(end, start + 48);
  let text = "";
  for (let i = start; i < stop; i++) {
    const b = buf[i];
    if (b === CR) text += "\\r";
    else if (b === LF) text += "\\n";
    else if (b === HTAB) text += "\\t";
    else if (b === 34 || b === 92) text += "\\" + String.fromCharCode(b);
    else if (b >= SP && b < 127) text += String.fromCharCode(b);
    else text += "\\x" + b.toString(16).padStart(2, "0");
  }
  return `"${text}"${end > stop ? "..." : ""}`;
}

/**
 * Parses the responses on one HTTP/1.1 connection, fed as the bytes arrive. Tell it of each
 * request sent ({@linkcode Http1ResponseParser.expect}), push what the server sends, and call
 * {@linkcode Http1ResponseParser.end} when the server closes the connection.
 *
 * @example
 * ```ts
 * import { Http1ResponseParser, type ParsedResponse } from "./http1_response_parser.ts";
 * import assert from "node:assert/strict";
 *
 * const parser = new Http1ResponseParser();
 * const seen: ParsedResponse[] = [];
 * parser.expect("other");
 * parser.expect("HEAD");
 * const bytes = new TextEncoder().encode(
 *   "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello" +
 *     "HTTP/1.1 200 OK\r\ncontent-length: 5\r\nconnection: close\r\n\r\n",
 * );
 * assert.equal(parser.push(bytes.subarray(0, 20), (r) => seen.push(r)), 0);
 * assert.equal(parser.push(bytes.subarray(20), (r) => seen.push(r)), 2);
 * assert.deepEqual(seen, [
 *   { status: 200, bodyBytes: 5, close: false },
 *   { status: 200, bodyBytes: 0, close: true },
 * ]);
 * assert.equal(parser.pending, 0);
 * ```
 */
export class Http1ResponseParser {
  readonly #maxHeaderBytes: number;
  #state = STATUS_LINE;
  #error: Http1ProtocolError | null = null;

  // A line cut by the end of a push, kept until its LF arrives.
  #line = new Uint8Array(256);
  #lineLength = 0;
  // Bytes of complete lines in the current head, trailer section or chunk-size line.
  #headBytes = 0;

  // Requests sent and not yet answered, oldest first: 1 for HEAD. A ring of power-of-two size.
  #queue = new Uint8Array(16);
  #queueHead = 0;
  #queueCount = 0;

  // The response being parsed.
  #status = 0;
  #http10 = false;
  #interim = false;
  #contentLength = -1;
  #transferEncoding = false;
  #chunked = false;
  #connectionClose = false;
  #keepAlive = false;
  #close = false;
  #remaining = 0;
  #bodyBytes = 0;
  // Body bytes of every response since the last takeBodyBytes(), cut bodies included.
  #bodyBytesTaken = 0;

  // Set for the duration of a push or end.
  #onResponse: (response: ParsedResponse) => void = noResponse;
  #completed = 0;

  /**
   * @param options The head size limit.
   */
  constructor(options: Http1ResponseParserOptions = {}) {
    this.#maxHeaderBytes = options.maxHeaderBytes ?? 65536;
  }

  /**
   * Tells the parser of the next request sent on this connection, in order: pipelining queues
   * several. Responses to HEAD have no body.
   *
   * @param method `"HEAD"` or any other.
   *
   * @example
   * ```ts
   * import { Http1ResponseParser } from "./http1_response_parser.ts";
   * import assert from "node:assert/strict";
   *
   * const parser = new Http1ResponseParser();
   * parser.expect("HEAD");
   * assert.equal(parser.pending, 1);
   * ```
   */
  expect(method: Http1RequestMethod): void {
    if (this.#queueCount === this.#queue.length) {
      const grown = new Uint8Array(this.#queue.length * 2);
      for (let i = 0; i < this.#queueCount; i++) {
        grown[i] = this.#queue[(this.#queueHead + i) & (this.#queue.length - 1)];
      }
      this.#queue = grown;
      this.#queueHead = 0;
    }
    this.#queue[(this.#queueHead + this.#queueCount) & (this.#queue.length - 1)] = method === "HEAD"
      ? 1
      : 0;
    this.#queueCount++;
  }

  /**
   * Body bytes received since the last call (decoded: chunk framing not counted), of complete
   * responses and of the one in progress or cut; resets the count.
   *
   * @returns Body bytes since the last call.
   *
   * @example
   * ```ts
   * import { Http1ResponseParser } from "./http1_response_parser.ts";
   * import assert from "node:assert/strict";
   *
   * const parser = new Http1ResponseParser();
   * parser.expect("other");
   * parser.push(new TextEncoder().encode("HTTP/1.1 200 OK\r\ncontent-length: 9\r\n\r\nabc"), () => {});
   * assert.equal(parser.takeBodyBytes(), 3);
   * assert.equal(parser.takeBodyBytes(), 0);
   * ```
   */
  takeBodyBytes(): number {
    const bytes = this.#bodyBytesTaken;
    this.#bodyBytesTaken = 0;
    return bytes;
  }

  /**
   * Requests sent and not yet answered (the one being answered included).
   *
   * @example
   * ```ts
   * import { Http1ResponseParser } from "./http1_response_parser.ts";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new Http1ResponseParser().pending, 0);
   * ```
   */
  get pending(): number {
    return this.#queueCount;
  }

  /**
   * Feeds bytes read from the connection. Calls `onResponse` once per complete response, in
   * order, with an object of its own. Not re-entrant: do not push from `onResponse` (calling
   * {@linkcode Http1ResponseParser.expect} there is fine).
   *
   * Throws {@linkcode Http1ProtocolError} on malformed input, after reporting the responses that
   * completed before it; the parser then throws the same error until
   * {@linkcode Http1ResponseParser.reset}. Bytes arriving with no request pending, or after a
   * response that closes the connection, are `"unexpected-bytes"`.
   *
   * @param bytes What was read.
   * @param onResponse Called per complete response.
   * @returns How many responses completed.
   *
   * @example
   * ```ts
   * import { Http1ResponseParser } from "./http1_response_parser.ts";
   * import assert from "node:assert/strict";
   *
   * const parser = new Http1ResponseParser();
   * parser.expect("other");
   * const bytes = new TextEncoder().encode("HTTP/1.1 204 No Content\r\n\r\n");
   * let status = 0;
   * assert.equal(parser.push(bytes, (r) => status = r.status), 1);
   * assert.equal(status, 204);
   * ```
   */
  push(bytes: Uint8Array, onResponse: (response: ParsedResponse) => void): number {
    if (this.#error !== null) throw this.#error;
    this.#onResponse = onResponse;
    this.#completed = 0;
    try {
      this.#feed(bytes);
    } catch (error) {
      if (error instanceof Http1ProtocolError) this.#fail(error);
      throw error;
    } finally {
      this.#onResponse = noResponse;
    }
    return this.#completed;
  }

  /**
   * The server closed the connection. Completes a response whose body runs to the end of the
   * connection. Throws a `"truncated"` {@linkcode Http1ProtocolError} if a response was in
   * progress (status line, headers or body incomplete, or only an interim 1xx received).
   * Requests still {@linkcode Http1ResponseParser.pending} with nothing received were not
   * answered. Further pushes are `"unexpected-bytes"` until {@linkcode Http1ResponseParser.reset}.
   *
   * @param onResponse Called for the response completed by the close, if any.
   * @returns How many responses completed: 0 or 1.
   *
   * @example
   * ```ts
   * import { Http1ResponseParser } from "./http1_response_parser.ts";
   * import assert from "node:assert/strict";
   *
   * const parser = new Http1ResponseParser();
   * parser.expect("other");
   * parser.push(new TextEncoder().encode("HTTP/1.0 200 OK\r\n\r\nuntil close"), () => {});
   * let bodyBytes = 0;
   * assert.equal(parser.end((r) => bodyBytes = r.bodyBytes), 1);
   * assert.equal(bodyBytes, 11);
   * ```
   */
  end(onResponse: (response: ParsedResponse) => void): number {
    if (this.#error !== null) throw this.#error;
    const state = this.#state;
    if (state === BODY_UNTIL_CLOSE) {
      this.#onResponse = onResponse;
      this.#completed = 0;
      try {
        this.#complete();
      } finally {
        this.#onResponse = noResponse;
      }
      this.#state = CLOSED;
      return 1;
    }
    if (state === CLOSED || (state === STATUS_LINE && this.#lineLength === 0 && !this.#interim)) {
      this.#state = CLOSED;
      return 0;
    }
    const error = new Http1ProtocolError(
      "truncated",
      `connection closed ${this.#whereTruncated()}`,
      { inBody: state !== STATUS_LINE && state !== HEADER_LINE },
    );
    this.#fail(error);
    throw error;
  }

  /**
   * Makes the parser ready for a new connection, keeping its buffers.
   *
   * @example
   * ```ts
   * import { Http1ResponseParser } from "./http1_response_parser.ts";
   * import assert from "node:assert/strict";
   *
   * const parser = new Http1ResponseParser();
   * parser.expect("other");
   * parser.reset();
   * assert.equal(parser.pending, 0);
   * ```
   */
  reset(): void {
    this.#state = STATUS_LINE;
    this.#error = null;
    this.#lineLength = 0;
    this.#headBytes = 0;
    this.#queueHead = 0;
    this.#queueCount = 0;
    this.#interim = false;
  }

  #fail(error: Http1ProtocolError): void {
    this.#state = FAILED;
    this.#error = error;
  }

  #whereTruncated(): string {
    switch (this.#state) {
      case STATUS_LINE:
        return this.#lineLength > 0
          ? `inside the status line, near ${excerpt(this.#line, 0, this.#lineLength)}`
          : `after an interim 1xx response, before the final one`;
      case HEADER_LINE:
        return `inside the headers of a ${this.#status} response, after ${
          this.#headBytes + this.#lineLength
        } bytes of head`;
      case BODY_LENGTH:
        return `inside the body of a ${this.#status} response: ${this.#bodyBytes} of ` +
          `${this.#contentLength} bytes received`;
      case TRAILER_LINE:
        return `inside the trailers of a chunked ${this.#status} response`;
      default:
        return `inside the chunked body of a ${this.#status} response, after ` +
          `${this.#bodyBytes} bytes of data`;
    }
  }

  #feed(bytes: Uint8Array): void {
    const length = bytes.length;
    let pos = 0;
    while (pos < length) {
      switch (this.#state) {
        case STATUS_LINE:
          if (this.#queueCount === 0) {
            throw new Http1ProtocolError(
              "unexpected-bytes",
              `bytes with no request pending: ${excerpt(bytes, pos, length)}`,
            );
          }
          // falls through
        case HEADER_LINE:
        case CHUNK_SIZE_LINE:
        case TRAILER_LINE: {
          // A plain loop: on header-sized lines it beats indexOf(LF), a native call, by ~20%.
          let lf = pos;
          while (lf < length && bytes[lf] !== LF) lf++;
          if (lf === length) {
            this.#keepPartialLine(bytes, pos, length);
            return;
          }
          const taken = lf + 1 - pos;
          if (this.#lineLength === 0) {
            this.#headBytes += taken;
            if (this.#headBytes > this.#maxHeaderBytes) this.#tooLong(bytes, pos, lf + 1);
            this.#onLine(bytes, pos, lf);
          } else {
            this.#keepPartialLine(bytes, pos, lf + 1);
            const lineLength = this.#lineLength;
            this.#headBytes += lineLength;
            this.#lineLength = 0;
            this.#onLine(this.#line, 0, lineLength - 1);
          }
          pos = lf + 1;
          break;
        }
        case BODY_LENGTH:
        case CHUNK_DATA: {
          const take = Math.min(this.#remaining, length - pos);
          this.#remaining -= take;
          this.#bodyBytes += take;
          this.#bodyBytesTaken += take;
          pos += take;
          if (this.#remaining === 0) {
            if (this.#state === BODY_LENGTH) this.#complete();
            else this.#state = CHUNK_DATA_CR;
          }
          break;
        }
        case CHUNK_DATA_CR:
        case CHUNK_DATA_LF: {
          const expected = this.#state === CHUNK_DATA_CR ? CR : LF;
          if (bytes[pos] !== expected) {
            throw new Http1ProtocolError(
              "bad-chunk",
              `chunk data longer than its size, or not followed by CRLF: ${
                excerpt(bytes, pos, length)
              } after ${this.#bodyBytes} bytes of data`,
            );
          }
          pos++;
          if (expected === LF) {
            this.#state = CHUNK_SIZE_LINE;
            this.#headBytes = 0;
          } else {
            this.#state = CHUNK_DATA_LF;
          }
          break;
        }
        case BODY_UNTIL_CLOSE:
          this.#bodyBytes += length - pos;
          this.#bodyBytesTaken += length - pos;
          pos = length;
          break;
        default:
          throw new Http1ProtocolError(
            "unexpected-bytes",
            `bytes after a response that closes the connection, or after end(): ${
              excerpt(bytes, pos, length)
            }`,
          );
      }
    }
  }

  /** Appends `bytes[start..end]` to the cut line, refusing lines past the limit as they grow. */
  #keepPartialLine(bytes: Uint8Array, start: number, end: number): void {
    const needed = this.#lineLength + end - start;
    if (this.#headBytes + needed > this.#maxHeaderBytes) this.#tooLong(bytes, start, end);
    if (needed > this.#line.length) {
      let size = this.#line.length * 2;
      while (size < needed) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.#line.subarray(0, this.#lineLength));
      this.#line = grown;
    }
    this.#line.set(bytes.subarray(start, end), this.#lineLength);
    this.#lineLength = needed;
  }

  #tooLong(bytes: Uint8Array, start: number, end: number): never {
    const line = this.#lineLength > 0
      ? excerpt(this.#line, 0, this.#lineLength)
      : excerpt(bytes, start, end);
    if (this.#state === CHUNK_SIZE_LINE) {
      throw new Http1ProtocolError(
        "bad-chunk",
        `chunk-size line longer than ${this.#maxHeaderBytes} bytes: ${line}`,
      );
    }
    throw new Http1ProtocolError(
      "headers-too-large",
      `${
        this.#state === TRAILER_LINE ? "trailer section" : "response head"
      } longer than ${this.#maxHeaderBytes} bytes, in the line ${line}`,
    );
  }

  /** One line, `buf[start..lf]`, `lf` the index of its LF. */
  #onLine(buf: Uint8Array, start: number, lf: number): void {
    const end = lf - 1; // the CR, when there is one
    if (lf === start || buf[end] !== CR) {
      const state = this.#state;
      throw new Http1ProtocolError(
        state === STATUS_LINE
          ? "bad-status-line"
          : state === CHUNK_SIZE_LINE
          ? "bad-chunk"
          : "bad-header",
        `line ends in a bare LF: ${excerpt(buf, start, lf + 1)}`,
      );
    }
    switch (this.#state) {
      case STATUS_LINE:
        return this.#statusLine(buf, start, end);
      case HEADER_LINE:
        return this.#headerLine(buf, start, end);
      case CHUNK_SIZE_LINE:
        return this.#chunkSizeLine(buf, start, end);
      default:
        return this.#trailerLine(buf, start, end);
    }
  }

  /** `HTTP/1.x SSS reason`, the reason possibly empty, the space before it optional then. */
  #statusLine(buf: Uint8Array, start: number, end: number): void {
    const length = end - start;
    if (
      length < 12 || buf[start] !== 72 || buf[start + 1] !== 84 || buf[start + 2] !== 84 ||
      buf[start + 3] !== 80 || buf[start + 4] !== 47 || buf[start + 5] !== 49 ||
      buf[start + 6] !== 46 || buf[start + 8] !== SP || (length > 12 && buf[start + 12] !== SP)
    ) {
      this.#badStatusLine(buf, start, end);
    }
    const minor = buf[start + 7] - 48;
    const s0 = buf[start + 9] - 48;
    const s1 = buf[start + 10] - 48;
    const s2 = buf[start + 11] - 48;
    if (
      minor < 0 || minor > 9 || s0 < 1 || s0 > 9 || s1 < 0 || s1 > 9 || s2 < 0 || s2 > 9
    ) {
      this.#badStatusLine(buf, start, end);
    }
    const status = s0 * 100 + s1 * 10 + s2;
    if (status === 101) {
      throw new Http1ProtocolError(
        "unexpected-upgrade",
        `101 Switching Protocols, but no upgrade was asked for: ${excerpt(buf, start, end + 2)}`,
      );
    }
    this.#status = status;
    this.#http10 = minor === 0;
    this.#contentLength = -1;
    this.#transferEncoding = false;
    this.#chunked = false;
    this.#connectionClose = false;
    this.#keepAlive = false;
    this.#state = HEADER_LINE;
  }

  #badStatusLine(buf: Uint8Array, start: number, end: number): never {
    throw new Http1ProtocolError(
      "bad-status-line",
      `not an HTTP/1.x status line: ${excerpt(buf, start, end + 2)}`,
    );
  }

  #headerLine(buf: Uint8Array, start: number, end: number): void {
    if (start === end) return this.#endOfHead();
    const first = buf[start];
    if (first === SP || first === HTAB) {
      throw new Http1ProtocolError(
        "bad-header",
        `obsolete line folding: ${excerpt(buf, start, end + 2)}`,
      );
    }
    let colon = start;
    for (; colon < end; colon++) {
      const b = buf[colon];
      if (b === COLON) break;
      if (b <= SP || b >= 127) {
        throw new Http1ProtocolError(
          "bad-header",
          `invalid byte in a header name: ${excerpt(buf, start, end + 2)}`,
        );
      }
    }
    if (colon === end || colon === start) {
      throw new Http1ProtocolError(
        "bad-header",
        `${colon === end ? "header line without a colon" : "empty header name"}: ${
          excerpt(buf, start, end + 2)
        }`,
      );
    }
    switch (colon - start) {
      case 14:
        if (sameName(buf, start, CONTENT_LENGTH)) this.#contentLengthValue(buf, colon + 1, end);
        break;
      case 17:
        if (sameName(buf, start, TRANSFER_ENCODING)) {
          this.#transferEncodingValue(buf, colon + 1, end);
        }
        break;
      case 10:
        if (sameName(buf, start, CONNECTION)) this.#connectionValue(buf, colon + 1, end);
        break;
    }
  }

  /** Digits only; a list of one value repeated, or repeated fields, are accepted when equal. */
  #contentLengthValue(buf: Uint8Array, start: number, end: number): void {
    let i = start;
    for (;;) {
      while (i < end && isOws(buf[i])) i++;
      const digitsStart = i;
      let value = 0;
      for (; i < end; i++) {
        const d = buf[i] - 48;
        if (d < 0 || d > 9) break;
        value = value * 10 + d;
      }
      const previous = this.#contentLength;
      if (i === digitsStart || value > Number.MAX_SAFE_INTEGER) break;
      if (previous >= 0 && value !== previous) {
        throw new Http1ProtocolError(
          "bad-content-length",
          `differing Content-Length values ${previous} and ${value}: ${excerpt(buf, start, end)}`,
        );
      }
      this.#contentLength = value;
      while (i < end && isOws(buf[i])) i++;
      if (i === end) return;
      if (buf[i] !== COMMA) break;
      i++;
    }
    throw new Http1ProtocolError(
      "bad-content-length",
      `Content-Length is not a number: ${excerpt(buf, start, end)}`,
    );
  }

  /** Chunked framing only when chunked is the last coding; any coding wins over Content-Length. */
  #transferEncodingValue(buf: Uint8Array, start: number, end: number): void {
    // Repeated fields form one list, so the last field's last coding decides.
    let last = end;
    while (last > start && (isOws(buf[last - 1]) || buf[last - 1] === COMMA)) last--;
    let first = last;
    while (first > start && !isOws(buf[first - 1]) && buf[first - 1] !== COMMA) first--;
    this.#transferEncoding = true;
    this.#chunked = last - first === CHUNKED.length && sameName(buf, first, CHUNKED);
  }

  #connectionValue(buf: Uint8Array, start: number, end: number): void {
    let i = start;
    while (i < end) {
      while (i < end && (isOws(buf[i]) || buf[i] === COMMA)) i++;
      let next = i;
      while (next < end && buf[next] !== COMMA) next++;
      let last = next;
      while (last > i && isOws(buf[last - 1])) last--;
      if (last - i === CLOSE.length && sameName(buf, i, CLOSE)) this.#connectionClose = true;
      else if (last - i === KEEP_ALIVE.length && sameName(buf, i, KEEP_ALIVE)) {
        this.#keepAlive = true;
      }
      i = next;
    }
  }

  #endOfHead(): void {
    const status = this.#status;
    this.#headBytes = 0;
    if (status < 200) {
      // Interim (100, 102, 103): no body; the final response to the same request follows.
      this.#interim = true;
      this.#state = STATUS_LINE;
      return;
    }
    // HTTP/1.0 with Transfer-Encoding has faulty framing (RFC 9112 §6.1): parse it, then close.
    this.#close = this.#connectionClose || (this.#http10 && !this.#keepAlive) ||
      (this.#http10 && this.#transferEncoding);
    this.#bodyBytes = 0;
    if (
      this.#queue[this.#queueHead] === 1 || status === 204 || status === 304
    ) {
      return this.#complete();
    }
    if (this.#transferEncoding) {
      if (this.#chunked) {
        this.#state = CHUNK_SIZE_LINE;
      } else {
        this.#close = true;
        this.#state = BODY_UNTIL_CLOSE;
      }
    } else if (this.#contentLength > 0) {
      this.#remaining = this.#contentLength;
      this.#state = BODY_LENGTH;
    } else if (this.#contentLength === 0) {
      this.#complete();
    } else {
      this.#close = true;
      this.#state = BODY_UNTIL_CLOSE;
    }
  }

  /** Hex size, optional whitespace, optional `;extensions` (ignored). */
  #chunkSizeLine(buf: Uint8Array, start: number, end: number): void {
    let i = start;
    let size = 0;
    for (; i < end; i++) {
      const b = buf[i];
      let digit: number;
      if (b >= 48 && b <= 57) digit = b - 48;
      else if (b >= 97 && b <= 102) digit = b - 87;
      else if (b >= 65 && b <= 70) digit = b - 55;
      else break;
      if (size > (Number.MAX_SAFE_INTEGER - digit) / 16) {
        throw new Http1ProtocolError(
          "bad-chunk",
          `chunk size of 2^53 or more: ${excerpt(buf, start, end + 2)}`,
        );
      }
      size = size * 16 + digit;
    }
    const digitsEnd = i;
    while (i < end && isOws(buf[i])) i++;
    if (digitsEnd === start || (i < end && buf[i] !== SEMICOLON)) {
      throw new Http1ProtocolError(
        "bad-chunk",
        `not a chunk-size line: ${excerpt(buf, start, end + 2)}`,
      );
    }
    this.#headBytes = 0;
    if (size === 0) {
      this.#state = TRAILER_LINE;
    } else {
      this.#remaining = size;
      this.#state = CHUNK_DATA;
    }
  }

  /** Trailer fields are checked for shape and ignored; the empty line ends the response. */
  #trailerLine(buf: Uint8Array, start: number, end: number): void {
    if (start === end) return this.#complete();
    const colon = buf.indexOf(COLON, start);
    if (buf[start] === SP || buf[start] === HTAB || colon <= start || colon >= end) {
      throw new Http1ProtocolError(
        "bad-header",
        `malformed trailer field: ${excerpt(buf, start, end + 2)}`,
      );
    }
  }

  #complete(): void {
    // All state is final before the callback runs, so it may call expect().
    this.#queueHead = (this.#queueHead + 1) & (this.#queue.length - 1);
    this.#queueCount--;
    this.#interim = false;
    this.#headBytes = 0;
    this.#state = this.#close ? CLOSED : STATUS_LINE;
    this.#completed++;
    this.#onResponse({ status: this.#status, bodyBytes: this.#bodyBytes, close: this.#close });
  }
}
