import assert from "node:assert/strict";
import { diagnoseStall, type StallEvidence } from "../../report/stall_diagnosis.ts";
import { renderStallDiagnosis } from "../../report/text/stall.ts";
import { streamLimitHints } from "../../report/_stall_hints.ts";
import { leakingTimeouts } from "../../run/stall_inputs.ts";
import { countSockets, type SocketCensus, type TcpState } from "../../system/socket_census.ts";

function evidence(overrides: Partial<StallEvidence> = {}): StallEvidence {
  return {
    detectedAtMs: 7000,
    progressStoppedAtMs: 2000,
    boundMs: 5000,
    totals: { completed: 900, inFlight: 8, planned: 1000 },
    serverNames: ["hello[0]", "hello[1]", "hello[2]"],
    clientNames: ["c[0]", "c[1]"],
    inFlightByServer: [0, 8, 0],
    awaitingHeadersByServer: [0, 8, 0],
    inFlightByClient: [4, 4],
    servers: [
      { received: 300, responded: 300, failure: null },
      { received: 308, responded: 300, failure: null },
      { received: 300, responded: 300, failure: null },
    ],
    oldest: [
      { clientId: 1, server: 1, ageMs: 4900, phase: "awaiting-headers" },
      { clientId: 0, server: 1, ageMs: 5000, phase: "awaiting-headers" },
    ],
    process: { openFds: 40, fdLimit: 20000, rssBytes: 100 * 1024 * 1024 },
    silentWorkers: [],
    sockets: null,
    serverPorts: [8080, 8081, 8082],
    ...overrides,
  };
}

Deno.test("a handler hang: every request waits on one server that received them and never answered", () => {
  const d = diagnoseStall(evidence());
  assert.deepEqual(d.hints, [
    "every request in flight (8) waits on hello[1]",
    "hello[1] received 8 requests it never answered: its handler is stuck (a server-side hang)",
  ]);
  assert.deepEqual(d.servers.map((s) => s.server), ["hello[1]"]);
  assert.deepEqual(d.oldest.map((r) => `${r.client}->${r.server}@${r.ageMs}`), [
    "c[0]->hello[1]@5000",
    "c[1]->hello[1]@4900",
  ]);
  assert.equal(d.owed, 100);
});

Deno.test("requests the server never saw wait before the handler (not accepted, accept queue)", () => {
  const d = diagnoseStall(evidence({
    servers: [
      { received: 300, responded: 300, failure: null },
      { received: 300, responded: 300, failure: null },
      { received: 300, responded: 300, failure: null },
    ],
  }));
  assert.match(
    d.hints[1],
    /^hello\[1\]'s handler never saw 8 of the 8 requests the clients are awaiting headers for: they wait before the handler/,
  );
});

Deno.test("a stopped server, a body that never ends and fds at the limit are each named", () => {
  const d = diagnoseStall(evidence({
    inFlightByServer: [2, 6, 0],
    servers: [
      { received: 100, responded: 100, failure: "Too many open files (os error 24)" },
      { received: 306, responded: 306, failure: null },
      { received: 300, responded: 300, failure: null },
    ],
    oldest: [{ clientId: 0, server: 1, ageMs: 5000, phase: "reading-body" }],
    process: { openFds: 19_990, fdLimit: 20_000, rssBytes: null },
  }));
  assert.ok(d.hints.includes("6 of 8 requests in flight wait on hello[1]"), d.hints.join("\n"));
  assert.ok(d.hints.includes("hello[0] stopped serving: Too many open files (os error 24)"));
  assert.ok(
    d.hints.some((h) =>
      h.startsWith("the oldest requests got their headers but their bodies never ended")
    ),
  );
  assert.ok(
    d.hints.some((h) => h.startsWith("open file descriptors 19990 are near the limit 20000")),
  );
});

Deno.test("nothing in flight but work owed: the clients stopped sending", () => {
  const d = diagnoseStall(evidence({
    totals: { completed: 900, inFlight: 0, planned: 1000 },
    inFlightByServer: [0, 0, 0],
    inFlightByClient: [0, 0],
    servers: [
      { received: 300, responded: 300, failure: null },
      { received: 300, responded: 300, failure: null },
      { received: 300, responded: 300, failure: null },
    ],
    oldest: [],
  }));
  assert.deepEqual(d.hints, [
    "nothing is in flight but 100 requests are still owed: the clients stopped sending",
  ]);
});

