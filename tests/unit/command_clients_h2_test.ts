// Command client fleets over HTTP/2, the pure parts: `{ca_file}`'s validation and expansion, the
// servers' streams per connection, seed 004's stall hint, `openStreamsBelow(n, { of })` and the text.
import assert from "node:assert/strict";
import { defineScenario, hello, openStreamsBelow } from "../../mod.ts";
import { resolveScenario } from "../../scenario/resolve.ts";
import { expandArgv } from "../../run/command_clients.ts";
import { diagnoseClientStall } from "../../report/client_stall_diagnosis.ts";
import { renderTextReport } from "../../report/text.ts";
import { type ConnectionStreams, openConnectionStream } from "../../servers/connection_streams.ts";
import type { ClientConnectionReport, ClientProcessReport } from "../../report/types.ts";
import { clientProcessFixture, reportFixture } from "../_report_fixture.ts";
import { scenarioIssues } from "../_scenario_issues.ts";

Deno.test("{ca_file} is refused, with its field, when no server fleet speaks HTTP/2", () => {
  assert.deepEqual(
    scenarioIssues({ clients: [{ command: ["node", "c.mjs", "{url}", "{ca_file}"] }] }),
    [
      "clients[0].command[3]: {ca_file} is the CA of wedge's HTTP/2 (TLS) servers, and no " +
      'server fleet of this run speaks HTTP/2: give the target fleet protocol: "h2", or remove ' +
      "{ca_file}",
    ],
  );
  const inEnv = scenarioIssues({ clients: [{ command: ["c"], env: { CA: "{ca_file}" } }] });
  assert.match(inEnv[0], /^clients\[0\]\.env\.CA: \{ca_file\}/);
  const scenario = resolveScenario(defineScenario({
    name: "h2",
    description: "d",
    servers: [{ protocol: "h2", behavior: hello() }],
    clients: [{ command: ["c", "{url}", "{ca_file}"] }],
  }));
  assert.equal(scenario.commandClients.length, 1);
});

Deno.test("{ca_file} expands to the file of the run's CA", () => {
  const values = {
    url: "u",
    urls: ["u"],
    urlsFile: "/f",
    caFile: "/logs/ca.pem",
    index: 0,
    count: 1,
  };
  assert.deepEqual(expandArgv(["c", "--ca={ca_file}"], values), ["c", "--ca=/logs/ca.pem"]);
});

Deno.test("a server counts each connection's open streams, its peak and its oldest open", () => {
  const connections = new Map<number, ConnectionStreams>();
  const first = openConnectionStream(connections, 50000);
  const before = Date.now();
  const second = openConnectionStream(connections, 50000);
  openConnectionStream(connections, 50001);
  const oldest = connections.get(50000)!.oldestOpenSinceMs!;
  assert.ok(oldest <= before);
  first();
  first(); // once only
  const c = connections.get(50000)!;
  assert.deepEqual([c.open, c.peak], [1, 2]);
  assert.ok(c.oldestOpenSinceMs! >= oldest, "the next oldest is the oldest now");
  second();
  assert.deepEqual([c.open, c.peak, c.oldestOpenSinceMs], [0, 2, null]);
  assert.equal(connections.get(50001)!.open, 1);
});

const H2 = {
  localPort: 50000,
  remotePort: 8443,
  state: "ESTABLISHED" as const,
  ageMs: 5000,
  unsentBytes: 0,
  unreadBytes: 0,
};

function stall(connection: ClientConnectionReport, received = 2000, answered = 1800) {
  return diagnoseClientStall({
    boundMs: 2000,
    atMs: 6000,
    lastRequestAtMs: 4000,
    processes: [{
      name: "node[0]",
      pid: 9,
      openFds: 20,
      fdLimit: 1024,
      rssBytes: 40 << 20,
      connections: [connection],
    }],
    servers: [{ name: "h2[0]", received, answered }],
  });
}

