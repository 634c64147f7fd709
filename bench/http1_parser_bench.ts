/**
 * Benchmark: the raw engine's HTTP/1.1 response parser on a typical Deno.serve hello response.
 * Each iteration parses 1000 responses, so ns per response = time/iter ÷ 1000. Fed one push per
 * response (one read per response, as without pipelining), 64 pipelined responses per push, and
 * one push per response of a chunked hello for comparison. `expect()` is counted: the engine
 * calls it once per request.
 *
 *   deno bench bench/http1_parser_bench.ts
 *
 * @module
 */

import { Http1ResponseParser, type ParsedResponse } from "../clients/http1_response_parser.ts";

const RESPONSES = 1000;
const PIPELINED = 64;

const encoder = new TextEncoder();
const hello = encoder.encode(
  "HTTP/1.1 200 OK\r\ncontent-type: text/plain;charset=UTF-8\r\nvary: Accept-Encoding\r\n" +
    "content-length: 13\r\ndate: Mon, 23 Nov 2026 12:00:00 GMT\r\n\r\nHello, World!",
);
const chunkedHello = encoder.encode(
  "HTTP/1.1 200 OK\r\ncontent-type: text/plain;charset=UTF-8\r\nvary: Accept-Encoding\r\n" +
    "transfer-encoding: chunked\r\ndate: Mon, 23 Nov 2026 12:00:00 GMT\r\n\r\n" +
    "d\r\nHello, World!\r\n0\r\n\r\n",
);
const pipelined = new Uint8Array(hello.length * PIPELINED);
for (let i = 0; i < PIPELINED; i++) pipelined.set(hello, i * hello.length);
// 1000 = 15 × 64 + 40.
const tail = pipelined.subarray(0, hello.length * (RESPONSES % PIPELINED));

let bodyBytes = 0;
function onResponse(response: ParsedResponse): void {
  bodyBytes += response.bodyBytes;
}

function check(): void {
  if (bodyBytes !== RESPONSES * 13) throw new Error(`parsed ${bodyBytes / 13} bodies`);
  bodyBytes = 0;
}

const parser = new Http1ResponseParser();

Deno.bench("hello, one push per response (×1000)", { baseline: true }, () => {
  for (let i = 0; i < RESPONSES; i++) {
    parser.expect("other");
    parser.push(hello, onResponse);
  }
  check();
});

Deno.bench(`hello, ${PIPELINED} pipelined per push (×1000)`, () => {
  for (let sent = 0; sent < RESPONSES; sent += PIPELINED) {
    const bytes = RESPONSES - sent >= PIPELINED ? pipelined : tail;
    const count = bytes.length / hello.length;
    for (let i = 0; i < count; i++) parser.expect("other");
    parser.push(bytes, onResponse);
  }
  check();
});

Deno.bench("chunked hello, one push per response (×1000)", () => {
  for (let i = 0; i < RESPONSES; i++) {
    parser.expect("other");
    parser.push(chunkedHello, onResponse);
  }
  check();
});
