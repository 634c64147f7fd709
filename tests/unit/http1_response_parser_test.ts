import assert from "node:assert/strict";
import {
  Http1ProtocolError,
  type Http1ProtocolErrorKind,
  type Http1RequestMethod,
  Http1ResponseParser,
  type Http1ResponseParserOptions,
  type ParsedResponse,
} from "../../clients/http1_response_parser.ts";
import { createRandom } from "../../plan/random.ts";

const encoder = new TextEncoder();

/** A server's bytes, the requests they answer, and what the parser should report. */
interface Case {
  name: string;
  text: string;
  methods: Http1RequestMethod[];
  expected: ParsedResponse[];
  options?: Http1ResponseParserOptions;
}

/** Feeds `pieces` then ends the connection; checks the returned counts against the callbacks. */
function parse(
  pieces: Uint8Array[],
  methods: Http1RequestMethod[],
  options?: Http1ResponseParserOptions,
): ParsedResponse[] {
  const parser = new Http1ResponseParser(options);
  for (const method of methods) parser.expect(method);
  const seen: ParsedResponse[] = [];
  let counted = 0;
  for (const piece of pieces) counted += parser.push(piece, (r) => seen.push(r));
  counted += parser.end((r) => seen.push(r));
  assert.equal(counted, seen.length, "returned counts match the callbacks");
  assert.equal(parser.pending, methods.length - seen.length);
  return seen;
}

/** Every way of cutting `bytes` this suite tries: whole, in two at every offset, byte by byte. */
function* splits(bytes: Uint8Array): Generator<[string, Uint8Array[]]> {
  yield ["whole", [bytes]];
  for (let at = 0; at <= bytes.length; at++) {
    yield [`split at ${at}`, [bytes.subarray(0, at), bytes.subarray(at)]];
  }
  const single: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i++) single.push(bytes.slice(i, i + 1));
  yield ["byte by byte", single];
}

const hello = "HTTP/1.1 200 OK\r\ncontent-type: text/plain;charset=UTF-8\r\n" +
  "vary: Accept-Encoding\r\ncontent-length: 13\r\ndate: Mon, 23 Nov 2026 12:00:00 GMT\r\n\r\n" +
  "Hello, World!";
const chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
  "5\r\nhello\r\n" +
  '7;name=value;quoted="a;b"\r\n, world\r\n' +
  "A \t;ext\r\n0123456789\r\n" +
  "0\r\nX-Checksum: abc\r\nX-Other: \r\n\r\n";

const ok = (bodyBytes: number, close = false) => ({ status: 200, bodyBytes, close });

