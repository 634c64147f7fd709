import assert from "node:assert/strict";
import { closeMidBody, defineScenario, hang, resetAfterHeaders, runScenario } from "../../mod.ts";
import { renderTextReport } from "../../report.ts";

Deno.test("streams a server's resetAfterHeaders broke are the server's resets, not the clients'", async () => {
  const report = await runScenario(defineScenario({
    name: "h2-server-resets",
    description: "every 2nd response is reset after its headers",
    timeLimit: "20s",
    servers: [{ protocol: "h2", behavior: resetAfterHeaders({ every: 2 }) }],
    clients: [{ concurrency: 4, requests: 40 }],
  }));
  const streams = report.servers[0].streams!;
  assert.equal(report.totals.errors, 20, JSON.stringify(report.totals));
  assert.equal(streams.reset, 0, "the fetch client reset no stream");
  assert.equal(streams.resetByServer, 20, "every 2nd of 40 responses was broken on purpose");
  assert.equal(streams.openAtEnd, 0);
  assert.match(
    renderTextReport(report),
    /HTTP\/2 streams: 20 reset by the server \(its response body failed\), 0 reset by clients/,
  );
});

Deno.test("streams a server's closeMidBody cut are the server's resets, not the clients'", async () => {
  const report = await runScenario(defineScenario({
    name: "h2-server-cuts",
    description: "every 4th body is cut halfway",
    timeLimit: "20s",
    servers: [{ protocol: "h2", behavior: closeMidBody({ every: 4, bodyBytes: 4096 }) }],
    clients: [{ concurrency: 8, requests: 40 }],
  }));
  const streams = report.servers[0].streams!;
  assert.deepEqual([streams.reset, streams.resetByServer, streams.openAtEnd], [0, 10, 0]);
});

Deno.test("a client's timeout that cancels is still a client reset, and no server reset", async () => {
  const report = await runScenario(defineScenario({
    name: "h2-client-resets",
    description: "every request hangs; the client gives up after 100 ms",
    timeLimit: "20s",
    servers: [{ protocol: "h2", behavior: hang() }],
    clients: [{ concurrency: 4, requests: 12, timeout: { after: "100ms", cancel: true } }],
  }));
  const streams = report.servers[0].streams!;
  assert.deepEqual([streams.reset, streams.resetByServer, streams.openAtEnd], [12, 0, 0]);
});

Deno.test("client and server resets at once, 32 streams in flight, are each counted as theirs", async () => {
  const report = await runScenario(defineScenario({
    name: "h2-both-resets",
    description: "every 5th request hangs until the client cancels; every 2nd other is reset",
    timeLimit: "30s",
    servers: [{
      protocol: "h2",
      behavior: hang({ every: 5, then: resetAfterHeaders({ every: 2 }) }),
    }],
    clients: [{ concurrency: 32, requests: 400, timeout: { after: "100ms", cancel: true } }],
  }));
  const streams = report.servers[0].streams!;
  assert.deepEqual([streams.reset, streams.resetByServer, streams.openAtEnd], [80, 160, 0]);
});

Deno.test("a server host process sends the server's resets apart from the clients'", async () => {
  const report = await runScenario(defineScenario({
    name: "h2-host-resets",
    description: "the resetAfterHeaders server runs in a host process",
    timeLimit: "20s",
    servers: [{ protocol: "h2", isolate: true, behavior: resetAfterHeaders({ every: 2 }) }],
    clients: [{ concurrency: 4, requests: 40 }],
  }));
  const streams = report.servers[0].streams!;
  assert.deepEqual([streams.reset, streams.resetByServer, streams.openAtEnd], [0, 20, 0]);
});