Deno.test("the rendered diagnosis says when, where, what the servers saw, resources and hints", () => {
  const text = renderStallDiagnosis(diagnoseStall(evidence()));
  for (
    const line of [
      "STALL: no request completed for 5.00s (bound 5.00s): progress stopped 2.00s into the load, detected at 7.00s",
      "  900 done, 100 owed (in flight or not yet sent), 8 in flight",
      "    hello[1]: 8 in flight; received 308, answered 300 (8 still in its handler)",
      "  in flight by client: c[0] 4, c[1] 4",
      "    c[0] -> hello[1]: 5.00s, awaiting headers",
      "  runtime: 40 open fds (limit 20000), RSS 100.00MiB",
      "    - every request in flight (8) waits on hello[1]",
    ]
  ) {
    assert.ok(text.includes(line), `missing ${JSON.stringify(line)} in:\n${text}`);
  }
});

Deno.test("a body that never ends is not mistaken for requests that never reached the handler", () => {
  const d = diagnoseStall(evidence({
    totals: { completed: 900, inFlight: 2, planned: 1000 },
    inFlightByServer: [2, 0, 0],
    awaitingHeadersByServer: [0, 0, 0],
    inFlightByClient: [2, 0],
    servers: [
      { received: 302, responded: 302, failure: null },
      { received: 300, responded: 300, failure: null },
      { received: 300, responded: 300, failure: null },
    ],
    oldest: [{ clientId: 0, server: 0, ageMs: 5000, phase: "reading-body" }],
  }));
  assert.deepEqual(d.hints, [
    "every request in flight (2) waits on hello[0]",
    "the oldest requests got their headers but their bodies never ended: a slow or cut-off body",
  ]);
});

/** A census of the run's ports from socket lines, as the run layer reads it. */
function census(ports: number[], lines: string[]) {
  const sockets = lines.map((line) => {
    const [local, remote, state, tx = "0", rx = "0"] = line.split(" ");
    return {
      localPort: Number(local),
      remotePort: Number(remote),
      state: state as TcpState,
      txQueue: Number(tx),
      rxQueue: Number(rx),
    };
  });
  return countSockets(sockets, new Set(ports));
}

/** A command server (counts unknown) on 8081 with 8 requests awaiting headers on it. */
function commandEvidence(sockets: SocketCensus | null): StallEvidence {
  return evidence({
    serverNames: ["app[0]", "app[1]"],
    serverPorts: [8080, 8081],
    inFlightByServer: [0, 8],
    awaitingHeadersByServer: [0, 8],
    servers: [
      { received: null, responded: null, failure: null },
      { received: null, responded: null, failure: null },
    ],
    oldest: [
      { clientId: 0, server: 1, ageMs: 6200, phase: "awaiting-headers" },
      { clientId: 1, server: 1, ageMs: 6000, phase: "awaiting-headers" },
    ],
    sockets,
  });
}

const listener = (port: number, queued = 0) => `${port} 0 LISTEN 0 ${queued}`;
/** `n` loopback connections to `port`, both ends, from client ports `from`, `from + 1`, ... */
function connections(port: number, n: number, from: number, state = "ESTABLISHED"): string[] {
  return Array.from({ length: n }, (_, i) => [
    `${port} ${from + i} ${state}`,
    `${from + i} ${port} ${state}`,
  ]).flat();
}

Deno.test("a command that accepted every connection and answers none is named from its sockets", () => {
  const d = diagnoseStall(
    commandEvidence(census([8080, 8081], [listener(8081), ...connections(8081, 8, 40000)])),
  );
  assert.deepEqual(d.hints, [
    "every request in flight (8) waits on app[1]",
    "app[1] accepted 8 connections and answered none of the 8 requests on them for 6.20s (its accept queue is empty and no answer bytes wait in any socket): it reads requests and has answered none, a server-side hang or work slower than the bound (wedge cannot count requests inside it: received and answered are unknown)",
  ]);
  assert.deepEqual(d.servers.map((s) => [s.server, s.received, s.responded, s.connections]), [
    ["app[1]", null, null, { accepted: 8, acceptQueue: 0 }],
  ]);
  const text = renderStallDiagnosis(d);
  assert.ok(
    text.includes(
      "    app[1]: 8 in flight; received n/a, answered n/a; 8 connections accepted, 0 in its accept queue",
    ),
    text,
  );
});

Deno.test("unread request bytes and requests past the accepted connections are said", () => {
  const lines = [listener(8081), ...connections(8081, 6, 40000)];
  lines[1] = "8081 40000 ESTABLISHED 0 78"; // the server end holds 78 request bytes it never read
  const d = diagnoseStall(commandEvidence(census([8081], lines)));
  assert.equal(
    d.hints[1],
    "app[1] accepted 6 connections and answered none of the 6 requests on them for 6.20s (its accept queue is empty and no answer bytes wait in any socket; 1 of them hold request bytes it has not even read; 2 more wait in the clients' pools for a connection): it has not read all of them and has answered none, a server-side hang or work slower than the bound (wedge cannot count requests inside it: received and answered are unknown)",
  );
});