Deno.test("seed 004's hint: every stream slot of a client's connection held", () => {
  const streams = { open: 200, peak: 200, oldestAgeMs: 4100, limit: 200 };
  const full = stall({ ...H2, streams }, 2000, 2000);
  assert.match(
    full.hints[0],
    /^every stream slot of connection :50000 is held \(200 of 200 open, oldest 4\.1 s\): `max_concurrent_streams` is exhausted and node\[0\]'s new requests queue behind them\. A client whose timeouts .*RST_STREAM.*seed 004/,
  );
  assert.doesNotMatch(full.hints.join("\n"), /server side/);
  // The servers hold requests unanswered (h2load -m 250 against hang()): from the server side
  // a hung server and a client that gave up without cancelling look alike; both are said.
  const held = stall({ ...H2, streams }, 2000, 1800);
  assert.match(
    held.hints[0],
    /queue behind them\. The servers hold 200 request\(s\) they have not answered: if the client still waits for them, the wait is on the server side; a client that gave up on them without cancelling the stream \(RST_STREAM\) leaks one per timeout: seed 004/,
  );
  assert.equal(held.hints.filter((h) => /server side/.test(h)).length, 1);
});

Deno.test("seed 004's hint does not fire with a few streams open, nor for an idle HTTP/1.1 pool", () => {
  const few = stall(
    { ...H2, streams: { open: 3, peak: 40, oldestAgeMs: 900, limit: 200 } },
    40,
    37,
  );
  assert.doesNotMatch(few.hints.join("\n"), /seed 004/);
  assert.match(few.hints[0], /hold 3 request\(s\).*server side/);
  const h1 = stall({ ...H2, remotePort: 8080, streams: null }, 10, 10);
  assert.doesNotMatch(h1.hints.join("\n"), /seed 004/);
  assert.match(h1.hints.join("\n"), /seed 000/);
});

function clientProcess(over: Partial<ClientProcessReport>): ClientProcessReport {
  return clientProcessFixture({
    name: "node[0]",
    fleet: "node",
    argv: ["node"],
    url: "https://127.0.0.1:1/",
    ending: "stopped-by-run",
    code: null,
    signal: "SIGTERM",
    peakOpenFds: 20,
    peakStreamsOnOneConnection: null,
    ...over,
  });
}

function reportWith(processes: ClientProcessReport[]) {
  return reportFixture({
    commandClients: { source: "server view", received: 5, answered: 5, processes, stall: null },
  });
}

Deno.test("openStreamsBelow of a client fleet judges the peak on one of its connections", () => {
  const report = reportWith([
    clientProcess({ peakStreamsOnOneConnection: 12 }),
    clientProcess({ name: "node[1]", index: 1, peakStreamsOnOneConnection: 200 }),
  ]);
  const failed = openStreamsBelow(200, { of: "node" }).check(report);
  assert.deepEqual([failed.pass, failed.measured], [
    false,
    "peak 200 on one connection of node[1]",
  ]);
  assert.equal(openStreamsBelow(201, { of: "node" }).check(report).pass, true);
  const h1 = openStreamsBelow(200, { of: "node" }).check(reportWith([clientProcess({})]));
  assert.deepEqual([h1.pass, h1.measured], [false, "not measured"]);
  assert.equal(openStreamsBelow(200, { of: "other" }).check(report).measured, "not measured");
});

Deno.test("the text prints a client's streams where they exist, and nothing for HTTP/1.1", () => {
  const streams = { open: 200, peak: 200, oldestAgeMs: 4100, limit: 200 };
  const p = clientProcess({ peakStreamsOnOneConnection: 200 });
  const report = reportFixture({
    commandClients: {
      source: "server view",
      received: 2000,
      answered: 1800,
      processes: [p, clientProcess({ name: "py[0]", fleet: "py" })],
      stall: stall({ ...H2, streams }),
    },
  });
  const text = renderTextReport(report);
  assert.match(
    text,
    /node\[0\] pid 10 .*at most 200 HTTP\/2 streams open on one connection \(at the server\)/,
  );
  assert.doesNotMatch(text, /py\[0\] pid 10 .*HTTP\/2/);
  assert.match(
    text,
    /:50000 -> :8443 ESTABLISHED.*HTTP\/2 streams 200 of 200 open \(peak 200, oldest 4\.10s\)/,
  );
});