const VALID: Case[] = [
  { name: "Content-Length", text: hello, methods: ["other"], expected: [ok(13)] },
  {
    name: "chunked with extensions and trailers",
    text: chunked,
    methods: ["other"],
    expected: [ok(22)],
  },
  {
    name: "chunked without trailers, upper-case hex and leading zeros",
    text: "HTTP/1.1 200 OK\r\ntransfer-encoding: CHUNKED\r\n\r\n00B\r\nhello world\r\n000\r\n\r\n",
    methods: ["other"],
    expected: [ok(11)],
  },
  {
    name: "Transfer-Encoding wins over Content-Length; the last coding counts",
    text: "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: gzip\r\n" +
      "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
    methods: ["other"],
    expected: [ok(3)],
  },
  {
    name: "204 has no body, whatever its headers say",
    text: "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
    methods: ["other"],
    expected: [{ status: 204, bodyBytes: 0, close: false }],
  },
  {
    name: "304 has no body",
    text: 'HTTP/1.1 304 Not Modified\r\nContent-Length: 100\r\nETag: "x"\r\n\r\n',
    methods: ["other"],
    expected: [{ status: 304, bodyBytes: 0, close: false }],
  },
  {
    name: "HEAD with Content-Length has no body",
    text: "HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\n",
    methods: ["HEAD"],
    expected: [ok(0)],
  },
  {
    name: "100 Continue then 200",
    text: "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
    methods: ["other"],
    expected: [ok(2)],
  },
  {
    name: "103 Early Hints with headers, then 100, then 201",
    text: "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\nContent-Length: 9\r\n\r\n" +
      "HTTP/1.1 100 \r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\n!",
    methods: ["other"],
    expected: [{ status: 201, bodyBytes: 1, close: false }],
  },
  {
    name: "Connection: close",
    text: "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok",
    methods: ["other"],
    expected: [ok(2, true)],
  },
  {
    name: "Connection tokens are a case-insensitive list",
    text: "HTTP/1.1 200 OK\r\nCONNECTION: Upgrade ,\tClose\r\nContent-Length: 2\r\n\r\nok",
    methods: ["other"],
    expected: [ok(2, true)],
  },
  {
    name: "HTTP/1.0 without keep-alive closes",
    text: "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok",
    methods: ["other"],
    expected: [ok(2, true)],
  },
  {
    name: "HTTP/1.0 with Connection: keep-alive stays open",
    text: "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n\r\nok",
    methods: ["other"],
    expected: [ok(2)],
  },
  {
    name: "a bare CR does not pass for the '-' of keep-alive",
    text: "HTTP/1.0 200 OK\r\nConnection: keep\ralive\r\nContent-Length: 2\r\n\r\nok",
    methods: ["other"],
    expected: [ok(2, true)],
  },
  {
    name: "HTTP/1.0 with Transfer-Encoding is parsed, then closed",
    text: "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n" +
      "2\r\nok\r\n0\r\n\r\n",
    methods: ["other"],
    expected: [ok(2, true)],
  },
  {
    name: "body until EOF",
    text: "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nHTTP/1.1 200 OK\r\n\r\n\u00ff\u0000",
    methods: ["other"],
    expected: [ok(22, true)],
  },
  {
    name: "body until EOF when chunked is not the last coding",
    text: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\nabc",
    methods: ["other"],
    expected: [ok(3, true)],
  },
  {
    name: "empty body, Content-Length 0",
    text: "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
    methods: ["other"],
    expected: [ok(0)],
  },
  {
    name: "status line without reason, header names in any case, OWS around values",
    text: "HTTP/1.1 200\r\nCONTENT-length:\t 4 \t\r\nX-Empty:\r\n\r\nabcd",
    methods: ["other"],
    expected: [ok(4)],
  },
  {
    name: "identical Content-Length values, repeated and listed",
    text: "HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\ncontent-length: 3\r\n\r\nabc",
    methods: ["other"],
    expected: [ok(3)],
  },
  {
    name: "pipelined: three responses, HEAD in the middle",
    text: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello" +
      "HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\n" +
      "HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nnah",
    methods: ["other", "HEAD", "other"],
    expected: [ok(5), ok(0), { status: 404, bodyBytes: 3, close: false }],
  },
  {
    name: "pipelined: every framing in one sequence, ending with a body until EOF",
    text: hello + chunked +
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n" +
      "HTTP/1.1 304 Not Modified\r\nContent-Length: 100\r\n\r\n" +
      "HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\n" +
      "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n" +
      "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok" +
      "HTTP/1.1 200 OK\r\n\r\nthe rest",
    methods: ["other", "other", "other", "other", "HEAD", "other", "other", "other"],
    expected: [
      ok(13),
      ok(22),
      { status: 204, bodyBytes: 0, close: false },
      { status: 304, bodyBytes: 0, close: false },
      ok(0),
      { status: 500, bodyBytes: 0, close: false },
      ok(2),
      ok(8, true),
    ],
  },
];

for (const c of VALID) {
  Deno.test(`${c.name}: same result whole, split at every offset, and byte by byte`, () => {
    const bytes = encoder.encode(c.text);
    for (const [how, pieces] of splits(bytes)) {
      assert.deepEqual(parse(pieces, c.methods, c.options), c.expected, how);
    }
  });
}

/** Bytes that must be refused, and how. */
interface BadCase {
  name: string;
  text: string;
  methods?: Http1RequestMethod[];
  kind: Http1ProtocolErrorKind;
  /** Responses reported before the error. */
  before?: number;
}

const cl = (headers: string) => `HTTP/1.1 200 OK\r\n${headers}\r\n`;
const chunkedHead = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";

