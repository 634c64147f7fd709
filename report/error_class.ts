/**
 * Sorts a failed request's error into a class and a message that groups equal failures, with a
 * one-line explanation per class for the report.
 *
 * @module
 */

import type { ErrorClass } from "./types.ts";

/** A classified error. */
export interface ClassifiedError {
  /** The class. */
  class: ErrorClass;
  /** The message without addresses, ports and URLs. */
  message: string;
}

const RULES: [RegExp, ErrorClass][] = [
  [/os error 111|connection refused/i, "connection_refused"],
  [/os error 99|cannot assign requested address|address not available/i, "address_unavailable"],
  [/os error 24|too many open files/i, "too_many_open_files"],
  // ETIMEDOUT from the kernel (a connect or keep-alive that timed out), as the epoll engine names it.
  [/os error 110|ETIMEDOUT/, "timeout"],
  // ENOTCONN: the socket was reset under a read or write in progress.
  [/os error 104|connection reset|os error 107|not connected/i, "connection_reset"],
  [
    /connection closed before message completed|unexpected eof|broken pipe|os error 32/i,
    "connection_closed",
  ],
  [/error reading a body|body from connection/i, "body_error"],
  // hyper's parse errors ("message head is too large", "invalid HTTP status-code parsed", ...).
  [
    /invalid http|parse error|invalid (status|header)|message head is too large|unexpected message|protocol/i,
    "protocol_error",
  ],
];

/** What usually causes each class, printed under the error table. */
export const ERROR_CLASS_HINTS: Record<ErrorClass, string> = {
  timeout:
    "the request outlived its timeout: a slow or hung server, or a client starved of connections",
  connection_refused: "nothing listens on the port: the server has stopped or never started",
  connection_reset:
    "the peer reset the connection (RST): a crashed handler, a full accept queue, or a server closing abruptly; " +
    "on a reused connection, the client's side of a keep-alive race: it reused a pooled connection the server had just closed",
  connection_closed:
    "the connection closed before the response was complete: the server closed it mid-answer, or, on a reused " +
    "connection, the client's side of a keep-alive race: it reused a pooled connection the server had just closed; " +
    "with pipelining, requests sent behind a response that announced the close (Connection: close, HTTP/1.0)",
  address_unavailable:
    "no free local port for a new connection: ephemeral ports exhausted, usually by TIME_WAIT",
  too_many_open_files: "a process reached its file-descriptor limit (ulimit -n)",
  protocol_error: "the response was not valid HTTP",
  body_error: "the connection broke while the response body was being read",
  aborted: "the run stopped while the request was in flight",
  other: "see the message",
};

function errorChain(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    if (current instanceof Error) {
      parts.push(current.message);
      current = (current as { cause?: unknown }).cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return parts.join(": ");
}

/**
 * Removes what differs between equal failures: URLs, addresses and ports.
 *
 * @param message An error message.
 * @returns The message with `<url>`, `<addr>` in their places.
 *
 * @example
 * ```ts
 * import { normalizeErrorMessage } from "./error_class.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   normalizeErrorMessage("error sending request for url (http://127.0.0.1:35769/): refused"),
 *   "error sending request for url (<url>): refused",
 * );
 * ```
 */
export function normalizeErrorMessage(message: string): string {
  return message
    .replace(/\bhttps?:\/\/[^\s)]+/g, "<url>")
    .replace(/\[[0-9a-f:]+\]:\d+|\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?/gi, "<addr>")
    .slice(0, 300);
}

/**
 * Classifies the error a fetch threw.
 *
 * @param error What was thrown (a TypeError with a `cause` chain, a DOMException, ...).
 * @returns The class and the normalised message.
 *
 * @example
 * ```ts
 * import { classifyError } from "./error_class.ts";
 * import assert from "node:assert/strict";
 *
 * const error = new TypeError("fetch failed", {
 *   cause: new Error("tcp connect error: Connection refused (os error 111)"),
 * });
 * assert.equal(classifyError(error).class, "connection_refused");
 * ```
 */
export function classifyError(error: unknown): ClassifiedError {
  const name = error instanceof Error ? error.name : "";
  const chain = errorChain(error);
  if (name === "TimeoutError") return { class: "timeout", message: "request timed out" };
  if (name === "AbortError") return { class: "aborted", message: "request aborted" };
  if (name === "Http1ProtocolError") {
    return { class: "protocol_error", message: normalizeErrorMessage(chain) };
  }
  const message = normalizeErrorMessage(chain);
  for (const [pattern, cls] of RULES) {
    if (pattern.test(chain)) return { class: cls, message };
  }
  return { class: "other", message };
}
