// The epoll engine's errno errors (clients/epoll/_libc.ts) name the errno and fall in the report's
// error classes as Deno.connect's and fetch's errors do.
import assert from "node:assert/strict";
import { errnoError, sockaddrIn } from "../../clients/epoll/_libc.ts";
import { classifyError } from "../../report/error_class.ts";

Deno.test("each errno the epoll engine meets is classed, with its name in the message", () => {
  const cases: [number, string, string][] = [
    [111, "connect", "connection_refused"],
    [104, "recv", "connection_reset"],
    [99, "connect", "address_unavailable"],
    [24, "socket", "too_many_open_files"],
    [110, "connect", "timeout"],
    [32, "send", "connection_closed"],
  ];
  for (const [code, call, expected] of cases) {
    const error = errnoError(code, call);
    const classified = classifyError(error);
    assert.equal(classified.class, expected, error.message);
    assert.match(classified.message, new RegExp(`^${call}: .* \\(os error ${code}, E[A-Z]+\\)$`));
  }
  assert.equal(errnoError(111, "connect").message.endsWith("ECONNREFUSED)"), true);
  assert.equal(
    errnoError(12345, "recv").message,
    "recv: System error (os error 12345, errno 12345)",
  );
});

Deno.test("sockaddr_in holds the family, the port big-endian and the address", () => {
  const bytes = sockaddrIn("127.0.0.2", 0x1f90);
  assert.deepEqual([...bytes], [2, 0, 0x1f, 0x90, 127, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0]);
});