const MALFORMED: BadCase[] = [
  { name: "bad protocol name", text: "HTTX/1.1 200 OK\r\n\r\n", kind: "bad-status-line" },
  { name: "non-digit in the code", text: "HTTP/1.1 2x0 OK\r\n\r\n", kind: "bad-status-line" },
  { name: "missing code", text: "HTTP/1.1 OK\r\n\r\n", kind: "bad-status-line" },
  { name: "no space after the code", text: "HTTP/1.1 200OK\r\n\r\n", kind: "bad-status-line" },
  { name: "HTTP/2.0", text: "HTTP/2.0 200 OK\r\n\r\n", kind: "bad-status-line" },
  { name: "code below 100", text: "HTTP/1.1 099 Low\r\n\r\n", kind: "bad-status-line" },
  { name: "bare LF in the status line", text: "HTTP/1.1 200 OK\n\n", kind: "bad-status-line" },
  { name: "empty line first", text: "\r\nHTTP/1.1 200 OK\r\n\r\n", kind: "bad-status-line" },
  {
    name: "101 nobody asked for",
    text: "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n",
    kind: "unexpected-upgrade",
  },
  { name: "header without colon", text: cl("Content-Length 5\r\n") + "hello", kind: "bad-header" },
  {
    name: "obs-fold",
    text: cl("X-A: a\r\n b\r\nContent-Length: 0\r\n"),
    kind: "bad-header",
  },
  { name: "space before the colon", text: cl("Content-Length : 0\r\n"), kind: "bad-header" },
  { name: "empty header name", text: cl(": 0\r\n"), kind: "bad-header" },
  { name: "bare LF after a header", text: cl("Content-Length: 0\n"), kind: "bad-header" },
  { name: "chunk size zz", text: chunkedHead + "zz\r\n", kind: "bad-chunk" },
  // Junk after the hex digits: a chunk size is hex, optional whitespace, then `;` or the end.
  { name: "chunk size 5g", text: chunkedHead + "5g\r\nhello\r\n0\r\n\r\n", kind: "bad-chunk" },
  { name: "chunk size '5 x'", text: chunkedHead + "5 x\r\nhello\r\n0\r\n\r\n", kind: "bad-chunk" },
  { name: "chunk size 5,6", text: chunkedHead + "5,6\r\nhello\r\n0\r\n\r\n", kind: "bad-chunk" },
  { name: "empty chunk size", text: chunkedHead + ";ext\r\n", kind: "bad-chunk" },
  { name: "chunk size above 2^53", text: chunkedHead + "20000000000001\r\n", kind: "bad-chunk" },
  {
    name: "chunk size with many digits",
    text: chunkedHead + "1000000000000000000000000\r\n",
    kind: "bad-chunk",
  },
  {
    name: "chunk data longer than declared",
    text: chunkedHead + "5\r\nhello world\r\n0\r\n\r\n",
    kind: "bad-chunk",
  },
  { name: "chunk data then CR without LF", text: chunkedHead + "2\r\nok\rX", kind: "bad-chunk" },
  {
    name: "trailer without colon",
    text: chunkedHead + "0\r\nX-Trailer\r\n\r\n",
    kind: "bad-header",
  },
  {
    name: "conflicting Content-Length fields",
    text: cl("Content-Length: 5\r\nContent-Length: 6\r\n") + "hello!",
    kind: "bad-content-length",
  },
  {
    name: "conflicting Content-Length list",
    text: cl("Content-Length: 5, 6\r\n"),
    kind: "bad-content-length",
  },
  {
    name: "negative Content-Length",
    text: cl("Content-Length: -1\r\n"),
    kind: "bad-content-length",
  },
  { name: "signed Content-Length", text: cl("Content-Length: +1\r\n"), kind: "bad-content-length" },
  {
    name: "Content-Length with a unit",
    text: cl("Content-Length: 5a\r\n"),
    kind: "bad-content-length",
  },
  { name: "empty Content-Length", text: cl("Content-Length: \r\n"), kind: "bad-content-length" },
  {
    name: "Content-Length above 2^53",
    text: cl("Content-Length: 99999999999999999999\r\n"),
    kind: "bad-content-length",
  },
  {
    name: "truncated body at end()",
    text: cl("Content-Length: 10\r\n") + "hello",
    kind: "truncated",
  },
  { name: "truncated headers at end()", text: "HTTP/1.1 200 OK\r\nContent-Le", kind: "truncated" },
  { name: "truncated status line at end()", text: "HTTP/1.1 2", kind: "truncated" },
  { name: "truncated chunked body at end()", text: chunkedHead + "5\r\nhel", kind: "truncated" },
  { name: "truncated between chunk and CRLF", text: chunkedHead + "5\r\nhello", kind: "truncated" },
  { name: "truncated trailers at end()", text: chunkedHead + "0\r\nX: y\r\n", kind: "truncated" },
  {
    name: "closed after 100 Continue only",
    text: "HTTP/1.1 100 Continue\r\n\r\n",
    kind: "truncated",
  },
  {
    name: "bytes with nothing pending",
    text: cl("Content-Length: 0\r\n"),
    methods: [],
    kind: "unexpected-bytes",
  },
  {
    name: "a second response when one was asked for",
    text: cl("Content-Length: 0\r\n") + cl("Content-Length: 0\r\n"),
    kind: "unexpected-bytes",
    before: 1,
  },
  {
    name: "bytes after a response that closes the connection",
    text: cl("Connection: close\r\nContent-Length: 0\r\n") + cl("Content-Length: 0\r\n"),
    methods: ["other", "other"],
    kind: "unexpected-bytes",
    before: 1,
  },
];

