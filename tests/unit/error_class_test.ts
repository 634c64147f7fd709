import assert from "node:assert/strict";
import {
  classifyError,
  ERROR_CLASS_HINTS,
  normalizeErrorMessage,
} from "../../report/error_class.ts";

function fetchFailure(cause: string): TypeError {
  return new TypeError("fetch failed", { cause: new Error(cause) });
}

Deno.test("classifyError sorts Deno fetch failures by their OS cause", () => {
  const cases: [unknown, string][] = [
    [
      fetchFailure(
        "error sending request for url (http://127.0.0.1:35769/): client error (Connect): tcp connect error: Connection refused (os error 111)",
      ),
      "connection_refused",
    ],
    [
      fetchFailure("tcp connect error: Cannot assign requested address (os error 99)"),
      "address_unavailable",
    ],
    [fetchFailure("tcp connect error: Too many open files (os error 24)"), "too_many_open_files"],
    [fetchFailure("connection error: Connection reset by peer (os error 104)"), "connection_reset"],
    [
      fetchFailure(
        "error sending request from 127.0.0.1:44640 for http://127.0.0.1:45395/ (127.0.0.1:45395): client error (SendRequest): connection closed before message completed",
      ),
      "connection_closed",
    ],
    [new TypeError("error reading a body from connection"), "body_error"],
    [fetchFailure("client error (SendRequest): invalid HTTP version parsed"), "protocol_error"],
    [
      fetchFailure(
        "error sending request from 127.0.0.1:1 for http://127.0.0.1:2/ (127.0.0.1:2): client error (SendRequest): message head is too large",
      ),
      "protocol_error",
    ],
    [new Error("Transport endpoint is not connected (os error 107)"), "connection_reset"],
    [new Error("Socket is not connected"), "connection_reset"],
    [new DOMException("The operation was aborted due to timeout", "TimeoutError"), "timeout"],
    [new DOMException("aborted", "AbortError"), "aborted"],
    [new Error("something else entirely"), "other"],
  ];
  for (const [error, expected] of cases) {
    assert.equal(classifyError(error).class, expected, String((error as Error).message));
  }
});

Deno.test("equal failures against different ports group under one message", () => {
  const a = classifyError(
    fetchFailure(
      "error sending request for url (http://127.0.0.1:35769/): Connection refused (os error 111)",
    ),
  );
  const b = classifyError(
    fetchFailure(
      "error sending request for url (http://127.0.0.1:40001/): Connection refused (os error 111)",
    ),
  );
  assert.equal(a.message, b.message);
  assert.ok(!a.message.includes("35769"));
  assert.equal(
    normalizeErrorMessage("from 127.0.0.1:44640 for [::1]:8080"),
    "from <addr> for <addr>",
  );
});

Deno.test("a classified failure's hint says what usually causes it", () => {
  const hintOf = (error: unknown) => ERROR_CLASS_HINTS[classifyError(error).class];
  assert.equal(
    hintOf(fetchFailure("tcp connect error: Connection refused (os error 111)")),
    "nothing listens on the port: the server has stopped or never started",
  );
  assert.equal(
    hintOf(fetchFailure("tcp connect error: Cannot assign requested address (os error 99)")),
    "no free local port for a new connection: ephemeral ports exhausted, usually by TIME_WAIT",
  );
  assert.equal(
    hintOf(fetchFailure("tcp connect error: Too many open files (os error 24)")),
    "a process reached its file-descriptor limit (ulimit -n)",
  );
  assert.equal(
    hintOf(new DOMException("Signal timed out.", "TimeoutError")),
    "the request outlived its timeout: a slow or hung server, or a client starved of connections",
  );
  assert.equal(hintOf(new Error("something nobody knows")), "see the message");
});

Deno.test("the closed and reset hints name the client's side of a keep-alive race", () => {
  for (const cls of ["connection_closed", "connection_reset"] as const) {
    assert.match(ERROR_CLASS_HINTS[cls], /keep-alive race/, cls);
    assert.match(ERROR_CLASS_HINTS[cls], /reused a pooled connection the server had just closed/);
  }
});
