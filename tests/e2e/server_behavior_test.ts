import assert from "node:assert/strict";
import { scenarioIssues } from "../_scenario_issues.ts";
import {
  closeMidBody,
  defineScenario,
  delay,
  hang,
  hello,
  noStallLongerThan,
  resetAfterHeaders,
  runScenario,
  slowBody,
  stopAccepting,
} from "../../mod.ts";
import type { BehaviorInput, ClientFleetInput } from "../../mod.ts";
import { createSelector } from "../../servers/behavior_handler.ts";
import { createRandom } from "../../plan/random.ts";
import { startServerFleet } from "../../servers/fleet.ts";

function oneServer(behavior: BehaviorInput, client: ClientFleetInput) {
  return defineScenario({
    name: "behaviour",
    description: "one server",
    timeLimit: "20s",
    servers: [{ behavior }],
    clients: [client],
  });
}

Deno.test("selectors: every Nth, after N, every 0 = never, and a seeded probability", () => {
  const run = (select: Parameters<typeof createSelector>[0], seed = 1) => {
    const selected = createSelector(select, createRandom(seed));
    return Array.from({ length: 10 }, () => selected() ? 1 : 0).join("");
  };
  assert.equal(run({ every: 3 }), "0010010010");
  assert.equal(run({ after: 7 }), "0000000111");
  assert.equal(run({ every: 2, after: 4 }), "0000010101");
  assert.equal(run({ every: 0 }), "0000000000");
  assert.equal(run({}), "1111111111");
  assert.equal(run({ probability: 0.5 }, 7), run({ probability: 0.5 }, 7));
  assert.notEqual(run({ probability: 0.5 }, 7), run({ probability: 0.5 }, 8));
});

Deno.test("hang every 2nd request: with a cancelling timeout, half time out and half succeed", async () => {
  const report = await runScenario(
    oneServer(hang({ every: 2 }), { concurrency: 10, requests: 10, timeout: "1s" }),
  );
  assert.equal(report.totals.ok, 5);
  assert.deepEqual(report.errors.map((e) => [e.class, e.count]), [["timeout", 5]]);
  assert.equal(report.servers[0].received, 10);
});

Deno.test("closeMidBody and resetAfterHeaders break the body after the headers", async () => {
  const mid = await runScenario(
    oneServer(closeMidBody({ every: 2, bodyBytes: 4096 }), { concurrency: 1, requests: 10 }),
  );
  assert.equal(mid.totals.ok, 5);
  assert.deepEqual(mid.errors.map((e) => [e.class, e.count]), [["body_error", 5]]);
  const reset = await runScenario(oneServer(resetAfterHeaders(), { concurrency: 2, requests: 6 }));
  assert.equal(reset.totals.ok, 0);
  assert.equal(reset.totals.errors, 6);
  assert.ok(reset.errors.length > 0);
  assert.ok(reset.errors.every((e) => e.class === "body_error" || e.class === "connection_closed"));
});

Deno.test("slowBody paces the body: 300 bytes at 3000 B/s take about 100 ms", async () => {
  const report = await runScenario(
    oneServer(slowBody({ bytesPerSecond: 3000, bodyBytes: 300 }), { concurrency: 1, requests: 3 }),
  );
  assert.equal(report.totals.ok, 3);
  assert.ok(report.latency.min! >= 80, `fastest ${report.latency.min}ms`);
  assert.ok(report.latency.max! < 5000, `slowest ${report.latency.max}ms`);
});

Deno.test("stopAccepting: after N connections new ones wait unaccepted; the diagnosis says so", async () => {
  const report = await runScenario(defineScenario({
    name: "stop-accepting",
    description: "2 connections, then no accept()",
    timeLimit: "20s",
    servers: [{ behavior: stopAccepting({ after: 2 }) }],
    clients: [{ concurrency: 1, requests: 5, pool: { maxIdlePerHost: 0 } }],
    assert: [noStallLongerThan("1s")],
  }));
  assert.equal(report.outcome, "stalled");
  assert.equal(report.totals.ok, 2);
  assert.equal(report.servers[0].received, 2, "the third connection never reached the handler");
  assert.match(report.servers[0].behavior, /^stop accepting after 2 connections/);
  assert.ok(
    report.stall!.hints.some((h) =>
      h.startsWith("servers[0]'s handler never saw 1 of the 1 requests") &&
      h.includes("connection not accepted")
    ),
    report.stall!.hints.join("\n"),
  );
});