/** Feeds `pieces` then ends; returns the error thrown and the responses reported before it. */
function parseExpectingError(
  pieces: Uint8Array[],
  methods: Http1RequestMethod[],
  options?: Http1ResponseParserOptions,
): { error: Http1ProtocolError; reported: number } {
  const parser = new Http1ResponseParser(options);
  for (const method of methods) parser.expect(method);
  let reported = 0;
  try {
    for (const piece of pieces) parser.push(piece, () => reported++);
    parser.end(() => reported++);
  } catch (error) {
    assert.ok(error instanceof Http1ProtocolError, String(error));
    // Unusable after: the same error again.
    assert.throws(() => parser.push(new Uint8Array(1), () => {}), (e) => e === error);
    assert.throws(() => parser.end(() => {}), (e) => e === error);
    return { error, reported };
  }
  assert.fail("no error thrown");
}

for (const c of MALFORMED) {
  Deno.test(`malformed: ${c.name} -> ${c.kind}, however the bytes are cut`, () => {
    const bytes = encoder.encode(c.text);
    for (const [how, pieces] of splits(bytes)) {
      const { error, reported } = parseExpectingError(pieces, c.methods ?? ["other"]);
      assert.equal(error.kind, c.kind, `${how}: ${error.message}`);
      assert.equal(error.name, "Http1ProtocolError");
      assert.equal(reported, c.before ?? 0, how);
    }
  });
}

Deno.test("the error message escapes an excerpt of the offending bytes", () => {
  const { error } = parseExpectingError([encoder.encode("HTTX/1.1 200 OK\r\n\r\n")], ["other"]);
  assert.match(error.message, /"HTTX\/1\.1 200 OK\\r\\n"/);
  const chunk = parseExpectingError(
    [encoder.encode(chunkedHead + "zz\u0001\r\n")],
    ["other"],
  ).error;
  assert.match(chunk.message, /"zz\\x01\\r\\n"/);
  const long = parseExpectingError(
    [encoder.encode(cl(`X-Long: ${"a".repeat(200)}\r\nContent-Length 1\r\n`))],
    ["other"],
  ).error;
  assert.match(long.message, /"Content-Length 1\\r\\n"/);
});

Deno.test("oversized headers are refused before the end of the head arrives", () => {
  const text = cl(`X-Big: ${"a".repeat(2000)}\r\nContent-Length: 0\r\n`);
  const bytes = encoder.encode(text);
  const headEnd = text.indexOf("\r\n\r\n");
  for (const piece of [1, 7, 16, 100]) {
    const parser = new Http1ResponseParser({ maxHeaderBytes: 1024 });
    parser.expect("other");
    let fed = 0;
    let error: unknown = null;
    try {
      for (; fed < bytes.length; fed += piece) {
        parser.push(bytes.subarray(fed, fed + piece), () => {});
      }
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof Http1ProtocolError, `piece ${piece}: no protocol error: ${error}`);
    assert.equal(error.kind, "headers-too-large");
    assert.ok(fed < headEnd, `threw at byte ${fed}, the head ends at ${headEnd}`);
    assert.ok(fed <= 1024, `threw at byte ${fed}, soon after the limit`);
  }
});

