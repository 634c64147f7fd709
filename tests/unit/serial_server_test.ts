import assert from "node:assert/strict";
import { startSerialServer } from "../../servers/serial_server.ts";

async function exchange(port: number, request: string, until: (text: string) => boolean) {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(new TextEncoder().encode(request));
  let text = "";
  const buffer = new Uint8Array(64 * 1024);
  const deadline = Date.now() + 5000;
  let closed = false;
  while (!until(text) && Date.now() < deadline) {
    const n = await conn.read(buffer);
    if (n === null) {
      closed = true;
      break;
    }
    text += new TextDecoder().decode(buffer.subarray(0, n));
  }
  conn.close();
  return { text, closed };
}

const responses = (text: string) => text.split("HTTP/1.1 200 OK").length - 1;

Deno.test("pipelined and chunked requests are each answered once; HEAD gets no body", async () => {
  const counters = { received: 0, responded: 0 };
  const server = startSerialServer({ status: 200, body: "Hello, World!", headers: {} }, {
    counters,
  });
  try {
    const request = "GET / HTTP/1.1\r\nHost: x\r\n\r\n" +
      "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n" +
      "HEAD / HTTP/1.1\r\nHost: x\r\n\r\n" +
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc";
    const { text } = await exchange(server.port, request, (t) => responses(t) === 4);
    assert.equal(responses(text), 4, text);
    assert.equal(text.split("Hello, World!").length - 1, 3, "the HEAD answer has no body");
    assert.equal(counters.received, 4);
  } finally {
    await server.close();
  }
});

Deno.test("Connection: close and HTTP/1.0 close the connection after the answer", async () => {
  const counters = { received: 0, responded: 0 };
  const server = startSerialServer({ status: 200, body: "ok", headers: {} }, { counters });
  try {
    const a = await exchange(
      server.port,
      "GET / HTTP/1.1\r\nConnection: close\r\n\r\n",
      () => false,
    );
    assert.equal(a.closed, true);
    assert.equal(responses(a.text), 1);
    const b = await exchange(server.port, "GET / HTTP/1.0\r\n\r\n", () => false);
    assert.equal(b.closed, true);
  } finally {
    await server.close();
  }
});

Deno.test("a large body is written whole before the answer is counted", async () => {
  const counters = { received: 0, responded: 0 };
  const body = "x".repeat(4 * 1024 * 1024);
  const server = startSerialServer({ status: 200, body, headers: {} }, { counters });
  const client = Deno.createHttpClient({});
  try {
    const response = await fetch(`http://127.0.0.1:${server.port}/`, { client });
    assert.equal((await response.arrayBuffer()).byteLength, body.length);
    assert.equal(counters.responded, 1);
  } finally {
    client.close();
    await server.close();
  }
});
