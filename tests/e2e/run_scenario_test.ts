import assert from "node:assert/strict";
import { Hono } from "hono";
import {
  allRequestsComplete,
  assertPassed,
  defineScenario,
  delay,
  handler,
  hello,
  latencyBelow,
  runScenario,
  successRateAtLeast,
  throughputAtLeast,
} from "../../mod.ts";

// Deno.test's op and resource sanitizers are on: a leaked timer, socket, server or worker fails
// these tests.

Deno.test("2 servers x 2 clients x 200 requests: exactly 200 responses, split evenly, sane percentiles", async () => {
  const report = await runScenario(
    defineScenario({
      name: "small",
      description: "2 x 2 x 200",
      servers: [{ count: 2, behavior: hello() }],
      clients: [{ count: 2, concurrency: 4, requests: 200 }],
      assert: [allRequestsComplete(), successRateAtLeast(1), throughputAtLeast(1)],
    }),
    { seed: 1 },
  );
  assertPassed(report);
  assert.equal(report.outcome, "completed");
  assert.deepEqual(report.totals, {
    planned: 200,
    sent: 200,
    completed: 200,
    ok: 200,
    failed: 0,
    errors: 0,
    inFlight: 0,
    abandoned: 0,
    retried: null, // fetch (the default engine) retries inside hyper, unseen
    bodyBytes: 200 * "Hello, World!".length,
  });
  assert.deepEqual(report.statusCodes, { "200": 200 });
  assert.deepEqual(report.servers.map((s) => [s.received, s.responded, s.completedByClients]), [
    [100, 100, 100],
    [100, 100, 100],
  ]);
  assert.deepEqual(report.clients.map((c) => [c.planned, c.completed, c.ok]), [
    [100, 100, 100],
    [100, 100, 100],
  ]);
  const l = report.latency;
  assert.equal(l.count, 200);
  assert.ok(l.min! > 0 && l.min! <= l.percentiles.p50!, JSON.stringify(l));
  assert.ok(l.percentiles.p50! <= l.percentiles.p90! && l.percentiles.p90! <= l.percentiles.p99!);
  assert.ok(
    l.percentiles.p99! <= l.percentiles["p99.9"]! && l.percentiles["p99.9"]! <= l.max! + 0.01,
  );
  assert.ok(l.max! < 5000, "a hello request on loopback takes well under 5 s");
  assert.equal(l.histogram.reduce((n, b) => n + b.count, 0), 200);
  assert.ok(report.requestsPerSecond! > 0);
  assert.equal(report.seed, 1);
  assert.equal(report.shape.workers, 2);
  assert.deepEqual(report.incidents, []);
});

Deno.test("a latency bound below the server's delay fails with the measured value", async () => {
  const report = await runScenario(defineScenario({
    name: "slow",
    description: "20ms server",
    servers: [{ behavior: delay("20ms") }],
    clients: [{ concurrency: 4, requests: 20 }],
    assert: [allRequestsComplete(), latencyBelow({ p99: "1ms" })],
  }));
  assert.equal(report.passed, false);
  const [complete, latency] = report.assertions;
  assert.equal(complete.pass, true);
  assert.equal(latency.pass, false);
  assert.match(latency.measured, /^p99 = \d+(\.\d+)?ms$/);
  assert.ok(report.latency.percentiles.p99! >= 19, `p99 ${report.latency.percentiles.p99}`);
  assert.throws(() => assertPassed(report), /FAIL p99 latency below 1\.00ms: p99 = /);
});

Deno.test("the time limit stops a run whose server never answers in time, and reports what was in flight", async () => {
  const t0 = performance.now();
  const report = await runScenario(defineScenario({
    name: "limited",
    description: "10s server, 500ms limit",
    timeLimit: "500ms",
    servers: [{ behavior: delay("10s") }],
    clients: [{ count: 2, concurrency: 2, requests: 8 }],
    assert: [allRequestsComplete()],
  }));
  const elapsed = performance.now() - t0;
  // Lower bound tight (the limit held), upper bound far below the server's 10 s.
  assert.ok(report.durationMs >= 450, `stopped after ${report.durationMs}ms, before the limit`);
  assert.ok(elapsed < 8000, `stopped in ${elapsed}ms`);
  assert.equal(report.outcome, "time-limit");
  assert.equal(report.totals.sent, 4);
  assert.equal(report.totals.inFlight, 4);
  assert.equal(report.totals.completed, 0);
  assert.equal(report.servers[0].received, 4);
  assert.equal(report.servers[0].inFlight, 4);
  assert.equal(report.passed, false);
  assert.match(
    report.assertions[0].detail!,
    /4 never sent; 4 still in flight at the end; stopped by the time limit/,
  );
});