Deno.test("a head of exactly maxHeaderBytes passes; one byte more does not", () => {
  const head = (size: number) => {
    const base = cl("Content-Length: 0\r\nX: \r\n");
    return cl(`Content-Length: 0\r\nX: ${"b".repeat(size - base.length)}\r\n`);
  };
  assert.equal(head(300).length, 300);
  for (const [how, pieces] of splits(encoder.encode(head(300)))) {
    assert.deepEqual(parse(pieces, ["other"], { maxHeaderBytes: 300 }), [ok(0)], how);
  }
  for (const [how, pieces] of splits(encoder.encode(head(301)))) {
    const { error } = parseExpectingError(pieces, ["other"], { maxHeaderBytes: 300 });
    assert.equal(error.kind, "headers-too-large", how);
  }
});

Deno.test("the limit applies per interim response, to trailers, and to chunk-size lines", () => {
  const interim = "HTTP/1.1 100 Continue\r\n" + `X: ${"c".repeat(150)}\r\n\r\n`;
  assert.deepEqual(
    parse([encoder.encode(interim + interim + cl("Content-Length: 0\r\n"))], ["other"], {
      maxHeaderBytes: 200,
    }),
    [ok(0)],
  );
  const trailers = chunkedHead + `0\r\nX: ${"t".repeat(300)}\r\n\r\n`;
  assert.equal(
    parseExpectingError([encoder.encode(trailers)], ["other"], { maxHeaderBytes: 200 }).error.kind,
    "headers-too-large",
  );
  const extension = chunkedHead + `1;${"e".repeat(300)}\r\nx\r\n0\r\n\r\n`;
  assert.equal(
    parseExpectingError([encoder.encode(extension)], ["other"], { maxHeaderBytes: 200 }).error
      .kind,
    "bad-chunk",
  );
});

Deno.test("a long pipeline grows the request queue and keeps HEAD in its place", () => {
  const parser = new Http1ResponseParser();
  let text = "";
  const expected: ParsedResponse[] = [];
  for (let i = 0; i < 100; i++) {
    const head = i % 7 === 3;
    parser.expect(head ? "HEAD" : "other");
    text += cl(`Content-Length: ${i}\r\n`) + (head ? "" : "x".repeat(i));
    expected.push(ok(head ? 0 : i));
  }
  assert.equal(parser.pending, 100);
  const seen: ParsedResponse[] = [];
  assert.equal(parser.push(encoder.encode(text), (r) => seen.push(r)), 100);
  assert.deepEqual(seen, expected);
  assert.equal(parser.pending, 0);
});

Deno.test("expect() may be called from onResponse, as a closed-loop engine does", () => {
  const parser = new Http1ResponseParser();
  const response = encoder.encode(hello);
  const stream = new Uint8Array(response.length * 10);
  for (let i = 0; i < 10; i++) stream.set(response, i * response.length);
  let left = 9;
  parser.expect("other");
  let count = 0;
  for (let at = 0; at < stream.length; at += 50) {
    count += parser.push(stream.subarray(at, at + 50), () => {
      if (left-- > 0) parser.expect("other");
    });
  }
  assert.equal(count, 10);
  assert.equal(parser.pending, 0);
});

Deno.test("reset() readies the parser for a new connection, mid-response or after an error", () => {
  const parser = new Http1ResponseParser();
  parser.expect("other");
  parser.expect("other");
  parser.push(encoder.encode("HTTP/1.1 200 OK\r\nContent-Le"), () => {});
  parser.reset();
  assert.equal(parser.pending, 0);
  parser.expect("other");
  const seen: ParsedResponse[] = [];
  parser.push(encoder.encode(hello), (r) => seen.push(r));
  assert.deepEqual(seen, [ok(13)]);

  assert.throws(() => parser.push(encoder.encode("junk"), () => {}), Http1ProtocolError);
  parser.reset();
  parser.expect("HEAD");
  assert.equal(parser.push(encoder.encode(cl("Content-Length: 5\r\n")), () => {}), 1);
  assert.equal(parser.end(() => {}), 0);
  assert.throws(
    () => parser.push(encoder.encode("x"), () => {}),
    (e) => e instanceof Http1ProtocolError && e.kind === "unexpected-bytes",
  );
});