Deno.test("with pipelining, the requests on the accepted connections are all of their batches", () => {
  // 2 connections, 4 requests pipelined on each: all 8 are on them, none in a pool.
  const lines = [listener(8081), ...connections(8081, 2, 40000)];
  const d = diagnoseStall({ ...commandEvidence(census([8081], lines)), pipeliningTo: [1, 4] });
  assert.match(
    d.hints[1],
    /^app\[1\] accepted 2 connections and answered none of the 8 requests on them/,
  );
  assert.doesNotMatch(d.hints[1], /wait in the clients' pools/);
});

Deno.test("unknown counts: no hint treats them as zero, and no sockets means no server hint", () => {
  const d = diagnoseStall(commandEvidence(null));
  assert.deepEqual(d.hints, ["every request in flight (8) waits on app[1]"]);
  assert.ok(!d.hints.some((h) => /never saw|received \d/.test(h)), d.hints.join("\n"));
  assert.match(renderStallDiagnosis(d), /app\[1\]: 8 in flight; received n\/a, answered n\/a\n/);
});

Deno.test("an answer waiting unread at the client is not called a silent server", () => {
  const lines = [listener(8081), ...connections(8081, 8, 40000)];
  lines[3] = "40001 8081 ESTABLISHED 0 19"; // a response the client has not read
  const d = diagnoseStall(commandEvidence(census([8081], lines)));
  assert.deepEqual(d.hints, ["every request in flight (8) waits on app[1]"]);
});

Deno.test("a full accept queue and handshakes stuck in SYN_SENT are named, not a silent server", () => {
  const d = diagnoseStall(commandEvidence(census([8081], [
    listener(8081, 3),
    ...connections(8081, 3, 40000),
    "40010 8081 SYN_SENT",
    "40011 8081 SYN_SENT",
  ])));
  assert.deepEqual(d.hints, [
    "every request in flight (8) waits on app[1]",
    "app[1]: 3 connections wait in its accept queue, never accepted (the listener is not calling accept())",
    "2 client connections are stuck in SYN_SENT: the handshake does not complete (accept queue full, or SYNs dropped)",
  ]);
});

Deno.test("an accept queue behind a server process out of fds: EMFILE, not 'not calling accept()'", () => {
  const sockets = census([8081], [listener(8081, 3), ...connections(8081, 3, 40000)]);
  const at = (openFds: number) => ({
    ...commandEvidence(sockets),
    serverFds: [null, { openFds, fdLimit: 32 }],
  });
  // A python server under `ulimit -n 32` calls accept4 ~12,000 times a second, each EMFILE.
  assert.equal(
    diagnoseStall(at(33)).hints[1],
    'app[1]: 3 connections wait in its accept queue, never accepted: its process holds 33 file descriptors of its limit 32, so accept() fails with EMFILE ("Too many open files")',
  );
  assert.match(diagnoseStall(at(12)).hints[1], /\(the listener is not calling accept\(\)\)$/);
});

Deno.test("one connection stuck in SYN_SENT is said in the singular", () => {
  const d = diagnoseStall(evidence({ sockets: census([8081], ["40010 8081 SYN_SENT"]) }));
  assert.equal(
    d.hints.at(-1),
    "1 client connection is stuck in SYN_SENT: the handshake does not complete (accept queue full, or SYNs dropped)",
  );
});

/** Worker 1 (client c[1], on hello[1]) has been silent for 3 s: what it holds is unknown. */
function silentEvidence(overrides: Partial<StallEvidence> = {}): StallEvidence {
  return evidence({
    totals: { completed: 900, inFlight: 0, planned: 1000 },
    inFlightByServer: [0, null, 0],
    awaitingHeadersByServer: [0, null, 0],
    inFlightByClient: [0, null],
    servers: [
      { received: 300, responded: 300, failure: null },
      { received: 300, responded: 300, failure: null },
      { received: 300, responded: 300, failure: null },
    ],
    oldest: [],
    silentWorkers: [{ worker: 1, silentForMs: 3000 }],
    ...overrides,
  });
}

Deno.test("a silent worker makes in flight unknown (null), never the 0 its stale counts add up to", () => {
  const d = diagnoseStall(silentEvidence());
  assert.equal(d.inFlight, null);
  assert.deepEqual(d.clients, [{ client: "c[1]", inFlight: null }]);
  assert.deepEqual(d.hints, [
    "client worker 1 has posted nothing for 3.00s: its event loop may be blocked, and what its clients have in flight is unknown",
  ]);
  const text = renderStallDiagnosis(d);
  assert.ok(text.includes("  900 done, 100 owed (in flight or not yet sent), n/a in flight"), text);
  assert.ok(text.includes("  in flight by client: c[1] n/a"), text);
  assert.ok(!/\b0 in flight/.test(text), text);
});

Deno.test("a silent worker: no hint reasons from in-flight counts it does not know", () => {
  const d = diagnoseStall(silentEvidence({
    totals: { completed: 900, inFlight: 8, planned: 1000 },
    inFlightByClient: [8, null],
    inFlightByServer: [0, null, 0],
    servers: [
      { received: 300, responded: 300, failure: null },
      { received: 302, responded: 300, failure: null },
      { received: 300, responded: 300, failure: null },
    ],
  }));
  assert.equal(d.inFlight, null);
  // hello[1] is shown for what its own counters say, its in-flight count unknown.
  assert.deepEqual(d.servers.map((s) => [s.server, s.clientInFlight]), [["hello[1]", null]]);
  assert.deepEqual(d.hints, [
    "hello[1] received 2 requests it never answered: its handler is stuck (a server-side hang)",
    "client worker 1 has posted nothing for 3.00s: its event loop may be blocked, and what its clients have in flight is unknown",
  ]);
  assert.ok(
    renderStallDiagnosis(d).includes(
      "    hello[1]: n/a in flight; received 302, answered 300 (2 still in its handler)",
    ),
  );
});

Deno.test("a silent worker's requests are listed with their age as of its last post, never as now's", () => {
  const d = diagnoseStall(silentEvidence({
    detectedAtMs: 7000,
    oldest: [
      // c[1]'s worker last posted at 4 s: the request was 1.5 s old then (sent at 2.5 s).
      {
        clientId: 1,
        server: 1,
        ageMs: 1500,
        phase: "reading-body",
        asOf: { worker: 1, atMs: 4000 },
      },
      { clientId: 0, server: 0, ageMs: 4000, phase: "awaiting-headers" }, // sent at 3 s
    ],
  }));
  assert.deepEqual(d.oldest.map((r) => [r.client, r.ageMs, r.asOf]), [
    ["c[1]", 1500, { worker: 1, atMs: 4000 }],
    ["c[0]", 4000, null],
  ]);
  const text = renderStallDiagnosis(d);
  assert.ok(
    text.includes(
      "    c[1] -> hello[1]: 1.50s, reading body (as of worker 1's last post, 3.00s ago)\n",
    ),
    text,
  );
  assert.ok(text.includes("    c[0] -> hello[0]: 4.00s, awaiting headers\n"), text);
});

Deno.test("no body hint from a silent worker's requests: they may have ended since", () => {
  const stale = { worker: 1, atMs: 4000 };
  const d = diagnoseStall(silentEvidence({
    oldest: [{ clientId: 1, server: 1, ageMs: 1500, phase: "reading-body", asOf: stale }],
  }));
  assert.ok(!d.hints.some((h) => /bodies never ended/.test(h)), d.hints.join("\n"));
});

Deno.test("every stream slot held blames leaking timeouts only when a client fleet has them", () => {
  const streamEvidence = (leakingTimeouts: boolean | undefined) =>
    ({
      serverNames: ["h2[0]"],
      servers: [{ streams: { connections: new Map([[50000, { open: 200 }]]) } }],
      leakingTimeouts,
    }) as unknown as StallEvidence;
  assert.match(
    streamLimitHints(streamEvidence(true))[0],
    /timeouts that do not cancel leak streams: seed 004\)$/,
  );
  assert.match(streamLimitHints(streamEvidence(undefined))[0], /seed 004\)$/);
  // No timeout that forgets to cancel: the server holds the streams, not the clients.
  const held = streamLimitHints(streamEvidence(false))[0];
  assert.match(
    held,
    /^h2\[0\] has 200 HTTP\/2 streams open on one connection: .*\(the server holds those requests unanswered/,
  );
  assert.doesNotMatch(held, /seed 004/);
});

Deno.test("whether timeouts leak: known from wedge's fleets, unknown once the user's own clients run", () => {
  const leaky = { clients: [{ timeout: { cancel: false } }, { timeout: null }] };
  const careful = { clients: [{ timeout: { cancel: true } }, { timeout: null }] };
  assert.equal(leakingTimeouts(leaky, { ownClients: true }), true);
  assert.equal(leakingTimeouts(careful, { ownClients: false }), false);
  assert.equal(leakingTimeouts(careful, { ownClients: true }), undefined);
});

Deno.test("what is owed in duration mode is unknown: n/a, as every unknown, not '?'", () => {
  const d = diagnoseStall(evidence({ totals: { completed: 900, inFlight: 8, planned: null } }));
  assert.match(
    renderStallDiagnosis(d),
    /900 done, n\/a owed \(in flight or not yet sent\), 8 in flight/,
  );
});