Deno.test("a seeded probability replays: the same seed gives the same failures", async () => {
  const scenario = oneServer(hang({ probability: 0.3 }), {
    concurrency: 20,
    requests: 40,
    timeout: "1s",
  });
  const a = await runScenario(scenario, { seed: 11 });
  const b = await runScenario(scenario, { seed: 11 });
  assert.ok(a.totals.errors > 0 && a.totals.errors < 40);
  assert.equal(a.totals.errors, b.totals.errors);
});

Deno.test("behaviours compose: delay, then hang every 2nd, then hello", async () => {
  const report = await runScenario(
    oneServer(delay("20ms", { then: hang({ every: 2 }) }), {
      concurrency: 4,
      requests: 4,
      timeout: "1s",
    }),
  );
  assert.equal(report.totals.ok, 2);
  assert.ok(report.latency.min! >= 18);
  assert.equal(
    report.servers[0].behavior,
    "delay 20ms, then hang (every 2nd request), else hello 200",
  );
});

function issuesOf(servers: unknown[], clients: unknown[] = [{ requests: 1 }], extra = {}) {
  return scenarioIssues({ servers, clients, ...extra });
}

Deno.test("invalid behaviours and requests are rejected before anything starts", () => {
  assert.deepEqual(issuesOf([{ behavior: delay("1ms", { then: stopAccepting({ after: 1 }) }) }]), [
    "servers[0].behavior: stopAccepting(...) and serial() act on the listener: make it the outermost behaviour",
  ]);
  assert.deepEqual(issuesOf([{ behavior: hello({ status: 204 }) }]), [
    'servers[0].behavior.body: a 204 response has no body: use hello({ status: 204, body: "" }), got "Hello, World!"',
  ]);
  assert.deepEqual(issuesOf([{ behavior: hang({ probability: 2 }) }]), [
    "servers[0].behavior.select.probability: expected a probability from 0 to 1, got 2",
  ]);
  assert.deepEqual(issuesOf([{}], [{ requests: 1, request: { body: "x" } }]), [
    'clients[0].request.body: a GET request cannot have a body: use method "POST" or drop the body, got "x"',
  ]);
  assert.deepEqual(issuesOf([{}], [{ requests: 1, request: { headers: { "bad name": "x" } } }]), [
    'clients[0].request.headers: expected header names made of letters, digits, "-" and "_", got "bad name"',
  ]);
  assert.deepEqual(issuesOf([{}], [{ requests: 1, timeout: "1000h" }]), [
    'clients[0].timeout: expected a duration ("2s") or { after: "2s", cancel: true | false }, got "1000h"',
  ]);
  assert.deepEqual(issuesOf([{}], [{ requests: 1 }], { timeLimit: "1000h" }), [
    'timeLimit: expected a duration up to 24 days (timers cannot wait longer), got "1000h"',
  ]);
});

async function rawResponse(url: string): Promise<string> {
  const { hostname, port } = new URL(url);
  const conn = await Deno.connect({ hostname, port: Number(port) });
  await conn.write(new TextEncoder().encode(`GET / HTTP/1.1\r\nHost: ${hostname}\r\n\r\n`));
  const chunks: Uint8Array[] = [];
  const buffer = new Uint8Array(65536);
  for (;;) {
    const n = await conn.read(buffer).catch(() => null);
    if (n === null) break;
    chunks.push(buffer.slice(0, n));
  }
  conn.close();
  return new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c])));
}

Deno.test("on the wire: closeMidBody sends the headers and half the body, resetAfterHeaders only the headers", async () => {
  const hello200 = { kind: "hello" as const, status: 200, body: "", headers: {} };
  const fleet = await startServerFleet([
    {
      id: 0,
      fleet: "s",
      index: 0,
      seed: 1,
      protocol: "h1",
      behavior: { kind: "closeMidBody", select: {}, bodyBytes: 4096, then: hello200 },
    },
    {
      id: 1,
      fleet: "s",
      index: 1,
      seed: 1,
      protocol: "h1",
      behavior: { kind: "resetAfterHeaders", select: {}, then: hello200 },
    },
  ]);
  try {
    const mid = await rawResponse(fleet.urls[0]);
    const [midHead, midBody] = mid.split("\r\n\r\n");
    assert.match(midHead, /^HTTP\/1\.1 200 OK/);
    assert.match(midHead, /content-length: 4096/i);
    assert.equal(midBody.length, 2048, "half of the declared body, then the connection breaks");
    const reset = await rawResponse(fleet.urls[1]);
    const [resetHead, resetBody] = reset.split("\r\n\r\n");
    assert.match(resetHead, /content-length: 1024/i);
    assert.equal(resetBody, "");
  } finally {
    await fleet.stop();
  }
});