Deno.test("end() with requests unanswered and nothing received is not truncation", () => {
  const parser = new Http1ResponseParser();
  parser.expect("other");
  parser.expect("other");
  assert.equal(parser.push(encoder.encode(hello), () => {}), 1);
  assert.equal(parser.end(() => {}), 0);
  assert.equal(parser.pending, 1);
});

Deno.test("responses completed before an error in the same push are reported", () => {
  const parser = new Http1ResponseParser();
  parser.expect("other");
  parser.expect("other");
  const seen: ParsedResponse[] = [];
  assert.throws(
    () => parser.push(encoder.encode(hello + "HTTP/1.1 2x0 OK\r\n\r\n"), (r) => seen.push(r)),
    (e) => e instanceof Http1ProtocolError && e.kind === "bad-status-line",
  );
  assert.deepEqual(seen, [ok(13)]);
});

/** Responses, or the error kind and the responses before it: what a cut must not change. */
function outcome(pieces: Uint8Array[], methods: Http1RequestMethod[]): string {
  const parser = new Http1ResponseParser();
  for (const method of methods) parser.expect(method);
  const seen: ParsedResponse[] = [];
  try {
    for (const piece of pieces) parser.push(piece, (r) => seen.push(r));
    parser.end((r) => seen.push(r));
    return JSON.stringify(seen);
  } catch (error) {
    if (!(error instanceof Http1ProtocolError)) throw error;
    return `${error.kind} after ${JSON.stringify(seen)}`;
  }
}

Deno.test("mutated responses: the outcome never depends on where reads cut the bytes", () => {
  const random = createRandom(9112);
  const pipeline = VALID[VALID.length - 1];
  const original = encoder.encode(pipeline.text);
  const interesting = encoder.encode("\r\n:; 0aZ\t,\x7f");
  const kinds = new Set<string>();
  for (let round = 0; round < 300; round++) {
    const bytes = original.slice();
    for (let m = 1 + Math.floor(random() * 3); m > 0; m--) {
      const at = Math.floor(random() * bytes.length);
      bytes[at] = random() < 0.5
        ? interesting[Math.floor(random() * interesting.length)]
        : Math.floor(random() * 256);
    }
    const whole = outcome([bytes], pipeline.methods);
    if (!whole.startsWith("[")) kinds.add(whole.split(" ")[0]);
    const single: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i++) single.push(bytes.subarray(i, i + 1));
    assert.equal(outcome(single, pipeline.methods), whole, `round ${round}, byte by byte`);
    const pieces: Uint8Array[] = [];
    for (let at = 0; at < bytes.length;) {
      const size = 1 + Math.floor(random() * 40);
      pieces.push(bytes.subarray(at, at + size));
      at += size;
    }
    assert.equal(outcome(pieces, pipeline.methods), whole, `round ${round}, random cuts`);
  }
  // The mutations reach most kinds of error.
  assert.ok(kinds.size >= 5, [...kinds].join(", "));
});

Deno.test("a truncation says whether the head or the body was cut", () => {
  const cut = (text: string) => {
    const parser = new Http1ResponseParser();
    parser.expect("other");
    parser.push(new TextEncoder().encode(text), () => {});
    try {
      parser.end(() => {});
    } catch (error) {
      return error as Http1ProtocolError;
    }
    throw new Error("expected a truncation");
  };
  assert.equal(cut("HTTP/1.1 200 OK\r\ncontent-le").inBody, false);
  assert.equal(cut("HTTP/1.1 200 OK\r\ncontent-length: 9\r\n\r\nabc").inBody, true);
  assert.equal(cut("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nab").inBody, true);
});

Deno.test("a chunk extension (5;a=b) is accepted and its size read", () => {
  const text = chunkedHead + "5;a=b\r\nhello\r\n0;last\r\n\r\n";
  for (const [how, pieces] of splits(encoder.encode(text))) {
    assert.deepEqual(parse(pieces, ["other"]), [ok(5)], how);
  }
});

/** The chunk-size rule, written independently of the parser: hex, optional OWS, `;` or the end. */
function expectedChunkSize(line: string): number | null {
  const match = /^([0-9a-fA-F]+)[ \t]*(;.*)?$/.exec(line);
  return match ? parseInt(match[1], 16) : null;
}