Deno.test("timeouts with cancel abort requests and count them as timeouts", async () => {
  const report = await runScenario(defineScenario({
    name: "timeouts",
    description: "2s server, 100ms timeout",
    servers: [{ behavior: delay("2s") }],
    clients: [{ concurrency: 3, requests: 6, timeout: "100ms" }],
  }));
  assert.equal(report.outcome, "completed");
  assert.equal(report.totals.completed, 6);
  assert.equal(report.totals.errors, 6);
  assert.equal(report.totals.abandoned, 0);
  assert.deepEqual(report.errors, [{ class: "timeout", message: "request timed out", count: 6 }]);
  // 2 rounds of 100 ms timeouts; had the timeouts not freed the lanes, 2 rounds of 2 s (4 s).
  assert.ok(report.durationMs >= 190, `took ${report.durationMs}ms: faster than 2 timeouts`);
  assert.ok(
    report.durationMs < 3500,
    `took ${report.durationMs}ms: timeouts did not free the lanes`,
  );
});

Deno.test("timeouts without cancel stop waiting but leave the request running (abandoned)", async () => {
  const report = await runScenario(defineScenario({
    name: "leaky-timeouts",
    description: "300ms server, 50ms timeout that does not cancel",
    servers: [{ behavior: delay("300ms") }],
    clients: [{ concurrency: 2, requests: 4, timeout: { after: "50ms", cancel: false } }],
  }));
  assert.equal(report.totals.completed, 4);
  assert.equal(report.totals.abandoned, 4);
  assert.equal(report.totals.inFlight, 0);
  assert.equal(report.servers[0].inFlight, 0, "per-server in flight agrees with the totals");
  assert.equal(report.errors[0].class, "timeout");
  assert.equal(report.servers[0].received, 4, "the server still got every request");
});

Deno.test("a Hono app serves the fleet; method, path, headers and body reach it; 4xx counts as failed", async () => {
  const seen: string[] = [];
  const app = new Hono()
    .post("/echo", async (c) => {
      seen.push(`${c.req.header("x-test")}:${await c.req.text()}`);
      return c.text("ok");
    });
  const report = await runScenario(defineScenario({
    name: "hono",
    description: "hono app",
    servers: [{ name: "app", behavior: handler(app) }, { name: "plain", behavior: hello() }],
    clients: [
      {
        target: "app",
        requests: 3,
        request: { method: "POST", path: "/echo", headers: { "x-test": "yes" }, body: "hi" },
      },
      { target: "app", requests: 2, request: { path: "/missing" } },
    ],
    assert: [successRateAtLeast(0.6)],
  }));
  assertPassed(report);
  assert.deepEqual(seen, ["yes:hi", "yes:hi", "yes:hi"]);
  assert.deepEqual(report.statusCodes, { "200": 3, "404": 2 });
  assert.equal(report.totals.failed, 2);
  assert.equal(report.totals.errors, 0);
  assert.equal(report.successRate, 0.6);
  assert.equal(report.servers[1].received, 0, "the untargeted fleet got nothing");
});

Deno.test("duration mode sends for the given time and plans no count", async () => {
  const report = await runScenario(defineScenario({
    name: "duration",
    description: "300ms",
    servers: [{ behavior: hello() }],
    clients: [{ concurrency: 2, duration: "300ms" }],
    assert: [allRequestsComplete()],
  }));
  assertPassed(report);
  assert.equal(report.totals.planned, null);
  assert.ok(report.totals.completed > 10, `completed ${report.totals.completed}`);
  assert.ok(report.durationMs >= 300 && report.durationMs < 10_000, `${report.durationMs}ms`);
});

Deno.test("the same seed replays the same random target choices", async () => {
  const scenario = defineScenario({
    name: "random",
    description: "random targets",
    servers: [{ count: 4, behavior: hello() }],
    clients: [{ concurrency: 1, requests: 60, select: "random" }],
  });
  const a = await runScenario(scenario, { seed: 99 });
  const b = await runScenario(scenario, { seed: 99 });
  const c = await runScenario(scenario, { seed: 100 });
  const spread = (r: typeof a) => r.servers.map((s) => s.received);
  assert.deepEqual(spread(a), spread(b));
  assert.notDeepEqual(spread(a), spread(c));
  assert.equal(spread(a).reduce((x, y) => x! + y!, 0), 60); // runtime servers: counted
});

Deno.test("an abort signal stops the run and the report says so", async () => {
  // Abort once the first request is in flight (not after a fixed time: start-up may be slow).
  const abort = new AbortController();
  const t0 = performance.now();
  const report = await runScenario(
    defineScenario({
      name: "aborted",
      description: "abort",
      timeLimit: "60s",
      servers: [{ behavior: delay("30s") }],
      clients: [{ requests: 2 }],
    }),
    {
      signal: abort.signal,
      progressIntervalMs: 20,
      onProgress: (s) => {
        if ((s.inFlight ?? 0) >= 1) abort.abort();
      },
    },
  );
  assert.ok(abort.signal.aborted, "the request was never seen in flight");
  assert.equal(report.outcome, "aborted");
  assert.equal(report.totals.inFlight, 1);
  assert.equal(report.totals.completed, 0);
  assert.ok(performance.now() - t0 < 20_000, "the abort ended the run, not the server's 30 s");
});