Deno.test("generated chunk-size lines parse as the rule says, however the bytes are cut", () => {
  const random = createRandom(7230);
  const alphabet = '0123456789abcdefABCDEFgxz ,;=\t"-';
  let valid = 0;
  let invalid = 0;
  for (let round = 0; round < 400; round++) {
    let line = "";
    for (let n = 1 + Math.floor(random() * 6); n > 0; n--) {
      line += alphabet[Math.floor(random() * alphabet.length)];
    }
    const size = expectedChunkSize(line);
    // Small sizes only, so the data can follow: leading digits kept to one or two.
    if (size !== null && size > 255) continue;
    const data = "x".repeat(size ?? 3);
    // A size of 0 is the last chunk: the empty line after it ends the response.
    const text = chunkedHead + `${line}\r\n` + (size === 0 ? "\r\n" : `${data}\r\n0\r\n\r\n`);
    const expected = size === null ? "bad-chunk after []" : JSON.stringify([ok(size)]);
    if (size === null) invalid++;
    else valid++;
    const bytes = encoder.encode(text);
    assert.equal(outcome([bytes], ["other"]), expected, JSON.stringify(line));
    const pieces: Uint8Array[] = [];
    for (let at = 0; at < bytes.length;) {
      const step = 1 + Math.floor(random() * 8);
      pieces.push(bytes.subarray(at, at + step));
      at += step;
    }
    assert.equal(outcome(pieces, ["other"]), expected, `${JSON.stringify(line)}, cut`);
  }
  assert.ok(valid >= 20 && invalid >= 100, `${valid} valid, ${invalid} invalid lines`);
});

/** A random valid response, its bytes and what the parser must report for it. */
function randomResponse(
  random: () => number,
  method: Http1RequestMethod,
): { text: string; expected: ParsedResponse } {
  const status = [200, 201, 204, 301, 304, 404, 500][Math.floor(random() * 7)];
  const body = "b".repeat(Math.floor(random() * 40));
  const extra = random() < 0.5 ? "X-Pad: " + "p".repeat(Math.floor(random() * 30)) + "\r\n" : "";
  const interim = random() < 0.15 ? "HTTP/1.1 100 Continue\r\n\r\n" : "";
  const noBody = method === "HEAD" || status === 204 || status === 304;
  let text: string;
  if (random() < 0.5) {
    text = `HTTP/1.1 ${status} R\r\n${extra}Content-Length: ${body.length}\r\n\r\n` +
      (noBody ? "" : body);
  } else {
    let chunks = "";
    for (let rest = body; rest.length > 0;) {
      const n = 1 + Math.floor(random() * rest.length);
      chunks += `${n.toString(16)}${random() < 0.3 ? ";e=v" : ""}\r\n${rest.slice(0, n)}\r\n`;
      rest = rest.slice(n);
    }
    text = `HTTP/1.1 ${status} R\r\nTransfer-Encoding: chunked\r\n${extra}\r\n` +
      (noBody ? "" : chunks + "0\r\n\r\n");
  }
  return {
    text: interim + text,
    expected: { status, bodyBytes: noBody ? 0 : body.length, close: false },
  };
}

Deno.test("generated pipelines parse to the responses they were made of, however cut", () => {
  const random = createRandom(9110);
  for (let round = 0; round < 200; round++) {
    const methods: Http1RequestMethod[] = [];
    let text = "";
    const expected: ParsedResponse[] = [];
    for (let n = 1 + Math.floor(random() * 4); n > 0; n--) {
      const method = random() < 0.2 ? "HEAD" : "other";
      const response = randomResponse(random, method);
      methods.push(method);
      text += response.text;
      expected.push(response.expected);
    }
    const bytes = encoder.encode(text);
    const pieces: Uint8Array[] = [];
    for (let at = 0; at < bytes.length;) {
      const step = 1 + Math.floor(random() * 30);
      pieces.push(bytes.subarray(at, at + step));
      at += step;
    }
    assert.equal(outcome([bytes], methods), JSON.stringify(expected), `round ${round} whole`);
    assert.equal(outcome(pieces, methods), JSON.stringify(expected), `round ${round} cut`);
  }
});