Deno.test("progress samples and phases are reported while the run goes on", async () => {
  const phases: string[] = [];
  let samples = 0;
  let last = 0;
  const backwards: string[] = [];
  await runScenario(
    defineScenario({
      name: "progress",
      description: "progress",
      servers: [{ behavior: delay("5ms") }],
      clients: [{ concurrency: 2, duration: "400ms" }],
    }),
    {
      progressIntervalMs: 50,
      onPhase: (p) => phases.push(p.phase),
      // Judged after the run: a callback that throws is only reported, it cannot fail the test.
      onProgress: (s) => {
        samples++;
        // wedge's own workers always know their counts.
        if (s.completed === null) return void backwards.push("completed unknown");
        if (s.completed < last) backwards.push(`${last} -> ${s.completed}`);
        last = s.completed;
      },
    },
  );
  assert.deepEqual(phases, ["servers", "clients", "load"]);
  assert.ok(samples >= 4, `${samples} samples`);
  assert.deepEqual(backwards, [], "completed never goes back");
  assert.ok(last > 0, "the samples saw the requests complete");
});

Deno.test("pool.maxIdlePerHost 0 opens a connection per request; the default pool reuses one", async () => {
  const run = async (pool: { maxIdlePerHost?: number }) => {
    const ports = new Set<number>();
    await runScenario(defineScenario({
      name: "pool",
      description: "count client ports",
      servers: [{
        behavior: (_req: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>) => {
          ports.add(info.remoteAddr.port);
          return new Response("ok");
        },
      }],
      clients: [{ concurrency: 1, requests: 20, pool }],
    }));
    return ports.size;
  };
  assert.equal(await run({}), 1, "keep-alive: one connection for 20 sequential requests");
  assert.equal(await run({ maxIdlePerHost: 0 }), 20, "no idle connection kept: one per request");
});

Deno.test("the report carries the runtime's fd count and memory over time", async () => {
  const report = await runScenario(defineScenario({
    name: "probe",
    description: "probe",
    servers: [{ behavior: hello() }],
    clients: [{ concurrency: 2, duration: "300ms" }],
  }));
  assert.equal(report.process.pid, Deno.pid);
  if (Deno.build.os === "linux") {
    assert.ok(report.process.peakOpenFds! > 0);
    assert.ok(report.process.fdLimit! >= report.process.peakOpenFds!);
    assert.ok(report.process.peakRssBytes! > 0);
    assert.ok(report.timeline.length > 0, "a 300 ms run has at least one timeline point");
    assert.ok(report.timeline.every((p) => p.openFds! > 0 && p.rssBytes! > 0));
  }
});

Deno.test("a 2 s run's timeline: 4 points a second, fds and RSS of a server host and a node command", async () => {
  const logDir = await Deno.makeTempDir({ prefix: "wedge-test-timeline-" });
  const nodeServer = new URL("../fixtures/node_server.mjs", import.meta.url).pathname;
  const report = await runScenario(
    defineScenario({
      name: "timeline",
      description: "a server host and a node:http command under 2 s of load",
      servers: [
        { name: "hosted", isolate: true, behavior: hello() },
        { name: "node", command: ["node", nodeServer, "--port", "{port}"], ready: { port: true } },
      ],
      clients: [{ concurrency: 4, duration: "2s" }],
    }),
    { logDir },
  );
  await Deno.remove(logDir, { recursive: true });
  if (Deno.build.os !== "linux") return;
  const { timeline, timelineProcesses } = report;
  assert.ok(timeline.length >= 8, `${timeline.length} points in ${report.durationMs} ms`);
  assert.equal(report.timelineResolutionMs, 250);
  assert.deepEqual(timelineProcesses!.map((p) => p.role), ["runtime", "server-host", "command"]);
  assert.ok(timelineProcesses!.every((p) => p.fdLimit! > 0), JSON.stringify(timelineProcesses));
  for (const p of timeline) {
    assert.equal(p.processOpenFds!.length, 3);
    assert.ok(p.processOpenFds!.every((n) => n! > 0), JSON.stringify(p.processOpenFds));
    assert.ok(p.processRssBytes!.every((n) => n! > 1024 * 1024), JSON.stringify(p.processRssBytes));
    assert.ok(p.fdLimit! >= p.openFds!);
    assert.deepEqual(p.errorsByClass, {});
    assert.equal(p.streamsByServer, null, "no HTTP/2 server");
  }
  // The node server holds the client connections' server ends: more fds than at rest.
  assert.ok(timeline.some((p) => p.processOpenFds![2]! >= 4 + 4));
  assert.ok(timeline.some((p) => p.acceptQueue !== null && p.sockets !== null));
  assert.deepEqual(report.incidentMarks, []);
});

Deno.test("a progress callback that throws does not end the run", async () => {
  const report = await runScenario(
    defineScenario({
      name: "throwing-callback",
      description: "d",
      servers: [{ behavior: delay("5ms") }],
      clients: [{ concurrency: 2, duration: "300ms" }],
      assert: [allRequestsComplete()],
    }),
    {
      progressIntervalMs: 50,
      onProgress: () => {
        throw new Error("display broke");
      },
      onPhase: () => {
        throw new Error("display broke");
      },
    },
  );
  assertPassed(report);
});
